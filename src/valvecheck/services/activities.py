"""Activities: importing the council's own programme, listing it, and linking it to measures.

Links are kept like ratings: every link and unlink is an event with who, when and why, and the
links in force are the pairs whose latest event is a link.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from valvecheck.domain.activity import Activity, id_key
from valvecheck.domain.people import Action
from valvecheck.domain.problems import Problem, in_file_order
from valvecheck.errors import Conflict, ImportRejected
from valvecheck.importers.activities import read_activities
from valvecheck.importers.activity_rows import ActivityTable, parse_column_map
from valvecheck.services.context import Context, authorise, council_id
from valvecheck.store import activities as store
from valvecheck.store import repository as repo
from valvecheck.store.models import LinkEventRow


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
        )
    # one import of a council's activities at a time: the next one finds this one's rows, so two
    # at once never add "B1" and "b1" (PostgreSQL; SQLite writers are one at a time already)
    repo.lock_pair(ctx.session, repo.IMPORTING_ACTIVITIES, cid)
    added, updated = store.save_activities(ctx.session, cid, parsed.rows, ctx.now(), parsed.fields)
    rationale = f"{RECORDED} {file.rsplit('/', 1)[-1]}"
    for activity_id, measure_id in recorded:
        link(ctx, activity_id, measure_id, rationale)
    return ActivitiesImported(
        file, len(parsed.rows), added, updated, len(recorded), notes=tuple(parsed.notes)
    )


RECORDED = "recorded in the measures column of"  # the rationale of a link made on import


def _shown(value: object) -> str:
    """A stored value as a preview shows it: dates as people write them, nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d %b %Y")
    return str(value)


def unknown_measures(parsed: ActivityTable, known: set[str], file: str) -> list[Problem]:
    """A measures cell naming a measure the catalogue does not have refuses the whole file; every
    row's cell is checked, a row refused for another reason too."""
    return [
        Problem(
            "unknown-measure",
            f"there is no measure '{mid}' (measure ids look like bury-4; separate them with ';')",
            file,
            line,
            parsed.columns["measures"],
        )
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
    measure = repo.measure_row(ctx.session, measure_id)
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
        )
    in_force = latest is not None and latest.linked
    if linked and in_force:
        raise Conflict(f"{activity_id} is already linked to {measure_id}")
    if not linked and not in_force:
        raise Conflict(f"{activity_id} is not linked to {measure_id}")
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
