"""A council's backup: one portable, versioned JSON file, and restoring it, all or nothing.

The file holds one council's own data (its assessments with every rating change, activities,
link events and people; password hashes only when asked) named by codes and names, never by
database ids, so it restores onto SQLite or PostgreSQL, onto the server it came from or another.
The shared catalogue travels with it, but is only written into a database that has none: a
server with a catalogue must already know every measure the backup rates, places or reported
against (a locked assessment's recorded catalogue). Beside the catalogue's tables, in the same
part of the file and the same form, are the council's own programme and placements (theme,
sub_theme, placement), always restored as the council's; the programme's history
(placement_event: who placed a measure or took a placement away, and when) is with the
council's other tables.

Restoring replaces that one council's data with the file's, in one transaction: other councils
on the same server are never read or written, and a failure (or a kill) leaves everything as it
was. A file written by a newer Valvecheck (a higher format version) is refused, and so is a file
with any value the workspace could not use: every value is checked first (`backup_check`), and
every problem is told at once, at its place in the file.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from valvecheck.domain import locked_catalogue
from valvecheck.domain.equivalence import EquivalenceDecision
from valvecheck.domain.moments import aware, in_england
from valvecheck.domain.names import count
from valvecheck.domain.people import Action
from valvecheck.errors import Conflict, Forbidden, InputError
from valvecheck.services.context import Context, authorise, council_id
from valvecheck.store import repository as repo
from valvecheck.store.models import (
    COUNCIL_TABLES,
    ActivityRow,
    AssessmentRow,
    Base,
    CouncilRow,
    LinkEventRow,
    MeasureRow,
    PersonRow,
    PlacementEventRow,
    PlacementRow,
    RatingRow,
    SubThemeRow,
    ThemeRow,
)
from valvecheck.store.tenancy import owned

FORMAT = "valvecheck-backup"
# Raised whenever the file gains a part an older reader would drop without a word: 2 added the
# catalogue's decisions on common measures (equivalence_event) and the impact work's weight
# history; 3 made the catalogue part's programme (theme, sub_theme, placement) the council's own,
# always restored (before 3 it was the server's one programme: see `owns_programme`). A version
# 1 or 2 file is still read; a newer one is refused (read()).
VERSION = 3
# The catalogue part's tables, parents first: the shared catalogue's, and the council's
# programme and placements (PROGRAMME), written in the same form, ids and all.
CATALOGUE = (
    "authority",
    "authority_alias",
    "agreement",
    "agreement_authority",
    "theme",
    "sub_theme",
    "measure",
    "measure_version",
    "placement",
    "equivalence_event",  # people's decisions on common measures (none in a backup before 0008)
)
PROGRAMME = ("theme", "sub_theme", "placement")
SHARED = tuple(t for t in CATALOGUE if t not in PROGRAMME)
ACTIVITY_FIELDS = (
    "code",
    "title",
    "description",
    "theme",
    "sub_theme",
    "owner",
    "status",
    "start_date",
    "end_date",
    "link",
    "imported_at",
)
RATING_FIELDS = (
    "version",
    "rag",
    "previous",
    "rationale",
    "evidence",
    "by",
    "at",
    "source",
    "measure_version",
)


# The council's tables written field by field above; every other council table (the impact
# work's savings, weights and trajectories, the activities' changes, the programme's placements
# made and taken away, and any added later) is written generically, its references to activities, measures and assessments by their codes and
# names. API tokens are credentials: never in a backup.
NAMED = ("person", "assessment", "rating", "activity", "link_event", "api_token")
# An assessment's field holding the catalogue it was locked with: in the file a list of
# [measure, version] pairs, [["bury-1", 1], ...] (the table keeps it as JSON text); null while it
# is open, and in a file written before it was recorded (restored so: not recorded).
LOCKED_MEASURES = "locked_measures"
REFERENCES = {"activity_id": "activity", "measure_id": "measure", "assessment_id": "assessment"}


# Who changed which detail of an activity, and who placed a measure in the council's programme
# or took a placement away: each counted apart from the savings and trajectories. The
# programme's history goes with the programme: a restore that keeps the programme keeps it.
HISTORY = "activity_change"
PLACEMENT_HISTORY = "placement_event"
HISTORIES = (HISTORY, PLACEMENT_HISTORY)


def other_tables() -> list[str]:
    return [t for t in COUNCIL_TABLES if t not in NAMED and t not in PROGRAMME]


@dataclass(frozen=True)
class Restored:
    council: str
    counts: dict[str, int]
    # decisions on common measures in the backup that the catalogue already here does not hold
    # (it is every council's, so a restore keeps it as it is)
    decisions_left_out: int = 0
    # people of the council with no password now (a backup written without them, restored where
    # they had none): nobody can sign in as them until one is set
    without_password: int = 0
    # the council had data here, which the backup's replaced
    replaced: bool = False


def _recorded(stored: str | None) -> list[list[object]] | None:
    """The catalogue a locked assessment was locked with, as the file holds it: a list of
    [measure, version] pairs (None: open, or locked before it was recorded)."""
    if stored is None:
        return None
    return [[code, version] for code, version in locked_catalogue.decode(stored)]


def _out(value: object) -> object:
    """A column value as JSON: times in UTC with their offset, dates as YYYY-MM-DD."""
    if isinstance(value, datetime):
        return aware(value).astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


# -- backup -------------------------------------------------------------------------------------


def backup(ctx: Context, with_passwords: bool = False) -> dict[str, Any]:
    """The acting council's data as one JSON-ready dict."""
    authorise(ctx, Action.BACKUP)
    cid = council_id(ctx)
    s = ctx.session
    council = s.get(CouncilRow, cid)
    assert council is not None
    code = {i: c for i, c in s.execute(select(MeasureRow.id, MeasureRow.code))}
    assessments = s.scalars(owned(AssessmentRow, cid).order_by(AssessmentRow.id)).all()
    ratings: dict[int, list[dict[str, object]]] = {a.id: [] for a in assessments}
    for r in s.scalars(owned(RatingRow, cid).order_by(RatingRow.id)):
        entry: dict[str, object] = {"measure": code[r.measure_id]}
        entry.update({f: _out(getattr(r, f)) for f in RATING_FIELDS})
        ratings[r.assessment_id].append(entry)
    activities = s.scalars(owned(ActivityRow, cid).order_by(ActivityRow.id)).all()
    activity_code = {a.id: a.code for a in activities}
    current = next((a.name for a in assessments if a.id == council.current_assessment_id), None)
    catalogue = {t: _table_rows(s, t, cid if t in PROGRAMME else None) for t in CATALOGUE}
    # A council's file names its own people only: another council's decisions on common
    # measures are by "an administrator in <council>", as its pages show them
    for decision in catalogue["equivalence_event"]:
        if decision["council"] != council.name:
            decision["by"] = EquivalenceDecision.named_by(str(decision["council"]))
    return {
        "format": FORMAT,
        "version": VERSION,
        "written_at": _out(ctx.now()),
        "council": {"name": council.name, "current_assessment": current},
        "people": [
            {
                "name": p.name,
                "role": p.role,
                "active": p.active,
                "created_at": _out(p.created_at),
                **({"password_hash": p.password_hash} if with_passwords else {}),
            }
            for p in s.scalars(owned(PersonRow, cid).order_by(PersonRow.id))
        ],
        "assessments": [
            {
                "name": a.name,
                "council": a.council,
                "description": a.description,
                "created_at": _out(a.created_at),
                "created_by": a.created_by,
                "locked_at": _out(a.locked_at),
                "locked_by": a.locked_by,
                LOCKED_MEASURES: _recorded(a.locked_measures),
                "ratings": ratings[a.id],
            }
            for a in assessments
        ],
        "activities": [{f: _out(getattr(a, f)) for f in ACTIVITY_FIELDS} for a in activities],
        "links": [
            {
                "activity": activity_code[e.activity_id],
                "measure": code[e.measure_id],
                "version": e.version,
                "linked": e.linked,
                "rationale": e.rationale,
                "by": e.by,
                "at": _out(e.at),
            }
            for e in s.scalars(owned(LinkEventRow, cid).order_by(LinkEventRow.id))
        ],
        "other": {
            t: _other_rows(s, t, cid, code, activity_code, assessments) for t in other_tables()
        },
        "catalogue": catalogue,
    }


