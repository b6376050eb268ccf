"""A catalogue in a Word document: the tables, in document order, with the prose around them.

This is the seed's original form: a committee report whose appendix is a table split across
pages, the title and header row repeated at each break, the LA cell sometimes merged down over
its agreement's rows. python-docx gives a cell merged down as the same cell in every row it
covers (its value repeats, as a person reads it); a cell merged across comes back once per
column it spans, so the copies are blanked. A row that is one cell across the whole table is a
heading, read as prose. The locator is the row's number in the table ("table row 5").
"""

from __future__ import annotations

import io

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

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
    tables = 0
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            if item.text.strip():
                blocks.append(Block(file, [CellRow((item.text,))]))
        elif isinstance(item, Table):
            tables += 1
            blocks.append(_table(item, f"{file}, table {tables}"))
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
    return Extracted(blocks, title=document.core_properties.title or "")


def _table(table: Table, where: str) -> Block:
    block = Block(where)
    for number, row in enumerate(table.rows, start=1):
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            cells.append("" if cell._tc is previous else cell.text)
            previous = cell._tc
        if len({id(cell._tc) for cell in row.cells}) == 1 and len(row.cells) > 1:
            cells = cells[:1]  # one cell across the whole table: a heading
        block.rows.append(CellRow(tuple(cells), number))
    return block
