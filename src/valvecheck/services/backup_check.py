"""Checking a backup before any of it is written: every part, every row, every reference.

A backup is JSON, and JSON gets edited by hand. Restoring replaces a council's data, so a value
the workspace cannot use (a RAG word that is no rating, pence that are not a number, a time that
is not one) would swap good data for data that breaks every page. So, as an import does, the
whole file is checked first and refused with all its problems at once (`ImportRejected`), each
named by its place in the file as a JSON path: ``assessments[0].ratings[3].rag``. Each row's
values are read by `backup_rows`; here, the file's parts, and what its rows refer to (a measure
in the catalogue, an activity or assessment in the file).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from valvecheck.domain import locked_catalogue
from valvecheck.domain.activity import id_key
from valvecheck.errors import ImportRejected
from valvecheck.services.backup import CATALOGUE, LOCKED_MEASURES, REFERENCES, other_tables
from valvecheck.services.backup_rows import BAD, Checker, Row, at, shown, table

PARTS = (
    "format",
    "version",
    "written_at",
    "council",
    "people",
    "assessments",
    "activities",
    "links",
    "other",
    "catalogue",
)
_OPTIONAL = ("written_at", "other")


def check(dump: dict[str, Any], file: str, server_measures: set[str] | None) -> dict[str, Any]:
    """The backup's data as the tables hold it, or ImportRejected naming every problem in it.

    ``server_measures``: the codes of the measures of this server's catalogue, or None when it
    has none (the file's catalogue is then written, and a measure rated must be in it)."""
    c = Checker(file)
    for key in dump:
        if key not in PARTS:
            c.bad(key, "unknown-field", "is not a part of a backup")
    for key in PARTS:
        if key not in dump and key not in _OPTIONAL:
            c.bad(key, "missing-field", "is missing")
    if "written_at" in dump:
        c.value("written_at", "", table("rating").c.at, dump["written_at"])
    # the catalogue comes last in the file, but the measures it names are needed first
    late = Checker(file)
    catalogue = _catalogue(late, dump.get("catalogue"))
    raw = dump.get("catalogue")
    given = _given(raw.get("measure") if isinstance(raw, dict) else None, "code", str.lower)
    if given is None and server_measures is None:
        measures = None  # no catalogue to refer to: said once, at "catalogue"
    else:
        measures = {**(given or {}), **{m.lower(): m for m in server_measures or ()}}
    names = _Names(c, measures, server_measures is not None)
    council = _council(c, dump.get("council"))
    people = _rows(c, "people", dump.get("people"), "person")
    names.assessments = _given(dump.get("assessments"), "name", _same_text)
    assessments = [
        _assessment(c, names, i, a)
        for i, a in enumerate(c.rows("assessments", dump.get("assessments")))
    ]
    current = council.get("current_assessment")
    if current is not None and names.assessments is not None and current not in names.assessments:
        c.bad(
            "council.current_assessment",
            "unknown-assessment",
            f"there is no assessment {current!r} in the backup's assessments",
        )
    names.activities = _given(dump.get("activities"), "code", id_key)
    activities = _rows(c, "activities", dump.get("activities"), "activity")
    links = _rows(c, "links", dump.get("links"), "link_event", names)
    other = _other(c, names, dump.get("other"))
    c.problems += late.problems
    if c.problems:
        raise ImportRejected(c.problems, outcome="nothing was restored")
    return {
        "format": dump["format"],
        "version": dump["version"],
        "council": council,
        "people": people,
        "assessments": [a for a in assessments if a is not None],
        "activities": activities,
        "links": links,
        "other": other,
        "catalogue": catalogue,
    }


class _Names:
    """What a row may refer to, by the name it is given in the file: measure -> its code."""

    def __init__(self, c: Checker, measures: dict[str, str] | None, server: bool) -> None:
        self.c = c
        # None: the part named is not a list, which is the one problem told
        self.measures = measures
        self.server = server
        self.assessments: dict[str, str] | None = {}
        self.activities: dict[str, str] | None = {}

    def resolve(self, path: str, kind: str, value: object) -> object:
        """The name ``value`` refers to, as the store keeps it; BAD, with a problem, if none."""
        if not isinstance(value, str):
            return self.c.bad(path, "not-text", f"must be text (in quotes), not {shown(value)}")
        if kind == "measure":
            known, key = self.measures, value.strip().lower()
            where = "the backup's catalogue" + (" or this server's" if self.server else "")
        elif kind == "activity":
            known, key = self.activities, id_key(value)
            where = "the backup's activities"
        else:
            known, key = self.assessments, value
            where = "the backup's assessments"
        if known is None:
            return BAD
        found = known.get(key)
        if found is None:
            return self.c.bad(path, f"unknown-{kind}", f"there is no {kind} {value!r} in {where}")
        return found


def _given(rows: object, key: str, fold: Callable[[str], str]) -> dict[str, str] | None:
    """The names the rows of a list in the file give themselves, as the store compares them
    (a row with other problems still has its name: rows referring to it are not at fault)."""
    if not isinstance(rows, list):
        return None
    out: dict[str, str] = {}
    for row in rows:
        if isinstance(row, dict) and isinstance(row.get(key), str):
            out.setdefault(fold(row[key]), row[key])
    return out


def _same_text(value: str) -> str:
    return value


def _council(c: Checker, value: object) -> Row:
    found = c.obj("council", value)
    if found is None:
        return {}
    for key in found:
        if key not in ("name", "current_assessment"):
            c.bad(at("council", key), "unknown-field", "is not a field a backup has here")
    name: object = BAD
    if "name" not in found:
        c.bad("council.name", "missing-field", "is missing")
    else:
        name = c.value("council.name", "council", table("council").c.name, found["name"])
    current = found.get("current_assessment")
    if current is not None and not isinstance(current, str):
        c.bad(
            "council.current_assessment", "not-text", f"must be text or null, not {shown(current)}"
        )
        current = None
    return {"name": name, "current_assessment": current}


def _rows(
    c: Checker,
    part: str,
    value: object,
    name: str,
    names: _Names | None = None,
    scope: Row | None = None,
    seen: dict[tuple[Any, ...], tuple[str, str]] | None = None,
) -> list[Row]:
    """The rows of one list in the file, each a row of table ``name`` whose references (to an
    activity, a measure, an assessment) are by name; ``scope``: fields the rows share (their
    assessment), for the unique check."""
    t = table(name)
    refs = [REFERENCES[col.name] for col in t.columns if col.name in REFERENCES]
    refs = [r for r in refs if scope is None or r not in scope]
    seen = {} if seen is None else seen
    out = []
    for i, raw in enumerate(c.rows(part, value)):
        path = at(part, i)
        row = c.row(path, raw, t, extra=refs)
        for ref in refs:
            if not isinstance(raw, dict):
                break
            if ref not in raw:
                c.bad(at(path, ref), "missing-field", "is missing")
                row = None
                continue
            assert names is not None
            resolved = names.resolve(at(path, ref), ref, raw[ref])
            if resolved is BAD:
                row = None
            elif row is not None:
                row[ref] = resolved
        if row is None:
            continue
        c.unique(t, seen, path, {**row, **(scope or {})})
        out.append(row)
    return out


def _assessment(c: Checker, names: _Names, i: int, value: object) -> Row | None:
    path = at("assessments", i)
    found = value if isinstance(value, dict) else {}
    # the catalogue it was locked with is a list in the file, JSON text in the table
    fields = {k: v for k, v in found.items() if k != LOCKED_MEASURES}
    row = c.row(
        path, fields if isinstance(value, dict) else value, table("assessment"), extra=("ratings",)
    )
    recorded = _locked_measures(c, path, found)
    if isinstance(value, dict) and "ratings" not in value:
        c.bad(at(path, "ratings"), "missing-field", "is missing")
    ratings = _rows(
        c, at(path, "ratings"), found.get("ratings", []), "rating", names, scope={"assessment": i}
    )
    if row is None or recorded is BAD:
        return None
    return {**row, LOCKED_MEASURES: recorded, "ratings": ratings}


def _locked_measures(c: Checker, path: str, assessment: dict[str, Any]) -> object:
    """The catalogue a locked assessment was locked with, as the table keeps it (JSON text);
    None when the file has none (an open assessment, or a file written before it was kept)."""
    value = assessment.get(LOCKED_MEASURES)
    if value is None:
        return None
    where = at(path, LOCKED_MEASURES)
    try:
        recorded = locked_catalogue.check(value)
    except ValueError as exc:
        return c.bad(where, "bad-locked-measures", str(exc))
    if assessment.get("locked_at") is None:
        return c.bad(
            where,
            "not-locked",
            "only a locked assessment has the measures it was locked with, and this one's "
            "locked_at is null",
        )
    return locked_catalogue.encode(recorded)


def _unknown_tables(c: Checker, part: str, found: dict[str, Any], known: Collection[str]) -> None:
    """Name each table of ``part`` this version does not write, in the file's order."""
    for name in found:
        if name not in known:
            c.bad(
                at(part, name), "unknown-table", "is not a table this version of Valvecheck knows"
            )


def _other(c: Checker, names: _Names, value: object) -> dict[str, list[Row]]:
    """The council's tables a backup writes generically (savings, weights, trajectories)."""
    if value is None:
        return {}
    found = c.obj("other", value) or {}
    known = other_tables()
    _unknown_tables(c, "other", found, known)
    return {
        name: _rows(c, at("other", name), found[name], name, names)
        for name in known
        if name in found
    }


def _catalogue(c: Checker, value: object) -> dict[str, list[Row]]:
    """The shared catalogue's tables, ids and all: each row's references to the rows of the
    tables before it must be to ids the file holds."""
    found = c.obj("catalogue", value) if value is not None else None
    found = found or {}
    _unknown_tables(c, "catalogue", found, CATALOGUE)
    ids: dict[str, set[object]] = {}
    out: dict[str, list[Row]] = {}
    for name in CATALOGUE:
        t = table(name)
        part = at("catalogue", name)
        seen: dict[tuple[Any, ...], tuple[str, str]] = {}
        rows = []
        for i, raw in enumerate(c.rows(part, found.get(name), required=False)):
            path = at(part, i)
            if isinstance(raw, dict) and "id" in raw:
                ids.setdefault(name, set()).add(raw["id"])
            row = c.row(path, raw, t, whole=True)
            if row is None:
                continue
            for col in t.columns:
                if col.name not in row:
                    continue  # a programme's council: the one restored
                for fk in col.foreign_keys:
                    target = fk.column.table.name
                    if row[col.name] is not None and row[col.name] not in ids.get(target, ()):
                        c.bad(
                            at(path, col.name),
                            "unknown-reference",
                            f"{row[col.name]} is not the id of a row in catalogue.{target}",
                        )
            if name == "placement" and not _in_its_theme(c, path, row, out.get("sub_theme", [])):
                continue
            c.unique(t, seen, path, row)
            rows.append(row)
        out[name] = rows
    return out


def _in_its_theme(c: Checker, path: str, placement: Row, sub_themes: list[Row]) -> bool:
    """A placement's sub-theme must be one of its theme's."""
    sub = placement["sub_theme_id"]
    theme_of = {row["id"]: row["theme_id"] for row in sub_themes}
    if sub is None or sub not in theme_of or theme_of[sub] == placement["theme_id"]:
        return True
    c.bad(
        at(path, "sub_theme_id"),
        "unknown-reference",
        f"{sub} is a sub-theme of theme {theme_of[sub]}, not of the placement's theme "
        f"{placement['theme_id']}",
    )
    return False
