"""`valvecheck impact` and `valvecheck trajectory`: savings against the high needs deficit."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from valvecheck.cli import output
from valvecheck.cli.core import Assessment, command_line, read_file, use
from valvecheck.cli.lazy import lazy
from valvecheck.domain.impact_counts import COUNTS
from valvecheck.domain.money import money_text
from valvecheck.domain.names import count
from valvecheck.errors import InputError

if TYPE_CHECKING:
    from valvecheck.domain.impact import Impact, Saving, TrajectoryChange, TrajectoryYear
    from valvecheck.services import impact as service
    from valvecheck.services import trajectory as trajectories
    from valvecheck.services import weights as weights_service
else:  # loaded when a command first uses it (cli/lazy.py)
    service = lazy("valvecheck.services.impact")
    trajectories = lazy("valvecheck.services.trajectory")
    weights_service = lazy("valvecheck.services.weights")

impact_app = typer.Typer(
    help="Savings on activities, shared among their measures, against the deficit trajectory.",
)
trajectory_app = typer.Typer(
    help="The high needs deficit trajectory of an assessment: unmitigated, target, actual.",
)
Year = Annotated[str, typer.Option("--year", "-y", help="Financial year, e.g. 2025-26.")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON (amounts as exact strings).")]
COUNT_KEYS = ", ".join(k for k, _ in COUNTS)


def register(app: typer.Typer) -> None:
    app.add_typer(impact_app, name="impact")
    app.add_typer(trajectory_app, name="trajectory")


@impact_app.callback(invoke_without_command=True)
def show(
    ctx: typer.Context,
    as_json: Json = False,
    assessment: Assessment = None,
    behind: Annotated[
        str,
        typer.Option(
            "--behind",
            help="Flag activities more than this percentage short of their expected saving to "
            "date.",
        ),
    ] = "10",
) -> None:
    """Show savings by year against the trajectory, by measure and by theme, with flags."""
    if ctx.invoked_subcommand is not None:
        return
    threshold = _percent(behind)
    with use(ctx) as c:
        found = service.impact(c, assessment, threshold=threshold)
    if as_json:
        output.print_json(found.as_dict())
        return
    print_impact(ctx, found)


def _percent(text: str) -> Decimal:
    try:
        value = Decimal(text.strip().removesuffix("%"))
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or value < 0:
        raise InputError(f"'{text}' is not a percentage (e.g. 10)", field="behind")
    return value / 100


def print_impact(ctx: typer.Context, found: Impact) -> None:
    if found.empty:
        set_, load = (
            command_line(ctx, "impact", "set"),
            command_line(ctx, "impact", "import", "FILE"),
        )
        trajectory = command_line(ctx, "trajectory", "import", "FILE")
        output.line(
            f"No savings or trajectory yet: record them with '{set_}' or '{load}', and "
            f"'{trajectory}'."
        )
        return
    from valvecheck.reports.impact_tables import tables

    # the tables every report format shows, with the same captions and column names
    for t in tables(found):
        output.table(t.caption, list(t.columns), t.text_rows())
    if not found.has_trajectory:
        output.line(f"! {found.NO_TRAJECTORY}.")
    for flag in found.flags:
        output.line(f"! {flag.message}")
    if found.day is not None:
        output.note(
            f'Figures as at {found.day.day} {found.day:%B %Y}: "to date" means the financial '
            f"years that had started by then ({found.to_date} and the years before it)."
        )
    output.note(found.note)


@impact_app.command("set")
def set_(
    ctx: typer.Context,
    activity: Annotated[str, typer.Argument(help="Activity id.")],
    year: Year,
    expected: Annotated[
        str | None,
        typer.Option(
            help="Expected saving in pounds, e.g. £250,000 (negative: a net cost); 'none' "
            "withdraws the one recorded."
        ),
    ] = None,
    actual: Annotated[
        str | None,
        typer.Option(help="Actual saving achieved in pounds; 'none' withdraws the one recorded."),
    ] = None,
    cohort: Annotated[
        str | None, typer.Option(help="Number of children (with --unit: the expected saving).")
    ] = None,
    unit: Annotated[str | None, typer.Option(help="Average saving per child in pounds.")] = None,
    note: Annotated[str | None, typer.Option(help="A note on how the figure was reached.")] = None,
    counts: Annotated[
        str | None,
        typer.Option(help=f"Counts beside the money, as KEY=N,... (keys: {COUNT_KEYS})."),
    ] = None,
) -> None:
    """Record an activity's expected and/or actual saving for a year (kept in its history)."""
    given = _counts(counts)
    with use(ctx, write=True) as c:
        done = service.set_saving(
            c,
            activity,
            year,
            expected=expected,
            actual=actual,
            cohort=cohort,
            unit=unit,
            note=note,
            counts=given,
        )
    s = done.saving
    if not done.changed:
        output.line(f"{s.activity} {s.year}: unchanged.")
        return
    from valvecheck.services.figures import withdrawn  # loaded with the service, just used

    gone = [w for w, v in (("expected", expected), ("actual", actual)) if withdrawn(v)]
    savings = "savings" if len(gone) > 1 else "saving"
    said = f"{' and '.join(gone)} {savings} withdrawn (its history keeps it)" if gone else ""
    left = s.expected is not None or s.actual is not None  # what is recorded now, if anything
    now = _describe(s) if left or not gone else ""
    joined = "; now " if said and now else ""
    output.line(f"{s.activity} {s.year}: {said}{joined}{now} (entry {s.version}).")


