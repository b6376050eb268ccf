"""Word (.docx), committee-ready: landscape A4, the key, the appendix table, summary and lists.

Table rows are marked ``w:cantSplit`` (a row never breaks across pages) and the header row
``w:tblHeader`` (Word and LibreOffice repeat it on every page), as the seed's table did by hand.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell, _Row

from valvecheck.domain.rag import Rag
from valvecheck.reports.model import ReportData, ReportRow

APPENDIX_COLUMNS = ("LA", "Recommendation", "Theme", "Sub-Theme", "RAG")
APPENDIX_WIDTHS = (Mm(38), Mm(140), Mm(45), Mm(40), Mm(20))  # fits 297 - 2 x 12 mm margins
HEADER_FILL = "D9D9D9"


def new_document() -> DocumentType:
    """A landscape A4 document with narrow margins and an 11 pt body font."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(12))
    doc.styles["Normal"].font.size = Pt(10)
    return doc


def shade(cell: _Cell, fill: str) -> None:
    """Fill a table cell with a hex colour (w:shd, as Word writes it)."""
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def keep_row_whole(row: _Row, header: bool = False) -> None:
    """Never split the row across pages; repeat it on every page when it is the header."""
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))


def add_table(
    doc: DocumentType,
    columns: tuple[str, ...] | list[str],
    widths: tuple[Mm, ...] | None = None,
) -> Table:
    """A grid table with a bold, shaded header row that repeats on every page."""
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    header = table.rows[0]
    keep_row_whole(header, header=True)
    for cell, name in zip(header.cells, columns, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(name).bold = True
        shade(cell, HEADER_FILL)
    if widths:
        table.autofit = False
        # Word reads the cell widths; LibreOffice reads the table grid: set both.
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        for cell, width in zip(header.cells, widths, strict=True):
            cell.width = width
    return table


def add_row(table: Table, values: list[str], widths: tuple[Mm, ...] | None = None) -> _Row:
    row = table.add_row()
    keep_row_whole(row)
    cells = row.cells
    for i, (cell, value) in enumerate(zip(cells, values, strict=True)):
        cell.text = value
        if widths:
            cell.width = widths[i]
    return row


def rag_cell(cell: _Cell, rag: Rag) -> None:
    """The RAG cell: its colour and, always, its word."""
    cell.text = rag.label
    shade(cell, rag.colour)


def lines(values: tuple[str, ...]) -> str:
    return "\n".join(values)


def appendix_values(row: ReportRow) -> list[str]:
    return [row.la, row.recommendation, lines(row.themes), lines(row.sub_themes), row.rag.label]


def add_appendix(doc: DocumentType, rows: list[ReportRow]) -> Table:
    table = add_table(doc, APPENDIX_COLUMNS, APPENDIX_WIDTHS)
    for r in rows:
        row = add_row(table, appendix_values(r), APPENDIX_WIDTHS)
        rag_cell(row.cells[-1], r.rag)
    return table


def add_key(doc: DocumentType, data: ReportData) -> None:
    for rag, definition in data.key:
        p = doc.add_paragraph()
        p.add_run(f"{rag.label.upper()}: ").bold = True
        p.add_run(definition)


def add_summary(doc: DocumentType, data: ReportData) -> Table:
    columns = ["Theme", "Sub-Theme", "Measures", *[r.label for r in data.columns], "Coverage"]
    table = add_table(doc, columns)
    for s in [*data.themes, data.total]:
        values = [
            s.theme if s.sub_theme is None else "",
            s.sub_theme or "",
            str(s.measures),
            *[str(s.counts.get(r, 0)) for r in data.columns],
            f"{s.coverage:.0%}",
        ]
        row = add_row(table, values)
        if s.sub_theme is None:
            for run in row.cells[0].paragraphs[0].runs:
                run.bold = True
    for cell, rag in zip(table.rows[0].cells[3:], data.columns, strict=False):
        shade(cell, rag.colour)
    return table


def add_measure_list(doc: DocumentType, rows: list[ReportRow], with_rationale: bool) -> None:
    columns = ["LA", "Recommendation", "Theme", "Sub-Theme"]
    if with_rationale:
        columns.append("Rationale")
    table = add_table(doc, columns)
    for r in rows:
        values = appendix_values(r)[:4]
        if with_rationale:
            values.append(r.rationale)
        add_row(table, values)


def write(data: ReportData, out: Path) -> list[Path]:
    """Write ``report.docx`` into ``out``."""
    doc = new_document()
    doc.add_heading("APPENDIX A", level=2)
    doc.add_heading(data.title, level=1)
    meta = f"{data.council + ', ' if data.council else ''}{data.date_text}"
    doc.add_paragraph(meta)
    doc.add_paragraph(data.purpose)
    add_key(doc, data)
    add_appendix(doc, data.rows)

    doc.add_heading("Summary by theme", level=1)
    doc.add_paragraph(
        f"{data.total.measures} measures; coverage (green and amber) {data.total.coverage:.0%}."
    )
    add_summary(doc, data)

    doc.add_heading(f"Opportunities ({len(data.opportunities)})", level=1)
    doc.add_paragraph(Rag.RED.definition[0].upper() + Rag.RED.definition[1:] + ".")
    if data.opportunities:
        add_measure_list(doc, data.opportunities, with_rationale=True)
    else:
        doc.add_paragraph("No measure is rated red.")

    doc.add_heading(f"Not yet rated ({len(data.unrated)})", level=1)
    if data.unrated:
        add_measure_list(doc, data.unrated, with_rationale=False)
    else:
        doc.add_paragraph("Every measure has a rating.")

    path = out / "report.docx"
    doc.save(str(path))
    return [path]
