"""What every workbook importer needs from openpyxl: merged cells and formulas read as a person reads them.

A value merged down (an LA over its agreement's rows, a theme over its activities) repeats in
each row it covers; a cell merged across is blank. A formula cell is read by its saved result
(``data_only``); a workbook written by a program and never saved in Excel has no saved results,
which openpyxl gives as empty, so an empty cell that matters is checked against a second,
formula-reading load of the same file, made only when such a cell is found.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from valvecheck.domain.problems import Problem

Cell = tuple[int, int]  # (row, column), both from 1 as Excel counts them

FORMULA_WITHOUT_VALUE = (
    "this cell holds a formula with no saved result: open the file in Excel and save it, then "
    "import again"
)


def open_workbook(data: bytes, data_only: bool = True) -> Workbook:
    """The whole workbook (not read-only: merged cells are only known then)."""
    with warnings.catch_warnings():
        # openpyxl warns about features it drops (data validation, conditional formats)
        warnings.simplefilter("ignore")
        return load_workbook(io.BytesIO(data), data_only=data_only)


def merged_cells(sheet: Worksheet) -> dict[Cell, Cell | None]:
    """Each cell a merge covers (not its top-left one): the cell whose value it repeats, or None.

    Below the merge's first row a cell repeats the first row's cell of its column; a cell in the
    first row (merged across) is blank.
    """
    covered: dict[Cell, Cell | None] = {}
    for merged in sheet.merged_cells.ranges:
        for row in range(merged.min_row, merged.max_row + 1):
            for col in range(merged.min_col, merged.max_col + 1):
                if (row, col) == (merged.min_row, merged.min_col):
                    continue
                across = row == merged.min_row
                covered[(row, col)] = None if across else (merged.min_row, col)
    return covered


def sheet_rows(
    sheet: Worksheet, covered: dict[Cell, Cell | None] | None = None
) -> Iterator[tuple[int, list[object]]]:
    """(row number, values) for every row from row 1, merged cells resolved (see ``merged_cells``)."""
    covered = merged_cells(sheet) if covered is None else covered
    sources = {c for c in covered.values() if c is not None}
    kept: dict[Cell, object] = {}  # values of the cells some merge repeats
    for r, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        values = list(row)
        for c, value in enumerate(row, start=1):
            if (r, c) in sources:
                kept[(r, c)] = value
            if (r, c) in covered:
                above = covered[(r, c)]
                # the source above may itself be covered across: that reads blank too
                values[c - 1] = kept.get(above) if above else None
        yield r, values


class Formulas:
    """Whether an empty cell holds a formula with no saved result; the formulas are loaded once,
    on the first question, so a workbook with no empty required cell is read only once."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._book: Workbook | None = None
        self._failed = False

    def unsaved(self, sheet: str, cell: Cell) -> bool:
        if self._book is None and not self._failed:
            try:
                self._book = open_workbook(self._data, data_only=False)
            except Exception:  # it opened once already; if not again, say nothing more
                self._failed = True
        if self._book is None or sheet not in self._book.sheetnames:
            return False
        found = self._book[sheet]
        if not isinstance(found, Worksheet):
            return False
        return found.cell(*cell).data_type == "f"


def formula_problem(file: str, line: int | None, column: str | None) -> Problem:
    return Problem("formula-without-value", FORMULA_WITHOUT_VALUE, file, line, column)
