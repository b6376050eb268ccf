"""`valvecheck common`: measures that several agreements share."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from valvecheck.cli import output
from valvecheck.cli.core import By, read_file, use
from valvecheck.cli.lazy import lazy
from valvecheck.errors import InputError

if TYPE_CHECKING:
    from valvecheck.services import common as common_service
    from valvecheck.services import equivalence
else:  # loaded when the command first uses it (cli/lazy.py)
    common_service = lazy("valvecheck.services.common")
    equivalence = lazy("valvecheck.services.equivalence")


def register(app: typer.Typer) -> None:
    app.command("common")(common)
    app.command("same-as")(same_as)
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
    with use(ctx, workspace_wide=True) as c:  # the shared catalogue: no council to choose
        groups = common_service.common_measures(c, min_prevalence)
    if as_json:
        output.print_json([g.as_dict() for g in groups])
        return
    read = " (read with the sentence embedding too)" if common_service.embedded() else ""
    output.table(
        f"{len(groups)} groups of measures{read}",
        ["Prevalence", "Members", "Authorities", "Representative"],
        [
            [g.prevalence, ", ".join(g.members), "; ".join(g.authorities), g.representative]
            for g in groups
        ],
    )


def same_as(
    ctx: typer.Context,
    measure_id: Annotated[str, typer.Argument(help="Measure id, e.g. bury-4.")],
    other_id: Annotated[str, typer.Argument(help="Another agreement's measure, e.g. kent-3.")],
    different: Annotated[
        bool, typer.Option("--not", help="They are not the same: never group them together.")
    ] = False,
    withdraw: Annotated[
        bool,
        typer.Option("--withdraw", help="Withdraw the decision: the grouping decides again."),
    ] = False,
    rationale: Annotated[str, typer.Option(help="Why.")] = "",
    by: By = None,
) -> None:
    """Record that two agreements' measures are the same commitment (or, with --not, are not).

    Common measures, prevalence and reports follow."""
    if different and withdraw:
        raise InputError("say --not or --withdraw, not both", field="--withdraw")
    decision = "none" if withdraw else "different" if different else "same"
    with use(ctx, write=True, by=by, workspace_wide=True) as c:  # the shared catalogue
        found = equivalence.decide(c, measure_id, other_id, decision, rationale)
    if found is None:
        output.line(f"Withdrawn: the grouping decides for {measure_id} and {other_id}.")
        return
    said = "the same commitment" if found.decision == "same" else "not the same"
    output.line(f"Recorded: {found.measure} and {found.other} are {said} (by {found.by}).")


def eval_common(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with columns text_a,text_b (two wordings of one measure per row), and "
            "optionally same (1 the same measure, 0 different)."
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    cut: Annotated[
        float | None,
        typer.Option(
            "--cut",
            min=-2.0,
            max=4.0,
            help="Group at this score instead of the grouping's own cut (0.575; 0.85 with the "
            "sentence embedding): higher groups fewer pairs, more surely.",
        ),
    ] = None,
) -> None:
    """Measure the common-measure grouping on pairs of measure texts (no workspace needed).

    Prints its recall and precision."""
    e = common_service.evaluate_pairs_file(read_file(file), str(file), cut)
    if as_json:
        output.print_json(e.as_dict())
        return
    output.table(
        f"Common measures on the pairs in {file}",
        ["Figure", "Value"],
        [[k, "n/a" if v is None else v] for k, v in e.as_dict().items()],
    )
