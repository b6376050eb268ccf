"""`valvecheck common`: measures that several agreements share."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from valvecheck.cli import output
from valvecheck.cli.core import read_file, use
from valvecheck.cli.lazy import lazy

if TYPE_CHECKING:
    from valvecheck.services import common as common_service
else:  # loaded when the command first uses it (cli/lazy.py)
    common_service = lazy("valvecheck.services.common")


def register(app: typer.Typer) -> None:
    app.command("common")(common)
    app.command("eval-common")(eval_common)


def common(
    ctx: typer.Context,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print a JSON list of groups (members, authorities, ...)."),
    ] = False,
    min_prevalence: Annotated[
        int,
        typer.Option(
            "--min-prevalence",
            min=1,
            help="Only groups found in at least this many agreements (2: leave out one-offs).",
        ),
    ] = 1,
) -> None:
    """Group measures that say the same thing across agreements; most widely shared first."""
    with use(ctx) as c:
        groups = common_service.common_measures(c, min_prevalence)
    if as_json:
        output.print_json([g.as_dict() for g in groups])
        return
    output.table(
        f"{len(groups)} groups of measures",
        ["Prevalence", "Members", "Authorities", "Representative"],
        [
            [g.prevalence, ", ".join(g.members), "; ".join(g.authorities), g.representative]
            for g in groups
        ],
    )


def eval_common(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with columns text_a,text_b (two wordings of one measure per row), and "
            "optionally same (1 the same measure, 0 different)."
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Measure the common-measure grouping on pairs of measure texts: recall and precision
    (no workspace needed)."""
    e = common_service.evaluate_pairs_file(read_file(file), str(file))
    if as_json:
        output.print_json(e.as_dict())
        return
    output.table(
        f"Common measures on the pairs in {file}",
        ["Figure", "Value"],
        [[k, "n/a" if v is None else v] for k, v in e.as_dict().items()],
    )
