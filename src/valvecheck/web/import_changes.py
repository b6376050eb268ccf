"""What a savings or trajectory import would change, one line a figure, for its preview page;
and what any import's preview said, as a digest its confirmation is compared with.

An activities import's changes are already one line a value (``services.activities``); these
imports' results carry whole entries (a saving, a trajectory year) before and after, so the lines
are drawn from them here: only the figures that differ, in the words the Impact and trajectory pages use.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from valvecheck.domain.impact import Saving, TrajectoryChange
from valvecheck.domain.impact_counts import COUNTS
from valvecheck.domain.money import money_text
from valvecheck.services.activities import ActivitiesImported
from valvecheck.services.impact import SavingChanged, SavingsImported
from valvecheck.services.trajectory import TrajectoryImported
from valvecheck.web.trajectory import FIGURE_NAMES

SAVING_FIGURES = (
    ("expected", "Expected saving"),
    ("actual", "Actual saving"),
    ("cohort", "Cohort (children)"),
    ("unit", "Saving per child"),
    ("note", "Note"),
)


@dataclass(frozen=True)
class Line:
    """One figure an import would change: whose (an activity, or none for the trajectory),
    which year, what, now and after ("" for none)."""

    activity: str
    year: str
    what: str
    now: str
    after: str


def _given(value: object) -> object:
    """A figure as recorded, or None: an empty note is no note (a zero is a figure)."""
    return None if value is None or value == "" else value


def _shown(field: str, value: object) -> str:
    value = _given(value)
    if value is None:
        return ""
    if isinstance(value, Decimal) and field != "cohort":
        return money_text(value)
    return str(value)


def _counts_text(counts: dict[str, int]) -> str:
    """'EHCPs 5, mainstream placements 3', in the counts' own order and words."""
    return ", ".join(f"{label} {counts[k]}" for k, label in COUNTS if k in counts)


def saving_lines(changes: tuple[SavingChanged, ...]) -> list[Line]:
    """Each figure of each activity's year that would change (a new year: every figure given,
    a zero included)."""
    lines = []
    for c in changes:
        for field, what in SAVING_FIGURES:
            before = getattr(c.before, field) if c.before is not None else None
            after = getattr(c.after, field)
            if _given(before) != _given(after):
                now, then = _shown(field, before), _shown(field, after)
                lines.append(Line(c.after.activity, c.after.year, what, now, then))
        was = dict(c.before.counts) if c.before is not None else {}
        if was != dict(c.after.counts):
            now, then = _counts_text(was), _counts_text(dict(c.after.counts))
            lines.append(Line(c.after.activity, c.after.year, "Counts", now, then))
    return lines


def trajectory_lines(changes: tuple[TrajectoryChange, ...]) -> list[Line]:
    """Each figure of each year that would change, years in order."""
    order = list(FIGURE_NAMES)
    ordered = sorted(changes, key=lambda c: (c.year, order.index(c.figure)))
    return [
        Line(
            "",
            c.year,
            FIGURE_NAMES[c.figure],
            money_text(c.before),
            money_text(c.after),
        )
        for c in ordered
    ]


def digest(outcome: object) -> str:
    """What a preview said the file would change, as a digest to compare with the same file's
    import at its confirmation: of activities, its new activities, each value an update would
    change and the links it would make; of savings or the trajectory, the figures only, never
    the moment or the person a preview stamps its new entries with; "" for a catalogue's."""
    if isinstance(outcome, ActivitiesImported):
        said: list[object] = [list(outcome.new), [repr(c) for c in outcome.changes], outcome.linked]
        return hashlib.sha256(json.dumps(said, default=str).encode()).hexdigest()
    if isinstance(outcome, SavingsImported):
        said = [
            [c.after.activity, c.after.year, _version(c.before), line.what, line.now, line.after]
            for c in outcome.changes
            for line in saving_lines((c,))
        ]
    elif isinstance(outcome, TrajectoryImported):
        said = [[outcome.assessment], *map(list, _as_rows(trajectory_lines(outcome.changes)))]
    else:
        return ""
    return hashlib.sha256(json.dumps(said).encode()).hexdigest()


def _version(saving: Saving | None) -> int:
    return saving.version if saving is not None else 0


def _as_rows(lines: list[Line]) -> list[tuple[str, str, str, str]]:
    return [(line.year, line.what, line.now, line.after) for line in lines]
