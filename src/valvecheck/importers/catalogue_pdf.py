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

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.table import Table
from pdfplumber.utils.exceptions import PdfminerException

from valvecheck.domain.problems import Problem
from valvecheck.importers.catalogue_table import Block, CellRow, Extracted
from valvecheck.importers.container import too_large

_LIGATURES = re.compile("[\ufb00-\ufb06]")


def read_pdf(data: bytes, file: str) -> Extracted:
    if (problem := too_large(len(data), file)) is not None:
        return Extracted(problems=[problem])
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


def _pages(pdf: pdfplumber.PDF, file: str) -> tuple[list[Block], int]:
    blocks: list[Block] = []
    chars = 0
    for number, page in enumerate(pdf.pages, start=1):
        chars += len(page.chars)
        tables = page.find_tables()
        block = Block(f"{file}, page {number}")
        boxes = [t.bbox for t in tables]

        def outside(obj: dict, boxes: list = boxes) -> bool:
            x = (obj["x0"] + obj["x1"]) / 2
            y = (obj["top"] + obj["bottom"]) / 2
            return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

        # prose first (the title sits above the table), then the tables' rows
        prose = page.filter(lambda o: o.get("object_type") != "char" or outside(o)).extract_text()
        block.rows.extend(CellRow((line,)) for line in prose.splitlines() if line.strip())
        for table in tables:
            for i, cells in enumerate(_cells(table), start=1):
                block.rows.append(CellRow(tuple(cells), i, f"page {number}, row {{row}}"))
        blocks.append(block)
    return blocks, chars


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
