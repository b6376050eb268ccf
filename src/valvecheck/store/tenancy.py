"""Tenancy in one place: every query on a council's own tables goes through `owned`.

The catalogue (authorities, agreements, measures, programme) is shared by all councils; the
tables in `models.COUNCIL_TABLES` belong to one council each.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select, select

from valvecheck.store.models import (
    COUNCIL_TABLES,
    ActivityRow,
    ApiTokenRow,
    AssessmentRow,
    Base,
    ImpactEntryRow,
    ImpactWeightRow,
    LinkEventRow,
    PersonRow,
    RatingRow,
    TrajectoryRow,
)

OWNED: dict[str, type[Base]] = {
    "person": PersonRow,
    "assessment": AssessmentRow,
    "rating": RatingRow,
    "activity": ActivityRow,
    "link_event": LinkEventRow,
    "api_token": ApiTokenRow,
    "impact_entry": ImpactEntryRow,
    "impact_weight": ImpactWeightRow,
    "trajectory": TrajectoryRow,
}
assert set(OWNED) == set(COUNCIL_TABLES)

T = TypeVar("T", bound=Base)
S = TypeVar("S", bound=Select)  # type: ignore[type-arg]


def owned(model: type[T], council_id: int) -> Select[T]:
    """``select(model)`` limited to one council's rows."""
    return select(model).where(model.council_id == council_id)  # type: ignore[attr-defined]


def only(stmt: S, model: type[Base], council_id: int) -> S:
    """Add the council filter for ``model`` to any select."""
    return stmt.where(model.council_id == council_id)  # type: ignore[attr-defined]
