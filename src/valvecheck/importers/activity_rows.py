"""Turning a table of cells (from CSV or XLSX) into activities: columns matched by header name.

Both activity importers read their format into a header and rows of cells, then hand them here,
so the checks and their problem codes are the same whatever the file format.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from difflib import SequenceMatcher
from itertools import chain, islice

from valvecheck.domain.activity import (
    Activity,
    Status,
    id_key,
    parse_date,
    too_long,
    unaddressable,
)
from valvecheck.domain.measure_ids import measure_key
from valvecheck.domain.names import fold
from valvecheck.domain.problems import Parsed, Problem
from valvecheck.errors import InputError
from valvecheck.importers import column_map, limits
from valvecheck.importers.column_map import not_read
from valvecheck.importers.delimited import too_wide
from valvecheck.importers.workbook import formula_problem

# Field -> the header names people use for it (compared case-insensitively, ignoring - _ and spaces).
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": (
        "activity id",
        "id",
        "ref",
        "reference",
        "activity ref",
        "activity reference",
        "code",
        "project ref",
        "project reference",
        "project id",
    ),
    "title": (
        "title",
        "name",
        "activity",
        "activity name",
        "activity title",
        "project",
        "project name",
        "project title",
    ),
    "description": ("description", "details", "summary", "detail", "scope"),
    "theme": ("theme", "programme theme", "workstream"),
    "sub_theme": ("sub theme", "subtheme", "sub-theme"),
    "owner": (
        "owner",
        "lead",
        "lead officer",
        "responsible officer",
        "responsible",
        "project lead",
        "project owner",
    ),
    "status": ("status", "state", "progress"),
    "start": ("start", "start date", "starts", "from", "begins", "planned start", "project start"),
    "end": (
        "end",
        "end date",
        "ends",
        "due",
        "due date",
        "deadline",
        "finish",
        "to",
        "target date",
        "target end date",
    ),
    "link": ("link", "url", "web link", "document", "evidence link"),
    # measure ids separated by ';': a tracker that already records which measures it delivers
    "measures": ("measures", "measure ids", "linked measures", "safety valve measures"),
}
REQUIRED = ("id", "title")
# Headings read as a field only when no column has one of its own names: a tracker's delivery
# RAG is its status where it has no status column (Status.parse reads green, amber and red),
# and just another column beside one.
FALLBACK: dict[str, tuple[str, ...]] = {
    "status": ("rag", "rag status", "rag rating", "delivery rag", "delivery status"),
}


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
    measures: list[tuple[str, ...]] = dataclasses.field(
        default_factory=list
    )  # the measure ids each activity's row names (empty without a measures column)
    dates: list[tuple[str, str]] = dataclasses.field(
        default_factory=list
    )  # each activity's start and end as the file wrote them (see ``as_written``)
    # (row, measure ids) for every row naming measures, refused or not: an unknown measure is
    # named with the file's other problems, not only once they are put right
    named: list[tuple[int, tuple[str, ...]]] = dataclasses.field(default_factory=list)
    # each activity's status as the file wrote it ("On track"; "" without one), for the preview
    statuses: list[str] = dataclasses.field(default_factory=list)
    # each measure id read (domain/measure_ids.py: 'Bury 3' is bury-3) -> as the file first wrote it
    typed_ids: dict[str, str] = dataclasses.field(default_factory=dict)
    # what the file held that was left out or read with a warning (hidden sheets, hidden rows)
    notes: list[str] = dataclasses.field(default_factory=list)
    more: int = 0  # problems found past those kept (``limits.capped`` says how many)
    where: str = ""  # the file as its problems name it ("tracker.xlsx [Programme]" for a sheet)


def as_written(value: object) -> str:
    """A date cell's value as the file shows it, for messages: text as written (spaces
    tidied), a cell holding a date as an English date."""
    if isinstance(value, date):  # a datetime too
        return f"{value:%d/%m/%Y}"
    return "" if value is None else " ".join(str(value).split())


def header_key(name: object) -> str:
    text = "" if name is None else str(name)
    return " ".join(re.sub(r"[\s_\-]+", " ", text.strip().lower()).split())


_FIELD_OF = {header_key(alias): f for f, aliases in COLUMNS.items() for alias in aliases}
# What a column map accepts as a field's name: the field itself or any of its header names.
MAP_FIELDS = tuple(f.replace("_", "-") for f in COLUMNS)
_MAP_NAMES = {fold(alias): f for f, aliases in COLUMNS.items() for alias in aliases} | {
    fold(f.replace("_", " ")): f for f in COLUMNS
}
HEADER_SEARCH = 10  # the header is among the first this many non-empty rows
# A heading is a few words: a longer cell is never taken for one (nor folded to compare it)
HEADING_LENGTH = 200


def parse_column_map(text: str | None) -> dict[str, str]:
    """'id=Project Ref,end=Target Date' -> {heading (folded): field}; a field may be written by
    its name (``sub-theme``) or any of its built-in header names (``due date``)."""
    return column_map.parse_column_map(text, _MAP_NAMES, MAP_FIELDS)


def _match(
    cells: Sequence[object], column_map: Mapping[str, str]
) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """The fields this row names, {field: index}, and the cells naming a field a second time.

    A column-map entry beats the built-in names: a mapped heading is that field, and a cell the
    built-in names give the same field is then not a duplicate but just another column.
    """
    where: dict[str, int] = {}
    again: list[tuple[str, int]] = []

    def add(field: str, i: int) -> None:
        if field in where:
            again.append((field, i))
        else:
            where[field] = i

    headings = [(i, str(cell or "")) for i, cell in enumerate(cells)]
    headings = [(i, text) for i, text in headings if text.strip() and len(text) <= HEADING_LENGTH]
    for i, text in headings:
        if (field := column_map.get(fold(text))) is not None:
            add(field, i)
    mapped = set(where)
    for i, text in headings:
        field = _FIELD_OF.get(header_key(text))
        if field is not None and field not in mapped and fold(text) not in column_map:
            add(field, i)
    for field, aliases in FALLBACK.items():
        if field in where:
            continue
        for i, text in headings:
            if header_key(text) in aliases and fold(text) not in column_map:
                where[field] = i
                break
    return where, again


def names_required(cells: Sequence[object], column_map: Mapping[str, str]) -> bool:
    """Whether a row names both an id and a title column: it can be the header."""
    return all(f in _match(cells, column_map)[0] for f in REQUIRED)


# characters that show as nothing: "K1" and "K1" after a zero-width space are the same id
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_EXCEL_EPOCH = date(1899, 12, 30)


def _serial(value: object) -> str | None:
    """A number in a date column that is an Excel date serial (45901, a date cell formatted as
    General): what date it is, and how to make Excel save it as one."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        text = str(value or "").strip()
        if not text.isdigit():
            return None
        value = int(text)
    if not 20000 <= value <= 80000:  # 1954 to 2119
        return None
    day = _EXCEL_EPOCH + timedelta(days=int(value))
    shown = int(value) if float(value).is_integer() else value
    return (
        f"'{shown}' is not a date, but looks like an Excel date serial (= {day:%d/%m/%Y}): "
        "format the column as Date in Excel, save and import again"
    )


