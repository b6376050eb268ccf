"""What measures and activities are worth against the high needs deficit. Pure.

A council records, per activity and financial year, the saving it expects (entered, or a cohort
times a unit saving, both kept so the working shows) and the saving achieved; and, per
assessment, the deficit trajectory: the "do nothing" in-year deficit, the target the agreement or
plan sets, and the outturn. ``roll_up`` turns those into the views every front end shows:

- an activity's saving is shared among the measures it is linked to: equally, unless the council
  set weights (which add up to 1); a measure's amount is shared equally among its themes;
- per year: the mitigated trajectory (unmitigated minus expected savings), the gap to the target
  (mitigated minus target: what is still to find; negative when the plan beats the target) and
  the cumulative balances from the trajectory's first year;
- "to date" follows the calendar: the financial years (England's, April to March) that have
  started by the day the figures are for, the year in progress included;
- flags: activities behind their expected savings to date by more than a threshold (judged on
  the years with an actual saving recorded), years that have ended with no actual recorded yet,
  actuals recorded for a year that has not started, measures rated green that carry no expected
  saving, and weights that no longer match the links.

No actual recorded is None all the way through (JSON null, a blank cell), never £0.00: an
activity that has not reported has not saved nothing.

Sign convention: trajectory figures are in-year deficits (an overspend is positive, a surplus
negative); savings are positive, a net cost in a year negative.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import ClassVar, overload

from valvecheck.domain.impact_counts import COUNTS as COUNTS  # counts beside the money
from valvecheck.domain.money import (
    ROUNDING_NOTE,
    ZERO,
    Invalid,
    apportion,
    equal_weights,
    missing_years,
    money_json,
    money_text,
    year_of,
)

DEFAULT_THRESHOLD = Decimal("0.10")  # behind plan: more than 10% short of the expected to date
NOT_LINKED = "Not linked to a measure"
NO_THEME = "No theme"


@dataclass(frozen=True)
class Saving:
    """An activity's expected and actual saving in one financial year (the latest entry of its
    history; ``version`` counts the entries)."""

    activity: str
    year: str
    expected: Decimal | None
    actual: Decimal | None = None
    cohort: int | None = None
    unit: Decimal | None = None
    counts: Mapping[str, int] = field(default_factory=dict)
    note: str = ""
    by: str = ""
    at: datetime | None = None
    version: int = 1
    source: str = "person"

    @property
    def working(self) -> str:
        """'32 x £36,787.00': how the expected saving was worked out, when it was."""
        if self.cohort is None or self.unit is None:
            return ""
        return f"{self.cohort} x {money_text(self.unit)}"

    def as_dict(self) -> dict[str, object]:
        return {
            "activity": self.activity,
            "year": self.year,
            "expected": money_json(self.expected),
            "actual": money_json(self.actual),
            "cohort": self.cohort,
            "unit": money_json(self.unit),
            "counts": dict(self.counts),
            "note": self.note,
            "by": self.by,
            "at": self.at.isoformat() if self.at else None,
            "version": self.version,
        }


def expected_from(
    expected: Decimal | None, cohort: int | None, unit: Decimal | None
) -> Decimal | None:
    """The expected saving: as given, or the cohort times the unit saving. Given both ways they
    must agree; a cohort needs its unit and a unit its cohort."""
    if (cohort is None) != (unit is None):
        missing = "unit saving" if unit is None else "cohort"
        raise Invalid(
            "cohort-without-unit",
            f"a cohort and a unit saving go together (the {missing} is missing)",
        )
    if cohort is None or unit is None:
        return expected
    worked = cohort * unit
    if expected is not None and expected != worked:
        raise Invalid(
            "expected-not-cohort-times-unit",
            f"the expected saving £{expected:,.2f} is not the cohort times the unit saving "
            f"({cohort} x £{unit:,.2f} = £{worked:,.2f}); give one or the other, or make them agree",
        )
    return worked


@dataclass(frozen=True)
class TrajectoryYear:
    """One year of the deficit trajectory: in-year deficits in pounds (a surplus negative);
    who recorded these figures, when, and the file they were imported from ("" by hand)."""

    year: str
    unmitigated: Decimal
    target: Decimal | None = None
    actual: Decimal | None = None
    by: str = ""
    at: datetime | None = None
    file: str = ""

    FIGURES: ClassVar[tuple[str, ...]] = ("unmitigated", "target", "actual")

    def same_figures(self, other: TrajectoryYear) -> bool:
        return all(getattr(self, f) == getattr(other, f) for f in self.FIGURES)


@dataclass(frozen=True)
class TrajectoryEntry:
    """One version of a trajectory year: its figures, in force from when they were recorded
    until ``ended_at`` (none: in force), when they were written again or the year was left out
    of a re-import, by ``ended_by``. ``version`` counts a year's versions from 1; 0 is a year
    held before the trajectory kept its history (the figures it replaced are not known)."""

    figures: TrajectoryYear
    version: int = 1
    ended_by: str = ""
    ended_at: datetime | None = None
    ended_file: str = ""  # the re-import that left the year out

    def in_force(self, until: datetime | None = None) -> bool:
        """In force now, or (``until``) just before that moment."""
        if until is None:
            return self.ended_at is None
        at = self.figures.at
        return (at is None or at < until) and (self.ended_at is None or self.ended_at >= until)


@dataclass(frozen=True)
class TrajectoryChange:
    """One figure of one trajectory year changed, from and to (none: no figure). A year added
    changes its unmitigated deficit from none; a year removed, to none."""

    year: str
    figure: str  # unmitigated, target, actual
    before: Decimal | None
    after: Decimal | None
    by: str = ""
    at: datetime | None = None
    file: str = ""
    known: bool = True  # False: the figures before were not kept (held before the history)

    @property
    def added(self) -> bool:
        return self.figure == "unmitigated" and self.before is None

    @property
    def removed(self) -> bool:
        return self.figure == "unmitigated" and self.after is None


def year_changes(
    before: TrajectoryYear | None,
    after: TrajectoryYear | None,
    by: str,
    at: datetime | None,
    file: str = "",
    known: bool = True,
) -> list[TrajectoryChange]:
    """The figures that differ between a year's two versions (none: the year is not there)."""
    either = after if after is not None else before
    if either is None:
        return []
    out = []
    for f in TrajectoryYear.FIGURES:
        old = getattr(before, f) if before is not None else None
        new = getattr(after, f) if after is not None else None
        if old != new:
            out.append(TrajectoryChange(either.year, f, old, new, by, at, file, known))
    return out


