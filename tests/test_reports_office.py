"""Word and Excel reports, read back with python-docx and openpyxl (never compared as bytes)."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import pytest
from conftest import need
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Mm
from openpyxl import load_workbook
from reports_support import (
    DAY,
    build,
    day_is_today,
    docx_fill,
    docx_row_flags,
    expected_row,
    rendered_text,
    summary_lines,
)
from support import admin, load_state, write_reports

from valvecheck.cli import run
from valvecheck.domain.rag import Rag
from valvecheck.reports import xlsx
from valvecheck.reports.model import plain_rationale
from valvecheck.services import activities, impact
from valvecheck.services.ratings import rate

# Reports here are dated DAY (2099): today is DAY for every test, as the report needs.
pytestmark = pytest.mark.usefixtures(day_is_today.__name__)

RAG_OF_LABEL = {r.label: r for r in Rag}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    b = build(tmp_path_factory.mktemp("office"))
    yield b
    b.ws.dispose()


@pytest.fixture(scope="module")
def document(built):
    return Document(str(built.file("report.docx")))


@pytest.fixture(scope="module")
def workbook(built):
    return load_workbook(built.file("report.xlsx"))


@pytest.fixture
def summary_json(built, capsys):
    capsys.readouterr()
    assert run(["--db", built.db, "summary", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_seed_has_what_the_report_tests_need(built):
    views = built.state.views
    assert len(views) == 27
    assert any(len(v.measure.sub_themes) > 1 for v in views)
    assert {v.rag for v in views} >= {Rag.GREEN, Rag.AMBER, Rag.RED, Rag.UNRATED}


# -- Word ------------------------------------------------------------------------------------


def test_docx_appendix_has_every_measure_in_document_order(built, document):
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "ID",
        "LA",
        "Recommendation",
        "Theme",
        "Sub-Theme",
        "RAG",
        "Rationale",
        "Evidence",
    ]
    got = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert got == [[v.id, *expected_row(v, "; "), *said(v)] for v in built.state.views]


def said(view) -> list[str]:
    """A measure's rationale and evidence as the appendix shows them: the seed's note in plain
    words, the evidence one item a line."""
    latest = view.latest
    if latest is None:
        return ["", ""]
    return [plain_rationale(latest.rationale), latest.evidence.strip()]


def test_docx_measure_with_two_sub_themes_is_one_row(built, document):
    two = [v for v in built.state.views if len(v.measure.sub_themes) > 1]
    texts = [row.cells[2].text for row in document.tables[0].rows[1:]]
    for view in two:
        assert texts.count(view.measure.text) == 1
        row = document.tables[0].rows[1 + texts.index(view.measure.text)]
        # "; " between them, as Markdown writes them: a line break alone reads as one wrapped name
        assert row.cells[4].text.split("; ") == list(view.measure.sub_themes)


def test_docx_recommendation_column_is_the_widest_in_the_table_grid(document):
    # LibreOffice lays a table out by its grid, Word by its cells: both must say the same.
    grid = [column.width for column in document.tables[0].columns]
    cells = [cell.width for cell in document.tables[0].rows[0].cells]
    assert grid == cells
    # eight columns since the rationale and evidence joined them: the recommendation still
    # the widest, by a good margin over the LA's
    assert max(grid) == grid[2] and grid[2] > 1.4 * grid[1]
    assert [c.text for c in document.tables[0].rows[0].cells][-2:] == ["Rationale", "Evidence"]


def test_docx_rag_cell_is_shaded_in_its_colour_and_names_it(built, document):
    for view, row in zip(built.state.views, document.tables[0].rows[1:], strict=True):
        cell = row.cells[5]
        assert cell.text == view.rag.label
        assert docx_fill(cell) == view.rag.colour


def test_docx_header_rows_repeat_and_rows_never_split(document):
    """Every body row is kept whole but the first: LibreOffice dropped the rest of a long table
    that began at a page's foot with a first row kept whole (a QA pass: 1 of 441 rows printed;
    checked by hand through LibreOffice)."""
    assert len(document.tables) == 4  # appendix, summary, opportunities, not yet rated
    for table in document.tables:
        assert docx_row_flags(table.rows[0]) == {"cantSplit", "tblHeader"}
        assert docx_row_flags(table.rows[1]) == set()
        for row in table.rows[2:]:
            assert docx_row_flags(row) == {"cantSplit"}


def test_docx_is_landscape_a4_with_title_purpose_and_key(built, document):
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    # Word stores page sizes in twentieths of a point: A4 is 297 x 210 mm to the nearest.
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "DfE Safety Valve Agreements: Mitigation Validation Exercise" in text
    assert built.state.council and built.state.council in text
    assert "1 May 2099" in text
    for rag in (Rag.GREEN, Rag.AMBER, Rag.RED):
        assert f"{rag.label.upper()}: {rag.definition}" in text


def test_docx_summary_counts_equal_summary_json(document, summary_json):
    table = document.tables[1]
    header = [c.text for c in table.rows[0].cells]
    shown = [RAG_OF_LABEL[h] for h in header[3:-1]]
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    expected = summary_lines(summary_json)
    assert len(rows) == len(expected)
    for row, (theme, sub, measures, rag) in zip(rows, expected, strict=True):
        assert row[0] == ("" if sub else theme) and row[1] == sub
        assert int(row[2]) == measures
        assert {r.value: int(v) for r, v in zip(shown, row[3:-1], strict=True)} == {
            r.value: rag[r.value] for r in shown
        }
        assert not any(rag[r.value] for r in Rag if r not in shown)


def test_docx_opportunities_and_unrated_lists(built, document):
    text_of = {v.id: v.measure.text for v in built.state.views}
    for table, ids in ((2, built.summary.opportunities), (3, built.summary.unrated)):
        rows = [[c.text for c in row.cells] for row in document.tables[table].rows[1:]]
        assert [(r[0], r[2]) for r in rows] == [(i, text_of[i]) for i in ids]


# -- Excel -----------------------------------------------------------------------------------


def test_xlsx_has_the_sheets_and_no_links_sheet_without_links(workbook):
    assert workbook.sheetnames == ["About", "Appendix", "Summary", "Opportunities", "Unrated"]


def test_xlsx_appendix_rows_fills_and_layout(built, workbook):
    ws = workbook["Appendix"]
    header = [c.value for c in ws[1]]
    # the measure's ID first, as in Word, HTML and Markdown
    assert header == [
        "Measure ID",
        "LA",
        "Recommendation",
        "Theme",
        "Sub-Theme",
        "RAG",
        "Rationale",
        "Evidence",
        "Carried forward",
    ]
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == len(built.state.views)
    for view, row in zip(built.state.views, rows, strict=True):
        # several themes or sub-themes with '; ', as in every format (review 8, finding 6)
        got = [c.value or "" for c in row]
        assert got == [view.id, *expected_row(view, "; "), *said(view), ""]
        rag = row[5]
        assert rag.fill.fgColor.rgb[-6:] == view.rag.colour
        assert row[2].alignment.wrap_text
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == ws.dimensions
    assert ws.column_dimensions["C"].width > ws.column_dimensions["B"].width > 10


def test_xlsx_rows_are_tall_enough_for_their_wrapped_text(workbook):
    ws = workbook["Appendix"]
    heights = {ws.cell(row=n, column=1).value: ws.row_dimensions[n].height for n in range(2, 29)}
    # bury-1 wraps to four lines in an 80-wide column; hammersmith-fulham-2 to two (its theme)
    assert heights["bury-1"] >= 2 * heights["hammersmith-fulham-2"]
    assert heights["hammersmith-fulham-2"] >= 15


def test_xlsx_summary_counts_equal_summary_json(workbook, summary_json):
    ws = workbook["Summary"]
    header = [c.value for c in ws[1]]
    shown = [RAG_OF_LABEL[h] for h in header[4:-1]]
    expected = summary_lines(summary_json)
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert len(rows) == len(expected)
    for row, (theme, sub, measures, rag) in zip(rows, expected, strict=True):
        assert (row[1], row[2] or "", row[3]) == (theme, sub, measures)
        assert dict(zip([r.value for r in shown], row[4:-1], strict=True)) == {
            r.value: rag[r.value] for r in shown
        }


def test_xlsx_opportunities_and_unrated_sheets(built, workbook):
    for sheet, ids in (
        ("Opportunities", built.summary.opportunities),
        ("Unrated", built.summary.unrated),
    ):
        ws = workbook[sheet]
        id_column = [c.value for c in ws[1]].index("Measure ID")
        assert [row[id_column].value for row in ws.iter_rows(min_row=2)] == ids


# -- both, after a change --------------------------------------------------------------------


def test_changing_one_rating_changes_exactly_that_row_and_the_counts(ws, tmp_path):
    before_dir, after_dir = tmp_path / "before", tmp_path / "after"
    write_reports(ws, "xlsx", before_dir, on=DAY)
    state = load_state(ws)
    # An unrated measure placed under a sub-theme, so theme, sub-theme and total all move.
    target = next(v.id for v in state.views if v.rag is Rag.UNRATED and v.measure.sub_themes)
    with admin(ws) as ctx:
        rate(ctx, target, "red", rationale="no transition plan yet")
    write_reports(ws, "xlsx", after_dir, on=DAY)
    before = load_workbook(before_dir / "report.xlsx")
    after = load_workbook(after_dir / "report.xlsx")

    def rows(wb, sheet):
        return [[c.value for c in r] for r in wb[sheet].iter_rows(min_row=2)]

    changed = [
        (b[0], b[5], a[5])
        for b, a in zip(rows(before, "Appendix"), rows(after, "Appendix"), strict=True)
        if b != a
    ]
    assert changed == [(target, "Not rated", "Red")]

    measure = state.catalogue.measure(target)
    moved = {(None, t) for t in measure.themes} | {(None, "All measures")}
    moved |= {(p.theme, p.sub_theme) for p in measure.placements if p.sub_theme}
    differing = set()
    for b, a in zip(rows(before, "Summary"), rows(after, "Summary"), strict=True):
        if b != a:
            differing.add((b[1], b[2]) if b[2] else (None, b[1]))
            header = [c.value for c in after["Summary"][1]]
            red, unrated = header.index("Red"), header.index("Not rated")
            assert (a[red] - b[red], a[unrated] - b[unrated]) == (1, -1)
    assert differing == moved


# -- formulas stay text ----------------------------------------------------------------------

FORMULA_LIKE = [
    '=HYPERLINK("http://x","y")',
    "+44 helpline for parents",
    "-5% spend on home to school transport",
    "@risk register reviewed each quarter",
]


def test_formula_like_measure_text_is_stored_as_text(empty_ws, db_path, tmp_path, capsys):
    appendix = tmp_path / "appendix.txt"
    lines = ["LA\tRecommendation\tTheme\tSub-Theme\tRAG"]
    lines += [f"Testshire\t{text}\tFinancial Efficiencies\t\tRed" for text in FORMULA_LIKE]
    appendix.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert (
        run(["--db", db_path, "import", "appendix", str(appendix), "--council", "Testshire"]) == 0
    )
    out = tmp_path / "out"
    assert run(["--db", db_path, "report", "--format", "xlsx", "--out", str(out)]) == 0
    wb = load_workbook(out / "report.xlsx")
    for sheet in ("Appendix", "Opportunities"):
        cells = [row[2] for row in wb[sheet].iter_rows(min_row=2)]
        assert [c.value for c in cells] == FORMULA_LIKE
        assert all(c.data_type == "s" and c.quotePrefix for c in cells)


# -- text longer than an Excel cell holds ----------------------------------------------------

LONG_TEXTS = {
    "words": "Reduce reliance on independent placements. " * 931,  # 40,033 characters
    # Two UTF-16 units each, placed so that a cut by units would split one in half.
    "astral": "x" + "\N{BOOKS}" * 20_000,
}


@pytest.mark.parametrize("kind", list(LONG_TEXTS))
def test_xlsx_cuts_text_at_the_cell_limit_and_says_so(empty_ws, db_path, tmp_path, kind):
    text = LONG_TEXTS[kind].strip()
    appendix = tmp_path / "appendix.txt"
    appendix.write_text(
        f"LA\tRecommendation\tTheme\tSub-Theme\tRAG\nTestshire\t{text}\tFinancial Efficiencies\t\tRed\n",
        encoding="utf-8",
    )
    assert run(["--db", db_path, "import", "appendix", str(appendix)]) == 0
    out = tmp_path / "out"
    assert run(["--db", db_path, "report", "--date", "2099-05-01", "--out", str(out)]) == 0
    wb = load_workbook(out / "report.xlsx")
    for sheet in ("Appendix", "Opportunities"):
        cell = wb[sheet].cell(row=2, column=3)
        kept = cell.value.removesuffix(xlsx.CUT_MARK)
        assert kept != cell.value and text.startswith(kept)
        # As full as a cell holds (Excel counts UTF-16 units): one short when a pair would split.
        assert xlsx.CELL_LIMIT - 1 <= len(cell.value.encode("utf-16-le")) // 2 <= xlsx.CELL_LIMIT
        assert wb[sheet].row_dimensions[2].height <= 409  # Excel's tallest row
    # What the mark promises: the other reports have the text in full.
    assert Document(str(out / "report.docx")).tables[0].cell(1, 2).text == text
    assert html.escape(text, quote=False) in (out / "report.html").read_text(encoding="utf-8")


# -- a real office suite opens them ----------------------------------------------------------


def first_words(text: str, n: int = 5) -> str:
    return " ".join(text.split()[:n])


@pytest.mark.office
@pytest.mark.parametrize("name", ["report.docx", "report.xlsx"])
def test_libreoffice_opens_the_report_and_shows_every_measure(built, tmp_path, name):
    need(shutil.which("libreoffice") is not None, "LibreOffice is not installed")
    need(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils) is not installed")
    profile = tmp_path / "profile"
    done = subprocess.run(
        [
            "libreoffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(built.file(name)),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    pdf = tmp_path / (Path(name).stem + ".pdf")
    assert pdf.exists(), done.stdout + done.stderr
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = " ".join(text.split())
    missing = [v.id for v in built.state.views if first_words(v.measure.text, 4) not in flat]
    assert not missing
    assert Rag.GREEN.label in flat and Rag.RED.label in flat


def broken_words(text: str, words: set[str]) -> list[str]:
    """Words of ``words`` that the rendered ``text`` shows split in two ("Coverag", "e")."""
    tokens = re.findall(r"[A-Za-z]+", text)
    return [f"{a}/{b}" for a, b in zip(tokens, tokens[1:], strict=False) if a + b in words]


@pytest.mark.office
def test_libreoffice_breaks_no_table_word_mid_word(ws, tmp_path):
    # Not applicable is the longest RAG word; the seed rates nothing so.
    with admin(ws) as ctx:
        rate(ctx, load_state(ws).views[0].id, "not-applicable", rationale="an academy trust's duty")
    out = tmp_path / "out"
    files = write_reports(ws, "all", out, on=DAY, since=date(2024, 2, 1))
    docx = [f for f in files if f.suffix == ".docx"]
    texts = rendered_text(docx, tmp_path)
    for path in docx:
        words = {
            w
            for table in Document(str(path)).tables
            for row in table.rows
            for cell in row.cells
            for w in re.findall(r"[A-Za-z]+", cell.text)
        }
        assert {"applicable", "Commissioning", "Measures", "Coverage"} & words
        text = texts[path]
        assert broken_words(text, words) == [], path.name


@pytest.mark.office
def test_libreoffice_keeps_the_savings_by_measure_table_words_whole(ws, tmp_path):
    """The impact section's "Savings by measure" table, as LibreOffice lays it out: its heading
    "Recommendation", the longest measure id and "Thames/Richmond" each on one line (the
    review found "Recommendati / on", "hammersmith- / fulham-3" and "Thames/Richmon / d")."""
    tracker = b"ID,Title,Measures\nA1,Inclusion fund,hammersmith-fulham-3;kingston-richmond-5\n"
    savings = (
        b'activity,year,expected,actual\nA1,2025-26,"\xc2\xa31,250,000.00","\xc2\xa3900,000"\n'
    )
    with admin(ws) as ctx:
        activities.import_activities(ctx, tracker, "tracker.csv")
        impact.import_savings(ctx, savings, "savings.csv")
    out = tmp_path / "out"
    document = write_reports(ws, "docx", out, on=DAY)[0]
    text = rendered_text([document], tmp_path)[document]
    table = text[text.index("Savings by measure") : text.index("Savings by theme")]
    words = table.split()
    assert {"Recommendation", "hammersmith-fulham-3", "kingston-richmond-5"} <= set(words)
    assert any(w.endswith("Thames/Richmond") for w in words), table
    assert broken_words(table, {"Recommendation", "Activities", "Expected"}) == []


def test_docx_every_table_has_widths_that_fill_the_page_in_grid_and_cells(ws, tmp_path):
    files = write_reports(ws, "all", tmp_path, on=DAY, since=date(2024, 2, 1))
    rag_words = {r.label for r in Rag} | {"RAG"}
    for path in (f for f in files if f.suffix == ".docx"):
        document = Document(str(path))
        section = document.sections[0]
        text_width = section.page_width - section.left_margin - section.right_margin
        assert document.tables
        for table in document.tables:
            grid = [column.width for column in table.columns]
            assert None not in grid, path.name
            # Word and LibreOffice store widths in twentieths of a point: equal to 1 mm.
            assert abs(sum(grid) - text_width) < Mm(1), path.name
            for row in table.rows:
                assert [cell.width for cell in row.cells] == grid, path.name
            for cell, width in zip(table.rows[0].cells, grid, strict=True):
                if cell.text in rag_words:
                    assert width >= Mm(24), (path.name, cell.text)


# -- file properties -------------------------------------------------------------------------

REPORT_FILES = {"docx": "report.docx", "xlsx": "report.xlsx", "position": "position.docx"}


def core_properties(path: Path) -> dict[str, object]:
    """The file's core properties as Word and Excel show them, read back by each library."""
    if path.suffix == ".xlsx":
        p = load_workbook(path).properties
        return {
            "title": p.title,
            "subject": p.subject,
            "author": p.creator,
            "last_modified_by": p.lastModifiedBy,
            "created": p.created,
            "modified": p.modified,
            "description": p.description or "",
            "keywords": p.keywords or "",
        }
    p = Document(str(path)).core_properties
    return {
        "title": p.title,
        "subject": p.subject,
        "author": p.author,
        "last_modified_by": p.last_modified_by,
        "created": p.created.replace(tzinfo=None),
        "modified": p.modified.replace(tzinfo=None),
        "description": p.comments,  # python-docx's name for dc:description
        "keywords": p.keywords,
    }


