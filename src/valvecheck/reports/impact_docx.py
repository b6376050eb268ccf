"""The Word report's impact section: the trajectory chart as a picture, then the tables."""

from __future__ import annotations

import io
from collections.abc import Set as AbstractSet

from docx.document import Document as DocumentType
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Emu, Length, Mm, Pt

from valvecheck.reports import docx_rows
from valvecheck.reports.docx_fit import longest_word
from valvecheck.reports.impact_chart import line_chart, png
from valvecheck.reports.impact_tables import (
    CHART_CAPTION,
    FLAGS_HEADING,
    KEY_HEADING,
    flag_lines,
    key_lines,
    tables,
)
from valvecheck.reports.model import ReportData

PICTURE_WIDTH = Mm(200)
CAPTION_SPACE = Pt(12)
# An amount never wraps ("£1,426,984.0" / "0"): its column is as wide as its longest figure in
# DejaVu Sans (LibreOffice's stand-in for Calibri, and wider), bold on a total row: a digit or
# '£' is 0.70 em in bold, 0.64 em in regular, ',', '.' and '-' 0.42 em and 0.37 em; the cell's
# margins take under 5 mm.
DIGIT_EM, MARK_EM = {True: 0.70, False: 0.64}, {True: 0.42, False: 0.37}
CELL_MARGINS = Mm(5)
AMOUNT_MIN = Mm(30)  # and no narrower than its header's longest word ("Unmitigated")
TEXT_MIN = Mm(18)  # what a text column (year, measure, RAG, theme) keeps at the least
PROSE = 30  # characters: a text column with a longer cell than this is prose, and wraps
# Points: a table whose figures and words are too wide for the page at 10 pt (eight columns of
# eight-figure amounts) is set at 9, or 8, so they stay whole rather than its columns being
# narrowed until a bold total breaks ("£4,257,184.0" / "2").
SIZES = (10, 9, 8)


def add_impact(doc: DocumentType, data: ReportData) -> None:
    # docx.py lists this renderer in its SECTIONS, so its helpers are imported on use
    from valvecheck.reports import docx as word

    if data.impact is None:
        return
    # the section's heading and intro stay on the page of the chart (or the table) below them
    doc.paragraphs[-1].paragraph_format.keep_with_next = True
    chart = line_chart(data.impact)
    if chart is not None:
        doc.add_picture(io.BytesIO(png(chart)), width=PICTURE_WIDTH)
        # alt text: the chart in words, for a screen reader
        doc.inline_shapes[-1]._inline.docPr.set("descr", chart.description)
        doc.add_paragraph(CHART_CAPTION)
    for t in tables(data.impact):
        caption = doc.add_paragraph()
        caption.add_run(t.caption).bold = True
        # the caption belongs to the table below: kept on its page, with space above it
        caption.paragraph_format.keep_with_next = True
        caption.paragraph_format.space_before = CAPTION_SPACE
        rows = t.text_rows()
        size = fitting_size(t.columns, t.amount_columns, rows, word.TEXT_WIDTH, t.total_rows)
        widths = column_widths(
            t.columns, t.amount_columns, rows, word.TEXT_WIDTH, t.total_rows, size
        )
        half_points = None if size == SIZES[0] else 2 * size
        table = word.add_table(doc, t.columns, widths, size=half_points)
        for i, cell in enumerate(table.rows[0].cells):
            if i in t.amount_columns:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        totals = len(rows) - t.total_rows
        docx_rows.append_rows(
            table,
            (
                docx_rows.row_xml(
                    _paragraph(
                        docx_rows.cell_xml(v, w, bold=i >= totals, size=half_points),
                        right=c in t.amount_columns,
                        # the last row before the totals, and each total but the last, kept
                        # with the row after it: a total never starts a page on its own
                        keep=t.total_rows > 0 and totals - 1 <= i < len(rows) - 1,
                        # an empty cell's paragraph mark at the table's size, not the body's
                        # 11 pt (its row stood taller than the others)
                        mark=half_points if not v else None,
                    )
                    for c, (v, w) in enumerate(zip(row, widths, strict=True))
                )
                for i, row in enumerate(rows)
            ),
        )
    heading = doc.add_paragraph()
    heading.add_run(KEY_HEADING).bold = True
    heading.paragraph_format.keep_with_next = True
    heading.paragraph_format.space_before = CAPTION_SPACE
    for term, meaning in key_lines(data.impact):
        line = doc.add_paragraph()
        line.add_run(f"{term}: ").bold = True
        line.add_run(meaning)
    flags = flag_lines(data.impact)
    if flags:
        heading = doc.add_paragraph()
        heading.add_run(FLAGS_HEADING).bold = True
        heading.paragraph_format.keep_with_next = True
        heading.paragraph_format.space_before = CAPTION_SPACE
    for flag in flags:
        doc.add_paragraph(flag, style="List Bullet")


