"""What every workbook importer needs from openpyxl: merged cells and formulas read as a person reads them.

A value merged down (an LA over its agreement's rows, a theme over its activities) repeats in
each row it covers; a cell merged across is blank. A formula cell is read by its saved result
(``data_only``); a workbook written by a program and never saved in Excel has no saved results,
which openpyxl gives as empty, so an empty cell that matters is checked against the sheet's
formulas, read only when such a cell is found.

A large table (activities) is read streaming (``read_only``): openpyxl then keeps no merged
cells, so they are read from the sheet's own XML, where they follow the rows. A streamed sheet's
rows are read here, from its XML, one at a time (``stored_rows``), so that what a file costs to
read follows what it holds, not the numbers written in it: a row numbered a billion is one row,
a merge over a whole sheet or a row of a million cells is refused before it is held
(``limits``: MAX_COLUMNS, MAX_MERGED_CELLS; Excel's own limits besides).
"""

from __future__ import annotations

import dataclasses
import io
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any
from xml.etree.ElementTree import Element

from openpyxl import load_workbook
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import column_index_from_string
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import (
    CELL_TAG,
    DATA_TAG,
    FORMULA_TAG,
    ROW_TAG,
    VALUE_TAG,
    WorkSheetParser,
)
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.constants import SHARED_STRINGS
from openpyxl.xml.functions import iterparse

from valvecheck.domain.problems import Problem
from valvecheck.importers import limits

Cell = tuple[int, int]  # (row, column), both from 1 as Excel counts them
Range = tuple[int, int, int, int]  # a merge: first row, first column, last row, last column

FORMULA_WITHOUT_VALUE = (
    "this cell holds a formula with no saved result: open the file in Excel and save it, then "
    "import again"
)

# Excel's own limits: a file past them was not saved by Excel (nor by any spreadsheet)
EXCEL_COLUMNS = 16_384  # columns A to XFD
EXCEL_CELL_CHARACTERS = 32_767  # characters in a cell
# Elements one row of a sheet's XML may hold (its cells and what is in them): a row of every
# Excel column, each with a value, is about 33,000; more is a file built to exhaust memory.
ROW_ELEMENTS = 100_000
XML_DEPTH = 64  # elements within elements: a sheet's are a few deep (a cell's rich text, six)


def open_workbook(data: bytes, data_only: bool = True, read_only: bool = False) -> Workbook:
    """The workbook: whole (merged cells known) or streaming (``read_only``, see ``merges``)."""
    with warnings.catch_warnings():
        # openpyxl warns about features it drops (data validation, conditional formats)
        warnings.simplefilter("ignore")
        return load_workbook(io.BytesIO(data), data_only=data_only, read_only=read_only)


def shared_text_problem(data: bytes, file: str) -> Problem | None:
    """A workbook whose shared text (every text cell's words, kept in one part that openpyxl
    reads whole when it opens the workbook) unpacks past ``limits.MAX_SHARED_TEXT_BYTES``."""
    try:
        reader = ExcelReader(io.BytesIO(data), read_only=True)
        reader.read_manifest()
        found = reader.package.find(SHARED_STRINGS)
        size = reader.archive.getinfo(found.PartName[1:]).file_size if found is not None else 0
    except Exception:  # not a workbook: opening it says so
        return None
    if size > limits.MAX_SHARED_TEXT_BYTES:
        return Problem(
            "file-too-large",
            f"the workbook's text unpacks to {size:,} bytes, over the "
            f"{limits.MAX_SHARED_TEXT_BYTES / (1024 * 1024):g} MB a workbook's text may have; "
            "split it",
            file,
        )
    return None


_MERGE = re.compile(
    rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]{1,3})([0-9]{1,10})(?::([A-Z]{1,3})([0-9]{1,10}))?\""
)


def merges(sheet: ReadOnlyWorksheet, limit: int | None = None) -> list[Range]:
    """A streamed sheet's merged ranges, read from its XML a piece at a time; refused
    (``limits.Refused``) once they cover more than ``limit`` cells (``MAX_MERGED_CELLS``)."""
    found: list[Range] = []
    budget = _Budget(sheet.title, limit)
    tail = b""
    with sheet.parent._archive.open(sheet._worksheet_path) as source:
        while piece := source.read(1 << 20):
            text = tail + piece
            end = 0
            for match in _MERGE.finditer(text):
                first_col, first_row, last_col, last_row = match.groups()
                found.append(
                    budget.add(
                        _range(
                            int(first_row),
                            column_index_from_string(first_col.decode()),
                            int(last_row or first_row),
                            column_index_from_string((last_col or first_col).decode()),
                        )
                    )
                )
                end = match.end()
            tail = text[max(end, len(text) - 512) :]
    return found


