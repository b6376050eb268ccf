"""Activities and their link events in the tables. No business rules here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from valvecheck.domain.activity import Activity, Status
from valvecheck.errors import NotFound
from valvecheck.store.models import ActivityRow, LinkEventRow, MeasureRow


def to_activity(row: ActivityRow) -> Activity:
    return Activity(
        id=row.code,
        title=row.title,
        description=row.description,
        theme=row.theme,
        sub_theme=row.sub_theme,
        owner=row.owner,
        status=Status(row.status) if row.status else None,
        start=row.start_date,
        end=row.end_date,
        link=row.link,
    )


def activities(session: Session) -> list[Activity]:
    return [to_activity(r) for r in session.scalars(select(ActivityRow).order_by(ActivityRow.id))]


def activity_row(session: Session, code: str) -> ActivityRow:
    row = session.scalar(select(ActivityRow).where(ActivityRow.code == code))
    if row is None:
        raise NotFound(f"there is no activity '{code}' (see 'valvecheck activities list' for ids)")
    return row


def save_activities(session: Session, items: list[Activity], at: datetime) -> tuple[int, int]:
    """Add new activities and update those whose id exists; returns (added, updated)."""
    existing = {r.code: r for r in session.scalars(select(ActivityRow))}
    added = updated = 0
    for a in items:
        values = {
            "title": a.title,
            "description": a.description,
            "theme": a.theme,
            "sub_theme": a.sub_theme,
            "owner": a.owner,
            "status": a.status.value if a.status else "",
            "start_date": a.start,
            "end_date": a.end,
            "link": a.link,
        }
        row = existing.get(a.id)
        if row is None:
            session.add(ActivityRow(code=a.id, imported_at=at, **values))
            added += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.imported_at = at
            updated += 1
    session.flush()
    return added, updated


def add_link_event(
    session: Session,
    activity: ActivityRow,
    measure: MeasureRow,
    linked: bool,
    rationale: str,
    by: str,
    at: datetime,
) -> LinkEventRow:
    event = LinkEventRow(
        activity_id=activity.id,
        measure_id=measure.id,
        linked=linked,
        rationale=rationale,
        by=by,
        at=at,
    )
    session.add(event)
    session.flush()
    return event
