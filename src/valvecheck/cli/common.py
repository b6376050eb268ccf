"""`valvecheck common`: measures that several agreements share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from valvecheck.cli import output
from valvecheck.cli.core import use
from valvecheck.cli.lazy import lazy

if TYPE_CHECKING:
    from valvecheck.services import common as common_service
else:  # loaded when the command first uses it (cli/lazy.py)
    common_service = lazy("valvecheck.services.common")


def register(app: typer.Typer) -> None:
    app.command("common")(common)


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
