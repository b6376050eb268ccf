"""Turning a table of cells (from CSV or XLSX) into activities: columns matched by header name.

Both activity importers read their format into a header and rows of cells, then hand them here,
so the checks and their problem codes are the same whatever the file format.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from valvecheck.domain.activity import Activity, Status, id_key, parse_date
from valvecheck.domain.problems import Parsed, Problem
from valvecheck.errors import InputError

# Field -> the header names people use for it (compared case-insensitively, ignoring - _ and spaces).
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("activity id", "id", "ref", "reference", "activity ref", "activity reference", "code"),
    "title": ("title", "name", "activity", "activity name", "activity title", "project"),
    "description": ("description", "details", "summary", "detail", "scope"),
    "theme": ("theme", "programme theme", "workstream"),
    "sub_theme": ("sub theme", "subtheme", "sub-theme"),
    "owner": ("owner", "lead", "lead officer", "responsible officer", "responsible"),
    "status": ("status", "state", "progress"),
    "start": ("start", "start date", "starts", "from", "begins"),
    "end": ("end", "end date", "ends", "due", "due date", "deadline", "finish", "to"),
    "link": ("link", "url", "web link", "document", "evidence link"),
}
REQUIRED = ("id", "title")


@dataclass
class ActivityTable(Parsed[Activity]):
    """Activities read from a file, and which fields its columns give.

    A field with no column in the file is not known from it, so re-importing leaves it unchanged.
    """

    fields: frozenset[str] = frozenset()
    columns: dict[str, str] = dataclasses.field(
        default_factory=dict
    )  # field -> its header as written
    lines: list[int] = dataclasses.field(
        default_factory=list
    )  # the row each activity was read from


def header_key(name: object) -> str:
    text = "" if name is None else str(name)
    return " ".join(re.sub(r"[\s_\-]+", " ", text.strip().lower()).split())


_FIELD_OF = {header_key(alias): f for f, aliases in COLUMNS.items() for alias in aliases}


def read_table(
    header: Sequence[object],
    rows: Sequence[tuple[int, Sequence[object]]],
    file: str,
    header_line: int = 1,
) -> ActivityTable:
    """Check a whole table and return its activities, or every problem found in it.

    ``rows`` are (row number in the file, cells); unknown columns are ignored.
    """
    parsed = ActivityTable()
    problems = parsed.problems
    where: dict[str, int] = {}
    names: dict[str, str] = {}
    for i, cell in enumerate(header):
        field = _FIELD_OF.get(header_key(cell))
        if field is None:
            continue
        if field in where:
            problems.append(
                Problem(
                    "duplicate-column",
                    f"two columns both give the {field.replace('_', '-')}: "
                    f"'{names[field]}' and '{cell}'",
                    file,
                    header_line,
                    str(cell),
                )
            )
            continue
        where[field], names[field] = i, str(cell).strip()
    for field in REQUIRED:
        if field not in where:
            accepted = ", ".join(f"'{a}'" for a in COLUMNS[field][:3])
            problems.append(
                Problem(
                    "missing-column",
                    f"there is no {field} column (call it one of {accepted})",
                    file,
                    header_line,
                    field,
                )
            )
    if problems:
        return parsed
    parsed.fields, parsed.columns = frozenset(where), names
    if not rows:
        problems.append(Problem("no-rows", "the file has a header but no activities", file))
        return parsed

    first_row: dict[str, tuple[int, str]] = {}  # id_key -> (row, the id as written there)
    for number, cells in rows:

        def cell(field: str, cells: Sequence[object] = cells) -> object:
            i = where.get(field)
            return cells[i] if i is not None and i < len(cells) else None

        def text(field: str) -> str:
            value = cell(field)
            return "" if value is None else " ".join(str(value).split())

        ok = True
        for field in REQUIRED:
            if not text(field):
                problems.append(
                    Problem(
                        "missing-value", f"the {field} cell is empty", file, number, names[field]
                    )
                )
                ok = False
        code = text("id")
        if code and id_key(code) in first_row:
            row, written = first_row[id_key(code)]
            same = "" if written == code else f" as '{written}' (case does not matter)"
            problems.append(
                Problem(
                    "duplicate-id",
                    f"activity id '{code}' is already used on row {row}{same}",
                    file,
                    number,
                    names["id"],
                )
            )
            ok = False
        elif code:
            first_row[id_key(code)] = (number, code)
        try:
            status = Status.parse_cell(text("status"))
        except InputError as exc:
            problems.append(Problem("unknown-status", str(exc), file, number, names["status"]))
            ok, status = False, None
        dates = {}
        for field in ("start", "end"):
            try:
                dates[field] = parse_date(cell(field), end=field == "end")
            except InputError as exc:
                problems.append(Problem("bad-date", str(exc), file, number, names[field]))
                ok, dates[field] = False, None
        start, end = dates["start"], dates["end"]
        if start and end and end < start:
            problems.append(
                Problem(
                    "end-before-start",
                    f"the end date {end:%d/%m/%Y} is before the start date {start:%d/%m/%Y}",
                    file,
                    number,
                    names["end"],
                )
            )
            ok = False
        if ok:
            parsed.lines.append(number)
            parsed.rows.append(
                Activity(
                    id=code,
                    title=text("title"),
                    description=str(cell("description") or "").strip(),
                    theme=text("theme"),
                    sub_theme=text("sub_theme"),
                    owner=text("owner"),
                    status=status,
                    start=start,
                    end=end,
                    link=text("link"),
                )
            )
    return parsed