def _counts(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    out = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        if not sep:
            raise InputError(f"'{part.strip()}' is not KEY=N (keys: {COUNT_KEYS})", field="counts")
        out[key.strip().lower().replace("-", "")] = value.strip()
    return out


def _describe(s: Saving) -> str:
    parts = [f"expected {money_text(s.expected, 'none')}"]
    if s.working:
        parts[0] += f" ({s.working})"
    if s.actual is not None:
        parts.append(f"actual {money_text(s.actual)}")
    return ", ".join(parts)


@impact_app.command("history")
def history(
    ctx: typer.Context,
    activity: Annotated[str, typer.Argument(help="Activity id.")],
    year: Annotated[str | None, typer.Option("--year", "-y", help="Only this year.")] = None,
) -> None:
    """Every saving entry of an activity: who recorded what, and when."""
    with use(ctx) as c:
        found = service.saving_history(c, activity, year)
    output.table(
        f"Savings history of {activity}",
        ["Year", "Entry", "When", "Who", "Expected", "Working", "Actual", "Note"],
        [
            [
                s.year,
                s.version,
                s.at.strftime("%Y-%m-%d %H:%M") if s.at else "",
                s.by,
                money_text(s.expected),
                s.working,
                money_text(s.actual),
                s.note,
            ]
            for s in found
        ],
    )


@impact_app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV or XLSX with columns activity, year, expected, actual, cohort, "
            "unit (found by header name)."
        ),
    ],
    column_map: Annotated[
        str | None,
        typer.Option(
            help="Headings the built-in names miss, as COLUMN=HEADING (columns: activity, "
            "year, expected, actual, cohort, unit, note and the counts): e.g. "
            '"expected=Forecast 2025-26,activity=Scheme No".'
        ),
    ] = None,
) -> None:
    """Import expected and actual savings. Nothing is written if any row has a problem."""
    data = read_file(file)
    with use(ctx, write=True) as c:
        done = service.import_savings(c, data, str(file), column_map)
    output.line(
        f"Imported {done.rows} savings rows from {file}: {done.written} recorded, "
        f"{done.unchanged} unchanged{_notes(done.notes)}."
    )
    for change in done.changes:
        output.line(f"  {_saving_change(change.before, change.after)}")
    if done.changes and any(ch.before is not None for ch in done.changes):
        shown = command_line(ctx, "impact", "history", "ACTIVITY")
        output.line(f"The entries before are kept in each activity's history ('{shown}').")
    if done.rows:
        output.line(
            "Savings recorded for activities and years the file does not list are kept as "
            "they were."
        )


def _saving_change(before: Saving | None, after: Saving) -> str:
    """'A1 2025-26: expected £1,500,000.00 -> £1,600,000.00', 'A3 2026-27 new: expected
    £300,000.00'."""
    if before is None:
        return f"{after.activity} {after.year} new: {_describe(after)}"
    parts = []
    if (before.expected, before.working) != (after.expected, after.working):
        parts.append(f"expected {_expected(before)} -> {_expected(after)}")
    if before.actual != after.actual:
        parts.append(
            f"actual {money_text(before.actual, 'none')} -> {money_text(after.actual, 'none')}"
        )
    if before.note != after.note:
        parts.append("note changed")
    if dict(before.counts) != dict(after.counts):
        parts.append("counts changed")
    return f"{after.activity} {after.year}: {'; '.join(parts)}"


def _expected(s: Saving) -> str:
    shown = money_text(s.expected, "none")
    return f"{shown} ({s.working})" if s.working else shown


def _notes(notes: tuple[str, ...]) -> str:
    """How the file was read, after the result: '; amounts in £000, read as thousands ...'."""
    return "".join(f"; {n}" for n in notes)


@impact_app.command("weights")
def weights(
    ctx: typer.Context,
    activity: Annotated[str, typer.Argument(help="Activity id.")],
    shares: Annotated[
        str,
        typer.Argument(
            help="MEASURE=WEIGHT,... adding up to 1 (e.g. bury-1=0.5,bury-4=0.5), "
            "or 'equal' for equal shares."
        ),
    ],
) -> None:
    """Share an activity's saving among the measures it is linked to by weights."""
    with use(ctx, write=True) as c:
        done = weights_service.set_weights(c, activity, shares)
    if not done.weights:
        output.line(f"{done.activity}'s saving is shared equally among its measures.")
        return
    text = ", ".join(f"{m} {w.normalize():f}" for m, w in done.weights)
    output.line(f"{done.activity}'s saving is shared: {text}.")


