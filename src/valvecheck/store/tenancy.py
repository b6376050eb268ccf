"""Tenancy in one place: every query on a council's own tables goes through `owned` (ORM) or
`only` (any select, on the ORM classes or on the Core tables).

The catalogue (authorities, agreements, measures) is shared by all councils; the
tables in `tables.COUNCIL_TABLES` belong to one council each.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Select, Table, select

from valvecheck.store.tables import COUNCIL_TABLES

if TYPE_CHECKING:
    from valvecheck.store.models import Base

T = TypeVar("T", bound="Base")
S = TypeVar("S", bound=Select)  # type: ignore[type-arg]


def owned(model: type[T], council_id: int) -> Select[T]:
    """``select(model)`` limited to one council's rows."""
    return select(model).where(model.council_id == council_id)  # type: ignore[attr-defined]


def only(stmt: S, model: type[Base] | Table, council_id: int) -> S:
    """Add the council filter for ``model`` (an ORM class or a Core table) to any select."""
    column = model.c.council_id if isinstance(model, Table) else model.council_id  # type: ignore[attr-defined]
    return stmt.where(column == council_id)


def __getattr__(name: str) -> Any:
    # OWNED (table name -> ORM class) needs the ORM classes: built when first asked for, so
    # that reads through `only` never load the ORM.
    if name == "OWNED":
        from valvecheck.store import models

        owned_models = {
            "theme": models.ThemeRow,
            "sub_theme": models.SubThemeRow,
            "placement": models.PlacementRow,
            "person": models.PersonRow,
            "assessment": models.AssessmentRow,
            "rating": models.RatingRow,
            "activity": models.ActivityRow,
            "link_event": models.LinkEventRow,
            "activity_change": models.ActivityChangeRow,
            "placement_event": models.PlacementEventRow,
            "api_token": models.ApiTokenRow,
            "impact_entry": models.ImpactEntryRow,
            "impact_weight": models.ImpactWeightRow,
            "trajectory": models.TrajectoryRow,
        }
        assert set(owned_models) == set(COUNCIL_TABLES)
        return owned_models
    raise AttributeError(name)
