"""Activities: importing the council's own programme, listing it, and linking it to measures.

Links are kept like ratings: every link and unlink is an event with who, when and why, and the
links in force are the pairs whose latest event is a link.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from valvecheck.domain.activity import Activity, Status, id_key
from valvecheck.domain.link_reason import RECORDED
from valvecheck.domain.measure_ids import measure_key, nearest
from valvecheck.domain.people import Action
from valvecheck.domain.problems import Problem, in_file_order
from valvecheck.errors import Conflict, ImportRejected, NotFound
from valvecheck.importers.activities import read_activities
from valvecheck.importers.activity_rows import ActivityTable, parse_column_map
from valvecheck.services.context import Context, authorise, council_id
from valvecheck.store import activities as store
from valvecheck.store import repository as repo
from valvecheck.store.models import ActivityChangeRow, ActivityRow, LinkEventRow, MeasureRow
from valvecheck.store.queries import detail_changes


@dataclass(frozen=True)
class ActivitiesImported:
    file: str
    rows: int
    added: int
    updated: int
    linked: int = 0  # links made from the file's measures column
    # a preview's detail: the new activities (id, title), and each value an update would change
    new: tuple[tuple[str, str], ...] = ()
    changes: tuple[ActivityChange, ...] = ()
    notes: tuple[str, ...] = ()  # what the file hid: a hidden sheet left out, hidden rows read
    rows_read: tuple[RowRead, ...] = ()  # a preview's detail: each row as read and recorded


@dataclass(frozen=True)
class RowRead:
    """One row of an activities file as a preview shows it: its status as the file wrote it
    and as recorded (the status vocabulary: "On track" is In progress), and the links it
    would make (a measure already linked, or unlinked by a person, is not linked again)."""

    activity_id: str
    title: str
    status_written: str
    status: str  # the recorded status's label ("" when the file gives none)
    links: tuple[str, ...] = ()  # the measures the row would link
    named: tuple[str, ...] = ()  # every measure its measures cell names

    @property
    def status_differs(self) -> bool:
        return (
            bool(self.status_written) and self.status_written.strip().lower() != self.status.lower()
        )


@dataclass(frozen=True)
class ActivityChange:
    """One value a re-import would change in an activity already here ("" after: cleared)."""

    activity_id: str
    field: str  # as a person names it: "Owner", "End date"
    before: str
    after: str


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


@dataclass(frozen=True)
class LinkEvent:
    """One link or unlink of an activity and a measure."""

    activity_id: str
    measure_id: str
    linked: bool
    rationale: str
    by: str
    at: datetime | None
    version: int = 0  # 1, 2, 3 ... within the pair's link history: what a change must name

    def as_dict(self) -> dict[str, object]:
        return {
            "activity": self.activity_id,
            "measure": self.measure_id,
            "action": "link" if self.linked else "unlink",
            "rationale": self.rationale,
            "by": self.by,
            "at": self.at.isoformat() if self.at else None,
        }


@dataclass
class ActivityView:
    """An activity with the links in force (latest event per measure) and its link history."""

    activity: Activity
    links: list[LinkEvent] = field(default_factory=list)
    history: list[LinkEvent] = field(default_factory=list)

    @property
    def measures(self) -> list[str]:
        return [e.measure_id for e in self.links]


def import_activities(
    ctx: Context,
    data: bytes,
    file: str,
    column_map: str | None = None,
    preview: bool = False,
) -> ActivitiesImported:
    """Add or update the activities in a CSV or XLSX file; nothing is written if any row is bad.

    ``data`` is the file's content and ``file`` its name (for sniffing and for messages).
    ``column_map`` names headings the built-in names miss: ``"id=Project Ref,end=Target Date"``.
    ``preview``: check the file and count what importing it would do, writing nothing, so a
    unit of work that only reads will do (on SQLite a preview then keeps no one else waiting).
    """
    authorise(ctx, Action.IMPORT_ACTIVITIES)
    cid = council_id(ctx)
    mapping = parse_column_map(column_map)
    parsed = read_activities(data, file, mapping)
    # every problem at once, in row order: the file's own, then those found against the workspace
    problems = parsed.problems + kept_date_problems(
        parsed, store.activities(ctx.session, cid), file
    )
    if "measures" in parsed.fields:
        problems += unknown_measures(parsed, set(repo.measure_rows(ctx.session)), file)
    if problems:
        raise ImportRejected(in_file_order(problems))
    recorded = _links_recorded(ctx, parsed) if "measures" in parsed.fields else []
    if preview:
        new, changed = store.activity_changes(ctx.session, cid, parsed.rows, parsed.fields)
        detail = tuple(
            ActivityChange(row.code, FIELD_NAMES.get(k, k), _shown(getattr(row, k)), _shown(v))
            for row, values in changed
            for k, v in values.items()
        )
        return ActivitiesImported(
            file,
            len(parsed.rows),
            len(new),
            len(changed),
            len(recorded),
            tuple((a.id, a.title) for a in new),
            detail,
            tuple(parsed.notes),
            _rows_read(parsed, recorded),
        )
    # one import of a council's activities at a time: the next one finds this one's rows, so two
    # at once never add "B1" and "b1" (PostgreSQL; SQLite writers are one at a time already)
    repo.lock_pair(ctx.session, repo.IMPORTING_ACTIVITIES, cid)
    name = file.rsplit("/", 1)[-1]
    added, updated = _save(ctx, cid, parsed.rows, parsed.fields, name)
    rationale = f"{RECORDED} {name}"
    for activity_id, measure_id in recorded:
        link(ctx, activity_id, measure_id, rationale)
    return ActivitiesImported(
        file, len(parsed.rows), added, updated, len(recorded), notes=tuple(parsed.notes)
    )


def _rows_read(parsed: ActivityTable, recorded: list[tuple[str, str]]) -> tuple[RowRead, ...]:
    made: dict[str, list[str]] = {}
    for activity_id, measure_id in recorded:
        made.setdefault(id_key(activity_id), []).append(measure_id)
    return tuple(
        RowRead(
            a.id,
            a.title,
            written,
            a.status.label if a.status else "",
            tuple(made.get(id_key(a.id), ())),
            named,
        )
        for a, written, named in zip(
            parsed.rows,
            parsed.statuses or [""] * len(parsed.rows),
            parsed.measures or [()] * len(parsed.rows),
            strict=True,
        )
    )


def _save(
    ctx: Context, cid: int, items: list[Activity], fields: Collection[str] | None, file: str = ""
) -> tuple[int, int]:
    """Save activities as the store does (added, updated), first keeping each detail that
    changes in its activity's history (what the re-import preview shows, now written)."""
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
            return _shown(date.fromisoformat(value))
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