def trajectory_history(entries: Sequence[TrajectoryEntry]) -> list[TrajectoryChange]:
    """Every change to the trajectory, oldest first: each version of a year against the one it
    replaced (a year's first version, or one after the year was left out: added), and each
    year left out of a re-import (removed)."""
    by_year: dict[str, list[TrajectoryEntry]] = {}
    for e in entries:
        by_year.setdefault(e.figures.year, []).append(e)
    changes: list[TrajectoryChange] = []
    for versions in by_year.values():
        versions.sort(key=lambda v: v.version)
        starts = {v.figures.at for v in versions}
        previous: TrajectoryEntry | None = None
        for e in versions:
            y = e.figures
            replaced = previous if previous is not None and previous.ended_at == y.at else None
            before = replaced.figures if replaced else None
            changes += year_changes(before, y, y.by, y.at, y.file, known=e.version > 0)
            if e.ended_at is not None and e.ended_at not in starts:
                changes += year_changes(y, None, e.ended_by, e.ended_at, e.ended_file)
            previous = e
    never = datetime.min.replace(tzinfo=UTC)
    return sorted(
        changes,
        key=lambda c: (c.at or never, c.year, TrajectoryYear.FIGURES.index(c.figure)),
    )


@dataclass(frozen=True)
class Trajectory(Sequence[TrajectoryYear]):
    """An assessment's trajectory: the years in force, in year order (it is a sequence of them),
    and every change made to it, oldest first."""

    years: tuple[TrajectoryYear, ...] = ()
    history: tuple[TrajectoryChange, ...] = ()

    @overload
    def __getitem__(self, index: int) -> TrajectoryYear: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[TrajectoryYear, ...]: ...

    def __getitem__(self, index: int | slice) -> TrajectoryYear | tuple[TrajectoryYear, ...]:
        return self.years[index]

    def __len__(self) -> int:
        return len(self.years)


