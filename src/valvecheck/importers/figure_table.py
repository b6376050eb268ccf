"""Tables of figures from CSV or Excel, their columns found by header name: what the savings,
trajectory and weights imports share (``importers.savings``, ``importers.trajectory``,
``importers.weights``).

Each is read the same way: the header is found among the first rows; a title above it is skipped;
a column map names headings the built-in names miss; other columns are not read, and the result
names them, as the activities import's does. Amounts may be written ``£1,234.50``; every problem
names the file, row and column with a stable code, and a file with any problem yields nothing.
Whether an activity or a measure exists is the service's question (it needs the workspace): rows
carry their row number and the headings so the service can say where.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from pathlib import PurePath
from typing import NamedTuple

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from valvecheck.domain.impact_units import is_units_row, unit_words, units_in, without_units
from valvecheck.domain.money import Invalid, cell_text, is_blank, parse_year
from valvecheck.domain.names import fold
from valvecheck.domain.problems import Problem
from valvecheck.importers import limits
from valvecheck.importers.activity_rows import HEADING_LENGTH, header_key
from valvecheck.importers.column_map import not_read
from valvecheck.importers.container import misnamed
from valvecheck.importers.delimited import BadRecord, guess_delimiter, records, too_wide
from valvecheck.importers.text import decode
from valvecheck.importers.workbook import (
    Formulas,
    has_own_value,
    merged_cells,
    open_workbook,
    shared_text_problem,
    sheet_rows,
)

HEADER_SEARCH = 10
Rows = list[tuple[int, list[object]]]
Names = dict[str, tuple[str, ...]]  # a column's field -> the headings it may have


def map_names(names: dict[str, tuple[str, ...]]) -> tuple[dict[str, str], tuple[str, ...]]:
    """What a column map accepts as a column's name (the column or any of its header names,
    folded) and the columns to list when one is not known."""
    known = {fold(a): f for f, aliases in names.items() for a in aliases}
    known |= {fold(f.replace("_", " ")): f for f in names}
    return known, tuple(f.replace("_", "-") for f in names)


@dataclass(frozen=True)
class Where:
    """Where a row came from, for problems the service finds (an unknown activity)."""

    file: str
    line: int
    columns: dict[str, str]  # field -> its heading as written


# -- cells from either format ------------------------------------------------------------------


class Cells(NamedTuple):
    """A file's cells: its name for problems, its non-empty rows, the problems met reading it,
    whether an empty cell holds a formula with no saved result, and (delimited text) the
    separator, under which a row with more cells than the header is refused."""

    name: str
    rows: Rows
    problems: list[Problem]
    unsaved: Callable[[int, int], bool]
    delimiter: str | None = None
    sheets: tuple[str, ...] = ()  # a workbook's sheets looked at, when none had the header


def read_cells(
    data: bytes, file: str, header: Callable[[Sequence[object]], bool] | None = None
) -> Cells:
    """The file's name for problems, its non-empty rows, problems, unsaved(row, index), and
    the separator of a delimited text file (None for a workbook). A workbook's table is on its
    first sheet with a ``header`` row among its first rows (a cover or notes sheet before it is
    passed over, as the activities import does); failing that, its first filled-in sheet."""
    never: Callable[[int, int], bool] = lambda row, index: False  # noqa: E731
    suffix = PurePath(file).suffix.lower()
    if suffix in (".xls", ".doc", ".docx", ".pdf", ".ods"):
        return Cells(file, [], [_wrong_format(file)], never)
    if problems := limits.check(data, file):
        return Cells(file, [], problems, never)
    if (problem := misnamed(data, file)) is not None:
        return Cells(file, [], [problem], never)
    if suffix in (".xlsx", ".xlsm") or data[:2] == b"PK":
        return _workbook(data, file, header or (lambda cells: True))
    text, problems = decode(data, file)
    if text is None:
        return Cells(file, [], problems, never)
    delimiter = guess_delimiter(text)
    try:
        # a row too wide for a table is refused before anything is done with its cells
        rows: Rows = [
            (line, list(limits.within_columns(cells, file, line)))
            for line, cells in records(text, delimiter)
            if any(c.strip() for c in cells)
        ]
    except BadRecord as exc:
        return Cells(
            file,
            [],
            [Problem("bad-csv", f"the file is not valid CSV: {exc}", file, exc.line)],
            never,
        )
    except limits.Refused as exc:
        return Cells(file, [], [exc.at(file)], never)
    if (problem := limits.too_many_rows(len(rows), file)) is not None:
        return Cells(file, [], [problem], never)
    return Cells(file, rows, [], never, delimiter)


def _wrong_format(file: str) -> Problem:
    return Problem(
        "not-csv-or-xlsx",
        "this is read from CSV or an Excel workbook (.xlsx): save the table as one of those",
        file,
    )


def _workbook(data: bytes, file: str, header: Callable[[Sequence[object]], bool]) -> Cells:
    """The workbook's table, its sheets streamed (read-only) as activities are: opened whole,
    openpyxl laid out every merged cell as it loaded the file (a 1 KB file merging a whole sheet
    is billions of cells); a row filled past ``limits.MAX_COLUMNS`` or merges past
    ``limits.MAX_MERGED_CELLS`` refuse the file."""
    never: Callable[[int, int], bool] = lambda row, index: False  # noqa: E731
    if (problem := shared_text_problem(data, file)) is not None:
        return Cells(file, [], [problem], never)
    try:
        book = open_workbook(data, read_only=True)
    except Exception:  # openpyxl raises many types for a file that is not a workbook
        return Cells(file, [], [_wrong_format(file)], never)
    try:
        return _sheets(book, data, file, header)
    except limits.Refused as exc:
        return Cells(file, [], [exc.at(file)], never)
    except (SyntaxError, ValueError, LookupError):  # a damaged sheet (SyntaxError: its XML)
        return Cells(file, [], [_wrong_format(file)], never)
    finally:
        book.close()


def _sheets(
    book: Workbook, data: bytes, file: str, header: Callable[[Sequence[object]], bool]
) -> Cells:
    never: Callable[[int, int], bool] = lambda row, index: False  # noqa: E731
    formulas = Formulas(data)
    filled: list[tuple[str, Rows]] = []
    merged = 0
    for sheet in book.worksheets:
        if not isinstance(sheet, ReadOnlyWorksheet):
            continue
        sheet.reset_dimensions()  # a sheet's stated size may be wrong: read all its rows
        try:
            covered = merged_cells(sheet, limits.MAX_MERGED_CELLS - merged)
            merged += len(covered)
            rows = []
            for i, r in sheet_rows(sheet, covered):
                if has_own_value(i, r, covered):
                    rows.append((i, r))
                    if len(rows) > limits.MAX_ROWS:
                        break
        except limits.Refused as exc:
            raise limits.Refused(exc.at(f"{file} [{sheet.title}]")) from None
        if not rows:
            continue
        if (problem := limits.too_many_rows(len(rows), file)) is not None:
            return Cells(file, [], [problem], never)
        filled.append((sheet.title, rows))
        if any(header(cells) for _, cells in rows[:HEADER_SEARCH]):
            break
    else:
        if not filled:
            return Cells(
                file, [], [Problem("empty-file", "the workbook has no filled-in rows", file)], never
            )
        # no sheet has the header: the first one's problems say what is missing
        title, rows = filled[0]
        sheets = tuple(t for t, _ in filled) if len(filled) > 1 else ()
        return Cells(f"{file} [{title}]", rows, [], _unsaved(formulas, title), sheets=sheets)
    title, rows = filled[-1]
    return Cells(f"{file} [{title}]", rows, [], _unsaved(formulas, title))


def _unsaved(formulas: Formulas, title: str) -> Callable[[int, int], bool]:
    def unsaved(row: int, index: int) -> bool:
        return formulas.unsaved(title, (row, index + 1))

    return unsaved


# -- the header --------------------------------------------------------------------------------


def _key(cell: object) -> str:
    """A heading compared as people mean it: 'Expected saving (£000)' is 'expected saving'
    (the unit is read on its own, ``_scales``)."""
    return header_key(without_units(str(cell or "")).replace("£", ""))


_GLOSSED = re.compile(r"^(.*?)\s*\((.*)\)\s*$")


def _columns(
    cells: Sequence[object],
    names: dict[str, tuple[str, ...]],
    mapped: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """{field: index} of the columns a header row names: a heading the column map names is
    that column, and wins over the built-in names (as in the activities import)."""
    known = {header_key(a): f for f, aliases in names.items() for a in aliases}
    mapped = mapped or {}
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        if (f := mapped.get(fold(str(cell or "")))) is not None and f not in found:
            found[f] = i
    for i, cell in enumerate(cells):
        if fold(str(cell or "")) in mapped:
            continue
        f = known.get(_key(cell)) or _glossed(str(cell or ""), known)
        if f is not None and f not in found:
            found[f] = i
    return found


def _unread(
    cells: Sequence[object],
    where: Mapping[str, int],
    names: dict[str, tuple[str, ...]],
    mapped: Mapping[str, str] | None,
) -> tuple[tuple[str, ...], list[tuple[str, str]]]:
    """The header's headings no column was read from, as written; and of them, those naming
    a column a second time, with the column (only the first of two 'expected' is read)."""
    unread: list[str] = []
    again: list[tuple[str, str]] = []
    for i, c in enumerate(cells):
        if is_blank(c) or i in where.values() or len(str(c)) > HEADING_LENGTH:
            continue
        named = [f for f in _columns([c], names, mapped) if f in where]
        if named:
            again.append((str(c).strip(), named[0]))
        else:
            unread.append(str(c).strip())
    return tuple(unread), again


def map_hint(unread: Sequence[str], f: str, holds: str, names: dict[str, tuple[str, ...]]) -> str:
    """A problem's hint at the columns not read: "column not read: 'Yr': if it is the year, a
    column map such as year=Yr says so"."""
    return (
        f"{not_read(unread, False)}: if {'it' if len(unread) == 1 else 'one of them'} {holds}, "
        f"a column map such as {f}={likeliest(f, names, unread)} says so"
    )