def _shown(value: object) -> str:
    """A stored value as a preview shows it: dates as people write them, nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d %b %Y")
    return str(value)


def unknown_measures(parsed: ActivityTable, known: set[str], file: str) -> list[Problem]:
    """A measures cell naming a measure the catalogue does not have refuses the whole file; every
    row's cell is checked, a row refused for another reason too. The id is named as the file
    wrote it, with the nearest known one."""

    def said(mid: str) -> str:
        typed = parsed.typed_ids.get(mid, mid)
        near = nearest(mid, known)
        hint = f"did you mean {near}?" if near else "measure ids look like bury-4"
        return f"there is no measure '{typed}' ({hint}; separate them with ';')"

    return [
        Problem("unknown-measure", said(mid), file, line, parsed.columns["measures"])
        for line, named in parsed.named
        for mid in named
        if mid not in known
    ]


def _links_recorded(ctx: Context, parsed: ActivityTable) -> list[tuple[str, str]]:
    """The links the measures column records that are to be made: (activity id, measure id).

    A pair already linked, or unlinked by a person before, is left alone: re-importing the same
    tracker changes nothing, and it never overrides a person's unlinking.
    """
    judged = {(id_key(a), m) for a, m, _ in repo.link_events(ctx.session, council_id(ctx))}
    made = []
    for a, named in zip(parsed.rows, parsed.measures, strict=True):
        for mid in named:
            if (id_key(a.id), mid) not in judged:
                made.append((a.id, mid))
                judged.add((id_key(a.id), mid))
    return made


def kept_date_problems(parsed: ActivityTable, existing: list[Activity], file: str) -> list[Problem]:
    """A file with a start column but no end (or the reverse) keeps the other date: the two
    together must still be in order."""
    given = [f for f in ("start", "end") if f in parsed.fields]
    if len(given) != 1:
        return []
    (column,) = given
    kept = {id_key(a.id): a for a in existing}
    problems = []
    for a, line, dates in zip(parsed.rows, parsed.lines, parsed.dates, strict=True):
        old = kept.get(id_key(a.id))
        if old is None:
            continue
        start, end = (a.start, old.end) if column == "start" else (old.start, a.end)
        if start and end and end < start:
            # the file's date as it wrote it; the kept one as an English date
            start_text = dates[0] if column == "start" else f"{start:%d/%m/%Y}"
            end_text = dates[1] if column == "end" else f"{end:%d/%m/%Y}"
            problems.append(
                Problem(
                    "end-before-start",
                    f"the end date {end_text} would be before the start date {start_text} "
                    f"(the {'end' if column == 'start' else 'start'} date is kept from the "
                    "workspace)",
                    file,
                    line,
                    parsed.columns[column],
                )
            )
    return problems


def _event(activity: str, measure: str, row: object) -> LinkEvent:
    return LinkEvent(activity, measure, row.linked, row.rationale, row.by, row.at, row.version)  # type: ignore[attr-defined]


def link_events(ctx: Context) -> list[LinkEvent]:
    """Every link and unlink of the council's activities, oldest first."""
    authorise(ctx, Action.READ)
    return [_event(a, m, e) for a, m, e in repo.link_events(ctx.session, council_id(ctx))]


