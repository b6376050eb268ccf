"""Impact: savings on activities, how they are shared among measures, against the deficit
trajectory.

Savings belong to the council's activities (kept like ratings: every change is a new entry with
who and when); the weights that share them among measures are services/weights.py's, and the
trajectory belongs to an assessment (services/trajectory.py). ``impact`` rolls them up with the
links in force and the assessment's ratings (domain/impact.py says how), as they stood at a
moment when asked (services/impact_asat.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from valvecheck.domain.activity import id_key
from valvecheck.domain.impact import (
    COUNTS,
    DEFAULT_THRESHOLD,
    Impact,
    MeasureInfo,
    Saving,
    day_text,
    expected_from,
    roll_up,
)
from valvecheck.domain.moments import end_of_day, in_england, short_date
from valvecheck.domain.money import Invalid, money_text, parse_count, parse_year, recorded_year
from valvecheck.domain.people import Action
from valvecheck.domain.written_since import written_since
from valvecheck.errors import ImportRejected, InputError, NotFound
from valvecheck.importers.savings import parse_savings_map, read_savings
from valvecheck.services.context import Context, authorise, council_id
from valvecheck.services.figures import (
    Money,
    assessment_or_none,
    council_activities,
    links_in_force,
    not_started_yet,
    read_money,
    with_unknown,
    withdrawn,
)
from valvecheck.services.impact_asat import as_at_lock, lock_cut, ratings_at, recorded_later
from valvecheck.services.impact_problems import Problems
from valvecheck.services.measures import load_state
from valvecheck.store import activities as activity_store
from valvecheck.store import impact as store
from valvecheck.store import repository as repo
from valvecheck.store.models import ActivityRow
from valvecheck.store.tenancy import only


@dataclass(frozen=True)
class SavingRecorded:
    """A saving entry just written (``changed`` False: it was the same as before, so nothing
    was written)."""

    saving: Saving
    changed: bool


@dataclass(frozen=True)
class SavingChanged:
    """An activity's year an import changed: the entry before (none: new) and the one after."""

    before: Saving | None
    after: Saving


@dataclass(frozen=True)
class SavingsImported:
    file: str
    rows: int
    written: int  # new entries (rows that changed something)
    unchanged: int
    notes: tuple[str, ...] = ()  # how the file was read: its unit, rows left out
    changes: tuple[SavingChanged, ...] = ()  # the written entries, each with the one before


# The fields of a saving, in the web form's order: every problem of one entry is raised at once
# in this order (impact_problems.Problems), the CLI saying the first.
SAVING_FIELDS = ("activity", "year", "expected", "actual", "cohort", "unit", "counts", "note")


def _year(value: str) -> str:
    """A year to look up: read whatever it is (a year recorded before the range was checked
    is found)."""
    try:
        return recorded_year(value)
    except Invalid as exc:
        raise InputError(str(exc), field="year") from None


