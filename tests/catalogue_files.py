"""Building the seed's appendix as real office files (Word, PDF, Excel, CSV) for import tests.

The Word file is laid out as the seed's original was: the title and prose, then the table in
page-sized pieces, each after a page break under "APPENDIX A" with its header row repeated (and
marked as a repeating header row). Within each piece the LA cell is merged down over its
agreement's rows and, where a measure has no sub-theme, Theme is merged across Sub-Theme.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm
from openpyxl import Workbook

HEADER = ["LA", "Recommendation", "Theme", "Sub-Theme", "RAG"]
WIDTHS = [Cm(4.6), Cm(10.4), Cm(5), Cm(4.5), Cm(2.2)]


def seed_parts(seed: Path) -> list[str | list[list[str]]]:
    """The seed in document order: prose paragraphs (str) and tables (lists of data rows)."""
    parts: list[str | list[list[str]]] = []
    for raw in seed.read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        cells = raw.rstrip("\n").split("\t")
        if len(cells) == 1:
            parts.append(raw.strip())
        elif cells[:5] == HEADER:
            parts.append([])
        else:
            table = parts[-1]
            assert isinstance(table, list)
            table.append((cells + [""] * 5)[:5])
    return parts


def seed_rows(seed: Path) -> list[list[str]]:
    return [row for part in seed_parts(seed) if isinstance(part, list) for row in part]


def _flag(row, name: str) -> None:  # type: ignore[no-untyped-def]
    """Set a row property: w:tblHeader (repeat at each page) or w:cantSplit (keep on one page)."""
    flag = OxmlElement(name)
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def build_docx(
    seed: Path, path: Path, texts: dict[int, str] | None = None, one_table: bool = False
) -> Path:
    """The seed as a Word report. ``texts`` replaces the recommendation of data row n (from 1).

    ``one_table``: the seed's pieces as one table, its pages broken where Word or LibreOffice
    breaks them, so an LA cell merged down over an authority's rows runs on over a page break.
    """
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    n = 0
    first_title = True
    parts = seed_parts(seed)
    if one_table:
        first = next(i for i, p in enumerate(parts) if isinstance(p, list))
        parts = [*parts[:first], [r for p in parts if isinstance(p, list) for r in p]]
    for part in parts:
        if isinstance(part, str):
            if part == "APPENDIX A" and not first_title:
                document.add_page_break()
            first_title = first_title and part != "APPENDIX A"
            document.add_paragraph(part.replace("*", ""))
            continue
        table = document.add_table(rows=1 + len(part), cols=5)
        table.style = "Table Grid"
        table.autofit = False
        for column, width in zip(table.columns, WIDTHS, strict=True):
            column.width = width
        for cell, name in zip(table.rows[0].cells, HEADER, strict=True):
            cell.text = name
        _flag(table.rows[0], "w:tblHeader")
        for row in table.rows:
            _flag(row, "w:cantSplit")  # a row broken over a page is not rejoined from a PDF
            for cell, width in zip(row.cells, WIDTHS, strict=True):
                cell.width = width
        for i, values in enumerate(part, start=1):
            n += 1
            values = list(values)
            if texts and n in texts:
                values[1] = texts[n]
            cells = table.rows[i].cells
            above = part[i - 2][0] if i > 1 else None
            cells[0].text = "" if values[0] == above else values[0]
            for j in (1, 2, 3, 4):
                cells[j].text = values[j]
        for i, values in enumerate(part, start=1):
            if values[2] and not values[3]:
                table.cell(i, 2).merge(table.cell(i, 3))
        start = 1
        for i in range(2, len(part) + 2):
            if i == len(part) + 1 or part[i - 1][0] != part[start - 1][0]:
                if i - 1 > start:
                    table.cell(start, 0).merge(table.cell(i - 1, 0))
                start = i
    document.core_properties.title = "Appendix A"
    document.save(path)
    return path


def to_pdf(source: Path, out_dir: Path, profile: Path, export: str = "pdf") -> Path:
    """LibreOffice's PDF of a document, with a profile of its own (tests run in parallel)."""
    subprocess.run(
        [
            shutil.which("libreoffice") or "libreoffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            export,
            "--outdir",
            str(out_dir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, "HOME": str(profile)},
    )
    return out_dir / (source.stem + ".pdf")


def build_csv(seed: Path, path: Path, header: list[str] = HEADER) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(seed_rows(seed))
    return path


def build_xlsx(seed: Path, path: Path) -> Path:
    """The seed's rows in a workbook: a title row merged across, the LA merged down."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Appendix A"
    sheet.append(["DfE Safety Valve Agreements: Mitigation Validation Exercise"])
    sheet.merge_cells("A1:E1")
    sheet.append(HEADER)
    rows = seed_rows(seed)
    for values in rows:
        sheet.append(values)
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i][0] != rows[start][0]:
            if i - 1 > start:
                sheet.merge_cells(start_row=start + 3, start_column=1, end_row=i + 2, end_column=1)
            start = i
    book.save(path)
    return path


def _landscape(document) -> None:  # type: ignore[no-untyped-def]
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))


def build_flowing_docx(
    seed: Path, path: Path, title: str, table_title: str = "", prose: str = ""
) -> Path:
    """The seed as a council would usually write it: one table whose rows may break across pages
    (Word's default), the header row (and a title row above it, merged across, if given) repeated
    on each page, every row naming its LA; a title paragraph long enough to wrap above it."""
    document = Document()
    _landscape(document)
    document.add_paragraph(title)
    if prose:
        document.add_paragraph(prose)
    rows = seed_rows(seed)
    top = 1 if table_title else 0
    table = document.add_table(rows=top + 1, cols=5)
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, WIDTHS, strict=True):
        column.width = width
    if table_title:
        table.cell(0, 0).merge(table.cell(0, 4)).text = table_title
        _flag(table.rows[0], "w:tblHeader")
    for cell, name in zip(table.rows[top].cells, HEADER, strict=True):
        cell.text = name
    _flag(table.rows[top], "w:tblHeader")
    for values in rows:
        for cell, value, width in zip(table.add_row().cells, values, WIDTHS, strict=True):
            cell.text = value
            cell.width = width
    document.save(path)
    return path


def build_two_tables_docx(seed: Path, path: Path, second_header: list[str]) -> Path:
    """The seed's first rows in a table with the usual header, then a second table of the rest
    under a header the importer does not know (same number of columns; a last column headed
    Year holds the agreement's year)."""
    document = Document()
    _landscape(document)
    document.add_paragraph("DfE Safety Valve Agreements: Mitigation Validation Exercise")
    rows = seed_rows(seed)
    for header, part in ((HEADER, rows[:6]), (second_header, rows[6:])):
        table = document.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for cell, name in zip(table.rows[0].cells, header, strict=True):
            cell.text = name
        for values in part:
            if header is second_header and header[-1] == "Year":
                values = [*values[:4], "2020-21"]
            for cell, value in zip(table.add_row().cells, values, strict=False):
                cell.text = value
        document.add_paragraph("")
    document.save(path)
    return path
