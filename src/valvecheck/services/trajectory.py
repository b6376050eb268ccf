"""The deficit trajectory of an assessment: importing it, setting one year's figures, and reading
it with every change made to it.

The trajectory belongs to an assessment; every change to it is kept in its history (who, when,
from and to, which file). services/impact.py rolls it up with the council's savings.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from valvecheck.domain.impact import (
    Trajectory,
    TrajectoryChange,
    TrajectoryYear,
    trajectory_history,
)
from valvecheck.domain.moments import in_england, short_date
from valvecheck.domain.money import missing_years, money_text, parse_year, recorded_year
from valvecheck.domain.people import Action
from valvecheck.domain.written_since import written_since
from valvecheck.errors import Conflict, ImportRejected
from valvecheck.importers.trajectory import figures_unread, parse_trajectory_map, read_trajectory
from valvecheck.services.context import Context, authorise, council_id
from valvecheck.services.figures import (
    Money,
    assessment_or_none,
    not_started_yet,
    read_money,
    withdrawn,
)
from valvecheck.services.impact_problems import Problems
from valvecheck.store import impact as store
from valvecheck.store import repository as repo
from valvecheck.store.queries import AssessmentRecord


@dataclass(frozen=True)
class TrajectoryImported:
    file: str
    assessment: str
    years: int
    notes: tuple[str, ...] = ()
    # what the import changed, figure by figure (years added and left out included); none: the
    # trajectory held was the file's already. Every change is kept in the trajectory's history.
    changes: tuple[TrajectoryChange, ...] = ()


@dataclass(frozen=True)
class TrajectorySet:
    assessment: str
    year: TrajectoryYear
    changes: tuple[TrajectoryChange, ...] = ()  # none: the year held these figures already


# The fields of a trajectory year, in the web form's order: every problem of one entry is
# raised at once in this order (impact_problems.Problems), the CLI saying the first.
TRAJECTORY_FIELDS = ("year", "unmitigated", "target", "actual")


def _open_for_trajectory(
    ctx: Context, assessment: str | None, preview: bool = False
) -> AssessmentRecord:
    row = repo.assessment_row(ctx.session, council_id(ctx), assessment)
    if not preview:
        # its writers one at a time (PostgreSQL; SQLite's are already): two at once each ended
        # the year in force and added one, and the second broke the one-in-force rule (a 500)
        repo.lock_pair(ctx.session, repo.WRITING_TRAJECTORY, row.id)
    # read again under a shared lock by a writer; a preview writes nothing and takes none
    locked = row.locked_at if preview else repo.held_lock(ctx.session, row.id)
    if locked is not None:
        raise Conflict(
            f"the assessment '{row.name}' is locked: it has been reported", reason="locked"
        )
    return row


def import_trajectory(
    ctx: Context,
    data: bytes,
    file: str,
    assessment: str | None = None,
    column_map: str | None = None,
    preview: bool = False,
) -> TrajectoryImported:
    """The assessment's deficit trajectory from a CSV or XLSX file (year, unmitigated, target,
    actual): it replaces the trajectory held, and the result says what changed, figure by
    figure. Nothing is lost: a year whose figures change, or that the file leaves out, keeps its
    figures in the trajectory's history (who, when, which file), and a year the file gives
    unchanged keeps its who and when. Nothing is written if any row is bad.

    ``column_map`` names headings the built-in names miss: ``"target=Plan deficit"``. The
    columns not read are named in the notes; and as the import replaces the whole trajectory,
    a file with a column not read that gives no target (or no outturn) for any year, while the
    trajectory holds some, is refused (``column-not-read``) rather than withdraw them: the
    column not read may be them misspelt (``importers.trajectory.figures_unread``).
    ``preview``: the same checks and result, nothing written."""
    authorise(ctx, Action.RECORD_IMPACT)
    parsed = read_trajectory(
        data, file, today=ctx.today(), column_map=parse_trajectory_map(column_map)
    )
    if parsed.problems:
        raise ImportRejected(parsed.problems)
    row = _open_for_trajectory(ctx, assessment, preview)
    if problems := figures_unread(parsed, store.trajectory(ctx.session, row)):
        raise ImportRejected(problems)
    at, by, name = ctx.now(), ctx.actor.name, file.rsplit("/", 1)[-1]
    changes = store.put_years(
        ctx.session,
        row,
        [replace(y, by=by, at=at, file=name) for y in parsed.rows],
        replace=True,
        by=by,
        at=at,
        file=name,
        write=not preview,
    )
    return TrajectoryImported(file, row.name, len(parsed.rows), tuple(parsed.notes), tuple(changes))


def set_trajectory(
    ctx: Context,
    year: str,
    *,
    unmitigated: Money = None,
    target: Money = None,
    actual: Money = None,
    assessment: str | None = None,
    opened_at: datetime | None = None,
) -> TrajectorySet:
    """Enter or change one year of the assessment's trajectory (values not given are kept;
    ``"none"`` withdraws the target or the outturn recorded). Every problem with the figures is
    raised at once, by field (InputErrors, ``TRAJECTORY_FIELDS``' order); a locked assessment
    is refused (Conflict) before they are looked at. ``opened_at``: when the person's form was
    shown; someone else's change to the year since is not replaced unseen (InputErrors at the
    first figure given, code ``changed-since``, naming who, when and the figures now)."""
    authorise(ctx, Action.RECORD_IMPACT)
    problems = Problems(TRAJECTORY_FIELDS)
    # a new figure's year must be a plan's; withdrawing one is allowed for any year recorded
    new = any(v is not None and not withdrawn(v) for v in (unmitigated, target, actual))
    fy = problems.read("year", parse_year if new else recorded_year, year)
    row = _open_for_trajectory(ctx, assessment) if fy is not None else None
    if withdrawn(unmitigated):
        problems.add(
            "unmitigated",
            "the unmitigated deficit of a year cannot be withdrawn: it is what the year's "
            "figures are set against (give another figure to change it; a year leaves the "
            "trajectory only when a trajectory file without it is imported)",
            "cannot-withdraw",
        )
    un = read_money(problems, unmitigated, "unmitigated deficit", "unmitigated", True)
    if actual is not None and not withdrawn(actual) and fy is not None:
        late = not_started_yet(ctx, fy, "an actual outturn")
        if late:
            problems.add("actual", late, "actual-not-started")
    aim = read_money(problems, target, "target", "target", True)
    out = read_money(problems, actual, "actual outturn", "actual", True)
    held = None
    if row is not None and fy is not None:
        held_years = {y.year: y for y in store.trajectory(ctx.session, row)}
        held = held_years.get(fy)
        if un is None and held is None and "unmitigated" not in problems:
            if not held_years:
                message = (
                    f"'{row.name}' has no trajectory recorded: import the trajectory into it, or "
                    f"give {fy}'s unmitigated deficit (a new assessment carries forward the "
                    "trajectory of the one it is started from)"
                )
            else:
                message = f"{fy} is not in the trajectory yet: give its unmitigated deficit"
            problems.add("unmitigated", message, "year-not-recorded")
        if held is None and (gaps := missing_years([*held_years, fy])):
            problems.add(
                "year",
                f"the trajectory has no row for {' and '.join(gaps)}: enter the years in order, "
                "so that the cumulative figures leave none out",
                "missing-years",
            )
    if row is not None and fy is not None:
        typed = [
            f
            for f, v in (("unmitigated", unmitigated), ("target", target), ("actual", actual))
            if v is not None
        ]
        since = _changed_since(ctx, row, fy, held, opened_at, typed)
        if since is not None:  # with any other problem, so a refusal never hides it
            problems.add("year", since, "changed-since")
    problems.check()
    assert row is not None and fy is not None  # else check() raised

    def figure(given: Money, read: Decimal | None, kept: Decimal | None) -> Decimal | None:
        if withdrawn(given):
            return None
        return read if given is not None else kept

    entry = TrajectoryYear(
        fy,
        un if un is not None else held.unmitigated,  # type: ignore[union-attr]
        figure(target, aim, held.target if held else None),
        figure(actual, out, held.actual if held else None),
        ctx.actor.name,
        ctx.now(),
    )
    changes = store.put_years(ctx.session, row, [entry])
    if not changes and held is not None:
        return TrajectorySet(row.name, held)  # the same figures: its who and when are kept
    return TrajectorySet(row.name, entry, tuple(changes))


def _changed_since(
    ctx: Context,
    row: AssessmentRecord,
    year: str,
    held: TrajectoryYear | None,
    opened_at: datetime | None,
    typed: list[str],
) -> str | None:
    """What a colleague set for the year after the person's form was shown, when it changed a
    figure the person typed (domain/written_since.py), as the form asks it."""
    if held is None or opened_at is None:
        return None
    entries = store.trajectory_entries(ctx.session, row)
    versions = [e.figures for e in entries if e.figures.year == year]
    if written_since(held, versions, ctx.actor.name, opened_at, typed) is None:
        return None
    assert held.at is not None  # written_since found it written after the form was shown
    at = in_england(held.at)
    figures = ", ".join(
        f"{what} {money_text(amount, 'not recorded')}"
        for what, amount in (
            ("unmitigated deficit", held.unmitigated),
            ("target", held.target),
            ("actual outturn", held.actual),
        )
    )
    return (
        f"since this form was shown, {held.by} changed {held.year} in the trajectory "
        f"({figures}, at {at:%H:%M} on {short_date(at.date())}): check it, then save again "
        "to replace it with yours"
    )


def trajectory(ctx: Context, assessment: str | None = None) -> Trajectory:
    """The assessment's trajectory in force, year by year, with every change made to it (who,
    when, from and to, which file), oldest first."""
    authorise(ctx, Action.READ)
    row = assessment_or_none(ctx, assessment)
    entries = store.trajectory_entries(ctx.session, row) if row else []
    return Trajectory(
        tuple(sorted((e.figures for e in entries if e.in_force()), key=lambda y: y.year)),
        tuple(trajectory_history(entries)),
    )
