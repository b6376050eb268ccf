"""An activity's details and their history: every change of a title, owner, status or date, by a
person's edit or an import, is kept (who, when, from, to, and the import's file)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from valvecheck.domain.activity import Activity, Status
from valvecheck.domain.moments import short_date
from valvecheck.domain.people import Action
from valvecheck.services.context import Context, authorise, council_id
from valvecheck.store import activities as store
from valvecheck.store.models import ActivityChangeRow, ActivityRow
from valvecheck.store.queries import detail_changes

# The stored columns as the preview names them.
FIELD_NAMES = {
    "title": "Title",
    "description": "Description",
    "theme": "Theme",
    "sub_theme": "Sub-theme",
    "owner": "Owner",
    "status": "Status",
    "start_date": "Start date",
    "end_date": "End date",
    "link": "Link",
}


@dataclass(frozen=True)
class DetailChange:
    """One detail of an activity changed, as its page shows it: from and to ("" for none), who,
    when, and the file an import read it from ("" for a person's edit)."""

    activity_id: str
    field: str  # as a person names it: "Status", "End date"
    before: str
    after: str
    by: str
    at: datetime
    file: str = ""


def save_with_history(
    ctx: Context,
    cid: int,
    items: list[Activity],
    fields: Collection[str] | None,
    file: str = "",
    changed: list[tuple[ActivityRow, dict[str, object]]] | None = None,
) -> tuple[int, int]:
    """Save activities as the store does (added, updated), first keeping each detail that
    changes in its activity's history (what the re-import preview shows, now written).
    ``changed``: what `store.activity_changes` found, where the caller has read it already."""
    if changed is None:
        _, changed = store.activity_changes(ctx.session, cid, items, fields)
    at = ctx.now()
    ctx.session.add_all(
        _change_row(ctx, row, k, getattr(row, k), v, at, file)
        for row, values in changed
        for k, v in values.items()
    )
    return store.save_activities(ctx.session, cid, items, at, fields)


def _change_row(
    ctx: Context,
    row: ActivityRow,
    field: str,
    before: object,
    after: object,
    at: datetime,
    file: str,
) -> ActivityChangeRow:
    return ActivityChangeRow(
        council_id=row.council_id,
        activity_id=row.id,
        field=field,
        before=_stored(before),
        after=_stored(after),
        by=ctx.actor.name,
        at=at,
        file=file,
    )


def _stored(value: object) -> str:
    """A column's value as the history keeps it: dates as YYYY-MM-DD, nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _read(field: str, value: str) -> str:
    """A kept value as a person reads it: a status's label, a date as people write it."""
    if not value:
        return ""
    try:
        if field == "status":
            return Status(value).label
        if field in ("start_date", "end_date"):
            return shown(date.fromisoformat(value))
    except ValueError:
        pass  # a value kept before its vocabulary changed: as it was written
    return value


def activity_history(ctx: Context, activity_id: str) -> list[DetailChange]:
    """Every change of an activity's details (by a person or an import), oldest first."""
    authorise(ctx, Action.READ)
    cid = council_id(ctx)
    row = store.activity_row(ctx.session, cid, activity_id)
    return [
        DetailChange(
            row.code,
            FIELD_NAMES.get(c.field, c.field),
            _read(c.field, c.before),
            _read(c.field, c.after),
            c.by,
            c.at,
            c.file,
        )
        for c in detail_changes(ctx.session, cid, row.id)
    ]


def shown(value: object) -> str:
    """A stored value as a preview shows it: dates as people write them, nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, date):
        return short_date(value)
    return str(value)