def _second_header(cells: Sequence[object], where: Mapping[str, int]) -> bool:
    """Whether the row under the header is a second header row: no id or title of its own, and
    every cell it fills is a column's name ('start', 'end' under a merged 'Dates')."""
    filled = [c for c in cells if c is not None and str(c).strip()]
    required = [where[f] for f in REQUIRED if f in where]
    return (
        bool(filled)
        and all(i >= len(cells) or not str(cells[i] or "").strip() for i in required)
        and all(header_key(c) in _FIELD_OF for c in filled)
    )


def find_header(rows: Sequence[tuple[int, Sequence[object]]], column_map: Mapping[str, str]) -> int:
    """Which of the non-empty ``rows`` is the header: the first of the first few to name both an
    id and a title column (a tracker's title and notes above it are skipped); failing that, the
    one naming the most columns, so its problems say what is missing."""
    best, most = 0, 0
    for i, (_, cells) in enumerate(rows[:HEADER_SEARCH]):
        found = _match(cells, column_map)[0]
        if all(f in found for f in REQUIRED):
            return i
        if len(found) > most:
            best, most = i, len(found)
    return best


# Words in a heading that point to a field though no built-in name has them ("Ref No", "Scheme");
# words that qualify every field ("Project ...", "Activity ...") point to none.
_HINT_WORDS = {
    "id": ("no", "number", "num", "key"),
    "title": ("scheme", "initiative", "action", "item", "heading"),
}
_QUALIFIERS = {"activity", "project", "programme", "date", "of", "the"}