def likeliest(f: str, names: dict[str, tuple[str, ...]], headings: Sequence[str]) -> str:
    """The heading most like one of the column's names: the example of a column map to give."""
    return max(
        headings,
        key=lambda h: max(SequenceMatcher(None, _key(h), a).ratio() for a in (f, *names[f])),
    )


def _glossed(heading: str, known: dict[str, str]) -> str | None:
    """A heading glossed in brackets by another name of the same column ("Unmitigated (do
    nothing)"). A gloss that is anything else is no match (a unit is read by ``_scales``)."""
    parts = _GLOSSED.match(heading)
    if parts is None:
        return None
    first, second = (known.get(_key(p)) for p in parts.groups())
    return first if first is not None and first == second else None


@dataclass
class FoundTable:
    """A table found in a file: its header row, {field: index}, {field: heading as written},
    the rows below it (totals and a units row left out), problems, each money field's scale
    (1000: figures in £000) and what the import should say it did."""

    line: int = 0
    where: dict[str, int] = field(default_factory=dict)
    headings: dict[str, str] = field(default_factory=dict)
    unread: tuple[str, ...] = ()  # the header's columns no field is read from
    below: Rows = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    wide: list[Problem] = field(default_factory=list)
    scales: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


_TOTAL = re.compile(r"^(grand\s+|sub\s*-?\s*)?totals?:?$", re.IGNORECASE)


