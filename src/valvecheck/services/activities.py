"""Activities: importing the council's own programme, listing it with its links in force, and
editing an activity's details (the links themselves: services/links.py; the details' history:
services/activity_details.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from valvecheck.domain.activity import (
    Activity,
    Status,
    id_key,
    parse_date,
    too_long,
    unaddressable,
)
from valvecheck.domain.link_reason import RECORDED
from valvecheck.domain.measure_ids import nearest, run_together
from valvecheck.domain.people import Action
from valvecheck.domain.problems import Problem
from valvecheck.errors import Conflict, ImportRejected, InputError, InputErrors, NotFound
from valvecheck.importers import limits
from valvecheck.importers.activities import read_activities
from valvecheck.importers.activity_rows import ActivityTable, parse_column_map
from valvecheck.services.activity_details import FIELD_NAMES, save_with_history, shown
from valvecheck.services.context import Context, authorise, council_id
from valvecheck.services.links import LinkEvent, current_links, event, link
from valvecheck.store import activities as store
from valvecheck.store import repository as repo


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
    fields: frozenset[str] = frozenset()  # the details the file's columns give (a preview's)


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
    owner: str = ""
    start: date | None = None  # as recorded (a day-first "01/04/2026" is 1 April 2026)
    end: date | None = None  # as recorded (a month alone is its last day)
    dates_written: tuple[str, str] = ("", "")  # the start and end as the file wrote them

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
    Either way the answer lists the new activities and each value changed, so what an import
    did can be compared with what its preview said (the web's confirm does).
    """
    authorise(ctx, Action.IMPORT_ACTIVITIES)
    cid = council_id(ctx)
    mapping = parse_column_map(column_map)
    parsed = read_activities(data, file, mapping)
    if not preview:
        # One import of a council's activities at a time (an edit takes this lock too), taken
        # before the activities are read: the next import finds this one's rows, so two at once
        # never add "B1" and "b1", and what this one says it changed is what it changed
        # (PostgreSQL; SQLite writers are one at a time already).
        repo.lock_pair(ctx.session, repo.IMPORTING_ACTIVITIES, cid)
    # every problem at once, in row order: the file's own, then those found against the workspace
    existing = store.activities(ctx.session, cid)
    problems = (
        parsed.problems
        + long_title_problems(parsed, existing, file)
        + kept_date_problems(parsed, existing, file)
    )
    if "measures" in parsed.fields:
        problems += unknown_measures(parsed, set(repo.measure_rows(ctx.session)), file)
    if problems:
        # the first problems in file order, and how many more (limits.capped)
        raise ImportRejected(limits.capped(problems))
    recorded = _links_recorded(ctx, parsed) if "measures" in parsed.fields else []
    new, changed = store.activity_changes(ctx.session, cid, parsed.rows, parsed.fields)
    detail = tuple(
        ActivityChange(row.code, FIELD_NAMES.get(k, k), shown(getattr(row, k)), shown(v))
        for row, values in changed
        for k, v in values.items()
    )
    if preview:
        added, updated = len(new), len(changed)
    else:
        name = file.rsplit("/", 1)[-1]
        added, updated = save_with_history(ctx, cid, parsed.rows, parsed.fields, name, changed)
        rationale = f"{RECORDED} {name}"
        for activity_id, measure_id in recorded:
            link(ctx, activity_id, measure_id, rationale)
    return ActivitiesImported(
        file,
        len(parsed.rows),
        added,
        updated,
        len(recorded),
        tuple((a.id, a.title) for a in new),
        detail,
        tuple(parsed.notes),
        _rows_read(parsed, recorded),
        frozenset(parsed.fields),
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
            a.owner,
            a.start,
            a.end,
            dates,
        )
        for a, written, named, dates in zip(
            parsed.rows,
            parsed.statuses or [""] * len(parsed.rows),
            parsed.measures or [()] * len(parsed.rows),
            parsed.dates or [("", "")] * len(parsed.rows),
            strict=True,
        )
    )