def impact(
    ctx: Context,
    assessment: str | None = None,
    *,
    threshold: Decimal = DEFAULT_THRESHOLD,
    on: date | None = None,
    until: datetime | None = None,
) -> Impact:
    """The roll-up of the council's savings and the assessment's trajectory.

    ``until``: as things stood at that moment: savings, weights, links, ratings and trajectory
    figures recorded then or later are left out, and trajectory figures changed since are shown
    as they were. ``on``: the same at the end of that day (``until`` defaults to it). A locked
    assessment's figures are always as they stood at its lock (or before, for an earlier
    ``on``/``until``), as its report shows them, and an ``as-at-lock`` flag says so: the CLI,
    the web page, the API and the report give the same figures. "To date" is the financial
    years that have started by the day the figures are for (today, ``on``, or the lock's day).
    ``threshold``: an activity more than this fraction short of its expected saving to date is
    flagged as behind.
    """
    authorise(ctx, Action.READ)
    if on is not None and on > ctx.today():
        # as a report's date is: figures "as they stood" on a day to come would be today's
        raise InputError(
            f"{day_text(on)} is after today ({day_text(ctx.today())}): figures can be for today "
            "or earlier",
            field="on",
        )
    cid = council_id(ctx)
    state = load_state(ctx, assessment)
    row = assessment_or_none(ctx, assessment)
    if until is None and on is not None:
        until = end_of_day(on)
    lock = lock_cut(row)
    at_lock = lock is not None and (until is None or until >= lock)
    if at_lock:
        until = lock
    if until is not None:
        state = ratings_at(state, until)
    if at_lock or (until is not None and on is None):
        assert until is not None
        # the day of the moment itself (just before it: a report's end of day is midnight)
        day = in_england(until - timedelta(microseconds=1)).date()
    else:
        day = on if on is not None else ctx.today()
    titles = {
        code: title
        for code, title in ctx.session.execute(
            only(
                select(ActivityRow.code, ActivityRow.title).order_by(ActivityRow.id),
                ActivityRow,
                cid,
            )
        )
    }
    savings = [s for _, s in sorted(store.current(ctx.session, cid, until).items())]
    entries = store.trajectory_entries(ctx.session, row) if row else []
    measures = [
        MeasureInfo(v.id, v.measure.themes, v.rag.value, v.la, v.measure.text) for v in state.views
    ]
    found = roll_up(
        assessment=state.assessment,
        trajectory=sorted((e.figures for e in entries if e.in_force(until)), key=lambda y: y.year),
        savings=savings,
        links=links_in_force(ctx, until),
        weights=store.weights(ctx.session, cid, until),
        measures=measures,
        titles=titles,
        threshold=threshold,
        theme_order=list(state.catalogue.programme.themes),
        day=day,
    )
    if until is None:
        return found
    if on is not None and until == end_of_day(on):
        when = day_text(on)
    else:
        shown = in_england(until - timedelta(microseconds=1) if at_lock else until)
        when = f"{day_text(shown.date())} at {shown:%H:%M}"
    first = [as_at_lock(row.name, when)] if at_lock and row is not None else []
    later = recorded_later(until, when, entries)
    return replace(found, flags=[*first, *found.flags, *later]) if first or later else found


def _previous(ctx: Context, activity: ActivityRow, year: str) -> Saving | None:
    found = [s for _, s in store.entries(ctx.session, activity.council_id, activity.id)]
    same = [s for s in found if s.year == year]
    return same[-1] if same else None


def _merge(previous: Saving | None, given: Saving, fields: frozenset[str]) -> Saving:
    """The new entry: what is given, the rest carried from the previous entry. Giving an
    expected saving, a cohort or a unit restates how the expected saving is worked out."""
    if previous is None:
        return given
    restated = bool(fields & {"expected", "cohort", "unit"})
    if not fields & {"cohort", "unit"} and given.expected == previous.expected:
        # the same expected saving given alone (a file with no cohort or unit column): its
        # working (cohort x unit) still holds, and is kept
        restated = False
    return replace(
        given,
        expected=given.expected if restated else previous.expected,
        cohort=given.cohort if restated else previous.cohort,
        unit=given.unit if restated else previous.unit,
        actual=given.actual if "actual" in fields else previous.actual,
        note=given.note if "note" in fields else previous.note,
        counts={**previous.counts, **given.counts},
    )


def _same(a: Saving, b: Saving) -> bool:
    keys = ("expected", "actual", "cohort", "unit", "note")
    return all(getattr(a, k) == getattr(b, k) for k in keys) and dict(a.counts) == dict(b.counts)


def _write(
    ctx: Context,
    activity: ActivityRow,
    entry: Saving,
    fields: frozenset[str],
    previous: Saving | None,
) -> SavingRecorded:
    """The entry to append (what is given, the rest carried from ``previous``), or ``previous``
    unchanged. The caller holds the activity's lock, read ``previous`` under it, and writes."""
    merged = _merge(previous, entry, fields)
    if merged.expected is None and merged.actual is None and previous is None:
        raise InputError(
            f"{activity.code} has no saving recorded for {entry.year} yet: give the expected "
            "saving (or a cohort and unit saving) first",
            field="expected",
        )
    if previous is not None and _same(previous, merged):
        return SavingRecorded(previous, False)
    merged = replace(
        merged,
        activity=activity.code,
        by=ctx.actor.name,
        at=ctx.now(),
        version=previous.version + 1 if previous else 1,
    )
    return SavingRecorded(merged, True)