def _paragraph(cell: str, right: bool, keep: bool, mark: int | None = None) -> str:
    """A ``cell_xml`` cell with its paragraph right-aligned (``right``: an amount, as finance
    reads it), kept on the page of the next row (``keep``), and its paragraph mark ``mark``
    half-points (an empty cell's only text)."""
    props = ("<w:keepNext/>" if keep else "") + ('<w:jc w:val="right"/>' if right else "")
    props += f'<w:rPr><w:sz w:val="{mark}"/></w:rPr>' if mark else ""
    return cell.replace("<w:p>", f"<w:p><w:pPr>{props}</w:pPr>", 1) if props else cell


def amount_width(text: str, size: float = 10, bold: bool = True) -> Length:
    """How wide a cell must be to hold the amount ``text`` (``size`` points) on one line."""
    ems = sum(DIGIT_EM[bold] if c.isdigit() or c == "£" else MARK_EM[bold] for c in text)
    return Emu(int(ems * Pt(size)) + CELL_MARGINS)


def _needs(
    columns: tuple[str, ...],
    amounts: AbstractSet[int],
    rows: list[list[str]],
    totals: int,
    size: float,
) -> dict[int, int]:
    """Each column's least width at ``size`` points: an amount column its longest figure (bold
    in the last ``totals`` rows), a text column its longest word."""
    body = len(rows) - totals
    need: dict[int, int] = {}
    for i, name in enumerate(columns):
        cells = [row[i] for row in rows if row[i]]
        if i in amounts:
            figures = [amount_width(row[i], size, n >= body) for n, row in enumerate(rows)]
            need[i] = max([AMOUNT_MIN, longest_word([name], size), *figures])
        else:
            need[i] = max(TEXT_MIN, longest_word([name], size), longest_word(cells, size))
    return need


def fitting_size(
    columns: tuple[str, ...],
    amounts: AbstractSet[int],
    rows: list[list[str]],
    total: Length,
    totals: int,
) -> int:
    """The largest of ``SIZES`` at which the table fits ``total`` with no figure or word broken;
    the smallest when none does."""
    return next(
        (s for s in SIZES if sum(_needs(columns, amounts, rows, totals, s).values()) <= total),
        SIZES[-1],
    )


def column_widths(
    columns: tuple[str, ...],
    amounts: AbstractSet[int],
    rows: list[list[str]],
    total: Length,
    totals: int = 0,
    size: float = 10,
) -> list[Length]:
    """Widths adding up to ``total``: each amount column as wide as its longest figure, each text
    column as wide as its longest word (a measure's id, "Recommendation", "Thames/Richmond":
    none is broken mid-word), and what is left to the column of prose (a measure's text, an
    activity's title), or shared by all the columns when none has prose (years and amounts).
    Should the words need more than the page, every column gives up a share in proportion.
    ``totals``: the last rows, set in bold; ``size``: in points."""
    need = _needs(columns, amounts, rows, totals, size)
    used = sum(need.values())
    if used > total:
        widths = {i: int(w * total / used) for i, w in need.items()}
    else:
        prose = {
            i: sum(len(row[i]) for row in rows)
            for i in range(len(columns))
            if i not in amounts and any(len(row[i]) > PROSE for row in rows)
        }
        widths = dict(need)
        if prose:
            widths[max(prose, key=lambda i: prose[i])] += total - used
        else:
            each, _ = divmod(total - used, len(columns))
            widths = {i: w + each for i, w in widths.items()}
    widths[0] += total - sum(widths.values())  # the odd EMUs
    return [Emu(widths[i]) for i in range(len(columns))]
