"""One row of a backup, read and checked value by value, as its table will hold it.

Each field is read by its column (type, length, null or not, default), so a column added to a
table later is checked with no word here; values with rules of their own (RAG ratings, roles,
statuses, financial years, weights, counts) are read by the domain's own parsing. A value that
does not pass is a problem named by its JSON path in the file (``assessments[0].ratings[3].rag``),
and its row is not written; names are unique the way the store compares them (activity ids and
sign-in names whatever their case).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Boolean, Column, Date, DateTime, Integer, String, Table, UniqueConstraint

from valvecheck.domain.activity import Status, id_key
from valvecheck.domain.impact_counts import COUNTS
from valvecheck.domain.moments import aware
from valvecheck.domain.money import Invalid, parse_count, parse_weight, recorded_year
from valvecheck.domain.names import fold
from valvecheck.domain.people import Role
from valvecheck.domain.problems import Problem
from valvecheck.domain.rag import Rag
from valvecheck.services.backup import REFERENCES
from valvecheck.store.activities import COLUMNS
from valvecheck.store.models import Base
from valvecheck.store.repository import PLACED, REMOVED

Row = dict[str, Any]

# Columns a backup never holds (row ids; the council is the file's; sign-ins and sign-outs are
# per server; references, which it holds by name).
_LEFT_OUT = {"id", "council_id", "signed_out_at", "last_signed_in_at", *REFERENCES}
# Names the store compares whatever their case.
_FOLDED: dict[tuple[str, str], Callable[[str], str]] = {
    ("activity", "code"): id_key,
    ("person", "name"): lambda name: name.strip().lower(),
    ("theme", "name"): fold,  # a programme's theme retyped is the same theme (repository)
    ("sub_theme", "name"): fold,
}
_COUNT_KEYS = tuple(k for k, _ in COUNTS)
ACTIVITY_COLUMNS = tuple(COLUMNS.values())  # the details an activity's history names
_LIMITS = {"Integer": 2**31, "BigInteger": 2**63, "SmallInteger": 2**15}


def _rag(value: str) -> str:
    return Rag.parse(value).value


def _status(value: str) -> str:
    found = Status.parse_cell(value)
    return "" if found is None else found.value


def _named(value: str) -> str:
    if not value.strip():
        raise ValueError("is blank: it needs a name or id")
    return value


def _detail(value: str) -> str:
    if value not in ACTIVITY_COLUMNS:
        raise ValueError(
            f"{value!r} is not a detail of an activity; use one of: " + ", ".join(ACTIVITY_COLUMNS)
        )
    return value


def _change(value: str) -> str:
    if value not in (PLACED, REMOVED):
        raise ValueError(f"{value!r} is not a change of a placement; use {PLACED} or {REMOVED}")
    return value


def _step(value: int) -> int:
    if value < 1:
        raise ValueError(f"must be 1 or more, not {value}")
    return value


def _counts(value: str) -> str:
    for part in filter(None, value.split(";")):
        key, equals, number = part.partition("=")
        if not equals or key not in _COUNT_KEYS:
            raise ValueError(
                f"'{part}' is not a count: write them like ehcps=12;post16=4, with the keys "
                + ", ".join(_COUNT_KEYS)
            )
        parse_count(number, key)
    return value


# (table, column) -> (problem code, the domain's reading: raises ValueError, returns the value kept)
RULES: dict[tuple[str, str], tuple[str, Callable[[Any], object]]] = {
    ("rating", "rag"): ("unknown-rag", _rag),
    ("rating", "previous"): ("unknown-rag", _rag),
    ("rating", "version"): ("bad-version", _step),
    ("rating", "measure_version"): ("bad-version", _step),
    ("council", "name"): ("missing-value", _named),
    ("person", "name"): ("missing-value", _named),
    ("person", "role"): ("unknown-role", lambda v: Role.parse(v).value),
    ("assessment", "name"): ("missing-value", _named),
    ("activity", "code"): ("missing-value", _named),
    ("activity", "status"): ("unknown-status", _status),
    ("link_event", "version"): ("bad-version", _step),
    ("activity_change", "field"): ("unknown-detail", _detail),
    ("placement_event", "theme"): ("missing-value", _named),
    ("placement_event", "change"): ("unknown-change", _change),
    ("impact_entry", "version"): ("bad-version", _step),
    ("impact_entry", "year"): ("not-a-financial-year", recorded_year),
    ("impact_entry", "cohort"): ("not-a-count", lambda v: parse_count(v, "cohort")),
    ("impact_entry", "counts"): ("not-a-count", _counts),
    ("impact_weight", "weight"): ("not-a-weight", lambda v: f"{parse_weight(v):f}"),
    ("trajectory", "year"): ("not-a-financial-year", recorded_year),
}


def at(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def shown(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return repr(value) if isinstance(value, str) else str(value)


class _Missing:
    pass


BAD: Any = _Missing()  # a value that did not pass: the row is not written, its problem is told


class Checker:
    """Collects the problems of one backup file, in the order they sit in it."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def bad(self, path: str, code: str, message: str) -> object:
        self.problems.append(Problem(code, f"{path}: {message}", self.file))
        return BAD

    def rows(self, path: str, value: object, required: bool = True) -> list[Any]:
        """The list at ``path`` (empty, with a problem, when it is not one)."""
        if value is None and not required:
            return []
        if not isinstance(value, list):
            self.bad(path, "not-a-list", f"must be a list ([...]), not {shown(value)}")
            return []
        return value

    def obj(self, path: str, value: object) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.bad(path, "not-an-object", f"must be an object ({{...}}), not {shown(value)}")
            return None
        return value

    def row(
        self, path: str, value: object, table: Table, extra: Iterable[str] = (), whole: bool = False
    ) -> Row | None:
        """One row of ``table`` as the backup holds it, each field read by its column; ``extra``
        keys are kept as they are for the caller to check. None when the row cannot be written."""
        found = self.obj(path, value)
        if found is None:
            return None
        columns = {
            c.name: c
            for c in table.columns
            if c.name not in _LEFT_OUT or (whole and c.name != "council_id")
        }
        out: Row = {}
        for key in found:
            if key not in columns and key not in extra:
                self.bad(at(path, key), "unknown-field", "is not a field a backup has here")
        for name, column in columns.items():
            if name in found:
                out[name] = self.value(at(path, name), table.name, column, found[name])
            elif _required(column):
                out[name] = self.bad(at(path, name), "missing-field", "is missing")
            else:
                out[name] = _default(column)
        out.update({k: found[k] for k in extra if k in found})
        return None if any(v is BAD for v in out.values()) else out

    def value(self, path: str, table: str, column: Column[Any], value: object) -> object:
        if value is None:
            if column.nullable:
                return None
            return self.bad(path, "missing-value", "must have a value, not null")
        read = self.typed(path, column, value)
        rule = RULES.get((table, column.name))
        if read is BAD or rule is None:
            return read
        code, parse = rule
        try:
            return parse(read)
        except Invalid as exc:
            return self.bad(path, exc.code, str(exc))
        except ValueError as exc:
            return self.bad(path, code, str(exc))

    def typed(self, path: str, column: Column[Any], value: object) -> object:
        kind = column.type
        if isinstance(kind, DateTime):
            moment = _parsed(datetime.fromisoformat, value)
            if moment is None:
                return self.bad(
                    path,
                    "bad-time",
                    f"{shown(value)} is not a date and time: write it like "
                    "2026-12-02T09:30:00+00:00",
                )
            return aware(moment).astimezone(UTC)
        if isinstance(kind, Date):
            day = _parsed(date.fromisoformat, value)
            if day is None:
                return self.bad(
                    path, "bad-date", f"{shown(value)} is not a date: write it like 2026-12-02"
                )
            return day
        if isinstance(kind, Boolean):
            if not isinstance(value, bool):
                return self.bad(
                    path, "not-true-or-false", f"must be true or false, not {shown(value)}"
                )
            return value
        if isinstance(kind, Integer):
            limit = _LIMITS.get(type(kind).__name__, 2**31)
            if not isinstance(value, int) or isinstance(value, bool):
                what = (
                    "a whole number of pence"
                    if column.name.endswith("_pence")
                    else "a whole number"
                )
                return self.bad(path, "not-a-whole-number", f"must be {what}, not {shown(value)}")
            if not -limit <= value < limit:
                return self.bad(path, "out-of-range", f"{value} is too large to keep")
            return value
        if isinstance(kind, String):
            if not isinstance(value, str):
                return self.bad(path, "not-text", f"must be text (in quotes), not {shown(value)}")
            if kind.length is not None and len(value) > kind.length:
                return self.bad(
                    path,
                    "too-long",
                    f"is {len(value):,} characters long, over the {kind.length:,} allowed",
                )
            return value
        return value

    def unique(
        self, table: Table, seen: dict[tuple[Any, ...], tuple[str, str]], path: str, row: Row
    ) -> None:
        """Report ``row`` if a row before it has the same values where ``table`` wants them
        unique (compared as the store compares them). ``seen`` is per table and scope."""
        for constraint, when_none in _unique_keys(table):
            names = [REFERENCES.get(c, c) for c in constraint if c != "council_id"]
            if any(n not in row or row[n] is None for n in names):
                continue
            if when_none is not None and row.get(when_none) is not None:
                continue  # unique among the rows in force only (a trajectory's ended years)
            folds = [_FOLDED.get((table.name, n), _same) for n in names]
            key = (tuple(constraint), *(f(row[n]) for f, n in zip(folds, names, strict=True)))
            values = ", ".join(shown(row[n]) for n in names)
            if key in seen:
                first, written = seen[key]
                same = "" if written == values else f" as {written} (case does not matter)"
                fields = " and ".join(names)
                self.bad(
                    at(path, names[-1]),
                    "duplicate-key",
                    f"{values} is already at {first}{same}: the {fields} must be unique",
                )
            else:
                seen[key] = (path, values)