def set_saving(
    ctx: Context,
    activity: str,
    year: str,
    *,
    expected: Money = None,
    actual: Money = None,
    cohort: int | str | None = None,
    unit: Money = None,
    note: str | None = None,
    counts: Mapping[str, int | str] | None = None,
    opened_at: datetime | None = None,
) -> SavingRecorded:
    """Record an activity's expected and/or actual saving for a financial year.

    A new entry is added to the history (who and when); values not given are carried from the
    entry before. A negative saving is a net cost in that year; a cohort and a unit saving
    (children x average saving each) give the expected saving, and both are kept. ``"none"``
    for the expected or actual saving withdraws the figure recorded (a new entry too: the
    views then show it as not recorded).

    Every problem of the entry is raised at once, by field (InputErrors, ``SAVING_FIELDS``'
    order); an activity that is not the council's is among them, or raised as NotFound when it
    is the only one. ``opened_at``: when the person's form was shown; someone else's entry for
    the same activity and year recorded since is not replaced unseen (InputErrors at the
    expected saving, code ``changed-since``, naming who, when and what): saving again from a
    form shown after it replaces it.
    """
    authorise(ctx, Action.RECORD_IMPACT)
    problems = Problems(SAVING_FIELDS)
    row: ActivityRow | None = None
    try:
        row = activity_store.activity_row(ctx.session, council_id(ctx), activity)
    except NotFound as exc:
        problems.not_found("activity", exc)
    # a new figure's year must be a plan's; withdrawing one is allowed for any year recorded
    new = any(v is not None and not withdrawn(v) for v in (expected, actual, cohort, unit))
    fy = problems.read("year", parse_year if new else recorded_year, year)
    for field, value in (("cohort", cohort), ("unit", unit)):
        if withdrawn(value):
            problems.add(
                field,
                "withdraw the expected saving to withdraw its cohort and unit saving",
                "cannot-withdraw",
            )
    exp = read_money(problems, expected, "expected saving", "expected", True)
    act = read_money(problems, actual, "actual saving", "actual", True)
    if (
        act is not None
        and fy is not None
        and (late := not_started_yet(ctx, fy, "an actual saving"))
    ):
        problems.add("actual", late, "actual-not-started")
    per = read_money(problems, unit, "unit saving", "unit", False)
    given_counts: dict[str, int] = {}
    labels = dict(COUNTS)
    for key, value in (counts or {}).items():
        if key not in labels:
            problems.add(
                "counts",
                f"'{key}' is not a count that can be recorded (one of: {', '.join(labels)})",
                "unknown-count",
            )
        elif (read := problems.read("counts", parse_count, value, labels[key])) is not None:
            given_counts[key] = read
    n = None
    if cohort is not None and not withdrawn(cohort):
        n = problems.read("cohort", parse_count, cohort, "cohort")
    if not any(f in problems for f in ("expected", "cohort", "unit")):
        try:
            exp = expected_from(exp, n, per)
        except Invalid as exc:
            field = "expected" if exc.code.startswith("expected") else "cohort"
            problems.add(field, str(exc), exc.code)
    previous = None
    if row is not None and fy is not None:
        repo.lock_pair(ctx.session, row.id, -1)
        previous = _previous(ctx, row, fy)
        for f, v in (("expected", expected), ("actual", actual)):
            if withdrawn(v) and (previous is None or getattr(previous, f) is None):
                problems.add(
                    f, f"{row.code} has no {f} saving recorded for {fy} to withdraw", "not-recorded"
                )
    if row is not None and fy is not None:
        typed = [f for f, v in (("expected", expected), ("actual", actual)) if v is not None]
        if cohort is not None or unit is not None:
            typed.append("expected")  # a cohort and unit saving give the expected saving
        since = _recorded_since(ctx, row, fy, previous, opened_at, typed)
        if since is not None:  # with any other problem, so a refusal never hides it
            problems.add("activity", since, "changed-since")
    problems.check()
    assert row is not None and fy is not None  # else check() raised
    fields = frozenset(
        f
        for f, v in (
            ("expected", expected),
            ("actual", actual),
            ("cohort", cohort),
            ("unit", unit),
            ("note", note),
        )
        if v is not None
    )
    entry = Saving(
        activity=row.code,
        year=fy,
        expected=exp,
        actual=act,
        cohort=n,
        unit=per,
        counts=given_counts,
        note=(note or "").strip(),
    )
    done = _write(ctx, row, entry, fields, previous)
    if done.changed:
        store.add_entries(ctx.session, [(row, done.saving)])
    return done


