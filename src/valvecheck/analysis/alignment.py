"""How much of the council's own activity aligns to the measures, and what a reviewer should check.

- a measure rated green or amber with no linked activity: where is the work that earns the rating?
- a measure rated red or not rated that has a linked activity: is the rating out of date?
- a linked activity that is stalled, or past its end date and not done: does its measure still hold?
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from valvecheck.domain.activity import Activity
from valvecheck.domain.rag import Rag


@dataclass
class Alignment:
    activities: int
    activities_aligned: int
    measures_with_activity: int
    covered_without_activity: list[str] = field(default_factory=list)
    uncovered_with_activity: list[str] = field(default_factory=list)
    linked_activities_at_risk: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """Three counts at the top level of ``summary --json`` and the checks beside them."""
        return {
            "activities": self.activities,
            "activities_aligned": self.activities_aligned,
            "measures_with_activity": self.measures_with_activity,
            "alignment_checks": {
                "green_or_amber_without_activity": self.covered_without_activity,
                "red_or_unrated_with_activity": self.uncovered_with_activity,
                "linked_activities_stalled_or_overdue": self.linked_activities_at_risk,
            },
        }


def align(
    measure_ids: list[str],
    ratings: dict[str, Rag],
    activities: list[Activity],
    links: list[tuple[str, str]],
    today: date,
) -> Alignment:
    """``links`` are the (activity id, measure id) pairs in force; measures keep catalogue order."""
    known = set(measure_ids)
    links = [(a, m) for a, m in links if m in known]
    linked_activities = {a for a, _ in links}
    linked_measures = {m for _, m in links}
    covered = (Rag.GREEN, Rag.AMBER)
    uncovered = (Rag.RED, Rag.UNRATED)
    return Alignment(
        activities=len(activities),
        activities_aligned=sum(1 for a in activities if a.id in linked_activities),
        measures_with_activity=sum(1 for m in measure_ids if m in linked_measures),
        covered_without_activity=[
            m
            for m in measure_ids
            if ratings.get(m, Rag.UNRATED) in covered and m not in linked_measures
        ],
        uncovered_with_activity=[
            m
            for m in measure_ids
            if ratings.get(m, Rag.UNRATED) in uncovered and m in linked_measures
        ],
        linked_activities_at_risk=[
            a.id for a in activities if a.id in linked_activities and a.at_risk(today)
        ],
    )