@dataclass(frozen=True)
class MeasureInfo:
    """What the roll-up needs of a measure: its id, themes and current rating."""

    id: str
    themes: tuple[str, ...] = ()
    rag: str = "unrated"
    la: str = ""
    text: str = ""


@dataclass(frozen=True)
class Amounts:
    """Expected savings (all years and to date) and actual savings of something; ``actual`` is
    None while no actual saving is recorded for any of it (not the same as having saved £0)."""

    expected: Decimal = ZERO
    expected_to_date: Decimal = ZERO
    actual: Decimal | None = None

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts(
            self.expected + other.expected,
            self.expected_to_date + other.expected_to_date,
            _sum([self.actual, other.actual]),
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "expected": money_json(self.expected),
            "expected_to_date": money_json(self.expected_to_date),
            "actual": money_json(self.actual),
        }


def split(amounts: Amounts, weights: Sequence[Fraction]) -> list[Amounts]:
    """Share each of the three amounts by the weights, to the penny (see ``apportion``); no
    actual recorded stays none in every share."""
    expected = apportion(amounts.expected, weights)
    to_date = apportion(amounts.expected_to_date, weights)
    actual: Sequence[Decimal | None] = (
        [None] * len(weights) if amounts.actual is None else apportion(amounts.actual, weights)
    )
    return [Amounts(e, d, a) for e, d, a in zip(expected, to_date, actual, strict=True)]


@dataclass(frozen=True)
class YearLine:
    year: str
    unmitigated: Decimal | None
    expected_savings: Decimal
    mitigated: Decimal | None
    target: Decimal | None
    actual: Decimal | None  # the outturn
    gap: Decimal | None  # mitigated minus target: still to find (negative: better than target)
    actual_savings: Decimal | None
    cumulative_mitigated: Decimal | None
    cumulative_target: Decimal | None
    cumulative_gap: Decimal | None
    outturn_gap: Decimal | None = None  # the outturn minus the target, once the year is closed

    def as_dict(self) -> dict[str, object]:
        return {
            "year": self.year,
            "unmitigated": money_json(self.unmitigated),
            "expected_savings": money_json(self.expected_savings),
            "mitigated": money_json(self.mitigated),
            "target": money_json(self.target),
            "actual": money_json(self.actual),
            "gap": money_json(self.gap),
            "actual_savings": money_json(self.actual_savings),
            "cumulative_mitigated": money_json(self.cumulative_mitigated),
            "cumulative_target": money_json(self.cumulative_target),
            "cumulative_gap": money_json(self.cumulative_gap),
            "outturn_gap": money_json(self.outturn_gap),
        }


@dataclass(frozen=True)
class MeasureLine:
    measure: str
    la: str
    themes: tuple[str, ...]
    rag: str
    amounts: Amounts
    activities: tuple[str, ...]
    text: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "measure": self.measure,
            "la": self.la,
            "text": self.text,
            "rag": self.rag,
            "themes": list(self.themes),
            "activities": list(self.activities),
            **self.amounts.as_dict(),
        }


@dataclass(frozen=True)
class ThemeLine:
    theme: str
    amounts: Amounts

    def as_dict(self) -> dict[str, object]:
        return {"theme": self.theme, **self.amounts.as_dict()}