def _other_rows(
    s: Session,
    name: str,
    cid: int,
    measure_code: dict[int, str],
    activity_code: dict[int, str],
    assessments: Sequence[AssessmentRow],
) -> list[dict[str, object]]:
    table = Base.metadata.tables[name]
    names = {
        "activity_id": activity_code,
        "measure_id": measure_code,
        "assessment_id": {a.id: a.name for a in assessments},
    }
    out = []
    for row in s.execute(select(table).where(table.c.council_id == cid).order_by(table.c.id)):
        entry: dict[str, object] = {}
        for key, value in row._mapping.items():
            if key in ("id", "council_id"):
                continue
            if key in REFERENCES:
                entry[REFERENCES[key]] = names[key][value]
            else:
                entry[key] = _out(value)
        out.append(entry)
    return out


def _table_rows(session: Session, name: str, cid: int | None) -> list[dict[str, object]]:
    """A catalogue part's table, ids and all; of the programme's, council ``cid``'s rows."""
    table = Base.metadata.tables[name]
    query = select(table).order_by(*table.primary_key.columns)
    if cid is not None:
        query = query.where(table.c.council_id == cid)
    return [
        {k: _out(v) for k, v in row._mapping.items() if k != "council_id"}
        for row in session.execute(query)
    ]


def dumps(dump: dict[str, Any]) -> bytes:
    return (json.dumps(dump, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def owns_programme(dump: dict[str, Any]) -> bool:
    """Whether the file's programme is its council's own (format 3 on). An older file's was the
    server's one programme, which an older version wrote only into a server with no catalogue:
    so is it restored now, as the council's."""
    version = dump.get("version")
    return isinstance(version, int) and version >= 3


def counts(dump: dict[str, Any]) -> dict[str, int]:
    catalogue = dump.get("catalogue")
    placed = catalogue.get("placement") if isinstance(catalogue, dict) else None
    other = dump.get("other", {})
    return {
        "assessments": len(dump["assessments"]),
        "rating changes": sum(len(a["ratings"]) for a in dump["assessments"]),
        "activities": len(dump["activities"]),
        "link changes": len(dump["links"]),
        "people": len(dump["people"]),
        "activity changes": len(other.get(HISTORY, [])),
        "savings and trajectory rows": sum(len(r) for t, r in other.items() if t not in HISTORIES),
        "placements": len(placed) if owns_programme(dump) and isinstance(placed, list) else 0,
        "placement changes": len(other.get(PLACEMENT_HISTORY, [])),
    }


# -- restore ------------------------------------------------------------------------------------


def read(data: bytes, file: str) -> dict[str, Any]:
    """The backup in ``data``, or InputError saying why it cannot be restored."""
    try:
        # bytes: UTF-8 with or without a BOM (Notepad writes one after an edit), or UTF-16/32
        dump = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputError(f"{file} is not a Valvecheck backup (not JSON text)") from None
    if not isinstance(dump, dict) or dump.get("format") != FORMAT:
        raise InputError(f"{file} is not a Valvecheck backup")
    version = dump.get("version")
    if not isinstance(version, int) or version < 1:
        raise InputError(f"{file} does not say which backup format it is in")
    if version > VERSION:
        raise InputError(
            f"{file} was written by a newer version of Valvecheck (backup format {version}; "
            f"this version reads up to {VERSION}): upgrade Valvecheck to restore it"
        )
    return dump


def restore(
    ctx: Context,
    data: bytes,
    file: str,
    replace: bool = False,
    keep_current: Callable[[dict[str, Any]], None] | None = None,
) -> Restored:
    """Replace the backup's council's data with the file's (creating the council if new).

    Every value is checked first (`backup_check`): a file with any value the workspace could not
    use is refused with all its problems (ImportRejected), and nothing is written. A council
    that has data here is only replaced when ``replace`` is given (else Conflict, reason
    "replaces-data", saying what would be lost); ``keep_current`` is then handed the council's
    backup as it is now, with password hashes, before anything is written (a safety copy)."""
    from valvecheck.services.backup_check import check  # it reads this module's layout

    authorise(ctx, Action.BACKUP)
    dump = read(data, file)
    s = ctx.session
    here = set(s.scalars(select(MeasureRow.code)))
    checked = check(dump, file, here or None)
    try:
        return _restore(ctx, checked, dump, bool(here), replace, keep_current)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{file} is damaged: it cannot be restored ({exc!r})") from None


def _restore(
    ctx: Context,
    dump: dict[str, Any],
    original: dict[str, Any],
    has_catalogue: bool,
    replace: bool = False,
    keep_current: Callable[[dict[str, Any]], None] | None = None,
) -> Restored:
    """Write the checked backup ``dump`` (values as the tables hold them)."""
    s = ctx.session
    name = dump["council"]["name"]
    council = s.scalar(select(CouncilRow).where(func.lower(CouncilRow.name) == name.lower()))
    if not ctx.actor.is_local_admin and (council is None or council.id != council_id(ctx)):
        raise Forbidden(f"only the local administrator may restore another council ('{name}')")
    replaced = council is not None and any(_counts_here(s, council.id).values())
    if council is not None and replaced:
        if not replace:
            raise Conflict(_would_lose(s, council, original), reason="replaces-data")
        if keep_current is not None:
            actor = dataclasses.replace(ctx.actor, council_id=council.id, council=council.name)
            as_it_is = Context(s, actor, ctx.settings, ctx.clock)
            keep_current(backup(as_it_is, with_passwords=True))
    left_out = 0  # the backup's decisions on common measures not applied here
    programme = owns_programme(original) or not has_catalogue  # restored as the council's
    if not has_catalogue:
        # the catalogue written is every council's: only its keepers may write it (`authorise`)
        authorise(ctx, Action.MANAGE_CATALOGUE)
        _restore_catalogue(s, dump["catalogue"])
    else:
        left_out = _decisions_left_out(s, dump["catalogue"])
    measure = {c: i for c, i in s.execute(select(MeasureRow.code, MeasureRow.id))}
    wanted = {r["measure"] for a in dump["assessments"] for r in a["ratings"]}
    wanted |= {e["measure"] for e in dump["links"]}
    wanted |= {r["measure"] for rows in dump["other"].values() for r in rows if "measure" in r}
    if programme:
        wanted |= set(_placed(dump["catalogue"]))
    # a locked assessment's paper counted every measure of its recorded catalogue, rated or not
    wanted |= {
        code
        for a in dump["assessments"]
        if a.get(LOCKED_MEASURES)
        for code, _ in locked_catalogue.decode(a[LOCKED_MEASURES])
    }
    if missing := sorted(wanted - set(measure)):
        shown = ", ".join(missing[:10]) + (
            f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        )
        raise Conflict(
            f"this server's catalogue does not have the measures the backup rates, places or "
            f"reported against ({shown}): import their agreements first"
        )
    if council is None:
        council = CouncilRow(name=name, created_at=ctx.now())
        s.add(council)
        s.flush()
    cid = council.id
    if programme:  # rewritten: no one places a measure meanwhile (services/programme.py)
        repo.lock_pair(s, repo.CHANGING_PROGRAMME, cid)
    kept_hashes = _clear(s, cid, programme)
    if programme:
        _restore_programme(s, cid, dump["catalogue"], measure)
    _restore_people(s, cid, dump["people"], kept_hashes)
    current = dump["council"]["current_assessment"]
    council.current_assessment_id = None
    for a in dump["assessments"]:
        row = AssessmentRow(council_id=cid, **{k: v for k, v in a.items() if k != "ratings"})
        s.add(row)
        s.flush()
        if a["name"] == current:
            council.current_assessment_id = row.id
        rows = [
            {
                **{f: r[f] for f in RATING_FIELDS},
                "council_id": cid,
                "assessment_id": row.id,
                "measure_id": measure[r["measure"]],
            }
            for r in a["ratings"]
        ]
        if rows:
            s.execute(insert(RatingRow), rows)
    activity_rows = [{**a, "council_id": cid} for a in dump["activities"]]
    if activity_rows:
        s.execute(insert(ActivityRow), activity_rows)
    activity = {
        c: i
        for c, i in s.execute(
            select(ActivityRow.code, ActivityRow.id).where(ActivityRow.council_id == cid)
        )
    }
    links = [
        {
            **{k: e[k] for k in ("version", "linked", "rationale", "by", "at")},
            "council_id": cid,
            "activity_id": activity[e["activity"]],
            "measure_id": measure[e["measure"]],
        }
        for e in dump["links"]
    ]
    if links:
        s.execute(insert(LinkEventRow), links)
    assessment = {
        n: i
        for n, i in s.execute(
            select(AssessmentRow.name, AssessmentRow.id).where(AssessmentRow.council_id == cid)
        )
    }
    ids = {"activity": activity, "measure": measure, "assessment": assessment}
    back = {v: k for k, v in REFERENCES.items()}
    for name, rows in dump["other"].items():
        if name == PLACEMENT_HISTORY and not programme:
            continue  # the programme here is kept, and its history with it
        converted = [
            {
                "council_id": cid,
                **{back.get(k, k): ids[k][v] if k in back else v for k, v in row.items()},
            }
            for row in rows
        ]
        if converted:
            s.execute(insert(Base.metadata.tables[name]), converted)
    s.flush()
    without = s.scalar(
        select(func.count())
        .select_from(PersonRow)
        .where(PersonRow.council_id == cid, PersonRow.password_hash.is_(None))
    )
    return Restored(council.name, counts(original), left_out, without or 0, replaced)


def _counts_here(s: Session, cid: int) -> dict[str, int]:
    """What the council holds here, counted as counts() counts a backup."""

    def rows(table: Any) -> int:
        found = s.scalar(select(func.count()).select_from(table).where(table.c.council_id == cid))
        return found or 0

    tables = Base.metadata.tables
    return {
        "assessments": rows(tables["assessment"]),
        "rating changes": rows(tables["rating"]),
        "activities": rows(tables["activity"]),
        "link changes": rows(tables["link_event"]),
        "people": rows(tables["person"]),
        "activity changes": rows(tables[HISTORY]),
        "savings and trajectory rows": sum(
            rows(tables[t]) for t in other_tables() if t not in HISTORIES
        ),
        "placements": rows(tables["placement"]),
        "placement changes": rows(tables[PLACEMENT_HISTORY]),
    }


def _would_lose(s: Session, council: CouncilRow, original: dict[str, Any]) -> str:
    """Why a restore over ``council``'s data is refused: the file's date and what would go."""
    name = council.name
    here, there = _counts_here(s, council.id), counts(original)
    kinds = ("rating changes", "people", "link changes", "placements")
    said = f"{name} already has data here, and a restore replaces all of it with the backup's."
    written = _moment(original.get("written_at"))
    if written is not None:
        since = {
            "rating changes": _later(s, RatingRow.at, RatingRow.council_id, council.id, written),
            "people": _later(s, PersonRow.created_at, PersonRow.council_id, council.id, written),
            "link changes": _later(
                s, LinkEventRow.at, LinkEventRow.council_id, council.id, written
            ),
            "placement changes": _later(
                s, PlacementEventRow.at, PlacementEventRow.council_id, council.id, written
            ),
        }
        made = {k: n for k, n in since.items() if n}
        lost = f"; the {_listed(made)} made here since would be lost" if made else ""
        said += f" The backup was written {in_england(written).strftime('%Y-%m-%d %H:%M')}{lost}."
    now, then = _listed({k: here[k] for k in kinds}), _listed({k: there[k] for k in kinds})
    return f"{said} {name} has {now} now; the backup has {then}"


def _moment(value: object) -> datetime | None:
    try:
        return aware(datetime.fromisoformat(value)) if isinstance(value, str) else None
    except ValueError:
        return None


def _later(s: Session, at: Any, owner: Any, cid: int, moment: datetime) -> int:
    """How many of the council's rows were made after ``moment`` (compared as UTC moments: SQLite
    hands back naive times)."""
    return sum(1 for when in s.scalars(select(at).where(owner == cid)) if aware(when) > moment)


_ONE = {
    "rating changes": "rating change",
    "people": "person",
    "link changes": "link change",
    "placements": "placement",
    "placement changes": "placement change",
}


def _listed(found: dict[str, int]) -> str:
    """'3 rating changes, 1 person and 0 link changes'."""
    parts = [count(n, _ONE[kind], kind) for kind, n in found.items()]
    return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)


def _clear(s: Session, cid: int, programme: bool = True) -> dict[str, str]:
    """Delete the council's own rows (never another council's), its programme and the
    programme's history too unless ``programme`` is False; returns its people's password
    hashes, kept for a backup written without them."""
    hashes = {
        p.name: p.password_hash
        for p in s.scalars(owned(PersonRow, cid))
        if p.password_hash is not None
    }
    others = [t for t in other_tables() if programme or t != PLACEMENT_HISTORY]
    for name in [*others, *(reversed(PROGRAMME) if programme else ())]:
        table = Base.metadata.tables[name]
        s.execute(delete(table).where(table.c.council_id == cid))
    for model in (LinkEventRow, RatingRow, ActivityRow, AssessmentRow, PersonRow):
        s.execute(delete(model).where(model.council_id == cid))  # type: ignore[attr-defined]
    return hashes


def _restore_people(
    s: Session, cid: int, people: list[dict[str, Any]], kept_hashes: dict[str, str]
) -> None:
    names = [p["name"] for p in people]
    if names:
        # sign-in names are one namespace whatever the case (services/people.py)
        folded = [n.lower() for n in names]
        elsewhere = s.scalars(
            select(PersonRow.name).where(func.lower(PersonRow.name).in_(folded))
        ).all()
        if elsewhere:
            raise Conflict(
                "these people already have accounts in another council on this server: "
                + ", ".join(sorted(elsewhere))
            )
    for p in people:
        kept = p["password_hash"] or kept_hashes.get(p["name"])
        s.add(PersonRow(council_id=cid, **{**p, "password_hash": kept}))
    s.flush()


def _decisions_left_out(s: Session, catalogue: dict[str, list[dict[str, Any]]]) -> int:
    """How many of the backup's decisions on common measures differ from this server's: a
    restore onto a catalogue already here keeps that catalogue as it is (it is every council's),
    so they are not applied, and the restore says how many."""
    from valvecheck.store import equivalence as decisions

    codes = {row["id"]: row["code"] for row in catalogue.get("measure", [])}
    latest: dict[frozenset[str], str] = {}
    for row in sorted(catalogue.get("equivalence_event", []), key=lambda r: r["id"]):
        pair = frozenset((codes.get(row["measure_id"], "?"), codes.get(row["other_id"], "?")))
        latest[pair] = row["decision"]
    here = {frozenset((d.measure, d.other)): d.decision for d in decisions.current(s)}
    return sum(1 for pair, decided in latest.items() if here.get(pair, "none") != decided)


def _restore_catalogue(s: Session, catalogue: dict[str, list[dict[str, Any]]]) -> None:
    """Write the backup's shared catalogue into a database that has none, ids and all."""
    for name in SHARED:
        table = Base.metadata.tables[name]
        rows = catalogue.get(name, [])
        if not rows:
            continue
        s.execute(insert(table), rows)
        if s.get_bind().dialect.name == "postgresql" and "id" in table.c:
            # ids were given: move the table's sequence past them
            s.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT max(id) FROM {name}))"
                )
            )


