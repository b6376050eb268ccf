"""The report command: Word, Excel, HTML, Markdown and the monitoring pack."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from valvecheck.cli import output
from valvecheck.cli.core import Assessment, use
from valvecheck.cli.lazy import lazy
from valvecheck.errors import InputError

if TYPE_CHECKING:
    from valvecheck.services import reports
    from valvecheck.services.reports import ReportFile
else:  # loaded when the command first uses it (cli/lazy.py)
    reports = lazy("valvecheck.services.reports")


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except ValueError:
        # a date of the wrong form is a usage error (exit 2), as docs/cli.md says
        raise typer.BadParameter(
            f"'{value}' is not a date: write it as YYYY-MM-DD", param_hint=option
        ) from None


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
    council_name: Annotated[
        str | None,
        typer.Option(
            "--council-name",
            help="The council's name as printed on the report (default: the assessment's "
            "council). Not another council of the workspace: the global --council chooses whose "
            "ratings are reported.",
        ),
    ] = None,
    title: Annotated[str | None, typer.Option(help="Report title.")] = None,
    appendix: Annotated[
        str | None,
        typer.Option(
            help="The paper's label for the report, printed above its title, e.g. "
            "'Appendix C' (default: none).",
        ),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="The report's date, YYYY-MM-DD (today). The report is the position at the end "
            "of that day: ratings, links and savings given after it are left out, and the "
            "programme's themes are as they stood then. Not after "
            "today, nor before the assessment was started.",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(help="Start of the monitoring period, YYYY-MM-DD (for --format position)."),
    ] = None,
) -> None:
    """Write the committee reports: the appendix table, summary, opportunities and unrated."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: this is a file; give a folder for the reports")
    try:
        with use(ctx) as c:
            files = reports.render(
                c,
                fmt,
                assessment,
                on=_date(on, "--date"),
                title=title,
                council_name=council_name,
                since=_date(since, "--since"),
                appendix=appendix,
            )
            name = reports.report_assessment(c, assessment)
    except InputError as exc:
        if exc.field != "on":
            raise
        raise InputError(f"--date: {exc}") from None
    output.line(f"Report of the assessment '{name}':")
    for path in write_all(files, out):
        output.line(f"Wrote {path}")


def write_all(files: list[ReportFile], out: Path) -> list[Path]:
    """Write every file into ``out``, all or none: each is written into a scratch folder first
    and moved into place only when all of them are done, so a failure leaves the folder as it
    was, never a mix of old and new files."""
    out.mkdir(parents=True, exist_ok=True)
    targets = [out / f.name for f in files]
    for target in targets:
        if target.is_dir():
            raise InputError(f"{target} is a folder: it cannot be replaced by a report")
    scratch = Path(tempfile.mkdtemp(prefix=".valvecheck-", dir=out))
    try:
        drafts = []
        for f in files:
            draft = scratch / f.name
            draft.write_bytes(f.content)
            drafts.append(draft)
        for draft, target in zip(drafts, targets, strict=True):
            os.replace(draft, target)
        return targets
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