@pytest.mark.parametrize("fmt", list(REPORT_FILES))
def test_office_file_properties_name_the_report_and_its_date(ws, tmp_path, fmt):
    state = load_state(ws)
    title, council = "Quarterly <check> & review", "Testshire County Council"
    files = []
    for run_dir in ("first", "second"):
        out = tmp_path / run_dir
        write_reports(
            ws, fmt, out, on=DAY, title=title, council_name=council, since=date(2024, 2, 1)
        )
        files.append(out / REPORT_FILES[fmt])
    props = core_properties(files[0])
    assert props["title"] == (f"Position statement: {title}" if fmt == "position" else title)
    assert props["subject"] and (
        "period" in props["subject"] or state.assessment in props["subject"]
    )
    # XlsxWriter records the author as the last to modify the file too.
    modified_by = council if fmt == "xlsx" else "Valvecheck"
    assert (props["author"], props["last_modified_by"]) == (council, modified_by)
    assert props["created"] == props["modified"] == datetime.combine(DAY, time.min)
    assert (props["description"], props["keywords"]) == ("", "")
    assert "python-docx" not in str(props) and "openpyxl" not in str(props)
    # Two runs with the same --date write the same properties, byte for byte.
    core = [zipfile.ZipFile(f).read("docProps/core.xml") for f in files]
    assert core[0] == core[1]