def latest_events(events: list[LinkEvent]) -> dict[tuple[str, str], LinkEvent]:
    """Each (activity, measure) pair's latest event: a link in force, or the unlink that ended it."""
    latest: dict[tuple[str, str], LinkEvent] = {}
    for e in events:
        latest[(e.activity_id, e.measure_id)] = e
    return latest


def current_links(events: list[LinkEvent]) -> list[LinkEvent]:
    """The links in force: the pairs whose latest event is a link."""
    return [e for e in latest_events(events).values() if e.linked]


def list_activities(ctx: Context) -> list[ActivityView]:
    authorise(ctx, Action.READ)
    cid = council_id(ctx)
    items = store.activities(ctx.session, cid)
    events = [_event(a, m, e) for a, m, e in repo.link_events(ctx.session, cid)]
    links = current_links(events)
    by_activity: dict[str, list[LinkEvent]] = {}
    for e in events:
        by_activity.setdefault(e.activity_id, []).append(e)
    in_force: dict[str, list[LinkEvent]] = {}
    for e in links:
        in_force.setdefault(e.activity_id, []).append(e)
    return [ActivityView(a, in_force.get(a.id, []), by_activity.get(a.id, [])) for a in items]


def show_activity(ctx: Context, activity_id: str) -> ActivityView:
    authorise(ctx, Action.READ)
    code = store.activity_row(ctx.session, council_id(ctx), activity_id).code
    return next(v for v in list_activities(ctx) if v.activity.id == code)


def link(
    ctx: Context,
    activity_id: str,
    measure_id: str,
    rationale: str = "",
    expected_version: int | None = None,
) -> LinkEvent:
    """Link an activity to a measure, recording who, when and why."""
    return _change(ctx, activity_id, measure_id, True, rationale, expected_version)


def unlink(
    ctx: Context,
    activity_id: str,
    measure_id: str,
    rationale: str = "",
    expected_version: int | None = None,
) -> LinkEvent:
    """End a link; the link and its ending both stay in the history."""
    return _change(ctx, activity_id, measure_id, False, rationale, expected_version)


def find_measure(ctx: Context, typed: str) -> MeasureRow:
    """The measure a person means by ``typed`` ('Bury 3' is bury-3); an unknown one is not
    found, naming the nearest id ("Did you mean bury-3?")."""
    try:
        return repo.measure_row(ctx.session, measure_key(typed) or typed)
    except NotFound:
        near = nearest(typed, repo.measure_rows(ctx.session))
        hint = f". Did you mean {near}?" if near else " (measure ids look like bury-4)"
        raise NotFound(f"there is no measure '{typed.strip()}'{hint}", field="measure") from None


