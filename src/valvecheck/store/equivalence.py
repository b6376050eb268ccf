"""People's decisions that two measures are, or are not, the same commitment (``equivalence_event``):
appended, never changed; the latest for a pair holds."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, insert, select

from valvecheck.domain.equivalence import EquivalenceDecision
from valvecheck.store.tables import equivalence_event, measure

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def record(
    db: Connection | Session,
    measure_row: int,
    other_row: int,
    decision: str,
    rationale: str,
    by: str,
    at: datetime,
    council: str = "",
) -> None:
    low, high = sorted((measure_row, other_row))
    db.execute(
        insert(equivalence_event).values(
            measure_id=low,
            other_id=high,
            decision=decision,
            rationale=rationale,
            by=by,
            at=at,
            council=council,
        )
    )


def current(db: Connection | Session) -> list[EquivalenceDecision]:
    """Every pair's decision in force (not withdrawn), by the pair's ids."""
    a, b = measure.alias("a"), measure.alias("b")
    e = equivalence_event.c
    rows = db.execute(
        select(a.c.code, b.c.code, e.decision, e.rationale, e.by, e.at, e.council)
        .join(a, a.c.id == e.measure_id)
        .join(b, b.c.id == e.other_id)
        .order_by(e.id)
    ).all()
    latest = {(row[0], row[1]): EquivalenceDecision(*row) for row in rows}
    return sorted(
        (v for v in latest.values() if v.decision != "none"), key=lambda v: (v.measure, v.other)
    )