def _placed(catalogue: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The codes of the measures the backup's placements place."""
    codes = {row["id"]: row["code"] for row in catalogue.get("measure", [])}
    return [codes[row["measure_id"]] for row in catalogue.get("placement", [])]


def _restore_programme(
    s: Session, cid: int, catalogue: dict[str, list[dict[str, Any]]], measure: dict[str, int]
) -> None:
    """Write the backup's programme and placements as council ``cid``'s (its own were cleared),
    with ids of this database: the file's ids only say which row refers to which."""
    theme = {
        row["id"]: ThemeRow(council_id=cid, name=row["name"], position=row["position"])
        for row in catalogue.get("theme", [])
    }
    s.add_all(theme.values())
    s.flush()
    sub = {
        row["id"]: SubThemeRow(
            council_id=cid,
            theme_id=theme[row["theme_id"]].id,
            name=row["name"],
            position=row["position"],
        )
        for row in catalogue.get("sub_theme", [])
    }
    s.add_all(sub.values())
    s.flush()
    codes = {row["id"]: row["code"] for row in catalogue.get("measure", [])}
    rows = [
        {
            "council_id": cid,
            "measure_id": measure[codes[row["measure_id"]]],
            "theme_id": theme[row["theme_id"]].id,
            "sub_theme_id": None if row["sub_theme_id"] is None else sub[row["sub_theme_id"]].id,
            "position": row["position"],
        }
        for row in catalogue.get("placement", [])
    ]
    if rows:
        s.execute(insert(PlacementRow), rows)