def _change(
    ctx: Context,
    activity_id: str,
    measure_id: str,
    linked: bool,
    rationale: str,
    expected_version: int | None,
) -> LinkEvent:
    authorise(ctx, Action.LINK)
    cid = council_id(ctx)
    activity = store.activity_row(ctx.session, cid, activity_id)
    activity_id = activity.code  # as first written, whatever the case given
    measure = find_measure(ctx, measure_id)
    measure_id = measure.code
    repo.lock_pair(ctx.session, activity.id, -measure.id)
    latest = ctx.session.scalar(
        select(LinkEventRow)
        .where(LinkEventRow.activity_id == activity.id, LinkEventRow.measure_id == measure.id)
        .order_by(LinkEventRow.version.desc())
        .limit(1)
    )
    version = latest.version if latest else 0
    if expected_version is not None and expected_version != version:
        raise Conflict(
            f"the link of {activity_id} and {measure_id} was changed by someone else since "
            "you read it",
            field="version",
            reason="stale-version",
            version=version,
        )
    in_force = latest is not None and latest.linked
    if linked and in_force:
        raise Conflict(f"{activity_id} is already linked to {measure_id}", reason="already-linked")
    if not linked and not in_force:
        raise Conflict(f"{activity_id} is not linked to {measure_id}", reason="not-linked")
    row = store.add_link_event(
        ctx.session,
        activity,
        measure,
        linked,
        rationale.strip(),
        ctx.actor.name,
        ctx.now(),
        version + 1,
    )
    return _event(activity_id, measure_id, row)


# The rationale of a suggestion a person marked "not relevant" (an unlink with no link before it).
NOT_RELEVANT = "Not relevant"


def not_relevant(ctx: Context, activity_id: str, measure_id: str, reason: str = "") -> LinkEvent:
    """Record that a suggested measure is not one this activity delivers: who, when and why.

    Kept in the link history as an unlink of a pair never linked: the suggestions leave out a
    pair whose latest event is an unlink ("not this"), as they do one a person has unlinked,
    and a tracker's measures column does not link it again. A pair already judged is a conflict.
    """
    authorise(ctx, Action.LINK)
    cid = council_id(ctx)
    activity = store.activity_row(ctx.session, cid, activity_id)
    measure = find_measure(ctx, measure_id)
    repo.lock_pair(ctx.session, activity.id, -measure.id)
    latest = ctx.session.scalar(
        select(LinkEventRow)
        .where(LinkEventRow.activity_id == activity.id, LinkEventRow.measure_id == measure.id)
        .order_by(LinkEventRow.version.desc())
        .limit(1)
    )
    if latest is not None:
        state = "is linked to" if latest.linked else "was unlinked from"
        raise Conflict(
            f"{activity.code} {state} {measure.code} already (see its history)",
            reason="already-judged",
        )
    why = " ".join(reason.split())
    rationale = f"{NOT_RELEVANT}: {why}" if why else NOT_RELEVANT
    row = store.add_link_event(
        ctx.session, activity, measure, False, rationale, ctx.actor.name, ctx.now(), 1
    )
    return _event(activity.code, measure.code, row)


def is_not_relevant(event: LinkEvent) -> bool:
    """An unlink with no link before it: a suggestion marked not relevant."""
    return not event.linked and event.version == 1


# What a person may change in an activity, as the import names them (store/activities.py).
EDITABLE = ("title", "description", "theme", "owner", "status", "start", "end")


def edit_activity(ctx: Context, activity_id: str, values: dict[str, str]) -> ActivityView:
    """Change an activity's details (``values`` by name in ``EDITABLE``; those not given are
    kept), as a re-import of its row would; each detail changed is kept in its history (who,
    when, from and to: `activity_history`)."""
    from valvecheck.domain.activity import parse_date
    from valvecheck.errors import InputError

    authorise(ctx, Action.IMPORT_ACTIVITIES)
    cid = council_id(ctx)
    row = store.activity_row(ctx.session, cid, activity_id)
    old = store.to_activity(row)
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise InputError(f"an activity has no detail '{sorted(unknown)[0]}'")
    given = {k: " ".join(v.split()) if k != "description" else v.strip() for k, v in values.items()}
    if "title" in given and not given["title"]:
        raise InputError("Enter the activity's title", field="title")
    try:
        status = Status.parse_cell(given["status"]) if "status" in given else old.status
    except InputError as exc:
        raise InputError(str(exc), field="status") from None
    dates = {}
    for name in ("start", "end"):
        try:
            dates[name] = (
                parse_date(given[name], end=name == "end") if name in given else getattr(old, name)
            )
        except InputError as exc:
            raise InputError(str(exc), field=name) from None
    if dates["start"] and dates["end"] and dates["end"] < dates["start"]:
        raise InputError("The end date must be on or after the start date", field="end")
    changed = Activity(
        old.id,
        given.get("title", old.title),
        given.get("description", old.description),
        given.get("theme", old.theme),
        old.sub_theme,
        given.get("owner", old.owner),
        status,
        dates["start"],
        dates["end"],
        old.link,
    )
    _save(ctx, cid, [changed], set(values))
    return show_activity(ctx, old.id)