def find_table(
    cells: Cells,
    names: dict[str, tuple[str, ...]],
    required: Sequence[str],
    what: str,
    money: Sequence[str] = (),
    mapped: Mapping[str, str] | None = None,
) -> FoundTable:
    """Find the header among the first rows, the unit of each ``money`` column, and the rows
    below (a totals row and a units row under the header are left out, and said so).
    ``mapped``: a parsed column map ({heading (folded): field}); ``None``: the import takes
    none, and its note of the columns not read does not offer one."""
    rows, file = cells.rows, cells.name
    out = FoundTable()
    if not rows:
        out.problems.append(Problem("empty-file", "the file is empty", file))
        return out
    best = max(rows[:HEADER_SEARCH], key=lambda r: len(_columns(r[1], names, mapped)))
    for row in rows[:HEADER_SEARCH]:
        if all(f in _columns(row[1], names, mapped) for f in required):
            best = row
            break
    line, header = best
    out.line = line
    out.where = where = _columns(header, names, mapped)
    out.headings = {f: str(header[i]).strip() for f, i in where.items()}
    out.unread, again = _unread(header, where, names, mapped)
    for heading, f in again:
        # said, as a column not read is: two figures for one column cannot both be read
        out.notes.append(
            f"'{heading}' is a second {f.replace('_', ' ')} column: "
            f"'{out.headings[f]}' is the one read"
        )
    present = {fold(str(c or "")) for c in header}
    for heading, f in (mapped or {}).items():
        if heading not in present:
            shown = ", ".join(f"'{str(c).strip()}'" for c in header if not is_blank(c))
            out.problems.append(
                Problem(
                    "missing-column",
                    f"the column map says the {f.replace('_', '-')} column is headed "
                    f"'{heading}', but no column is (the header's columns are: {shown})",
                    file,
                    line,
                    f,
                )
            )
    missing = [f for f in required if f not in where and f not in (mapped or {}).values()]
    across = next((y for _, r in rows[:HEADER_SEARCH] if (y := _years_across(r))), [])
    for f in missing:
        message = (
            f"there is no {f} column: a {what} file needs the columns "
            f"{', '.join(required)} (headings such as {', '.join(repr(a) for a in names[f][:3])})"
        )
        code = "missing-column"
        if f == "year" and across:
            code = "years-across-columns"
            message = (
                f"the financial years are across the columns ({', '.join(across)}): a {what} "
                f"file needs one row per {'activity and ' if 'activity' in required else ''}"
                f"year, with the columns {', '.join(required)}"
                f"{' and expected and/or actual' if what == 'savings' else ''}"
            )
        if cells.sheets:
            sheets = ", ".join(f"'{t}'" for t in cells.sheets)
            message += f"; no sheet of the workbook ({sheets}) has such a header"
        elif out.unread and mapped is not None and code == "missing-column":
            message += f"; {map_hint(out.unread, f, f'is the {f}', names)}"
        out.problems.append(Problem(code, message, file, line, f))
    below = [r for r in rows if r[0] > line]
    if below and is_units_row(below[0][1]):
        units_row = below.pop(0)
        out.notes.append(f"the units row under the header (row {units_row[0]}) was left out")
    else:
        units_row = None
    totals = [r for r in below if _is_total(r[1])]
    if totals:
        numbers = ", ".join(str(n) for n, _ in totals)
        out.notes.append(
            f"the total{'s' if len(totals) > 1 else ''} (row {numbers}) "
            f"{'were' if len(totals) > 1 else 'was'} left out"
        )
        below = [r for r in below if not _is_total(r[1])]
    if not out.problems and not below:
        out.problems.append(Problem("no-rows", "the file has a header but no rows below it", file))
    if cells.delimiter is not None:
        for number, row_cells in below:
            if p := too_wide(row_cells, len(header), line, file, number, cells.delimiter):
                out.wide.append(p)
        at = {p.line for p in out.wide}
        below = [r for r in below if r[0] not in at]
    out.below = below
    if not out.problems:
        _scales(out, [r for r in rows if r[0] < line], units_row, money, file)
    if out.unread:
        out.notes.append(not_read(out.unread, mapped is not None))
    return out


