"""The dated roll-up of impact (services/impact.py): figures as they stood at a moment.

A locked assessment's figures are cut at its lock, as its report is (services/reports.py); a
roll-up ``on`` a day or ``until`` a moment leaves out what was recorded later. These say where
the cut falls, which ratings stood then, and what the flags tell a reader about it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from valvecheck.domain.impact import Flag, TrajectoryEntry
from valvecheck.domain.moments import aware
from valvecheck.domain.views import AssessmentState, MeasureView
from valvecheck.store.queries import AssessmentRecord


def lock_cut(row: AssessmentRecord | None) -> datetime | None:
    """The moment that cuts a locked assessment's figures: what was recorded up to and at the
    lock is in them (as in services/reports.py); None while it is not locked."""
    if row is None or row.locked_at is None:
        return None
    return aware(row.locked_at) + timedelta(microseconds=1)


def as_at_lock(name: str, when: str) -> Flag:
    """The flag saying a locked assessment's figures are as they stood at its lock (``when``)."""
    return Flag(
        "as-at-lock",
        "assessment",
        f"'{name}' was locked (reported) on {when}: these are its figures as they stood then, as "
        "its report gives them; savings, weights and links recorded since are left out (they "
        "count in an assessment started after it)",
    )


def ratings_at(state: AssessmentState, until: datetime) -> AssessmentState:
    """The assessment's ratings as they stood at ``until`` (those given then or later left out)."""

    def kept(view: MeasureView) -> MeasureView:
        history = [r for r in view.history if r.at is None or aware(r.at) < until]
        return view if len(history) == len(view.history) else replace(view, history=history)

    return replace(state, views=[kept(v) for v in state.views])


def recorded_later(until: datetime, when: str, entries: list[TrajectoryEntry]) -> list[Flag]:
    """What a dated roll-up shows differently from the trajectory held now: years changed or
    left out since (shown as they stood), years first recorded since (not shown), and years held
    from before the trajectory kept its history and written since (left out: the figures held
    before then are not known)."""
    shown = {e.figures.year for e in entries if e.in_force(until)}
    late = [e for e in entries if e.figures.at is not None and e.figures.at >= until]
    unknown = sorted({e.figures.year for e in late if e.version == 0})
    added = sorted({e.figures.year for e in late if e.version > 0} - shown - set(unknown))
    changed = sorted(
        {e.figures.year for e in entries if e.in_force(until) and e.ended_at is not None}
    )
    flags = []
    if changed:
        flags.append(
            Flag(
                "changed-later",
                "trajectory",
                f"The trajectory for {_listed(changed)} has changed since {when}: these figures "
                "are as they stood then (its history keeps both)",
            )
        )
    if added:
        flags.append(
            Flag(
                "recorded-later",
                "trajectory",
                f"The trajectory for {_listed(added)} was first recorded after {when}: it is not "
                "in these figures",
            )
        )
    if unknown:
        flags.append(
            Flag(
                "recorded-later",
                "trajectory",
                f"The trajectory for {_listed(unknown)} was recorded after {when} and is left "
                "out: the figures held before then were not kept",
            )
        )
    return flags


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