@dataclass(frozen=True)
class ActivityLine:
    activity: str
    title: str
    shares: tuple[tuple[str, Fraction], ...]  # (measure, weight) in link order
    weighted: bool  # the council's weights (else equal shares)
    amounts: Amounts
    behind: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "activity": self.activity,
            "title": self.title,
            "measures": [{"measure": m, "weight": _weight_text(w)} for m, w in self.shares],
            "weights": "set" if self.weighted else "equal",
            "behind": self.behind,
            **self.amounts.as_dict(),
        }


def _weight_text(weight: Fraction) -> str:
    """0.5, or 1/3 where no decimal is exact."""
    d = Decimal(weight.numerator) / Decimal(weight.denominator)
    if d * weight.denominator == weight.numerator:
        return f"{d.normalize():f}"
    return f"{weight.numerator}/{weight.denominator}"


@dataclass(frozen=True)
class Flag:
    # behind-plan, no-actual-yet, actual-not-started, green-without-saving, green-net-cost,
    # weights-ignored, outside-trajectory, cumulative-incomplete; and (services) as-at-lock,
    # changed-later, recorded-later
    code: str
    subject: str  # the activity or measure id
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "subject": self.subject, "message": self.message}


@dataclass(frozen=True)
class Impact:
    """Everything the impact views show, computed once."""

    assessment: str
    years: list[YearLine]
    by_measure: list[MeasureLine]
    by_theme: list[ThemeLine]
    by_activity: list[ActivityLine]
    unallocated: Amounts  # savings of activities linked to no measure
    total: Amounts
    # the financial year in progress on ``day``: "to date" means the years up to it
    to_date: str | None
    threshold: Decimal
    flags: list[Flag]
    note: str = ROUNDING_NOTE
    savings: tuple[Saving, ...] = ()  # the entries in force, by activity (titles' order), year
    has_trajectory: bool = True
    day: date | None = None  # the day the figures are for (today, a report's date, a lock's)

    NO_TRAJECTORY = "No trajectory recorded for this assessment"

    @property
    def empty(self) -> bool:
        return not self.years and not self.by_activity

    def as_dict(self) -> dict[str, object]:
        return {
            "assessment": self.assessment,
            "currency": "GBP",
            "note": self.note,
            "to_date": self.to_date,
            "behind_threshold": f"{self.threshold.normalize():f}",
            "years": [y.as_dict() for y in self.years],
            "by_measure": [m.as_dict() for m in self.by_measure],
            "unallocated": self.unallocated.as_dict(),
            "by_theme": [t.as_dict() for t in self.by_theme],
            "by_activity": [a.as_dict() for a in self.by_activity],
            "by_activity_year": [
                {
                    "activity": x.activity,
                    "year": x.year,
                    "expected": money_json(x.expected),
                    "actual": money_json(x.actual),
                    "variance": money_json(variance(x)),
                }
                for x in self.savings
            ],
            "has_trajectory": self.has_trajectory,
            "total": self.total.as_dict(),
            "flags": [f.as_dict() for f in self.flags],
        }


