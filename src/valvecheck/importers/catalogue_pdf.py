"""A catalogue in a PDF: ruled tables found by pdfplumber, page by page, with the prose around.

A Word appendix printed to PDF is the usual case. On each page the table's header row is drawn
again; a row broken across lines comes back with its lines joined (a word hyphenated at a line
end is rejoined). pdfplumber leaves a cell covered by a merged cell empty (None): covered from
the left it is blank, covered from above it repeats the value above, as a person reads it. A
PDF without a text layer (a scan) is refused; it would need OCR first. The locator names the
page and the row's number in the table ("page 2, row 5").
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.page import Page
from pdfplumber.table import Table
from pdfplumber.utils.exceptions import PdfminerException

from valvecheck.domain.problems import Problem
from valvecheck.importers import limits
from valvecheck.importers.catalogue_table import Block, CellRow, Extracted

_LIGATURES = re.compile("[\ufb00-\ufb06]")


def read_pdf(data: bytes, file: str) -> Extracted:
    if problems := limits.check(data, file):
        return Extracted(problems=problems)
    if b"%PDF-" not in data[:1024]:
        return Extracted(problems=[Problem("corrupt-file", "this is not a PDF file", file)])
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            title = str((pdf.metadata or {}).get("Title", "") or "")
            blocks, chars = _pages(pdf, file)
    except (PDFPasswordIncorrect, PdfminerException) as exc:
        if _encrypted(exc):
            return Extracted(
                problems=[
                    Problem(
                        "encrypted-file",
                        "the PDF is password-protected; save a copy without a password",
                        file,
                    )
                ]
            )
        return Extracted(problems=[Problem("corrupt-file", "the PDF is damaged", file)])
    except Exception as exc:  # pdfminer raises many types for a damaged file; all mean the same
        return Extracted(problems=[Problem("corrupt-file", f"the PDF is damaged ({exc})", file)])
    if chars == 0:
        return Extracted(
            problems=[
                Problem(
                    "no-text-layer",
                    "the PDF has no text layer (it is probably a scan or an image); "
                    "run it through OCR or import the original document",
                    file,
                )
            ]
        )
    if not any(len(r.cells) > 1 for b in blocks for r in b.rows):
        return Extracted(
            problems=[
                Problem(
                    "no-table",
                    "no table with ruled lines was found in the PDF; import the original "
                    "document or a spreadsheet instead",
                    file,
                )
            ]
        )
    return Extracted(blocks, title=title)


def _encrypted(exc: Exception) -> bool:
    # pdfplumber wraps pdfminer's errors: PdfminerException(PDFPasswordIncorrect())
    return isinstance(exc, PDFPasswordIncorrect) or any(
        isinstance(arg, PDFPasswordIncorrect) for arg in exc.args
    )


@dataclass
class _Edges:
    """Where a page's tables meet the pages around it: for telling a table carried over a page
    break from a new one."""

    first: list[float] | None = None  # the top table's column edges
    last: list[float] | None = None  # the bottom table's
    above: list[str] = field(default_factory=list)  # prose lines above the top table
    below: list[str] = field(default_factory=list)  # and below the bottom one
    lines: set[str] = field(default_factory=set)  # all the page's prose lines
    bottom: float | None = None  # where the bottom table ends


def _pages(pdf: pdfplumber.PDF, file: str) -> tuple[list[Block], int]:
    blocks: list[Block] = []
    bottoms: list[float | None] = []
    before = _Edges()
    for number, page in enumerate(pdf.pages, start=1):
        block, edges = _page(page, number, file)
        block.continues = _continues(before, edges)
        blocks.append(block)
        bottoms.append(edges.bottom)
        before = edges
    # A row broken over a page fills its page to the foot of the text; no table goes lower.
    lowest = max((b for b in bottoms if b is not None), default=0.0)
    for block, bottom in zip(blocks, bottoms, strict=True):
        block.full = bottom is not None and bottom >= lowest - 3
    return blocks, sum(len(page.chars) for page in pdf.pages)


def _page(page: Page, number: int, file: str) -> tuple[Block, _Edges]:
    tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
    boxes = [t.bbox for t in tables]

    def outside(obj: dict) -> bool:
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

    right = max([page.width / 2, *(t.bbox[2] for t in tables)])

    def prose(top: float = -1.0, bottom: float = page.height + 1) -> list[str]:
        """The paragraphs outside the tables, between `top` and `bottom`."""
        lines = page.filter(
            lambda o: o.get("object_type") != "char" or (outside(o) and top < o["top"] < bottom)
        ).extract_text_lines()
        return _paragraphs([line for line in lines if line["text"].strip()], right)

    block = Block(f"{file}, page {number}")
    # prose first (the title sits above the table), then the tables' rows
    lines = prose()
    block.rows.extend(CellRow((line,)) for line in lines)
    for table in tables:
        for i, cells in enumerate(_cells(table), start=1):
            block.rows.append(CellRow(tuple(cells), i, f"page {number}, row {{row}}"))
    edges = _Edges(lines={_running(line) for line in lines})
    if tables:
        edges.first, edges.last = _columns(tables[0]), _columns(tables[-1])
        edges.bottom = tables[-1].bbox[3]
        edges.above = prose(bottom=tables[0].bbox[1])
        edges.below = prose(top=tables[-1].bbox[3])
    return block, edges


def _paragraphs(lines: list[dict], right: float) -> list[str]:
    """Lines joined into the paragraphs they wrap from: a line that runs on to the right margin
    and is followed closely by one in the same size of type is continued by it."""
    out: list[str] = []
    before: dict | None = None
    for line in lines:
        height = line["bottom"] - line["top"]
        if (
            before is not None
            and line["top"] - before["bottom"] < 0.6 * height
            and abs(height - (before["bottom"] - before["top"])) < 1
            and before["x1"] >= right - 0.15 * (right - before["x0"])
        ):
            out[-1] = _join(f"{out[-1]}\n{line['text']}")
        else:
            out.append(" ".join(line["text"].split()))
        before = line
    return out


def _columns(table: Table) -> list[float]:
    return [column.bbox[0] for column in table.columns] + [table.bbox[2]]


def _continues(before: _Edges, page: _Edges) -> bool:
    """Whether the page's top table carries on the previous page's bottom one: the same columns,
    and nothing between them but a running header or footer (a line on both pages, page numbers
    aside). A new table, or one under a title of its own, does not: an empty LA there is missing."""
    if before.last is None or page.first is None or len(before.last) != len(page.first):
        return False
    if any(abs(a - b) > 2 for a, b in zip(before.last, page.first, strict=True)):
        return False
    between = [_running(line) for line in (*before.below, *page.above)]
    return all(line in before.lines and line in page.lines for line in between)


def _running(line: str) -> str:
    """A line as it repeats on every page: "Page 2 of 4" and "Page 3 of 4" are the same."""
    return re.sub(r"\d+", "#", " ".join(line.split()))


def _cells(table: Table) -> list[list[str]]:
    texts = table.extract()
    boxes = [row.cells for row in table.rows]
    width = max((len(r) for r in texts), default=0)
    centre: dict[int, float] = {}
    for row_boxes in boxes:
        for j, box in enumerate(row_boxes):
            if box is not None and j not in centre:
                centre[j] = (box[0] + box[2]) / 2
    out: list[list[str]] = []
    above: list[str] | None = None
    for row_texts, row_boxes in zip(texts, boxes, strict=True):
        if (
            len(row_texts) > 1
            and row_texts[0] is not None
            and all(t is None for t in row_texts[1:])
        ):
            out.append([_join(row_texts[0])])  # one cell across the table: a heading
            above = None
            continue
        cells: list[str] = []
        for j in range(width):
            value = row_texts[j] if j < len(row_texts) else None
            if value is not None:
                cells.append(_join(value))
                continue
            left = next((row_boxes[k] for k in range(j - 1, -1, -1) if row_boxes[k]), None)
            if left is not None and left[2] > centre.get(j, left[2] + 1):
                cells.append("")  # covered by a cell merged across
            else:
                cells.append(above[j] if above is not None and j < len(above) else "")
        out.append(cells)
        above = cells
    return out


def _join(text: str) -> str:
    """A cell's lines as one text: 'cost-\\neffective' -> 'cost-effective'."""
    text = _LIGATURES.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    text = re.sub(r"(?<=\w-)\n(?=\w)", "", text)
    return " ".join(text.split())