def unknown_measures(parsed: ActivityTable, known: set[str], file: str) -> list[Problem]:
    """A measures cell naming a measure the catalogue does not have refuses the whole file; every
    row's cell is checked, a row refused for another reason too. The id is named as the file
    wrote it, with the nearest known one, or, when it is several ids written with ',' or '/'
    ('kingston-richmond-5, bury-2'), with the cell as ';' would separate them."""

    def said(mid: str, named: tuple[str, ...]) -> str:
        typed = parsed.typed_ids.get(mid, mid)
        if parts := run_together(typed):  # not "did you mean" its first id: the separator is wrong
            return (
                f"there is no measure '{typed}' (separate measure ids with ';', as in "
                f"'{'; '.join(parts)}')"
            )
        near = nearest(mid, known)
        hint = f"did you mean {near}?" if near else "measure ids look like bury-4"
        if len(named) > 1 or not near:  # a cell of several, or one that may have run two together
            hint += "; separate them with ';'"
        return f"there is no measure '{typed}' ({hint})"

    where = parsed.where or file  # the sheet too, as the file's other problems name it
    return [
        Problem("unknown-measure", said(mid, named), where, line, parsed.columns["measures"])
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


def long_title_problems(
    parsed: ActivityTable, existing: list[Activity], file: str
) -> list[Problem]:
    """A title longer than ``LONGEST["title"]`` is refused where it is new: an activity's title
    kept from before the limit, read again unchanged, is not (a tracker re-imported as it was)."""
    kept = {id_key(a.id): a.title for a in existing}
    problems = []
    for a, line in zip(parsed.rows, parsed.lines, strict=True):
        reason = too_long("title", a.title)
        if reason and kept.get(id_key(a.id)) != a.title:
            where = parsed.where or file  # the sheet too, as the file's other problems name it
            problems.append(Problem("too-long", reason, where, line, parsed.columns["title"]))
    return problems


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
                    parsed.where or file,  # the sheet too, as the file's other problems name it
                    line,
                    parsed.columns[column],
                )
            )
    return problems


def list_activities(ctx: Context) -> list[ActivityView]:
    authorise(ctx, Action.READ)
    cid = council_id(ctx)
    items = store.activities(ctx.session, cid)
    events = [event(a, m, e) for a, m, e in repo.link_events(ctx.session, cid)]
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


# What a person may change in an activity, as the import names them (store/activities.py).
EDITABLE = ("title", "description", "theme", "owner", "status", "start", "end")
# What a person gives to add one: its id (``code``, as the import's id column) and the rest.
ADDABLE = ("code", *EDITABLE)


def edit_activity(
    ctx: Context,
    activity_id: str,
    values: dict[str, str],
    opened_with: dict[str, str] | None = None,
) -> ActivityView:
    """Change an activity's details (``values`` by name in ``EDITABLE``; those not given are
    kept), as a re-import of its row would; each detail changed is kept in its history (who,
    when, from and to: `activity_history`).

    ``opened_with``: the details as the person's form showed them when it was opened. A detail
    they left as it was is not saved, so a colleague's change to it since stands; one they
    changed that a colleague has changed since to something else is refused (InputErrors, code
    ``changed-since``), naming who changed it, when and to what: saving again from a form that
    shows it now replaces it deliberately. Without it, every detail given is saved."""
    authorise(ctx, Action.IMPORT_ACTIVITIES)
    cid = council_id(ctx)
    # one writer of a council's activities at a time, as an import: an edit and a confirmed
    # import (or two edits) never both read the details before the other's save (PostgreSQL)
    repo.lock_pair(ctx.session, repo.IMPORTING_ACTIVITIES, cid)
    old = store.to_activity(store.activity_row(ctx.session, cid, activity_id))
    given = _tidied(values, EDITABLE)
    # every problem at once, in the form's order (InputErrors)
    problems: dict[str, str] = {}
    wanted = _details(old, given, problems)
    if problems:
        raise InputErrors(problems)
    shown = _tidied(opened_with, EDITABLE) if opened_with is not None else None
    # the details as the form showed them, read as the form's values are
    was = _details(old, shown, {}) if shown is not None else None
    if shown is not None and was is not None:
        given = _merged(ctx, old, given, wanted, shown, was)
    changed = _details(old, given, problems)  # the end against a start kept from a colleague
    if "end" in problems and was is not None:
        _say_whose_date(problems, old, given, was)
    if problems:
        raise InputErrors(problems)
    save_with_history(ctx, cid, [changed], set(given))
    return show_activity(ctx, old.id)


