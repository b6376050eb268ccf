"""Real documents in the forms councils send: a Word report printed to PDF by LibreOffice with rows
broken over pages, a wrapped title and a repeated title row; a Word file with a second table under
a header the importer does not know; headings LibreOffice breaks inside a word."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from catalogue_files import build_flowing_docx, build_two_tables_docx, seed_rows, to_pdf
from conftest import SEED, need

from valvecheck.domain.rag import Rag
from valvecheck.importers.catalogue import read_catalogue
from valvecheck.importers.catalogue_pdf import read_pdf
from valvecheck.importers.catalogue_table import (
    Block,
    CellRow,
    Extracted,
    parse_column_map,
    read_table,
)

TITLE = (
    "Bristol City Council, Schools Forum, 14 March 2022, item 7, appendix to the report of the "
    "Director of Education and Skills: DfE Safety Valve Agreements: Mitigation Validation Exercise"
)
TABLE_TITLE = "Appendix A: Safety Valve measures"


def seed_table() -> list[tuple[str, ...]]:
    """The seed's rows, their RAG as a rating."""
    return [(*r[:4], Rag.parse_cell(r[4]).value) for r in seed_rows(SEED)]


def read_rows(path: Path) -> list[tuple[str, ...]]:
    found = read_catalogue(path.read_bytes(), path.name)
    assert not found.problems, found.problems
    return [(r.la, r.recommendation, r.theme, r.sub_theme, r.rag.value) for r in found.rows]


@pytest.fixture(scope="module")
def flowing_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need(shutil.which("libreoffice") is not None, "libreoffice is not installed")
    folder = tmp_path_factory.mktemp("flowing")
    docx = build_flowing_docx(SEED, folder / "flowing.docx", TITLE, TABLE_TITLE)
    return to_pdf(docx, folder, folder / "lo-profile")


def test_rows_broken_over_pdf_pages_are_joined_not_made_into_measures(flowing_pdf):
    # the PDF really breaks rows: a page's first row carries on a cell mid-sentence
    pages = read_pdf(flowing_pdf.read_bytes(), flowing_pdf.name).blocks
    firsts = [next(r for r in p.rows if len(r.cells) == 5 and r.cells[0] != "LA") for p in pages]
    broken = [r for r in firsts[1:] if r.cells[1][:1].islower()]
    assert broken, firsts
    assert read_rows(flowing_pdf) == seed_table()


def test_a_title_wrapped_over_two_lines_is_the_whole_title(flowing_pdf):
    found = read_catalogue(flowing_pdf.read_bytes(), flowing_pdf.name)
    assert found.source_title == TITLE
    assert found.hints.council == ""  # the prose names no council "has cross-referenced"


def _page(number: int, *rows: tuple[str, ...], continues: bool = True, full: bool = True) -> Block:
    return Block(
        f"f.pdf, page {number}",
        [CellRow(cells, i, f"page {number}, row {{row}}") for i, cells in enumerate(rows, 1)],
        continues=continues,
        full=full,
    )


HEAD = ("LA", "Recommendation", "Theme", "Sub-Theme", "RAG")


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        # a lowercase start carries on the row above it: joined, LA and theme words too
        (
            ("Fulham", "and reduce demand.", "Demand", "", ""),
            [("Hammersmith and Fulham", "Plan early help and reduce demand.")],
        ),
        (
            ("", "and reduce demand.", "", "", ""),
            [("Hammersmith and", "Plan early help and reduce demand.")],
        ),
        # a cell that is all that carries on (the recommendation ended on the page before)
        (("", "", "Demand", "", ""), [("Hammersmith and", "Plan early help")]),
        # a new sentence after a finished one, on a page the row before did not fill: a new row
        (
            ("", "Review outreach.", "Finance", "", ""),
            [("Hammersmith and", "Plan early help"), ("Hammersmith and", "Review outreach.")],
        ),
    ],
)
def test_the_first_row_of_a_continued_page(second, expected):
    full = second[1] != "Review outreach."
    first = _page(1, HEAD, ("Hammersmith and", "Plan early help", "Local Placement", "", ""))
    pages = [first, _page(2, HEAD, second, full=True)]
    pages[0].full = full
    parsed, _ = read_table(Extracted(pages), "f.pdf")
    assert not parsed.problems
    assert [(r.la, r.recommendation) for r in parsed.rows] == expected


def test_a_row_that_may_or_may_not_carry_on_is_refused_naming_the_page():
    first = _page(1, HEAD, ("Bury", "Plan early help", "Theme", "", ""))
    second = _page(
        2, HEAD, ("", "Review outreach.", "Theme", "", ""), ("Bury", "Other.", "", "", "")
    )
    parsed, _ = read_table(Extracted([first, second]), "f.pdf")
    assert [(p.code, p.file, p.line) for p in parsed.problems] == [
        ("row-over-page-break", "f.pdf, page 2", 2)
    ]
    assert "page 1" in parsed.problems[0].message


