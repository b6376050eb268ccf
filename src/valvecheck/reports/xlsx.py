"""Excel (.xlsx): Appendix, Summary, Opportunities, Unrated and, once activities exist, Links.

Every text cell goes through ``put``: text a spreadsheet would run as a formula (starting with
= + - @) is stored as a string with Excel's quote prefix, never as a formula, and text longer
than a cell holds is cut where it says so.
"""

from __future__ import annotations

import textwrap
from datetime import datetime, time
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from valvecheck.domain.rag import Rag
from valvecheck.reports.docx import MAKER, subject_of
from valvecheck.reports.model import ReportData, ReportRow

FORMULA_STARTS = ("=", "+", "-", "@")
CELL_LIMIT = 32_767  # Excel's most characters in a cell (UTF-16 code units); more is lost
CUT_MARK = (
    "… [text cut at Excel's 32,767-character limit; the Word and HTML reports have it in full]"
)
ROW_HEIGHT_LIMIT = 409  # points: Excel's tallest row
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
HEADER_FONT = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
FILLS = {r: PatternFill("solid", fgColor=r.colour) for r in Rag}

APPENDIX = [
    ("LA", 24),
    ("Recommendation", 80),
    ("Theme", 30),
    ("Sub-Theme", 28),
    ("RAG", 12),
    ("Rationale", 40),
    ("Measure ID", 24),
]
LIST = [
    ("LA", 24),
    ("Recommendation", 80),
    ("Theme", 30),
    ("Sub-Theme", 28),
    ("Rationale", 40),
    ("Measure ID", 24),
]
LINKS = [
    ("Activity ID", 16),
    ("Activity", 40),
    ("Measure ID", 24),
    ("LA", 24),
    ("Recommendation", 70),
    ("RAG", 12),
    ("Rationale", 40),
    ("By", 16),
]


def fit(text: str) -> str:
    """Text as a cell can hold it: cut, with ``CUT_MARK`` at the end, when Excel would cut it."""
    units = text.encode("utf-16-le")
    if len(units) <= 2 * CELL_LIMIT:
        return text
    room = 2 * (CELL_LIMIT - len(CUT_MARK.encode("utf-16-le")) // 2)
    # A character outside the BMP takes two units: never keep half of one.
    return units[:room].decode("utf-16-le", errors="ignore") + CUT_MARK


def put(ws: Worksheet, row: int, column: int, value: object) -> Cell:
    """Write a value; text that looks like a formula stays text; overlong text is cut visibly."""
    if isinstance(value, str):
        value = fit(value)
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True
    cell.alignment = WRAP
    return cell


def sheet(
    wb: Workbook, title: str, columns: list[tuple[str, int]], first: bool = False
) -> Worksheet:
    """A sheet with a bold, frozen header row, set widths and landscape printing."""
    ws = wb.active if first else wb.create_sheet()
    assert ws is not None
    ws.title = title
    for i, (name, width) in enumerate(columns, start=1):
        cell = put(ws, 1, i, name)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws


def finish(ws: Worksheet) -> None:
    """Filters over the whole table, and row heights that show all of the wrapped text.

    Neither Excel nor LibreOffice grows a row to fit wrapped text when it opens a file, so each
    row's height is set from its longest cell (one character per unit of column width, erring on the tall side).
    """
    ws.auto_filter.ref = ws.dimensions
    widths = {
        col: (ws.column_dimensions[get_column_letter(col)].width or 10)
        for col in range(1, ws.max_column + 1)
    }
    for row in ws.iter_rows(min_row=1):
        needed = 1
        for cell in row:
            if isinstance(cell.value, str) and cell.value:
                per_line = max(1, int(widths[cell.column]))
                count = sum(
                    max(1, len(textwrap.wrap(part, per_line))) for part in cell.value.split("\n")
                )
                needed = max(needed, count)
        ws.row_dimensions[row[0].row].height = min(15 * needed, ROW_HEIGHT_LIMIT)


def rag_cell(ws: Worksheet, row: int, column: int, rag: Rag) -> None:
    """The RAG cell: filled in its colour and, always, its word."""
    cell = put(ws, row, column, rag.label)
    cell.fill = FILLS[rag]


def lines(values: tuple[str, ...]) -> str:
    return "\n".join(values)


def add_appendix(wb: Workbook, rows: list[ReportRow]) -> None:
    ws = sheet(wb, "Appendix", APPENDIX, first=True)
    for n, r in enumerate(rows, start=2):
        for c, value in enumerate(
            [r.la, r.recommendation, lines(r.themes), lines(r.sub_themes)], start=1
        ):
            put(ws, n, c, value)
        rag_cell(ws, n, 5, r.rag)
        put(ws, n, 6, r.rationale)
        put(ws, n, 7, r.id)
    finish(ws)


def add_summary(wb: Workbook, data: ReportData) -> None:
    columns = [("Theme", 40), ("Sub-Theme", 30), ("Measures", 10)]
    columns += [(r.label, 12) for r in data.columns] + [("Coverage", 11)]
    ws = sheet(wb, "Summary", columns)
    for c, rag in enumerate(data.columns, start=4):
        ws.cell(row=1, column=c).fill = FILLS[rag]
    for n, s in enumerate([*data.themes, data.total], start=2):
        put(ws, n, 1, s.theme)
        put(ws, n, 2, s.sub_theme or "")
        put(ws, n, 3, s.measures)
        for c, rag in enumerate(data.columns, start=4):
            put(ws, n, c, s.counts.get(rag, 0))
        cov = put(ws, n, len(columns), round(s.coverage, 4))
        cov.number_format = "0%"
        if s.sub_theme is None:
            for c in range(1, len(columns) + 1):
                ws.cell(row=n, column=c).font = HEADER_FONT
    finish(ws)


def add_list(wb: Workbook, title: str, rows: list[ReportRow]) -> None:
    ws = sheet(wb, title, LIST)
    for n, r in enumerate(rows, start=2):
        values = [r.la, r.recommendation, lines(r.themes), lines(r.sub_themes), r.rationale, r.id]
        for c, value in enumerate(values, start=1):
            put(ws, n, c, value)
    finish(ws)


def add_links(wb: Workbook, data: ReportData) -> None:
    ws = sheet(wb, "Links", LINKS)
    for n, link in enumerate(data.links, start=2):
        values = [link.activity, link.activity_title, link.measure, link.la, link.recommendation]
        for c, value in enumerate(values, start=1):
            put(ws, n, c, value)
        rag_cell(ws, n, 6, link.rag)
        put(ws, n, 7, link.rationale)
        put(ws, n, 8, link.by)
    finish(ws)


def write(data: ReportData, out: Path) -> list[Path]:
    """Write ``report.xlsx`` into ``out``."""
    wb = Workbook()
    add_appendix(wb, data.rows)
    add_summary(wb, data)
    add_list(wb, "Opportunities", data.opportunities)
    add_list(wb, "Unrated", data.unrated)
    if data.links:
        add_links(wb, data)
    set_properties(wb, data)
    path = out / "report.xlsx"
    # Workbook.save stamps "modified" with the clock; the writer itself keeps the report's date.
    with ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    return [path]


def set_properties(wb: Workbook, data: ReportData) -> None:
    """File properties that describe this report, dated by it: the same --date, the same file."""
    props = wb.properties
    props.title, props.subject = data.title, subject_of(data)
    props.creator, props.lastModifiedBy = data.council or MAKER, MAKER
    # openpyxl writes naive datetimes as UTC.
    props.created = props.modified = datetime.combine(data.on, time.min)