def _vocabulary(field: str) -> set[str]:
    words = {w for alias in COLUMNS[field] for w in header_key(alias).split()}
    return (words - _QUALIFIERS) | set(_HINT_WORDS.get(field, ())) | {field.replace("_", "")}


def _alike(word: str, known: str) -> bool:
    if word == known:
        return True
    if min(len(word), len(known)) >= 3 and (word.startswith(known) or known.startswith(word)):
        return True  # 'ref' and 'reference', 'desc' and 'description'
    return len(word) >= 4 and SequenceMatcher(None, word, known).ratio() >= 0.8  # 'titel'


def _likeness(heading: str, field: str) -> float:
    """The share of a heading's words that point to the field (0: none do)."""
    words = header_key(heading).split()
    vocabulary = _vocabulary(field)
    hits = sum(1 for w in words if any(_alike(w, k) for k in vocabulary))
    return hits / len(words) if words else 0.0


def likeliest_headings(fields: Sequence[str], headings: Sequence[str]) -> dict[str, str]:
    """For each field, the heading most like it, each heading offered for one field only; a
    field no heading resembles is left out (the hint then gives a neutral example)."""
    pairs = sorted(
        (
            (-_likeness(h, f), fi, hi)
            for fi, f in enumerate(fields)
            for hi, h in enumerate(headings)
            if _likeness(h, f) > 0
        )
    )
    chosen: dict[str, str] = {}
    used: set[int] = set()
    for _, fi, hi in pairs:
        if fields[fi] not in chosen and hi not in used:
            chosen[fields[fi]] = headings[hi]
            used.add(hi)
    return chosen


def columns_checked(
    rows: Iterable[tuple[int, Sequence[object]]], file: str
) -> Iterator[tuple[int, Sequence[object]]]:
    """The rows, each to its last filled cell; a row filled beyond ``limits.MAX_COLUMNS`` is
    refused (``limits.Refused``) before anything is done with its cells."""
    for number, cells in rows:
        yield number, limits.within_columns(cells, file, number)


def read_table(
    rows: Iterable[tuple[int, Sequence[object]]],
    file: str,
    column_map: Mapping[str, str] | None = None,
    unsaved: Callable[[int, int], bool] | None = None,
    delimiter: str | None = None,
) -> ActivityTable:
    """Check a whole table and return its activities, or every problem found in it (the first
    ``limits.MAX_PROBLEMS``, in file order, and how many more: ``limits.capped``).

    ``rows`` are the file's non-empty rows as (row number in the file, cells), read one at a
    time; the header is found among the first of them (``find_header``) and rows above it are
    ignored, as are unknown columns. ``unsaved(row, index)`` says whether an empty cell holds a
    formula with no saved result: in any column read, that is ``formula-without-value``. ``delimiter``: the rows are delimited text split by it, where
    a row with more cells than the header is refused (``delimited.too_wide``).

    A row filled beyond ``limits.MAX_COLUMNS``, or more text in the columns read than
    ``limits.MAX_TEXT``, refuses the file at once (the one problem it then has).
    """
    try:
        parsed = _read_table(columns_checked(rows, file), file, column_map, unsaved, delimiter)
    except limits.Refused as exc:
        return ActivityTable(problems=[exc.at(file)])
    parsed.problems[:] = limits.capped(parsed.problems, parsed.more)
    return parsed


def _shown(heading: object) -> str:
    """A heading as a message quotes it: a long one cut short."""
    text = " ".join(str(heading).split())
    return text if len(text) <= 60 else text[:57] + "..."


