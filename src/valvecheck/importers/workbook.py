"""What every workbook importer needs from openpyxl: merged cells and formulas read as a person reads them.

A value merged down (an LA over its agreement's rows, a theme over its activities) repeats in
each row it covers; a cell merged across is blank. A formula cell is read by its saved result
(``data_only``); a workbook written by a program and never saved in Excel has no saved results,
which openpyxl gives as empty, so an empty cell that matters is checked against a second,
formula-reading load of the same file, made only when such a cell is found.

A large table (activities) is read streaming (``read_only``): openpyxl then keeps no merged
cells, so they are read from the sheet's own XML, where they follow the rows.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from valvecheck.domain.problems import Problem

Cell = tuple[int, int]  # (row, column), both from 1 as Excel counts them

FORMULA_WITHOUT_VALUE = (
    "this cell holds a formula with no saved result: open the file in Excel and save it, then "
    "import again"
)


def open_workbook(data: bytes, data_only: bool = True, read_only: bool = False) -> Workbook:
    """The workbook: whole (merged cells known) or streaming (``read_only``, see ``merges``)."""
    with warnings.catch_warnings():
        # openpyxl warns about features it drops (data validation, conditional formats)
        warnings.simplefilter("ignore")
        return load_workbook(io.BytesIO(data), data_only=data_only, read_only=read_only)


_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]+[0-9]+:[A-Z]+[0-9]+)\"")


def merges(sheet: ReadOnlyWorksheet) -> list[CellRange]:
    """A streamed sheet's merged ranges, read from its XML a piece at a time."""
    found: list[CellRange] = []
    tail = b""
    with sheet.parent._archive.open(sheet._worksheet_path) as source:
        while piece := source.read(1 << 20):
            text = tail + piece
            end = 0
            for match in _MERGE.finditer(text):
                found.append(CellRange(match.group(1).decode()))
                end = match.end()
            tail = text[max(end, len(text) - 512) :]
    return found


_HIDDEN_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*>")
_ROW_NUMBER = re.compile(rb"\br=\"([0-9]+)\"")
_HIDDEN = re.compile(rb"\bhidden=\"(?:1|true)\"")


def hidden_rows(sheet: Worksheet | ReadOnlyWorksheet) -> set[int]:
    """The numbers of a sheet's hidden rows (hidden by hand or filtered out)."""
    if not isinstance(sheet, ReadOnlyWorksheet):
        return {r for r, d in sheet.row_dimensions.items() if d.hidden}
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
                    found.add(int(number.group(1)))
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


def merged_cells(sheet: Worksheet | ReadOnlyWorksheet) -> dict[Cell, Cell | None]:
    """Each cell a merge covers (not its top-left one): the cell whose value it repeats, or None.

    Below the merge's first row a cell repeats the first row's cell of its column; a cell in the
    first row (merged across) is blank.
    """
    ranges: Iterable[CellRange] = (
        merges(sheet) if isinstance(sheet, ReadOnlyWorksheet) else sheet.merged_cells.ranges
    )
    covered: dict[Cell, Cell | None] = {}
    for merged in ranges:
        for row in range(merged.min_row, merged.max_row + 1):
            for col in range(merged.min_col, merged.max_col + 1):
                if (row, col) == (merged.min_row, merged.min_col):
                    continue
                across = row == merged.min_row
                covered[(row, col)] = None if across else (merged.min_row, col)
    return covered


def sheet_rows(
    sheet: Worksheet | ReadOnlyWorksheet, covered: dict[Cell, Cell | None] | None = None
) -> Iterator[tuple[int, list[object]]]:
    """(row number, values) for every row from row 1, merged cells resolved (see ``merged_cells``)."""
    covered = merged_cells(sheet) if covered is None else covered
    sources = {c for c in covered.values() if c is not None}
    kept: dict[Cell, object] = {}  # values of the cells some merge repeats
    # a streamed row stops at its last stored cell: a merge may cover cells beyond it
    width = max((c for _, c in covered), default=0)
    for r, row in enumerate(sheet.iter_rows(values_only=True), start=1):
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


def has_own_value(row: int, values: Sequence[object], covered: Mapping[Cell, Cell | None]) -> bool:
    """Whether a row (``sheet_rows``'s values) has a value of its own: a value merged down into
    it (a theme over its activities) does not make an otherwise empty row, a spacer, count as
    filled, so a blank row is skipped as it is in CSV."""
    return any(
        (row, c) not in covered and value is not None and bool(str(value).strip())
        for c, value in enumerate(values, start=1)
    )


class Formulas:
    """Whether an empty cell holds a formula with no saved result. A sheet's formula cells are
    found on the first question about it (streaming, keeping only where they are), so a workbook
    with no empty required cell is read only once."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._book: Workbook | None = None
        self._failed = False
        self._cells: dict[str, set[Cell]] = {}

    def unsaved(self, sheet: str, cell: Cell) -> bool:
        if sheet not in self._cells:
            self._cells[sheet] = self._formulas(sheet)
        return cell in self._cells[sheet]

    def _formulas(self, sheet: str) -> set[Cell]:
        if self._book is None and not self._failed:
            try:
                self._book = open_workbook(self._data, data_only=False, read_only=True)
            except Exception:  # it opened once already; if not again, say nothing more
                self._failed = True
        if self._book is None or sheet not in self._book.sheetnames:
            return set()
        found = self._book[sheet]
        if isinstance(found, ReadOnlyWorksheet):
            if not _has_formulas(found):
                return set()  # most sheets: no second read of every cell
            found.reset_dimensions()
        return {
            (c.row, c.column)
            for row in found.iter_rows()
            for c in row
            if getattr(c, "data_type", None) == "f"
        }


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(sheet: ReadOnlyWorksheet) -> bool:
    """Whether a streamed sheet's XML holds any formula, read a piece at a time."""
    tail = b""
    with sheet.parent._archive.open(sheet._worksheet_path) as source:
        while piece := source.read(1 << 20):
            if _FORMULA.search(tail + piece):
                return True
            tail = piece[-16:]
    return False


def formula_problem(file: str, line: int | None, column: str | None) -> Problem:
    return Problem("formula-without-value", FORMULA_WITHOUT_VALUE, file, line, column)