def _sum(values: Sequence[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, ZERO) if present else None


def variance(saving: Saving) -> Decimal | None:
    """Actual minus expected saving (negative: short of plan); none until an actual is in."""
    if saving.actual is None:
        return None
    return saving.actual - (saving.expected or ZERO)


def _years(
    trajectory: Sequence[TrajectoryYear],
    savings: Sequence[Saving],
    flags: list[Flag],
    day: date,
) -> list[YearLine]:
    """The years of the trajectory and of the savings. The cumulative figures run from the
    trajectory's first year to its last: a year outside it, or a year it lacks, is flagged, and
    a cumulative figure that would leave a year out is blank, never a partial sum. An outturn
    for a year that had not started on ``day`` is flagged."""
    traj = {t.year: t for t in trajectory}
    early = [y for y in sorted(traj) if traj[y].actual is not None and y > year_of(day)]
    if early:
        flags.append(
            Flag(
                "actual-not-started",
                "trajectory",
                f"The trajectory has an actual outturn for {_years_text(early)}, which had not "
                f"started on {day_text(day)}: check the year (an outturn cannot be known before "
                "its year)",
            )
        )
    first, last = (min(traj), max(traj)) if traj else ("", "")
    years = sorted({*traj, *(s.year for s in savings)})
    outside = [y for y in years if traj and not first <= y <= last]
    if outside:
        flags.append(
            Flag(
                "outside-trajectory",
                "trajectory",
                f"Savings for {_years_text(outside)} fall outside the trajectory's years "
                f"({first} to {last}): they are left out of the cumulative figures",
            )
        )
    gaps = missing_years(list(traj))
    if gaps:
        flags.append(
            Flag(
                "cumulative-incomplete",
                "trajectory",
                f"The trajectory has no figures for {_years_text(gaps)}: the cumulative figures "
                f"from {gaps[0]} on are left blank, as they would leave "
                f"{'that year' if len(gaps) == 1 else 'those years'} out",
            )
        )
    no_target = [y for y in sorted(traj) if traj[y].target is None]
    if no_target and not gaps:
        flags.append(
            Flag(
                "cumulative-incomplete",
                "trajectory",
                f"{no_target[0]} has no target: the cumulative target and gap from "
                f"{no_target[0]} on are left blank",
            )
        )
    out = []
    cum_m: Decimal | None = ZERO
    cum_t: Decimal | None = ZERO
    for year in years:
        t = traj.get(year)
        in_year = [s for s in savings if s.year == year]
        expected = _sum([s.expected for s in in_year]) or ZERO
        unmitigated = t.unmitigated if t else None
        mitigated = None if unmitigated is None else unmitigated - expected
        target = t.target if t else None
        actual = t.actual if t else None
        inside = bool(traj) and first <= year <= last
        if inside:
            cum_m = None if cum_m is None or mitigated is None else cum_m + mitigated
            cum_t = None if cum_t is None or target is None else cum_t + target
        shown_m, shown_t = (cum_m, cum_t) if inside else (None, None)
        out.append(
            YearLine(
                year=year,
                unmitigated=unmitigated,
                expected_savings=expected,
                mitigated=mitigated,
                target=target,
                actual=actual,
                gap=None if mitigated is None or target is None else mitigated - target,
                actual_savings=_sum([s.actual for s in in_year]),
                cumulative_mitigated=shown_m,
                cumulative_target=shown_t,
                cumulative_gap=None if shown_m is None or shown_t is None else shown_m - shown_t,
                outturn_gap=None if actual is None or target is None else actual - target,
            )
        )
    return out


def _shares(
    activity: str,
    linked: Sequence[str],
    weights: Mapping[str, Decimal],
    flags: list[Flag],
) -> tuple[list[tuple[str, Fraction]], bool]:
    if weights and set(weights) == set(linked):
        return [(m, Fraction(weights[m])) for m in linked], True
    if weights:
        flags.append(
            Flag(
                "weights-ignored",
                activity,
                f"{activity}'s weights name other measures than those it is linked to now; "
                "its saving is shared equally until the weights are set again",
            )
        )
    return list(zip(linked, equal_weights(len(linked)), strict=True)), False


def _progress(
    activity: str, own: Sequence[Saving], to_date: str, threshold: Decimal, day: date
) -> list[Flag]:
    """An activity's savings to date against its plan: behind it (judged on the years whose
    actual saving is recorded), the years that have ended with a saving expected but no actual
    recorded yet (never read as having saved nothing), and actuals recorded for a year that has
    not started (a mistyped year: they cannot be known yet)."""
    due = [s for s in own if s.year <= to_date]
    recorded = [s for s in due if s.actual is not None]
    waiting = [s for s in due if s.year < to_date and s.actual is None and (s.expected or ZERO) > 0]
    early = [s for s in own if s.year > to_date and s.actual is not None]
    flags = []
    expected = sum((s.expected or ZERO for s in recorded), ZERO)
    actual = sum((s.actual or ZERO for s in recorded), ZERO)
    short = expected - actual
    # behind: short of the plan by more than the threshold of its size; for a net cost (a
    # negative saving) that is costing more than planned, and any cost where none was planned
    if recorded and short > 0 and short > abs(expected) * threshold:
        when = (
            "to date"
            if len(recorded) == len(due)
            else f"in {_years_text([s.year for s in recorded])}"
        )
        if actual < 0:
            planned = (
                f"a planned net cost of £{-expected:,.2f}"
                if expected < 0
                else "no cost planned"
                if expected == 0
                else f"£{expected:,.2f} expected saving"
            )
            message = (
                f"{activity} has a net cost of £{-actual:,.2f} {when} against {planned}: "
                f"£{short:,.2f} worse than planned"
            )
        else:
            message = (
                f"{activity} has saved £{actual:,.2f} {when} against £{expected:,.2f} "
                f"expected: £{short:,.2f} short"
            )
        if expected != 0:
            message += f", more than {percent_text(threshold)}%"
        flags.append(Flag("behind-plan", activity, message))
    if waiting:
        flags.append(
            Flag(
                "no-actual-yet",
                activity,
                f"{activity} has no actual saving recorded yet for "
                f"{_years_text([s.year for s in waiting])}, against "
                f"£{sum((s.expected or ZERO for s in waiting), ZERO):,.2f} expected: record what "
                "it saved once it is known",
            )
        )
    if early:
        flags.append(
            Flag(
                "actual-not-started",
                activity,
                f"{activity} has an actual saving recorded for "
                f"{_years_text([s.year for s in early])}, which had not started on "
                f"{day_text(day)}: check the year (an actual cannot be known before its year)",
            )
        )
    return flags


def percent_text(fraction: Decimal) -> str:
    """0.105 -> '10.5', 0.1 -> '10': a threshold as a percentage, as given."""
    return f"{(fraction * 100).normalize():f}"


def day_text(day: date) -> str:
    """'6 December 2026'."""
    return f"{day.day} {day:%B %Y}"


def _years_text(years: Sequence[str]) -> str:
    """'2024-25', '2024-25 and 2025-26', '2023-24, 2024-25 and 2025-26'."""
    ordered = sorted(years)
    if len(ordered) <= 1:
        return "".join(ordered)
    return f"{', '.join(ordered[:-1])} and {ordered[-1]}"


def roll_up(
    *,
    assessment: str,
    trajectory: Sequence[TrajectoryYear],
    savings: Sequence[Saving],
    links: Mapping[str, Sequence[str]],
    weights: Mapping[str, Mapping[str, Decimal]],
    measures: Sequence[MeasureInfo],
    titles: Mapping[str, str],
    threshold: Decimal = DEFAULT_THRESHOLD,
    theme_order: Sequence[str] = (),
    day: date,
) -> Impact:
    """The impact views from the current savings, trajectory, links and weights, for ``day``.

    ``links``: each activity's measures in force, in link order; ``weights``: the weights a
    council set per activity ({measure: weight}); ``measures``: the catalogue in order, with the
    assessment's ratings; ``titles``: activity id -> title (the activities to show, in order).
    "To date" means the financial years that have started by ``day`` (the year in progress
    included), whatever has been recorded.
    """
    flags: list[Flag] = []
    # an entry whose figures were withdrawn is not recorded (kept in the history only)
    savings = [s for s in savings if s.expected is not None or s.actual is not None]
    to_date = year_of(day)
    per_activity: dict[str, Amounts] = {}
    own: dict[str, list[Saving]] = {}
    for s in savings:
        so_far = s.year <= to_date
        add = Amounts(s.expected or ZERO, (s.expected or ZERO) if so_far else ZERO, s.actual)
        per_activity[s.activity] = per_activity.get(s.activity, Amounts()) + add
        own.setdefault(s.activity, []).append(s)

    info = {m.id: m for m in measures}
    measure_amounts: dict[str, Amounts] = {}
    measure_activities: dict[str, list[str]] = {}
    unallocated = Amounts()
    activity_lines = []
    order = [a for a in titles if a in per_activity]
    order += [a for a in per_activity if a not in titles]
    any_unlinked = False
    for activity in order:
        amounts = per_activity[activity]
        linked = [m for m in links.get(activity, ()) if m in info]
        shares, weighted = _shares(activity, linked, weights.get(activity, {}), flags)
        if shares:
            for (measure, _), part in zip(
                shares, split(amounts, [w for _, w in shares]), strict=True
            ):
                measure_amounts[measure] = measure_amounts.get(measure, Amounts()) + part
                measure_activities.setdefault(measure, []).append(activity)
        else:
            unallocated += amounts
            any_unlinked = True
        judged = _progress(activity, own[activity], to_date, threshold, day)
        flags.extend(judged)
        behind = any(f.code == "behind-plan" for f in judged)
        activity_lines.append(
            ActivityLine(
                activity, titles.get(activity, ""), tuple(shares), weighted, amounts, behind
            )
        )

    by_measure = [
        MeasureLine(
            m.id,
            m.la,
            m.themes,
            m.rag,
            measure_amounts[m.id],
            tuple(measure_activities[m.id]),
            m.text,
        )
        for m in measures
        if m.id in measure_amounts
    ]
    theme_amounts: dict[str, Amounts] = {}
    for line in by_measure:
        themes = line.themes or (NO_THEME,)
        for theme, part in zip(
            themes, split(line.amounts, equal_weights(len(themes))), strict=True
        ):
            theme_amounts[theme] = theme_amounts.get(theme, Amounts()) + part
    rank = {t: i for i, t in enumerate(theme_order)}
    by_theme = [
        ThemeLine(t, a)
        for t, a in sorted(theme_amounts.items(), key=lambda kv: rank.get(kv[0], len(rank)))
    ]
    if any_unlinked:
        by_theme.append(ThemeLine(NOT_LINKED, unallocated))

    for m in measures:
        expected = measure_amounts.get(m.id, Amounts()).expected
        if m.rag == "green" and expected < 0:
            # a net cost is a figure recorded, not a gap in the recording: a finance lead wants
            # a green measure expected to cost more than it saves (all years together) told
            # apart from one with nothing recorded: it is an invest-to-save whose later savings
            # are not entered yet, or a rating to question
            flags.append(
                Flag(
                    "green-net-cost",
                    m.id,
                    f"{m.id} is rated green, but the expected savings recorded for it add up to "
                    f"a net cost of {money_text(-expected)} rather than a saving: check that the "
                    "savings it leads to in later years are recorded, or that its rating holds",
                )
            )
        elif m.rag == "green" and expected == 0:
            flags.append(
                Flag(
                    "green-without-saving",
                    m.id,
                    f"{m.id} is rated green with no expected saving recorded: either it enables "
                    "savings rather than making them (a contribution, a review, a system), or the "
                    "activities that deliver it and what they save are still to be recorded",
                )
            )
    total = sum((a for a in per_activity.values()), Amounts())
    rank_of = {a: i for i, a in enumerate(order)}
    return Impact(
        assessment=assessment,
        years=_years(trajectory, savings, flags, day),
        by_measure=by_measure,
        by_theme=by_theme,
        by_activity=activity_lines,
        unallocated=unallocated,
        total=total,
        to_date=to_date,
        threshold=threshold,
        flags=flags,
        savings=tuple(sorted(savings, key=lambda s: (rank_of[s.activity], s.year))),
        has_trajectory=bool(trajectory),
        day=day,
    )
