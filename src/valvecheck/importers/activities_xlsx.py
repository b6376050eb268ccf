"""Activities from an Excel workbook: the first sheet with filled-in rows, columns found by name.

Rows above the header (a tracker's title, notes) are skipped; a value merged down repeats in
each row it covers; an empty id or title that is a formula with no saved result says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from openpyxl.worksheet.worksheet import Worksheet

from valvecheck.domain.problems import Problem
from valvecheck.importers.activity_rows import ActivityTable, read_table
from valvecheck.importers.workbook import Cell, Formulas, merged_cells, open_workbook, sheet_rows

MAX_BYTES = 20 * 1024 * 1024


def read_activities_xlsx(
    data: bytes, file: str, column_map: Mapping[str, str] | None = None
) -> ActivityTable:
    """Read the first sheet with filled-in rows; its header is found among its first rows."""
    if not data.strip():
        return ActivityTable(problems=[Problem("empty-file", "the file is empty", file)])
    if len(data) > MAX_BYTES:
        return ActivityTable(problems=[Problem("file-too-large", "the file is over 20 MB", file)])
    try:
        book = open_workbook(data)
    except Exception:  # openpyxl raises many types for a file that is not a workbook
        return ActivityTable(
            problems=[
                Problem(
                    "not-a-workbook",
                    "this is not an Excel workbook (.xlsx); save it as .xlsx or as CSV",
                    file,
                )
            ]
        )
    formulas = Formulas(data)
    for sheet in book.worksheets:
        if not isinstance(sheet, Worksheet):
            continue
        covered = merged_cells(sheet)
        numbered = [
            (i, row)
            for i, row in sheet_rows(sheet, covered)
            if any(c is not None and str(c).strip() for c in row)
        ]
        if numbered:
            unsaved = _unsaved(formulas, sheet.title, covered)
            return read_table(numbered, f"{file} [{sheet.title}]", column_map, unsaved)
    return ActivityTable(
        problems=[Problem("empty-file", "the workbook has no filled-in rows", file)]
    )


def _unsaved(
    formulas: Formulas, sheet: str, covered: dict[Cell, Cell | None]
) -> Callable[[int, int], bool]:
    """Whether the empty cell at (row, index) of a sheet, or the cell merged over it, is a
    formula with no saved result."""

    def unsaved(row: int, index: int) -> bool:
        cell = (row, index + 1)
        return formulas.unsaved(sheet, covered.get(cell) or cell)

    return unsaved
