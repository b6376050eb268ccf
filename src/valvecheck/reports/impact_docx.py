"""The Word report's impact section: the trajectory chart as a picture, then the tables."""

from __future__ import annotations

import io

from docx.document import Document as DocumentType
from docx.shared import Emu, Length, Mm, Pt

from valvecheck.reports.impact_chart import line_chart, png
from valvecheck.reports.impact_tables import CHART_CAPTION, flag_lines, tables
from valvecheck.reports.model import ReportData

PICTURE_WIDTH = Mm(200)
# An amount never wraps ("£1,426,984.0" / "0"): its column is as wide as its longest figure in
# bold 10 pt DejaVu Sans (LibreOffice's stand-in for Calibri, and wider): a digit or '£' is
# 0.70 em, ',', '.' and '-' 0.42 em; the cell's margins take under 5 mm.
DIGIT_EM, MARK_EM = 0.70, 0.42
CELL_MARGINS = Mm(5)
AMOUNT_MIN = Mm(30)  # and no narrower than its header's longest word ("Unmitigated")
TEXT_MIN = Mm(25)  # what a text column (year, measure, RAG, theme) keeps at the least


def add_impact(doc: DocumentType, data: ReportData) -> None:
    # docx.py lists this renderer in its SECTIONS, so its helpers are imported on use
    from valvecheck.reports import docx as word

    if data.impact is None:
        return
    chart = line_chart(data.impact)
    if chart is not None:
        doc.add_picture(io.BytesIO(png(chart)), width=PICTURE_WIDTH)
        # alt text: the chart in words, for a screen reader
        doc.inline_shapes[-1]._inline.docPr.set("descr", chart.description)
        doc.add_paragraph(CHART_CAPTION)
    for t in tables(data.impact):
        doc.add_paragraph().add_run(t.caption).bold = True
        rows = t.text_rows()
        widths = column_widths(len(t.columns), t.amount_columns, rows, word.TEXT_WIDTH)
        table = word.add_table(doc, t.columns, widths)
        word.append_rows(
            table,
            (
                word.row_xml(
                    word.cell_xml(v, w, bold=i >= len(rows) - t.total_rows)
                    for v, w in zip(row, widths, strict=True)
                )
                for i, row in enumerate(rows)
            ),
        )
    for flag in flag_lines(data.impact):
        doc.add_paragraph(flag, style="List Bullet")


def amount_width(text: str) -> Length:
    """How wide a cell must be to hold the amount ``text`` on one line."""
    ems = sum(DIGIT_EM if c.isdigit() or c == "£" else MARK_EM for c in text)
    return Emu(int(ems * Pt(10)) + CELL_MARGINS)


def column_widths(
    count: int, amounts: set[int], rows: list[list[str]], total: Length
) -> list[Length]:
    """Each amount column as wide as its longest figure, the text columns sharing the rest
    (the first takes the odd EMUs), all adding up to ``total``. Should the figures need more
    than the page leaves, the amount columns share what there is in proportion."""
    need: dict[int, int] = {
        i: max([AMOUNT_MIN, *(amount_width(row[i]) for row in rows if row[i])]) for i in amounts
    }
    texts = [i for i in range(count) if i not in amounts]
    room = total - TEXT_MIN * len(texts)
    if sum(need.values()) > room:
        need = {i: int(w * room / sum(need.values())) for i, w in need.items()}
    left = total - sum(need.values())
    share, odd = divmod(left, len(texts)) if texts else (0, left)
    widths = {i: share for i in texts} | need
    first = texts[0] if texts else 0
    widths[first] += odd
    return [Emu(widths[i]) for i in range(count)]