def _read_table(
    rows: Iterable[tuple[int, Sequence[object]]],
    file: str,
    column_map: Mapping[str, str] | None,
    unsaved: Callable[[int, int], bool] | None,
    delimiter: str | None,
) -> ActivityTable:
    column_map = column_map or {}
    parsed = ActivityTable(where=file)
    problems = parsed.problems
    rows = iter(rows)
    head = list(islice(rows, HEADER_SEARCH))
    if not head:
        problems.append(Problem("empty-file", "the file is empty", file))
        return parsed
    at = find_header(head, column_map)
    header_line, header = head[at]
    body = chain(head[at + 1 :], rows)
    where, again = _match(header, column_map)
    names = {field: str(header[i]).strip() for field, i in where.items()}
    for field, i in again:
        problems.append(
            Problem(
                "duplicate-column",
                f"two columns both give the {field.replace('_', '-')}: "
                f"'{names[field]}' and '{header[i]}' (a column map such as "
                f"{field.replace('_', '-')}={header[i]} says which)",
                file,
                header_line,
                str(header[i]),
            )
        )
    headings = ", ".join(_shown(c) for c in header if c is not None and str(c).strip())
    present = {fold(str(c or "")) for c in header}
    for heading, field in column_map.items():
        if heading not in present:
            problems.append(
                Problem(
                    "missing-column",
                    f"the column map says the {field.replace('_', '-')} column is headed "
                    f"'{heading}', but no column is (the header's columns are: {headings})",
                    file,
                    header_line,
                    field,
                )
            )
    unknown = [
        str(c).strip()
        for i, c in enumerate(header)
        if c is not None
        and str(c).strip()
        and i not in where.values()
        and len(str(c)) <= HEADING_LENGTH
    ]
    missing = [f for f in REQUIRED if f not in where and f not in column_map.values()]
    likeliest = likeliest_headings(missing, unknown)
    for field in missing:
        accepted = ", ".join(f"'{a}'" for a in COLUMNS[field][:3])
        example = likeliest.get(field, "<its heading>")
        problems.append(
            Problem(
                "missing-column",
                f"there is no {field} column (a header naming one was looked for in the first "
                f"{HEADER_SEARCH} filled-in rows; call it one of {accepted}, or if it has "
                f"another heading, a column map such as {field}={example} says which)",
                file,
                header_line,
                field,
            )
        )
    if problems:
        return parsed
    parsed.fields, parsed.columns = frozenset(where), names
    # a RAG column read as the status (FALLBACK): a value the status words lack is not a status
    # to refuse the file for, as a status column's would be, but one left unknown, and said
    by_rag = "status" in where and header_key(header[where["status"]]) in FALLBACK["status"]
    unread: dict[str, None] = {}
    if unknown:
        # said, not refused: a tracker's other columns (budget, comments) are its own business,
        # but a person should know that what is in them is not imported
        parsed.notes.append(not_read(unknown))
    first_row: dict[str, tuple[int, str]] = {}  # id_key -> (row, the id as written there)
    count = 0
    read = sorted(set(where.values()))
    characters = 0  # in the cells of the columns read
    for number, cells in body:
        count += 1
        if (problem := limits.too_many_rows(count, file)) is not None:
            problems.append(problem)
            break
        characters += sum(len(str(cells[i])) for i in read if i < len(cells) and cells[i])
        if (problem := limits.too_much_text(characters, file, number)) is not None:
            problems.append(problem)
            break
        if len(problems) > 2 * limits.MAX_PROBLEMS:
            # only the first are listed (``limits.capped``): the rest are counted, not kept
            parsed.more += len(problems) - limits.MAX_PROBLEMS
            del problems[limits.MAX_PROBLEMS :]
        if delimiter is not None and (
            wide := too_wide(cells, len(header), header_line, file, number, delimiter)
        ):
            problems.append(wide)
            continue

        if count == 1 and _second_header(cells, where):
            problems.append(
                Problem(
                    "second-header-row",
                    f"line {number} looks like a second header row (names under a heading "
                    "merged across them): put each column's name in one header row",
                    file,
                    number,
                )
            )
            continue

        def cell(field: str, cells: Sequence[object] = cells) -> object:
            i = where.get(field)
            return cells[i] if i is not None and i < len(cells) else None

        def text(field: str) -> str:
            value = cell(field)
            if isinstance(value, float) and value.is_integer() and field == "id":
                value = int(value)  # an id typed as a long number: 1e20 is its digits
            return "" if value is None else " ".join(_ZERO_WIDTH.sub("", str(value)).split())

        ok = True
        for field in REQUIRED:
            if text(field):
                continue
            if unsaved is not None and unsaved(number, where[field]):
                problems.append(formula_problem(file, number, names[field]))
            else:
                problems.append(
                    Problem(
                        "missing-value", f"the {field} cell is empty", file, number, names[field]
                    )
                )
            ok = False
        if unsaved is not None:
            # an optional cell that is a formula with no saved result is not empty: read as
            # empty it would clear the value stored
            for field, i in where.items():
                if field not in REQUIRED and not text(field) and unsaved(number, i):
                    problems.append(formula_problem(file, number, names[field]))
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
        for field in ("id", "owner"):
            if reason := too_long(field, text(field)):
                problems.append(Problem("too-long", reason, file, number, names[field]))
                ok = False
        if code and (reason := unaddressable(code)):
            problems.append(Problem("unusable-id", reason, file, number, names["id"]))
            ok = False
        try:
            status = Status.parse_cell(text("status"))
        except InputError as exc:
            status = _rag_status(text("status")) if by_rag else None
            if status is None and by_rag:
                unread.setdefault(text("status"), None)  # a RAG the status words lack: unknown
            elif status is None:
                problems.append(Problem("unknown-status", str(exc), file, number, names["status"]))
                ok = False
        dates = {}
        for field in ("start", "end"):
            try:
                dates[field] = parse_date(cell(field), end=field == "end")
            except InputError as exc:
                message = _serial(cell(field)) or str(exc)
                problems.append(Problem("bad-date", message, file, number, names[field]))
                ok, dates[field] = False, None
        start, end = dates["start"], dates["end"]
        given = (as_written(cell("start")), as_written(cell("end")))
        if start and end and end < start:
            problems.append(
                Problem(
                    "end-before-start",
                    f"the end date {given[1]} is before the start date {given[0]}",
                    file,
                    number,
                    names["end"],
                )
            )
            ok = False
        keys = []
        for m in cell_ids(text("measures")):
            keys.append(measure_key(m) or m.lower())
            parsed.typed_ids.setdefault(keys[-1], m)
        measures = tuple(dict.fromkeys(keys))
        if measures:
            parsed.named.append((number, measures))
        if ok:
            parsed.lines.append(number)
            parsed.measures.append(measures)
            parsed.dates.append(given)
            parsed.statuses.append(text("status"))
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
    if count == 0:
        problems.append(Problem("no-rows", "the file has a header but no activities", file))
    if by_rag:
        said = (
            f"the '{names['status']}' column is read as the status (the file has no status column)"
        )
        if unread:
            values = ", ".join(f"'{v}'" for v in list(unread)[:5])
            said += f"; {values}{' and more' if len(unread) > 5 else ''} left the status unknown"
        parsed.notes.append(said)
    return parsed


# A tracker's RAG written as a letter, or BRAG's blue (done): read only from a RAG column.
_RAG_LETTERS = {"g": Status.IN_PROGRESS, "a": Status.AT_RISK, "r": Status.AT_RISK, "b": Status.DONE}
_RAG_WORDS = {"blue": Status.DONE}


def _rag_status(value: str) -> Status | None:
    """A RAG cell's status where the status words lack it: G, A, R, B, blue; else None."""
    key = value.strip().lower()
    return _RAG_LETTERS.get(key) or _RAG_WORDS.get(key)


def cell_ids(cell: str) -> list[str]:
    """The measure ids a measures cell names, as written (separated by ';')."""
    return [m.strip() for m in cell.split(";") if m.strip()]