def _range(first_row: int, first_col: int, last_row: int, last_col: int) -> Range:
    return (
        min(first_row, last_row),
        min(first_col, last_col),
        max(first_row, last_row),
        max(first_col, last_col),
    )


@dataclasses.dataclass
class _Budget:
    """The cells a sheet's merges may cover, counted as they are read (each merge at least one,
    so that a sheet of a million one-cell merges is refused too)."""

    sheet: str
    limit: int | None
    used: int = 0

    def add(self, merged: Range) -> Range:
        limit = limits.MAX_MERGED_CELLS if self.limit is None else self.limit
        rows, columns = merged[2] - merged[0] + 1, merged[3] - merged[1] + 1
        self.used += max(1, rows * columns - 1)
        if self.used > limit:
            raise limits.Refused(
                Problem(
                    "file-too-large",
                    f"the merged cells of sheet '{self.sheet}' cover more than {limit:,} cells, "
                    "more than a table needs; unmerge them (select the sheet, Merge & Center, "
                    "Unmerge Cells) and import again",
                )
            )
        return merged


_HIDDEN_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*>")
_ROW_NUMBER = re.compile(rb"\br=\"([0-9]+)\"")
_HIDDEN = re.compile(rb"\bhidden=\"(?:1|true)\"")


def hidden_rows(
    sheet: Worksheet | ReadOnlyWorksheet, among: Iterable[int] | None = None
) -> set[int]:
    """The numbers of a sheet's hidden rows (hidden by hand or filtered out); with ``among``,
    only those of these rows (a sheet may mark a million empty rows hidden)."""
    wanted = None if among is None else set(among)
    if not isinstance(sheet, ReadOnlyWorksheet):
        hidden = {r for r, d in sheet.row_dimensions.items() if d.hidden}
        return hidden if wanted is None else hidden & wanted
    found: set[int] = set()
    tail = b""
    with sheet.parent._archive.open(sheet._worksheet_path) as source:
        while piece := source.read(1 << 20):
            text = tail + piece
            end = 0
            for match in _HIDDEN_ROW.finditer(text):
                end = match.end()
                if _HIDDEN.search(match.group(0)) and (
                    number := _ROW_NUMBER.search(match.group(0))
                ):
                    row = int(number.group(1))
                    if wanted is None or row in wanted:
                        found.add(row)
            tail = text[max(end, len(text) - 4096) :]
    return found


def visible(sheet: object) -> bool:
    """Whether a sheet shows in Excel: a hidden (or 'very hidden') sheet is never read."""
    return getattr(sheet, "sheet_state", "visible") == "visible"


def hidden_sheets_note(titles: Sequence[str]) -> str | None:
    """ "left out the hidden sheet 'Old 2023'", or None when no sheet was hidden."""
    if not titles:
        return None
    names = ", ".join(f"'{t}'" for t in titles)
    return f"left out the hidden {'sheet' if len(titles) == 1 else 'sheets'} {names}"


def hidden_rows_note(lines: Sequence[int], sheet: str = "") -> str | None:
    """ "2 hidden rows were read: lines 3, 5", or None when no hidden row was read."""
    if not lines:
        return None
    shown = ", ".join(str(n) for n in sorted(lines)[:20]) + (", ..." if len(lines) > 20 else "")
    where = f" of sheet '{sheet}'" if sheet else ""
    if len(lines) == 1:
        return f"1 hidden row was read: line {shown}{where}"
    return f"{len(lines)} hidden rows were read: lines {shown}{where}"


def merged_cells(
    sheet: Worksheet | ReadOnlyWorksheet, limit: int | None = None
) -> dict[Cell, Cell | None]:
    """Each cell a merge covers (not its top-left one): the cell whose value it repeats, or None.

    Below the merge's first row a cell repeats the first row's cell of its column; a cell in the
    first row (merged across) is blank. Merges covering more than ``limit`` cells
    (``limits.MAX_MERGED_CELLS``) are refused (``limits.Refused``) before any is laid out.
    """
    ranges: Iterable[Range]
    if isinstance(sheet, ReadOnlyWorksheet):
        ranges = merges(sheet, limit)
    else:
        budget = _Budget(sheet.title, limit)
        ranges = [
            budget.add(_range(m.min_row, m.min_col, m.max_row, m.max_col))
            for m in sheet.merged_cells.ranges
        ]
    covered: dict[Cell, Cell | None] = {}
    for min_row, min_col, max_row, max_col in ranges:
        for row in range(min_row, max_row + 1):
            for col in range(min_col, max_col + 1):
                if (row, col) == (min_row, min_col):
                    continue
                across = row == min_row
                covered[(row, col)] = None if across else (min_row, col)
    return covered