def _same(value: object) -> object:
    return value


_WHEN_NONE = re.compile(r"(\w+) IS NULL")


def _unique_keys(table: Table) -> list[tuple[tuple[str, ...], str | None]]:
    """The column sets ``table`` keeps unique, each with the column that must be none for it to
    apply (a unique index on the rows in force, "ended_at IS NULL"), else None."""
    keys: list[tuple[tuple[str, ...], str | None]] = [
        (tuple(c.name for c in table.primary_key.columns), None)
    ]
    keys += [
        (tuple(c.name for c in con.columns), None)
        for con in table.constraints
        if isinstance(con, UniqueConstraint)
    ]
    keys += [((c.name,), None) for c in table.columns if c.unique]
    for index in table.indexes:
        where = index.dialect_options["sqlite"].get("where")
        when = _WHEN_NONE.fullmatch(str(where)) if where is not None else None
        if index.unique and (where is None or when is not None):
            keys.append((tuple(c.name for c in index.columns), when[1] if when else None))
    return [k for i, k in enumerate(keys) if k[0] and k not in keys[:i]]


def _parsed(parse: Callable[[str], Any], value: object) -> Any:
    if not isinstance(value, str):
        return None
    try:
        return parse(value.strip())
    except ValueError:
        return None


def _required(column: Column[Any]) -> bool:
    return not column.nullable and column.default is None and column.server_default is None


def _default(column: Column[Any]) -> object:
    default = column.default
    if default is not None and default.is_scalar:
        return default.arg  # type: ignore[attr-defined]
    return None


def table(name: str) -> Table:
    return Base.metadata.tables[name]
