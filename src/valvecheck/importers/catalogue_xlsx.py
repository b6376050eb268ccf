"""A catalogue as an Excel workbook: every visible sheet with a header row is read.

A hidden sheet (rejected drafts, last year's list) is left out, and the result says so; hidden
rows are read, and the result names them.

Merged cells are resolved the way a person reads them: a cell merged down (an LA spanning its
agreement's rows) repeats its value in each row; a cell merged across leaves the cells it covers
blank. An empty required cell holding a formula with no saved result says so. The locator is the
sheet and row number.
"""

from __future__ import annotations

import datetime as dt

from openpyxl.worksheet.worksheet import Worksheet

from valvecheck.domain.problems import Problem
from valvecheck.importers.catalogue_table import Block, CellRow, Extracted
from valvecheck.importers.container import check_zip
from valvecheck.importers.workbook import (
    Cell,
    Formulas,
    has_own_value,
    hidden_rows,
    hidden_sheets_note,
    merged_cells,
    open_workbook,
    sheet_rows,
    visible,
)


def read_xlsx(data: bytes, file: str) -> Extracted:
    problems = check_zip(data, file, "Excel workbook", ".xlsx")
    if problems:
        return Extracted(problems=problems)
    try:
        book = open_workbook(data)
    except Exception as exc:  # openpyxl raises many types for a damaged part; all mean the same
        return Extracted(
            problems=[Problem("corrupt-file", f"the workbook cannot be read ({exc})", file)]
        )
    sheets = {
        f"{file}, sheet {sheet.title}": (sheet, merged_cells(sheet))
        for sheet in book.worksheets
        if isinstance(sheet, Worksheet) and visible(sheet)
    }
    left_out = hidden_sheets_note([s.title for s in book.worksheets if not visible(s)])
    hidden = {(where, r) for where, (sheet, _) in sheets.items() for r in hidden_rows(sheet)}
    blocks = [_sheet(sheet, where, covered) for where, (sheet, covered) in sheets.items()]
    formulas = Formulas(data)

    def unsaved(where: str, row: CellRow, index: int) -> bool:
        sheet, covered = sheets[where]
        if row.line is None:
            return False
        cell = (row.line, index + 1)
        return formulas.unsaved(sheet.title, covered.get(cell) or cell)

    return Extracted(
        blocks,
        title=book.properties.title or "",
        unsaved=unsaved,
        notes=[left_out] if left_out else [],
        hidden=hidden,
    )


def _sheet(sheet: Worksheet, where: str, covered: dict[Cell, Cell | None]) -> Block:
    block = Block(where, own_header=True)
    for r, row in sheet_rows(sheet, covered):
        if not has_own_value(r, row, covered):
            continue  # a spacer row, though an LA merged down over its rows reaches into it
        cells = [_text(value) for value in row]
        if len([c for c in cells if c]) == 1 and all(
            (r, c) in covered for c in range(2, len(cells) + 1)
        ):
            cells = [cells[0]]  # a title merged across the table
        block.rows.append(CellRow(tuple(cells), r, f"sheet {sheet.title}, row {r}"))
    return block


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)
