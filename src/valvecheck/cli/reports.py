"""The report command: Word, Excel, HTML, Markdown and the monitoring pack."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from valvecheck.cli import output
from valvecheck.cli.core import Assessment, ws_of
from valvecheck.errors import InputError
from valvecheck.services import reports


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise InputError(f"{option} '{value}' is not a date: write it as YYYY-MM-DD") from None


def report(
    ctx: typer.Context,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="docx, xlsx, html, md, position (needs --since), or all "
            "(the first four, and position when --since is given).",
        ),
    ] = "all",
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into.")] = Path("."),
    assessment: Assessment = None,
    council: Annotated[
        str | None, typer.Option(help="Council named in the report (default: the assessment's).")
    ] = None,
    title: Annotated[str | None, typer.Option(help="Report title.")] = None,
    on: Annotated[
        str | None, typer.Option("--date", help="Date printed on the report, YYYY-MM-DD (today).")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(help="Start of the monitoring period, YYYY-MM-DD (for --format position)."),
    ] = None,
) -> None:
    """Write the committee reports: the appendix table, summary, opportunities and unrated."""
    written = reports.write_reports(
        ws_of(ctx),
        fmt,
        out,
        assessment,
        on=_date(on, "--date"),
        title=title,
        council=council,
        since=_date(since, "--since"),
    )
    for path in written:
        output.line(f"Wrote {path}")
