"""Word table body rows as WordprocessingML text, streamed into the saved file.

python-docx builds each cell through several proxy objects and style look-ups, which for
thousands of rows costs more than everything else in a report, and keeps every cell as lxml
elements until it saves. Body rows are therefore written as text (``row_xml`` of ``cell_xml``
cells, the same XML python-docx would write, built once per row), kept aside by ``append_rows``
and streamed into the file by ``save``, at a mark in a table whose header, grid and style
python-docx made.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from weakref import WeakKeyDictionary
from xml.sax.saxutils import escape
from zipfile import ZIP_DEFLATED, ZipFile

from docx.document import Document as DocumentType
from docx.shared import Length
from docx.table import Table
from lxml import etree

from valvecheck.reports.docx_page import NOT_XML
from valvecheck.reports.model import WEB_ADDRESS, Tick

BATCH = 500  # rows written to the file at a time: a bounded amount of XML text in memory
NOTE = 16  # half-points: 8 pt, the size of a note under a cell's text ("Carried forward")
NOTE_COLOUR = "505A5F"


# Characters XML 1.0 cannot hold at all; python-docx would refuse them, a report drops them.
_BREAKS = {"\n": "<w:br/>", "\t": "<w:tab/>"}
_PIECES = re.compile(r"(\n|\t)")


def run_xml(text: str, bold: bool = False, size: int | None = None, look: str = "") -> str:
    """One run of text as python-docx writes it: line breaks as w:br, tabs as w:tab; ``size``
    in half-points; ``look``: more run properties (after bold, before the size)."""
    if not text:
        return ""
    text = NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    parts = [
        _BREAKS.get(piece) or f'<w:t xml:space="preserve">{escape(piece)}</w:t>'
        for piece in _PIECES.split(text)
        if piece
    ]
    props = ("<w:b/>" if bold else "") + look + (f'<w:sz w:val="{size}"/>' if size else "")
    return f"<w:r>{f'<w:rPr>{props}</w:rPr>' if props else ''}{''.join(parts)}</w:r>"


def note_xml(note: str, alone: bool = False) -> str:
    """A short note after a cell's text, on a line of its own (``alone``: the cell has no other
    text): small, italic and grey."""
    if not note:
        return ""
    look = f'<w:i/><w:color w:val="{NOTE_COLOUR}"/>'
    return ("" if alone else "<w:r><w:br/></w:r>") + run_xml(note, size=NOTE, look=look)


def cell_xml(
    text: str,
    width: Length,
    fill: str | None = None,
    bold: bool = False,
    size: int | None = None,
    note: str = "",
) -> str:
    """A table cell of one paragraph, its width set and, when given, its fill; ``note``: a
    small note under the text (``note_xml``)."""
    shd = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    body = run_xml(text, bold, size) + note_xml(note, alone=not text)
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width.twips}" w:type="dxa"/>{shd}</w:tcPr>'
        f"<w:p>{body}</w:p></w:tc>"
    )


LINK_LOOK = '<w:color w:val="0563C1"/><w:u w:val="single"/>'  # Word's own hyperlink colour
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


class Links:
    """The document's external links, one relationship per address however often it is given
    (python-docx's own look-up scans every relationship, which for thousands is slow)."""

    def __init__(self, doc: DocumentType):
        self._rels = doc.part.rels
        self._ids: dict[str, str] = {}

    def rid(self, address: str) -> str:
        found = self._ids.get(address)
        if found is None:
            found = self._ids[address] = f"rIdLink{len(self._ids) + 1}"
            self._rels.add_relationship(HYPERLINK, address, found, is_external=True)
        return found


def evidence_xml(items: Iterable[str], width: Length, links: Links, size: int | None) -> str:
    """A cell of evidence, one item a line: a web address as a link (``Links``), else text."""
    runs: list[str] = []
    for item in items:
        if runs:
            runs.append("<w:r><w:br/></w:r>")
        if WEB_ADDRESS.match(item) and not NOT_XML.search(item):
            text = run_xml(item, size=size, look=LINK_LOOK)
            runs.append(f'<w:hyperlink r:id="{links.rid(item)}">{text}</w:hyperlink>')
        else:
            runs.append(run_xml(item, size=size))
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width.twips}" w:type="dxa"/></w:tcPr>'
        f"<w:p>{''.join(runs)}</w:p></w:tc>"
    )


KEPT_WHOLE = "<w:trPr><w:cantSplit/></w:trPr>"


def row_xml(cells: Iterable[str]) -> str:
    """A body row that never splits across pages, from ``cell_xml`` cells (the first of a
    table's rows excepted: ``append_rows``)."""
    return f"<w:tr>{KEPT_WHOLE}{''.join(cells)}</w:tr>"


# Rows waiting to be written, per document part: made by append_rows, written by save. Each
# table's rows are kept as XML text, BATCH rows to a string (a few hundred bytes a cell).
_PENDING: WeakKeyDictionary[object, list[tuple[list[tuple[str, int]], Tick | None]]] = (
    WeakKeyDictionary()
)
_MARK = re.compile(r"<!--valvecheck-rows-(\d+)-->")


def append_rows(table: Table, rows: Iterable[str], progress: Tick | None = None) -> None:
    """Append ``row_xml`` rows to the table; they go into the file when it is saved (``save``).

    The rows never become python-docx or lxml objects: they are kept as text, the table holds a
    mark where they go, and ``save`` streams them into the file there.
    """
    chunks: list[tuple[str, int]] = []
    batch: list[str] = []
    for n, row in enumerate(rows):
        # The first body row may split across pages: LibreOffice (7.4) laying out a long table
        # that starts at a page's foot, where only the repeated header and a first row kept
        # whole fit, printed that row alone and dropped the rest of the table (440 of 441 rows)
        batch.append(row.replace(KEPT_WHOLE, "", 1) if n == 0 else row)
        if len(batch) >= BATCH:
            chunks.append(("".join(batch), len(batch)))
            batch.clear()
    if batch:
        chunks.append(("".join(batch), len(batch)))
    pending = _PENDING.setdefault(table.part, [])
    table._tbl.append(etree.Comment(f"valvecheck-rows-{len(pending)}"))
    pending.append((chunks, progress))


def save(doc: DocumentType, path: Path) -> None:
    """Write the document to ``path`` with every table's rows (see ``append_rows``)."""
    pending = _PENDING.pop(doc.part, [])
    draft = path.with_name(f".{path.name}.draft")
    doc.save(str(draft))
    try:
        with ZipFile(draft) as source, ZipFile(path, "w", ZIP_DEFLATED) as target:
            for info in source.infolist():
                if info.filename != "word/document.xml":
                    target.writestr(info, source.read(info))
                    continue
                xml = source.read(info).decode("utf-8")
                with target.open(info.filename, "w") as part:
                    end = 0
                    for mark in _MARK.finditer(xml):
                        part.write(xml[end : mark.start()].encode("utf-8"))
                        chunks, progress = pending[int(mark[1])]
                        for text, count in chunks:
                            part.write(text.encode("utf-8"))
                            if progress is not None:
                                progress(count)
                        end = mark.end()
                    part.write(xml[end:].encode("utf-8"))
    finally:
        draft.unlink(missing_ok=True)
