"""Activities from an Excel workbook: the first sheet with filled-in rows, columns found by name.

Rows above the header (a tracker's title, notes) are skipped; a value merged down repeats in
each row it covers; an empty id or title that is a formula with no saved result says so. The
sheet is streamed (read-only), so a long tracker is never held in memory whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from itertools import chain
from pathlib import PurePath

from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from valvecheck.domain.problems import Problem
from valvecheck.importers import limits
from valvecheck.importers.activity_rows import ActivityTable, read_table
from valvecheck.importers.container import content_kind
from valvecheck.importers.workbook import (
    Cell,
    Formulas,
    has_own_value,
    merged_cells,
    open_workbook,
    sheet_rows,
)


def read_activities_xlsx(
    data: bytes, file: str, column_map: Mapping[str, str] | None = None
) -> ActivityTable:
    """Read the first sheet with filled-in rows; its header is found among its first rows."""
    if problems := limits.check(data, file):
        return ActivityTable(problems=problems)
    try:
        book = open_workbook(data, read_only=True)
    except Exception:  # openpyxl raises many types for a file that is not a workbook
        return ActivityTable(problems=[_not_a_workbook(data, file)])
    formulas = Formulas(data)
    try:
        for sheet in book.worksheets:
            if not isinstance(sheet, ReadOnlyWorksheet):
                continue
            sheet.reset_dimensions()  # a sheet's stated size may be wrong: read all its rows
            covered = merged_cells(sheet)
            rows = _filled(sheet, covered)
            first = next(rows, None)
            if first is not None:
                unsaved = _unsaved(formulas, sheet.title, covered)
                return read_table(
                    chain([first], rows), f"{file} [{sheet.title}]", column_map, unsaved
                )
    finally:
        book.close()
    return ActivityTable(
        problems=[Problem("empty-file", "the workbook has no filled-in rows", file)]
    )


# What a file named .xlsx may really be, by its content (``container.content_kind``'s suffix):
# another kind of document is named as such, as when it has its own name.
_DOCUMENTS = (".docx", ".pptx", ".pdf", ".ods")


def _not_a_workbook(data: bytes, file: str) -> Problem:
    """A file named as a workbook that openpyxl cannot open: a Word document, a PDF ... is said
    to be one (``not-csv-or-xlsx``); anything else (text, a damaged file) is ``not-a-workbook``."""
    found = content_kind(data)
    if found is not None and found[1] in _DOCUMENTS:
        return Problem(
            "not-csv-or-xlsx",
            f"activities are read from CSV or XLSX, and this is {found[0]} (named "
            f"{PurePath(file).suffix}); put them in a table with a header row and save it as "
            ".xlsx or .csv",
            file,
        )
    return Problem(
        "not-a-workbook",
        "this is not an Excel workbook (.xlsx); save it as .xlsx or as CSV",
        file,
    )


def _filled(
    sheet: ReadOnlyWorksheet, covered: dict[Cell, Cell | None]
) -> Iterator[tuple[int, list[object]]]:
    for i, row in sheet_rows(sheet, covered):
        if has_own_value(i, row, covered):
            yield i, row


def _unsaved(
    formulas: Formulas, sheet: str, covered: dict[Cell, Cell | None]
) -> Callable[[int, int], bool]:
    """Whether the empty cell at (row, index) of a sheet, or the cell merged over it, is a
    formula with no saved result."""

    def unsaved(row: int, index: int) -> bool:
        cell = (row, index + 1)
        return formulas.unsaved(sheet, covered.get(cell) or cell)

    return unsaved