def _recorded_since(
    ctx: Context,
    row: ActivityRow,
    year: str,
    previous: Saving | None,
    opened_at: datetime | None,
    typed: list[str],
) -> str | None:
    """What a colleague recorded for the activity's year after the person's form was shown,
    when it changed a figure the person typed (domain/written_since.py), as the form asks it."""
    if previous is None or opened_at is None:
        return None
    versions = [s for _, s in store.entries(ctx.session, row.council_id, row.id) if s.year == year]
    if written_since(previous, versions, ctx.actor.name, opened_at, typed) is None:
        return None
    assert previous.at is not None  # written_since found it written after the form was shown
    at = in_england(previous.at)
    figures = [
        f"{what} {money_text(amount)}"
        for what, amount in (("expected", previous.expected), ("actual", previous.actual))
        if amount is not None
    ]
    return (
        f"since this form was shown, {previous.by} recorded {previous.activity}'s saving for "
        f"{previous.year} ({', '.join(figures) or 'no figures'}, at {at:%H:%M} on "
        f"{short_date(at.date())}): check it, then save again to replace it with yours"
    )


def saving_history(ctx: Context, activity: str, year: str | None = None) -> list[Saving]:
    """Every saving entry of an activity (one year's, with ``year``), oldest first."""
    authorise(ctx, Action.READ)
    row = activity_store.activity_row(ctx.session, council_id(ctx), activity)
    fy = _year(year) if year else None
    return [
        s for _, s in store.entries(ctx.session, row.council_id, row.id) if fy in (None, s.year)
    ]


def import_savings(
    ctx: Context,
    data: bytes,
    file: str,
    column_map: str | None = None,
    preview: bool = False,
) -> SavingsImported:
    """Expected and actual savings from a CSV or XLSX file; nothing is written if any row is
    bad. Each row changing an activity's year adds an entry to its history; columns the file
    does not have, and empty cells, keep what was recorded. ``column_map`` names headings the
    built-in names miss (``"expected=Forecast 2025-26"``); the columns not read are named in
    the notes. ``preview``: the same checks and result, nothing written."""
    authorise(ctx, Action.RECORD_IMPACT)
    parsed = read_savings(data, file, today=ctx.today(), column_map=parse_savings_map(column_map))
    known = council_activities(ctx)
    problems = with_unknown(parsed.problems, parsed.named, known, " (import the activities first)")
    if problems:
        raise ImportRejected(problems)
    cid = council_id(ctx)
    if not preview:  # a preview writes nothing, so it keeps no writer waiting
        for row in {known[id_key(s.activity)].id for s in parsed.rows}:
            repo.lock_pair(ctx.session, row, -1)
    latest = store.current(ctx.session, cid)
    new: list[tuple[ActivityRow, Saving]] = []
    changes: list[SavingChanged] = []
    for s in parsed.rows:
        fields = frozenset(
            f
            for f in ("expected", "actual", "cohort", "unit", "note")
            if getattr(s, f) not in (None, "")
        )
        if s.cohort is not None:
            fields |= {"cohort", "unit", "expected"}
        activity = known[id_key(s.activity)]
        previous = latest.get((activity.id, s.year))
        done = _write(ctx, activity, s, fields, previous)
        latest[(activity.id, s.year)] = done.saving
        if done.changed:
            new.append((activity, done.saving))
            changes.append(SavingChanged(previous, done.saving))
    if not preview:
        store.add_entries(ctx.session, new)
    return SavingsImported(
        file,
        len(parsed.rows),
        len(new),
        len(parsed.rows) - len(new),
        tuple(parsed.notes),
        tuple(changes),
    )