def test_docx_id_and_la_columns_widen_for_a_catalogues_longer_words():
    """The seed's longest id and LA fit the set widths; a catalogue's own longer ones widen
    their columns (LibreOffice would break them mid-word), the recommendation giving way."""
    from valvecheck.reports import docx
    from valvecheck.reports.model import ReportRow

    def row(mid: str, la: str) -> ReportRow:
        return ReportRow(mid, la, "Text", (), (), Rag.RED)

    seed = [row("hammersmith-fulham-6", "Kingston upon Thames/Richmond upon Thames")]
    long = [row("north-northamptonshire-council-12", "Northamptonshire/Buckinghamshire")]
    seed_widths = docx.id_la_widths(seed, docx.ID_WIDTH, docx.LA_WIDTH)
    assert seed_widths[0] <= docx.ID_WIDTH + Mm(2) and seed_widths[1] == docx.LA_WIDTH
    widths = docx.id_la_widths(long, docx.ID_WIDTH, docx.LA_WIDTH)
    assert widths[0] > docx.ID_WIDTH + Mm(15) and widths[1] > docx.LA_WIDTH + Mm(10)
    appendix = docx.appendix_widths(long)
    assert sum(appendix) == docx.TEXT_WIDTH and appendix[2] < docx.appendix_widths(seed)[2]
