"""Activities and their link events in the tables. No business rules here."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy.orm import Session

from valvecheck.domain.activity import Activity, id_key
from valvecheck.errors import NotFound
from valvecheck.store.models import ActivityRow, LinkEventRow, MeasureRow
from valvecheck.store.queries import activities as activities
from valvecheck.store.queries import to_activity as to_activity
from valvecheck.store.tenancy import owned


def activity_row(session: Session, council_id: int, code: str) -> ActivityRow:
    """The council's activity with this id, whatever its case ('A-1' finds 'a-1')."""
    row = session.scalar(owned(ActivityRow, council_id).where(ActivityRow.code == code))
    if row is None:
        # Compared in Python: SQLite's lower() folds only ASCII letters.
        row = next(
            (
                r
                for r in session.scalars(owned(ActivityRow, council_id))
                if id_key(r.code) == id_key(code)
            ),
            None,
        )
    if row is None:
        raise NotFound(f"there is no activity '{code}'", field="activity")
    return row


# Activity field -> its column in the table.
COLUMNS = {
    "title": "title",
    "description": "description",
    "theme": "theme",
    "sub_theme": "sub_theme",
    "owner": "owner",
    "status": "status",
    "start": "start_date",
    "end": "end_date",
    "link": "link",
}


def activity_changes(
    session: Session,
    council_id: int,
    items: list[Activity],
    fields: Collection[str] | None = None,
) -> tuple[list[Activity], list[tuple[ActivityRow, dict[str, object]]]]:
    """What saving ``items`` would do, writing nothing: the activities that are new, and each
    existing row with the values that would change (only ``fields``; all when None: the others
    were not in the file). A file's ids are unique (the importer refuses a repeated one)."""
    keep = {COLUMNS[f] for f in COLUMNS if fields is None or f in fields}
    existing = {id_key(r.code): r for r in session.scalars(owned(ActivityRow, council_id))}
    new: list[Activity] = []
    changed: list[tuple[ActivityRow, dict[str, object]]] = []
    for a in items:
        row = existing.get(id_key(a.id))
        if row is None:
            new.append(a)
            continue
        changes = {k: v for k, v in _values(a).items() if k in keep and getattr(row, k) != v}
        if changes:
            changed.append((row, changes))
    return new, changed


def save_activities(
    session: Session,
    council_id: int,
    items: list[Activity],
    at: datetime,
    fields: Collection[str] | None = None,
) -> tuple[int, int]:
    """Add new activities and update those whose id exists; returns (added, updated)."""
    new, changed = activity_changes(session, council_id, items, fields)
    for a in new:
        session.add(ActivityRow(council_id=council_id, code=a.id, imported_at=at, **_values(a)))
    for row, changes in changed:
        for k, v in changes.items():
            setattr(row, k, v)
        row.imported_at = at
    session.flush()
    return len(new), len(changed)


def _values(a: Activity) -> dict[str, object]:
    return {
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


def add_link_event(
    session: Session,
    activity: ActivityRow,
    measure: MeasureRow,
    linked: bool,
    rationale: str,
    by: str,
    at: datetime,
    version: int,
) -> LinkEventRow:
    event = LinkEventRow(
        council_id=activity.council_id,
        version=version,
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