@impact_app.command("import-weights")
def import_weights(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="CSV or XLSX with columns activity, measure, weight.")
    ],
) -> None:
    """Import weights; each activity's must add up to 1. Nothing is written on any problem."""
    data = read_file(file)
    with use(ctx, write=True) as c:
        done = weights_service.import_weights(c, data, str(file))
    output.line(
        f"Set the weights of {count(done.activities, 'activity', 'activities')} from {file}"
        f"{_notes(done.notes)}."
    )


@trajectory_app.callback(invoke_without_command=True)
def trajectory(ctx: typer.Context, as_json: Json = False, assessment: Assessment = None) -> None:
    """Show the assessment's deficit trajectory."""
    if ctx.invoked_subcommand is not None:
        return
    with use(ctx) as c:
        years = trajectories.trajectory(c, assessment)
    if as_json:
        output.print_json([_year_dict(y) for y in years])
        return
    output.table(
        "Deficit trajectory (in-year)",
        ["Year", "Unmitigated", "Target", "Actual"],
        [
            [y.year, money_text(y.unmitigated), money_text(y.target), money_text(y.actual)]
            for y in years
        ],
    )
    if years.history:
        output.table(
            "Changes to the trajectory",
            ["When", "Who", "Year", "Figure", "From", "To", "File"],
            [
                [
                    c.at.strftime("%Y-%m-%d %H:%M") if c.at else "",
                    c.by,
                    c.year,
                    _FIGURE_NAMES[c.figure],
                    money_text(c.before, "none") if c.known else "not kept",
                    money_text(c.after, "none"),
                    c.file,
                ]
                for c in years.history
            ],
        )


_FIGURE_NAMES = {"unmitigated": "unmitigated", "target": "target", "actual": "actual outturn"}


def _changes(changes: tuple[TrajectoryChange, ...]) -> list[str]:
    """What a trajectory write changed, one line a year: '2024-25 target £10,000,000.00 ->
    £11,000,000.00', '2026-27 added', '2027-28 removed (was unmitigated £18,000,000.00, ...)'."""
    years: dict[str, list[TrajectoryChange]] = {}
    for c in changes:
        years.setdefault(c.year, []).append(c)
    out = []
    for year, found in sorted(years.items()):
        if any(c.added for c in found):
            out.append(f"{year} added")
        elif any(c.removed for c in found):
            was = ", ".join(f"{_FIGURE_NAMES[c.figure]} {money_text(c.before)}" for c in found)
            out.append(f"{year} removed (was {was})")
        else:
            out.append(
                f"{year} "
                + ", ".join(
                    f"{_FIGURE_NAMES[c.figure]} {money_text(c.before, 'none')} -> "
                    f"{money_text(c.after, 'none')}"
                    for c in found
                )
            )
    return out


def _year_dict(y: TrajectoryYear) -> dict[str, object]:
    from valvecheck.domain.money import money_json

    return {
        "year": y.year,
        "unmitigated": money_json(y.unmitigated),
        "target": money_json(y.target),
        "actual": money_json(y.actual),
    }


@trajectory_app.command("import")
def trajectory_import(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="CSV or XLSX with columns year, unmitigated, target, actual.")
    ],
    assessment: Assessment = None,
    column_map: Annotated[
        str | None,
        typer.Option(
            help="Headings the built-in names miss, as COLUMN=HEADING (columns: year, "
            'unmitigated, target, actual): e.g. "target=Plan deficit,actual=Outturn 2025".'
        ),
    ] = None,
) -> None:
    """Import the deficit trajectory; it replaces the one held. Nothing is written on any problem."""
    data = read_file(file)
    with use(ctx, write=True) as c:
        done = trajectories.import_trajectory(c, data, str(file), assessment, column_map)
    said = _changes(done.changes)
    output.line(
        f"Imported a trajectory of {done.years} years into '{done.assessment}'{_notes(done.notes)}"
        + (": nothing changed." if not said else ". What changed:")
    )
    for line in said:
        output.line(f"  {line}")
    if any(not ch.added for ch in done.changes):
        shown = command_line(ctx, "trajectory")
        output.line(f"The figures before are kept in the trajectory's history ('{shown}').")


@trajectory_app.command("set")
def trajectory_set(
    ctx: typer.Context,
    year: Year,
    unmitigated: Annotated[
        str | None, typer.Option(help="The 'do nothing' in-year deficit in pounds.")
    ] = None,
    target: Annotated[
        str | None,
        typer.Option(help="The in-year deficit the plan sets ('none' withdraws it)."),
    ] = None,
    actual: Annotated[
        str | None, typer.Option(help="The actual in-year outturn ('none' withdraws it).")
    ] = None,
    assessment: Assessment = None,
) -> None:
    """Enter or change one year of the trajectory (a surplus is a negative deficit)."""
    with use(ctx, write=True) as c:
        done = trajectories.set_trajectory(
            c, year, unmitigated=unmitigated, target=target, actual=actual, assessment=assessment
        )
    y = done.year
    output.line(
        f"{y.year} in '{done.assessment}': unmitigated {money_text(y.unmitigated)}, target "
        f"{money_text(y.target, 'none')}, actual {money_text(y.actual, 'none')}"
        + ("." if done.changes else " (unchanged).")
    )
