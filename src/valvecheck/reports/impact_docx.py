"""The Word report's impact section: the trajectory chart as a picture, then the tables."""

from __future__ import annotations

import io

from docx.document import Document as DocumentType
from docx.shared import Emu, Mm

from valvecheck.reports.impact_chart import line_chart, png
from valvecheck.reports.impact_tables import CHART_CAPTION, flag_lines, tables
from valvecheck.reports.model import ReportData

FIRST_COLUMN = Mm(60)
PICTURE_WIDTH = Mm(200)


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
        rest = Emu(word.rest(FIRST_COLUMN) // (len(t.columns) - 1))
        widths = (FIRST_COLUMN, *[rest] * (len(t.columns) - 1))
        table = word.add_table(doc, t.columns, widths)
        rows = t.text_rows()
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
