"""A catalogue in a Word document: the tables, in document order, with the prose around them.

This is the seed's original form: a committee report whose appendix is a table split across
pages, the title and header row repeated at each break, the LA cell sometimes merged down over
its agreement's rows. python-docx gives a cell merged down as the same cell in every row it
covers (its value repeats, as a person reads it); a cell merged across comes back once per
column it spans, so the copies are blanked. A row that is one cell across the whole table is a
heading, read as prose. The locator is the row's number in the table ("table row 5").

A cell's text is read from its XML, not python-docx's ``cell.text``, which leaves out the text
of content controls (``w:sdt``), fields (``w:fldSimple``, a complex field's result) and tracked
insertions: a measure would lose its figures without a word. A table nested in a cell is read in
its place, row by row, as a PDF of the document reads it. A cell with tracked changes not yet
accepted or rejected (``w:ins``, ``w:del``) has no one text, so the row is refused
(``catalogue_table``), naming the table, row and column.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from valvecheck.domain.problems import Problem
from valvecheck.importers.catalogue_table import Block, CellRow, Extracted
from valvecheck.importers.container import check_zip


def read_docx(data: bytes, file: str) -> Extracted:
    problems = check_zip(data, file, "Word document", ".docx")
    if problems:
        return Extracted(problems=problems)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for a damaged part; all mean the same
        return Extracted(
            problems=[
                Problem("corrupt-file", f"this is not a readable Word document ({exc})", file)
            ]
        )
    blocks: list[Block] = []
    tracked: set[tuple[str, int, int]] = set()
    tables = 0
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            text = _paragraph(item._p)
            if text.strip():
                blocks.append(Block(file, [CellRow((text,))]))
        elif isinstance(item, Table):
            tables += 1
            where = f"{file}, table {tables}"
            blocks.append(_table(item, where, tracked))
    if tables == 0:
        return Extracted(
            problems=[
                Problem(
                    "no-table",
                    "the document has no table: the measures must be in a Word table with a "
                    "header row (LA, Recommendation, Theme, Sub-Theme, RAG)",
                    file,
                )
            ]
        )
    return Extracted(blocks, title=document.core_properties.title or "", tracked=tracked)


def _table(table: Table, where: str, tracked: set[tuple[str, int, int]]) -> Block:
    block = Block(where)
    for number, row in enumerate(table.rows, start=1):
        cells: list[str] = []
        previous = None
        whole_row = _has_changes(row._tr.trPr)  # a row inserted or deleted as a tracked change
        for i, cell in enumerate(row.cells):
            cells.append("" if cell._tc is previous else _cell(cell._tc))
            if whole_row or (cell._tc is not previous and _has_changes(cell._tc)):
                tracked.add((where, number, i))
            previous = cell._tc
        if len({id(cell._tc) for cell in row.cells}) == 1 and len(row.cells) > 1:
            cells = cells[:1]  # one cell across the whole table: a heading
        block.rows.append(CellRow(tuple(cells), number))
    return block


_CHANGES = {qn("w:ins"), qn("w:del"), qn("w:moveFrom"), qn("w:moveTo")}
# drawings and text boxes: python-docx leaves them out too (and a text box is there twice, as
# its drawing and its fallback picture)
_SKIPPED = {
    qn("w:drawing"),
    qn("w:pict"),
    qn("w:object"),
    qn("w:pPr"),  # properties: a tab stop there is no tab in the text
    qn("w:rPr"),
    "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent",
}
_BREAKS = {qn("w:br"), qn("w:cr")}


def _has_changes(element: etree._Element | None) -> bool:
    if element is None:
        return False
    return any(e.tag in _CHANGES for e in element.iter())


def _cell(tc: etree._Element) -> str:
    """A cell's text: its paragraphs one a line, a nested table's rows one a line, its cells
    with a space between."""
    return "\n".join(_blocks(tc))


def _blocks(parent: etree._Element) -> Iterator[str]:
    for child in parent:
        if child.tag == qn("w:p"):
            yield _paragraph(child)
        elif child.tag == qn("w:tbl"):
            for tr in child.findall(qn("w:tr")):
                yield " ".join(_cell(tc) for tc in tr.findall(qn("w:tc")))
        elif child.tag in (qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")):
            yield from _blocks(child)


def _paragraph(p: etree._Element) -> str:
    """A paragraph's text, with that of content controls, fields and tracked insertions
    (deleted text is ``w:delText`` and a field's code ``w:instrText``, so neither is read)."""
    parts: list[str] = []

    def walk(element: etree._Element) -> None:
        for child in element:
            tag = child.tag
            if tag in _SKIPPED:
                continue
            if tag == qn("w:t"):
                parts.append(child.text or "")
            elif tag == qn("w:tab"):
                parts.append("\t")
            elif tag in _BREAKS:
                parts.append("\n")
            elif tag == qn("w:noBreakHyphen"):
                parts.append("-")
            else:
                walk(child)

    walk(p)
    return "".join(parts)
