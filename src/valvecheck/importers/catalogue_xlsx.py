"""A catalogue as an Excel workbook: every sheet with a header row is read.

Merged cells are resolved the way a person reads them: a cell merged down (an LA spanning its
agreement's rows) repeats its value in each row; a cell merged across leaves the cells it covers
blank. The locator is the sheet and row number.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from valvecheck.domain.problems import Problem
from valvecheck.importers.catalogue_table import Block, CellRow, Extracted
from valvecheck.importers.container import check_zip


def read_xlsx(data: bytes, file: str) -> Extracted:
    problems = check_zip(data, file, "Excel workbook", ".xlsx")
    if problems:
        return Extracted(problems=problems)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (data validation, conditional formats)
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged part; all mean the same
        return Extracted(
            problems=[Problem("corrupt-file", f"the workbook cannot be read ({exc})", file)]
        )
    blocks = [_sheet(sheet, file) for sheet in book.worksheets if isinstance(sheet, Worksheet)]
    return Extracted(blocks, title=book.properties.title or "")


def _sheet(sheet: Worksheet, file: str) -> Block:
    covered: dict[tuple[int, int], tuple[int, int] | None] = {}
    for merged in sheet.merged_cells.ranges:
        for row in range(merged.min_row, merged.max_row + 1):
            for col in range(merged.min_col, merged.max_col + 1):
                if (row, col) == (merged.min_row, merged.min_col):
                    continue
                across = row == merged.min_row
                covered[(row, col)] = None if across else (merged.min_row, col)
    block = Block(f"{file}, sheet {sheet.title}", own_header=True)
    values: dict[tuple[int, int], str] = {}
    for r, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = []
        for c, value in enumerate(row, start=1):
            if (r, c) in covered:
                above = covered[(r, c)]
                text = values.get(above, "") if above else ""
            else:
                text = _text(value)
            values[(r, c)] = text
            cells.append(text)
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