def sheet_rows(
    sheet: Worksheet | ReadOnlyWorksheet, covered: dict[Cell, Cell | None] | None = None
) -> Iterator[tuple[int, list[object]]]:
    """(row number, values) for every row from row 1, merged cells resolved (see ``merged_cells``).

    A streamed sheet gives only the rows its file holds (a row it leaves out has no value of its
    own, ``has_own_value``), each to its last filled cell; a row filled beyond
    ``limits.MAX_COLUMNS`` is refused (``limits.Refused``)."""
    covered = merged_cells(sheet) if covered is None else covered
    sources = {c for c in covered.values() if c is not None}
    kept: dict[Cell, object] = {}  # values of the cells some merge repeats
    # a streamed row stops at its last stored cell: a merge may cover cells beyond it
    width = max((c for _, c in covered), default=0)
    rows: Iterable[tuple[int, Sequence[object]]]
    if isinstance(sheet, ReadOnlyWorksheet):
        width = min(width, limits.MAX_COLUMNS)
        rows = _stored_values(sheet)
    else:
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
    for r, row in rows:
        values = list(row)
        values += [None] * (width - len(values))
        for c, value in enumerate(list(values), start=1):
            if (r, c) in sources:
                kept[(r, c)] = value
            if (r, c) in covered:
                above = covered[(r, c)]
                # the source above may itself be covered across: that reads blank too
                values[c - 1] = kept.get(above) if above else None
        yield r, values


def _filled(value: object) -> bool:
    return value is not None and bool(str(value).strip())


def _stored_values(sheet: ReadOnlyWorksheet) -> Iterator[tuple[int, list[object]]]:
    """A streamed sheet's stored rows as values, each to its last filled cell (at most
    ``limits.MAX_COLUMNS``: a row filled further is refused)."""
    book = sheet.parent
    parser = WorkSheetParser(
        None,
        sheet._shared_strings,
        data_only=book.data_only,
        epoch=book.epoch,
        date_formats=book._date_formats,
        timedelta_formats=book._timedelta_formats,
    )
    with book._archive.open(sheet._worksheet_path) as source:
        for number, elements in stored_rows(source):
            parser.row_counter, parser.col_counter = number, 0
            found: dict[int, object] = {}
            for element in elements:
                cell = parser.parse_cell(element)
                value, column = cell["value"], cell["column"]
                if not _filled(value):
                    continue
                if column > limits.MAX_COLUMNS:
                    raise limits.Refused(limits.too_many_columns(column, "", number))
                if isinstance(value, str) and len(value) > EXCEL_CELL_CHARACTERS:
                    raise limits.Refused(
                        Problem(
                            "file-too-large",
                            f"a cell holds {len(value):,} characters, more than Excel allows in "
                            f"a cell ({EXCEL_CELL_CHARACTERS:,})",
                            "",
                            number,
                        )
                    )
                found[column] = value
            values: list[object] = [None] * max(found, default=0)
            for column, value in found.items():
                values[column - 1] = value
            yield number, values


def stored_rows(source: IO[bytes]) -> Iterator[tuple[int, list[Element]]]:
    """A sheet's XML rows as the file stores them: (row number, its cell elements), in order.

    Unlike openpyxl's ``iter_rows`` no row is made up for a number the file skips, and a row of
    more cells than Excel has columns (or more elements than ``ROW_ELEMENTS``) is refused
    (``limits.Refused``) before it is held. Whatever has been read is let go, so memory holds
    one row, and nothing after the rows is read.
    """
    path: list[Element] = []
    number = 0  # the row being read (a row without its number follows the one before)
    last = 0  # the last row given: a row numbered at or before it is left out, as openpyxl does
    cells = elements = 0
    for event, element in iterparse(source, events=("start", "end")):
        in_row = len(path) >= 3 and path[2].tag == ROW_TAG and path[1].tag == DATA_TAG
        if event == "start":
            path.append(element)
            if len(path) > XML_DEPTH:
                raise limits.Refused(
                    Problem("file-too-large", "the sheet's XML is nested deeper than a sheet is")
                )
            if len(path) == 3 and element.tag == ROW_TAG and path[1].tag == DATA_TAG:
                number, cells, elements = _row_number(element.get("r"), number), 0, 0
            elif in_row:
                elements += 1
                cells += element.tag == CELL_TAG and len(path) == 4
                if cells > EXCEL_COLUMNS or elements > ROW_ELEMENTS:
                    raise limits.Refused(
                        Problem(
                            "file-too-large",
                            f"row {number} holds more cells than Excel has columns "
                            f"({EXCEL_COLUMNS:,}): the file was not saved by a spreadsheet",
                            "",
                            number,
                        )
                    )
            continue
        path.pop()
        if len(path) == 2 and element.tag == ROW_TAG and path[1].tag == DATA_TAG:
            if number > last:
                last = number
                yield number, [c for c in element if c.tag == CELL_TAG]
        elif len(path) == 1 and element.tag == DATA_TAG:
            return  # the rows are all read: what follows (merges, links ...) is not needed
        if path and not (len(path) >= 3 and path[2].tag == ROW_TAG):
            path[-1].remove(element)  # let it go (a row's own cells go with the row)


