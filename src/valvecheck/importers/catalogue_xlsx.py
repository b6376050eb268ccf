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

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from valvecheck.domain.problems import Problem
from valvecheck.importers import limits
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
    shared_text_problem,
    sheet_rows,
    visible,
)


def read_xlsx(data: bytes, file: str) -> Extracted:
    """Every visible sheet's filled rows. The sheets are streamed (read-only), as activities
    are: merges covering more than ``limits.MAX_MERGED_CELLS`` cells, a row filled beyond
    ``limits.MAX_COLUMNS``, or more than ``limits.MAX_ROWS`` filled rows refuse the file before
    they are held (opened whole, openpyxl laid out every merged cell as it loaded the file)."""
    problems = check_zip(data, file, "Excel workbook", ".xlsx")
    if problems:
        return Extracted(problems=problems)
    if (problem := shared_text_problem(data, file)) is not None:
        return Extracted(problems=[problem])
    try:
        book = open_workbook(data, read_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged part; all mean the same
        return Extracted(
            problems=[Problem("corrupt-file", f"the workbook cannot be read ({exc})", file)]
        )
    try:
        return _read(book, data, file)
    except limits.Refused as exc:
        return Extracted(problems=[exc.at(file)])
    except (SyntaxError, ValueError, LookupError) as exc:  # a damaged sheet (SyntaxError: its XML)
        return Extracted(
            problems=[Problem("corrupt-file", f"the workbook cannot be read ({exc})", file)]
        )
    finally:
        book.close()


def _read(book: Workbook, data: bytes, file: str) -> Extracted:
    sheets: dict[str, tuple[ReadOnlyWorksheet, dict[Cell, Cell | None]]] = {}
    blocks: list[Block] = []
    hidden: set[tuple[str, int]] = set()
    merged = rows = 0
    for sheet in book.worksheets:
        if not isinstance(sheet, ReadOnlyWorksheet) or not visible(sheet):
            continue
        sheet.reset_dimensions()  # a sheet's stated size may be wrong: read all its rows
        where = f"{file}, sheet {sheet.title}"
        try:
            covered = merged_cells(sheet, limits.MAX_MERGED_CELLS - merged)
            merged += len(covered)
            block = _sheet(sheet, where, covered, limits.MAX_ROWS - rows)
        except limits.Refused as exc:
            raise limits.Refused(exc.at(where)) from None
        if block is None:
            refused = limits.too_many_rows(limits.MAX_ROWS + 1, file)
            assert refused is not None
            return Extracted(problems=[refused])
        rows += len(block.rows)
        sheets[where] = (sheet, covered)
        blocks.append(block)
        lines = [r.line for r in block.rows if r.line is not None]
        hidden |= {(where, r) for r in hidden_rows(sheet, lines)}
    left_out = hidden_sheets_note([s.title for s in book.worksheets if not visible(s)])
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


def _sheet(
    sheet: ReadOnlyWorksheet, where: str, covered: dict[Cell, Cell | None], most: int
) -> Block | None:
    """A sheet's filled rows as a block, every row as wide as its widest (as the sheet shows
    them); None when it has more than ``most`` of them."""
    filled: list[tuple[int, list[object]]] = []
    for r, row in sheet_rows(sheet, covered):
        if not has_own_value(r, row, covered):
            continue  # a spacer row, though an LA merged down over its rows reaches into it
        if len(filled) >= most:
            return None
        filled.append((r, row))
    width = max((len(row) for _, row in filled), default=0)
    block = Block(where, own_header=True)
    for r, row in filled:
        cells = [_text(value) for value in row] + [""] * (width - len(row))
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