def _say_whose_date(
    problems: dict[str, str], now: Activity, given: dict[str, str], was: Activity
) -> None:
    """An end before the start where the other date is one a colleague set since the form was
    opened: said at the date the person changed, with the colleague's (their form shows the
    date it had then)."""
    kept = [n for n in ("start", "end") if n not in given]
    if len(kept) != 1 or getattr(now, kept[0]) == getattr(was, kept[0]):
        return
    (theirs,) = kept
    mine = "end" if theirs == "start" else "start"
    problems[mine] = problems.pop("end") + (
        f" (the {theirs} date is {getattr(now, theirs):%d/%m/%Y} now: it was changed since this "
        "form was opened)"
    )


def _merged(
    ctx: Context,
    now: Activity,
    given: dict[str, str],
    wanted: Activity,
    shown: dict[str, str],
    was: Activity,
) -> dict[str, str]:
    """The details of ``given`` to save: those the person changed from what their form showed
    (``shown``, read as ``was``); refused where a colleague has changed the same one since to
    something else."""
    kept: dict[str, str] = {}
    theirs: dict[str, str] = {}
    for name, value in given.items():
        if name not in shown:
            kept[name] = value
            continue
        before, mine, current = (getattr(a, name) for a in (was, wanted, now))
        if name == "description":  # kept from before line endings were tidied: read as typed
            current = _tidied({name: current}, EDITABLE)[name]
        if mine == before:
            continue  # left as it was: what it is now stands
        if current != before and current != mine:
            theirs[name] = _changed_since(ctx, now.id, name, current)
        kept[name] = value
    if theirs:
        ordered = {f: theirs[f] for f in FORM_ORDER if f in theirs}
        raise InputErrors(ordered, dict.fromkeys(ordered, "changed-since"))
    return kept


# The edit form's fields top to bottom (web/templates/activities/fields.html): its problems'
# order in the error summary.
FORM_ORDER = ("title", "description", "owner", "status", "theme", "start", "end")


def _changed_since(ctx: Context, activity_id: str, name: str, current: object) -> str:
    """ "The owner was changed to 'Priya Shah' by priya at 10:52 on 7 December 2026, since this
    form was opened: ..." (who and when from the activity's history, where it says)."""
    from valvecheck.domain.moments import in_england
    from valvecheck.services.activity_details import FIELD_NAMES, activity_history

    label = FIELD_NAMES.get(store.COLUMNS.get(name, name), name)
    label = label.lower()
    if isinstance(current, Status):
        value = current.label
    elif isinstance(current, date):
        value = f"{current:%d/%m/%Y}"  # as the form writes a date
    else:
        value = shown(current)
    to = f"to '{value}'" if value else ("to 'Not known'" if name == "status" else "to nothing")
    last = next(
        (c for c in reversed(activity_history(ctx, activity_id)) if c.field.lower() == label), None
    )
    who = ""
    if last is not None:
        at = in_england(last.at)
        by = f"{last.by} importing {last.file}" if last.file else last.by
        who = f" by {by} at {at:%H:%M} on {at.day} {at:%B %Y}"
    return (
        f"The {label} was changed {to}{who}, since this form was opened: save again to "
        "replace it with what you typed, or change it back"
    )