def test_a_repeated_title_row_is_never_a_row_of_the_table():
    title = (TABLE_TITLE, "", "", "", "")
    pages = [
        _page(1, title, HEAD, ("Bury", "Plan early help.", "T", "", ""), continues=False),
        _page(2, title, HEAD, ("", "Review outreach.", "T", "", ""), full=False),
        _page(3, ("", TABLE_TITLE, "", "", ""), HEAD, ("Stoke-on-Trent", "Reform.", "", "", "")),
    ]
    pages[0].full = False
    parsed, hints = read_table(Extracted(pages), "f.pdf")
    assert not parsed.problems
    assert [(r.la, r.recommendation) for r in parsed.rows] == [
        ("Bury", "Plan early help."),
        ("Bury", "Review outreach."),
        ("Stoke-on-Trent", "Reform."),
    ]


@pytest.mark.parametrize(
    "header",
    [
        ("LA", "Recommendatio n", "Theme", "Sub-Theme", "RAG"),
        ("LA", "Recommend ation", "Theme", "Sub- Theme", "R AG"),
        ("L A", "Recommendatio n", "The me", "Sub-The me", "RAG"),
    ],
)
def test_a_heading_broken_inside_a_word_is_still_recognised(header):
    block = Block(
        "f.pdf, page 1", [CellRow(header, 1), CellRow(("Bury", "Plan.", "T", "S", "Red"), 2)]
    )
    parsed, _ = read_table(Extracted([block]), "f.pdf")
    assert not parsed.problems
    assert [(r.la, r.recommendation, r.theme, r.sub_theme, r.rag.value) for r in parsed.rows] == [
        ("Bury", "Plan.", "T", "S", "red")
    ]


def test_a_heading_libreoffice_breaks_in_a_narrow_column(tmp_path):
    """The seed's first rows in a table of equal narrow columns, printed to PDF."""
    need(shutil.which("libreoffice") is not None, "libreoffice is not installed")
    from docx import Document

    document = Document()
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, HEAD, strict=True):
        cell.text = name
    rows = seed_table()[:3]
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    document.save(tmp_path / "narrow.docx")
    pdf = to_pdf(tmp_path / "narrow.docx", tmp_path, tmp_path / "lo-profile")
    first = read_pdf(pdf.read_bytes(), pdf.name).blocks[0].rows[0]
    assert " " in first.cells[1] and first.cells[1].replace(" ", "") == "Recommendation", first
    # the narrow columns break words in the cells too ("arrangement s"): the rows, not their words
    found = read_rows(pdf)
    assert [(r[0], r[1].replace(" ", "")) for r in found] == [
        (r[0], r[1].replace(" ", "")) for r in rows
    ]


@pytest.mark.parametrize(
    "header",
    [
        ["Council", "Action", "Theme", "Sub-Theme", "RAG"],
        ["LA", "Action", "Theme", "Sub-Theme", "Year"],
    ],
)
def test_a_word_table_under_a_header_not_recognised_is_refused_not_continued(header, tmp_path):
    path = build_two_tables_docx(SEED, tmp_path / "two.docx", header)
    found = read_catalogue(path.read_bytes(), path.name)
    assert [(p.code, p.file, p.line, p.column) for p in found.problems] == [
        ("missing-column", "two.docx, table 2", 1, "Recommendation")
    ]
    message = found.problems[0].message
    assert ", ".join(header) in message
    assert "a column map such as Recommendation=Action" in message
    assert "--" not in message
    # the header is named as it is; with the column map the whole file reads
    mapped = read_catalogue(path.read_bytes(), path.name, parse_column_map("Recommendation=Action"))
    assert not mapped.problems, mapped.problems
    assert [r.recommendation for r in mapped.rows] == [r[1] for r in seed_table()]
    assert {r.la for r in mapped.rows} <= {r[0] for r in seed_table()}


def test_an_empty_pdf_is_an_empty_file():
    for data in (b"", b"  \n"):
        for problems in (
            read_pdf(data, "appendix.pdf").problems,
            read_catalogue(data, "appendix.pdf").problems,
        ):
            assert [(p.code, p.file) for p in problems] == [("empty-file", "appendix.pdf")]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("book.xlsx", "this is not an Excel workbook (the file is damaged)"),
        ("report.docx", "this is not a Word document (the file is damaged)"),
    ],
)
def test_a_damaged_office_file_is_named_in_plain_english(name, expected):
    found = read_catalogue(b"PK\x03\x04" + b"not really a zip" * 20, name)
    assert [(p.code, p.message) for p in found.problems] == [("corrupt-file", expected)]