def _is_total(cells: Sequence[object]) -> bool:
    first = next((str(c).strip() for c in cells if not is_blank(c)), "")
    return bool(_TOTAL.match(first))


def _years_across(header: Sequence[object]) -> list[str]:
    """The headings of a header that are financial years (two or more: years across)."""
    found = []
    for cell in header:
        try:
            found.append(parse_year(cell))
        except Invalid:
            continue
    return found if len(found) >= 2 else []


def _scales(
    out: FoundTable,
    above: Rows,
    units_row: tuple[int, list[object]] | None,
    money: Sequence[str],
    file: str,
) -> None:
    """Each money column's scale: its heading's unit, else the units row's, else the title's
    (the rows above the header), else pounds. A title naming two units, or a column whose unit
    is not the title's, is refused rather than guessed at."""
    title: set[int] = set()
    for _, cells in above:
        for c in cells:
            title |= units_in(cell_text(c))
    title_scale = next(iter(title)) if len(title) == 1 else None
    if len(title) > 1:
        out.problems.append(
            Problem(
                "unit-unclear",
                "the rows above the header name more than one unit ("
                + ", ".join(unit_words(u).split(",")[0] for u in sorted(title))
                + "): give the unit once, or in each column's heading",
                file,
                above[0][0] if above else out.line,
            )
        )
        return
    for f in money:
        if f not in out.where:
            continue
        heading = out.headings[f]
        own = units_in(heading)
        if not own and units_row is not None and out.where[f] < len(units_row[1]):
            own = units_in(cell_text(units_row[1][out.where[f]]))
        if len(own) > 1 or (own and title_scale is not None and own != {title_scale}):
            named = sorted(own | ({title_scale} if title_scale else set()))
            out.problems.append(
                Problem(
                    "unit-unclear",
                    f"'{heading}' is in "
                    + " or ".join(unit_words(u).split(",")[0] for u in named)
                    + ": the figures cannot be read in one unit; give one unit",
                    file,
                    out.line,
                    heading,
                )
            )
            continue
        out.scales[f] = next(iter(own)) if own else (title_scale or 1)
    used = {out.scales[f] for f in out.scales}
    if used - {1}:
        if len(used) == 1:
            out.notes.insert(0, f"amounts in {unit_words(used.pop())}")
        else:
            out.notes.insert(
                0,
                "amounts in "
                + "; ".join(
                    f"'{out.headings[f]}' in {unit_words(k)}" for f, k in out.scales.items()
                ),
            )


def has_header(
    names: dict[str, tuple[str, ...]],
    required: Sequence[str],
    mapped: Mapping[str, str] | None = None,
) -> Callable[[Sequence[object]], bool]:
    def has(cells: Sequence[object]) -> bool:
        found = _columns(cells, names, mapped)
        return all(f in found for f in required)

    return has


def cell_at(cells: Sequence[object], where: dict[str, int], f: str) -> object:
    i = where.get(f)
    if i is None or i >= len(cells):
        return None
    value = cells[i]
    return None if is_blank(value) else value


def not_started_said(year: str, what: str, today: date) -> str:
    return (
        f"{year} has not started yet (on {today.day} {today:%B %Y}): {what} for it cannot be "
        "known; check the year"
    )