def add_activity(ctx: Context, values: dict[str, str]) -> ActivityView:
    """Add one activity (``values`` by name in ``ADDABLE``: ``code`` and ``title`` needed, the
    rest as ``edit_activity`` reads them), as importing a file of its one row would.

    Every problem is raised at once (InputErrors, in the form's order). An id the council
    already has, whatever its case, is a Conflict (``already-exists``) when it is the only
    problem, else one of the InputErrors (``codes`` names it). Who added it and when is kept
    in its history: each detail given, from nothing (`activity_history`).
    """
    authorise(ctx, Action.IMPORT_ACTIVITIES)
    cid = council_id(ctx)
    given = _tidied(values, ADDABLE)
    code = given.pop("code", "")
    problems: dict[str, str] = {}
    if not code:
        problems["code"] = "Enter the activity's id, for example SEN-12"
    elif too_long := _too_long("code", code):
        problems["code"] = too_long
    elif unusable := unaddressable(code):
        problems["code"] = unusable[:1].upper() + unusable[1:]
    # one writer of a council's activities at a time, as an import: two adding "B1" and "b1"
    # at once never both find the id free (PostgreSQL; SQLite writers are one at a time)
    repo.lock_pair(ctx.session, repo.IMPORTING_ACTIVITIES, cid)
    taken = _taken(ctx, cid, code) if code else ""
    added = _details(Activity(code, ""), {"title": "", **given}, problems)
    if taken and not problems:
        raise Conflict(taken, field="code", reason="already-exists")
    if taken:
        raise InputErrors({"code": taken, **problems}, {"code": "already-exists"})
    if problems:
        raise InputErrors(problems)
    # added with no details, then given them as an edit gives them, so that each detail is kept
    # in its history with who and when (an activity an import adds has none)
    store.save_activities(ctx.session, cid, [Activity(code, "")], ctx.now())
    save_with_history(ctx, cid, [added], None)
    return show_activity(ctx, code)


def _taken(ctx: Context, cid: int, code: str) -> str:
    """Why ``code`` cannot be a new activity's id ('' when it can): the council has one so
    named, in any case ('B1' is 'b1')."""
    try:
        kept = store.activity_row(ctx.session, cid, code).code
    except NotFound:
        return ""
    same = "" if kept == code else f" (written '{kept}': case does not matter)"
    return f"the council already has an activity '{code}'{same}: choose another id"


def _too_long(name: str, value: str) -> str:
    """Why ``value`` is too long for the detail ``name`` ('' when it is not), as a form says it."""
    reason = too_long("id" if name == "code" else name, value)
    return reason[:1].upper() + reason[1:]


def _tidied(values: dict[str, str], known: tuple[str, ...]) -> dict[str, str]:
    """The values as a form's are read: spaces tidied (a description's kept inside it)."""
    unknown = set(values) - set(known)
    if unknown:
        raise InputError(f"an activity has no detail '{sorted(unknown)[0]}'")
    # a description keeps its lines, each ending as a file's do (a browser sends CRLF)
    return {
        k: " ".join(v.split()) if k != "description" else "\n".join(v.splitlines()).strip()
        for k, v in values.items()
    }


def _details(kept: Activity, given: dict[str, str], problems: dict[str, str]) -> Activity:
    """``kept`` with the details ``given`` (tidied, by name in ``EDITABLE``) read as the import
    reads a row's cells; each problem is added to ``problems`` by field, in the form's order."""
    if "title" in given and not given["title"]:
        problems["title"] = "Enter the activity's title"
    elif given.get("title", kept.title) != kept.title and (
        too_long := _too_long("title", given["title"])
    ):
        problems["title"] = too_long  # a long title kept from before the limit may stay
    if too_long := _too_long("owner", given.get("owner", "")):
        problems["owner"] = too_long
    status = kept.status
    try:
        status = Status.parse_cell(given["status"]) if "status" in given else kept.status
    except InputError as exc:
        problems["status"] = str(exc)
    dates = {}
    for name in ("start", "end"):
        try:
            dates[name] = (
                parse_date(given[name], end=name == "end") if name in given else getattr(kept, name)
            )
        except InputError as exc:
            problems[name] = str(exc)
            dates[name] = getattr(kept, name)
    start, end = dates["start"], dates["end"]
    if start and end and end < start and "start" not in problems and "end" not in problems:
        problems["end"] = "The end date must be on or after the start date"
    return Activity(
        kept.id,
        given.get("title", kept.title),
        given.get("description", kept.description),
        given.get("theme", kept.theme),
        kept.sub_theme,
        given.get("owner", kept.owner),
        status,
        start,
        end,
        kept.link,
    )