def _row_number(given: str | None, previous: int) -> int:
    if given is None:
        return previous + 1
    try:
        return int(given)
    except ValueError:
        value = float(given)  # '2.0', as openpyxl reads it
        if not value.is_integer():
            raise ValueError(f"{given} is not a valid row number") from None
        return int(value)


def has_own_value(row: int, values: Sequence[object], covered: Mapping[Cell, Cell | None]) -> bool:
    """Whether a row (``sheet_rows``'s values) has a value of its own: a value merged down into
    it (a theme over its activities) does not make an otherwise empty row, a spacer, count as
    filled, so a blank row is skipped as it is in CSV."""
    return any(
        (row, c) not in covered and value is not None and bool(str(value).strip())
        for c, value in enumerate(values, start=1)
    )


class Formulas:
    """Whether an empty cell holds a formula with no saved result. A sheet's formula cells
    without one are found on the first question about it (streaming its XML, keeping only
    where they are), so a workbook with no empty required cell is read only once."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._paths: dict[str, str] | None = None
        self._archive: Any = None
        self._cells: dict[str, set[Cell]] = {}

    def unsaved(self, sheet: str, cell: Cell) -> bool:
        if sheet not in self._cells:
            self._cells[sheet] = self._formulas(sheet)
        return cell in self._cells[sheet]

    def _formulas(self, sheet: str) -> set[Cell]:
        if self._paths is None:
            try:
                # the sheets' parts, without reading the workbook's text or styles again
                reader = ExcelReader(io.BytesIO(self._data), read_only=True)
                reader.read_manifest()
                reader.read_workbook()
                self._paths = {s.name: rel.target for s, rel in reader.parser.find_sheets()}
                self._archive = reader.archive
            except Exception:  # it opened once already; if not again, say nothing more
                self._paths = {}
        path = self._paths.get(sheet)
        if path is None:
            return set()
        with self._archive.open(path) as source:
            if not _has_formulas(source):
                return set()  # most sheets: no second read of every cell
        found: set[Cell] = set()
        with self._archive.open(path) as source:
            for number, elements in stored_rows(source):
                column = 0
                for element in elements:
                    column = _column(element.get("r"), column)
                    formula = element.find(FORMULA_TAG)
                    if formula is None or (element.findtext(VALUE_TAG) or "").strip():
                        continue
                    if column <= limits.MAX_COLUMNS:
                        found.add((number, column))
                    if len(found) > limits.MAX_ROWS:
                        raise limits.Refused(
                            Problem(
                                "formula-without-value",
                                f"the sheet '{sheet}' has more than {limits.MAX_ROWS:,} formulas "
                                "with no saved result: open the file in Excel and save it, then "
                                "import again",
                            )
                        )
        return found


_COLUMN = re.compile(r"\$?([A-Za-z]{1,3})\$?[0-9]+$")


def _column(reference: str | None, previous: int) -> int:
    """A cell's column from its reference ('C7'), or the one after the previous cell's."""
    found = _COLUMN.match(reference or "")
    return column_index_from_string(found.group(1).upper()) if found else previous + 1


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(source: IO[bytes]) -> bool:
    """Whether a sheet's XML holds any formula, read a piece at a time."""
    tail = b""
    while piece := source.read(1 << 20):
        if _FORMULA.search(tail + piece):
            return True
        tail = piece[-16:]
    return False


def formula_problem(file: str, line: int | None, column: str | None) -> Problem:
    return Problem("formula-without-value", FORMULA_WITHOUT_VALUE, file, line, column)
