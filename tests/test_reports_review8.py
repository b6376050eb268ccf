"""The reports after review 8 (how committee readers see them): one rounding of a coverage in
every format, the workbook's impact sheets as tall as their text and printed like the rest,
the HTML's printed header and total, an honest footer, sub-themes with '; ' in Excel, totals
out of the filters, whole ids in Word's "Also in", a wider recommendation column, empty sheets
that say so, and the period's start in the position statement's header."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import need
from docx import Document
from docx.shared import Mm
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from reports_support import DAY, day_is_today, rendered_text
from support import admin, load_state, report_data, write_reports

from valvecheck.domain.percent import percent, whole_percent
from valvecheck.domain.rag import Rag
from valvecheck.reports import docx as word
from valvecheck.reports import xlsx
from valvecheck.reports.model import ReportRow
from valvecheck.services import activities, impact, ratings
from valvecheck.services import trajectory as trajectories

# Reports here are dated DAY (2099): today is DAY for every test, as the report needs.
pytestmark = pytest.mark.usefixtures(day_is_today.__name__)


def docx_summary(path: Path) -> dict[str, str]:
    """The Word summary table: each theme's (or sub-theme's, or the total's) coverage."""
    table = next(t for t in Document(str(path)).tables if t.rows[0].cells[-1].text == "Coverage")
    return {(r.cells[1].text or r.cells[0].text): r.cells[-1].text for r in table.rows[1:]}


def three_of_24(ws) -> None:
    """Workspace d of the review: a new assessment, 3 green and 3 not applicable, so coverage is
    3 of 24 applicable measures, 12.5%."""
    with admin(ws, by="Ann") as ctx:
        ratings.new_assessment(ctx, "Bristol: 2026 refresh", use=True)
        for m in ("bury-1", "bury-2", "bury-3"):
            ratings.rate(ctx, m, "green", "done")
        for m in ("bury-4", "bury-5", "stoke-on-trent-8"):
            ratings.rate(ctx, m, "not-applicable", "does not apply")


# -- 1: one rounding rule -------------------------------------------------------------------


def test_a_half_percent_rounds_up():
    assert [percent(x) for x in (0.125, 0.375, 0.625, 0.875)] == ["13%", "38%", "63%", "88%"]
    assert percent(23 / 40) == "58%"  # the double is a shade under 0.575
    assert percent(0.005) == "1%"
    assert (percent(0.0), percent(1.0), percent(51 / 101)) == ("0%", "100%", "50%")


def test_whole_percent_is_the_ratios_own_half_up_for_every_small_ratio():
    for b in range(1, 241):
        for a in range(b + 1):
            exact = Fraction(100 * a, b)
            half_up = int(exact + Fraction(1, 2))
            assert whole_percent(a / b) == half_up, (a, b)


def test_a_coverage_of_12_point_5_percent_is_13_percent_in_every_format(ws, tmp_path):
    three_of_24(ws)
    write_reports(ws, "all", tmp_path, on=DAY)
    line = "27 measures; coverage (green and amber) 13% of 24 applicable measures."
    assert line in (tmp_path / "report.md").read_text("utf-8")
    assert line in (tmp_path / "report.html").read_text("utf-8")
    assert any(p.text == line for p in Document(str(tmp_path / "report.docx")).paragraphs)
    assert docx_summary(tmp_path / "report.docx")["All measures"] == "13%"
    wb = load_workbook(tmp_path / "report.xlsx")
    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True) if r[0]}
    assert about["Coverage"] == line
    summary = wb["Summary"]
    total = next(r for r in summary.iter_rows(min_row=2) if r[0].value == "All measures")
    # the whole percent the other formats print, shown as such: no spreadsheet rounds it again
    assert total[-1].value == 0.13 and total[-1].number_format == "0%"


def test_the_seeds_one_in_eight_is_13_percent_in_word_markdown_html_and_the_workbook(ws, tmp_path):
    write_reports(ws, "all", tmp_path, on=DAY)
    assert docx_summary(tmp_path / "report.docx")["Financial Efficiencies"] == "13%"
    md = (tmp_path / "report.md").read_text("utf-8")
    assert "| **Financial Efficiencies** |  | 8 | 0 | 1 | 3 | 4 | 13% |" in md
    html = (tmp_path / "report.html").read_text("utf-8")
    row = next(x for x in html.splitlines() if ">Financial Efficiencies</th>" in x)
    assert row.endswith('<td class="num">13%</td></tr>')
    summary = load_workbook(tmp_path / "report.xlsx")["Summary"]
    cell = next(
        r[-1] for r in summary.iter_rows(min_row=2) if r[1].value == "Financial Efficiencies"
    )
    assert cell.value == 0.13


@pytest.mark.office
def test_libreoffice_shows_the_summary_sheets_coverage_as_word_prints_it(ws, tmp_path):
    need(shutil.which("libreoffice") is not None, "LibreOffice is not installed")
    three_of_24(ws)
    write_reports(ws, "all", tmp_path, on=DAY)
    # every sheet as CSV, each cell as LibreOffice shows it (token 9), all sheets (token 12)
    subprocess.run(
        [
            "libreoffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1",
            "--outdir",
            str(tmp_path / "csv"),
            str(tmp_path / "report.xlsx"),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )
    import csv

    with (tmp_path / "csv" / "report-Summary.csv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f))[1:]
    shown = {(r[2] or r[1]): r[-1] for r in rows}
    word_says = docx_summary(tmp_path / "report.docx")
    assert shown == word_says
    assert shown["All measures"] == "13%"


# -- 2 and 7: the impact sheets --------------------------------------------------------------

LONG_TITLE = (
    "Inclusion Partnership Fund, locality-based top-up without an EHCP (pilot in East, rolling "
    "out to North-West and South from January subject to Schools Forum approval)"
)


@pytest.fixture
def impact_book(ws, tmp_path):
    # L-01 delivers two measures (the tracker's Measures column links them); L-02 none yet
    tracker = (
        f'ID,Title,Measures\nL-01,"{LONG_TITLE}",bury-4;stoke-on-trent-5\nL-02,Post-16 review,\n'
    ).encode()
    trajectory = (
        "year,unmitigated,target,actual\n2048-49,£12000000,£9000000,£11500000\n"
        "2049-50,£14000000,£7000000,\n"
    )
    with admin(ws, by="Ann") as ctx:
        ratings.rate(ctx, "bury-5", "green", "funding panel with health and care")
        activities.import_activities(ctx, tracker, "tracker.csv")
        trajectories.import_trajectory(ctx, trajectory.encode(), "t.csv")
        impact.set_saving(ctx, "L-01", "2048-49", expected="£250000", actual="£180000.50")
        impact.set_saving(ctx, "L-01", "2049-50", expected="£400000")
        impact.set_saving(ctx, "L-02", "2048-49", expected="£50000")
    write_reports(ws, "xlsx", tmp_path, on=DAY)
    return load_workbook(tmp_path / "report.xlsx")


def height(ws, row: int) -> float:
    """A row's height in points (openpyxl leaves a row of the default 15 unrecorded)."""
    return ws.row_dimensions[row].height or 15


def width(ws, column: int) -> int:
    """A column's width in characters (openpyxl keeps neighbours of one width as one range)."""
    return next(
        int(d.width) for d in ws.column_dimensions.values() if d.min <= column <= (d.max or d.min)
    )


def test_impact_rows_are_as_tall_as_their_wrapped_text(impact_book):
    ws = impact_book["Impact by activity"]
    header = [c.value for c in ws[2]]
    title = header.index("Title")
    wide = width(ws, title + 1)
    long_rows = [r for r in range(3, ws.max_row + 1) if ws.cell(r, title + 1).value == LONG_TITLE]
    assert len(long_rows) == 2
    for r in long_rows:
        assert height(ws, r) >= xlsx.LINE_HEIGHT * xlsx.lines_needed(LONG_TITLE, wide)
        assert height(ws, r) >= 90  # six lines at least


def test_an_impact_sheets_title_spans_the_table_and_never_wraps_into_its_header(impact_book):
    for name in ("Impact by year", "Impact by activity", "Impact by measure", "Impact by theme"):
        ws = impact_book[name]
        caption = ws["A1"].value
        merged = [str(m) for m in ws.merged_cells.ranges]
        across = sum(width(ws, c) for c in range(1, ws.max_column + 1))
        assert merged == [f"A1:{get_column_letter(ws.max_column)}1"], name
        assert height(ws, 1) >= xlsx.LINE_HEIGHT * xlsx.lines_needed(caption, across), name
        # a header that wraps in its column is as tall as it needs
        for cell in ws[2]:
            lines = xlsx.lines_needed(cell.value, width(ws, cell.column))
            assert height(ws, 2) >= xlsx.LINE_HEIGHT * lines, (name, cell.value)


def test_the_flags_sheet_prints_landscape_to_the_pages_width_each_flag_as_tall_as_it_wraps(
    impact_book,
):
    ws = impact_book["Impact flags"]
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # one page wide (1, Excel's default, is left unwritten), as many pages tall as it takes
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    wide = width(ws, 1)
    # the flags, then the note and the key under their own heading; blank rows between
    flags = [(r, ws.cell(r, 1).value) for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value]
    assert any(xlsx.lines_needed(text, wide) > 1 for _, text in flags)
    for r, text in flags:
        assert height(ws, r) >= xlsx.LINE_HEIGHT * xlsx.lines_needed(text, wide), text


def test_no_total_is_inside_a_filter(impact_book):
    """Sorted by a column, a total in the filter's range lands among the rows it adds up."""
    for name in ("Impact by year", "Impact by measure", "Impact by theme"):
        ws = impact_book[name]
        last = int(ws.auto_filter.ref.split(":")[1].lstrip("ABCDEFGHI"))
        inside = [ws.cell(r, 1).value for r in range(3, last + 1)]
        after = [ws.cell(r, 1).value for r in range(last + 1, ws.max_row + 1)]
        assert inside and not any(str(v).startswith("Total") for v in inside), name
        assert after and all(str(v).startswith("Total") for v in after), name
    summary = impact_book["Summary"]
    last = get_column_letter(summary.max_column)
    assert summary.auto_filter.ref == f"A1:{last}{summary.max_row - 1}"
    assert summary.cell(summary.max_row, 1).value == "All measures"


# -- 3 and 4: the printed HTML ---------------------------------------------------------------


def css_unescape(text: str) -> str:
    """A CSS string's escapes read as CSS reads them: up to six hex digits and then one white
    space, which belongs to the escape."""
    return re.sub(r"\\([0-9a-fA-F]{1,6})[ \t\n]?", lambda m: chr(int(m[1], 16)), text)


def test_the_printed_headers_spaces_after_a_colon_dash_or_ampersand_survive(ws, tmp_path):
    name = 'Brighton & Hove "City" Council'
    write_reports(ws, "html", tmp_path, on=DAY, council_name=name)
    page = (tmp_path / "report.html").read_text("utf-8")
    top = re.search(r"@top-left \{ content: \"([^\"]*)\"", page)
    assert top is not None
    assert css_unescape(top[1]) == (
        "DfE Safety Valve Agreements: Mitigation Validation Exercise — "
        'Brighton & Hove "City" Council — 1 May 2099'
    )


def test_the_summary_total_is_no_footer_repeated_on_every_printed_page(ws, tmp_path):
    write_reports(ws, "html", tmp_path, on=DAY)
    style = (tmp_path / "report.html").read_text("utf-8").split("@media print {", 1)[1]
    assert "tfoot { display: table-row-group; }" in style.split("</style>", 1)[0]


def print_html(html: Path, folder: Path) -> str:
    """The page as Chromium prints it (A4 landscape, its own header and footer), as text."""
    need(shutil.which("chromium") is not None, "Debian's chromium is not installed")
    need(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils) is not installed")
    pdf = folder / "printed.pdf"
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={folder / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.browser
def test_chromium_prints_the_header_as_typed_the_total_once_and_ids_whole(ws, tmp_path):
    write_reports(ws, "html", tmp_path, on=DAY)
    text = print_html(tmp_path / "report.html", tmp_path)
    pages = text.split("\f")
    head = "DfE Safety Valve Agreements: Mitigation Validation Exercise — Bristol — 1 May 2099"
    assert all(p.strip().startswith(head) for p in pages if p.strip()), pages[0][:200]
    # the summary table starts near a page's foot: a repeated footer would print it twice
    assert len(re.findall(r"All measures +27\b", text)) == 1
    # every measure id on one line in the ID columns, never "hammersmith- / fulham-1"
    words = set(text.split())
    assert {v.id for v in load_state(ws).views} <= words
    assert not re.search(r"(hammersmith|kingston|stoke-on)-\s*$", text, re.M)


# -- 5: the footer ---------------------------------------------------------------------------


def test_a_report_dated_earlier_does_not_say_it_was_produced_then(ws, tmp_path):
    write_reports(ws, "html", tmp_path, on=date(2099, 3, 14))
    page = (tmp_path / "report.html").read_text("utf-8")
    footer = page.split("<footer>", 1)[1].split("</footer>", 1)[0]
    assert "Produced by Valvecheck on" not in footer
    assert "Position as at the end of 14 March 2099. Produced by Valvecheck." in footer


# -- 6: sub-themes in Excel ------------------------------------------------------------------


def test_excel_separates_several_sub_themes_with_a_semicolon_as_every_format_does(ws, tmp_path):
    write_reports(ws, "xlsx", tmp_path, on=DAY)
    wb = load_workbook(tmp_path / "report.xlsx")
    seen = 0
    for name in ("Appendix", "Opportunities", "Unrated"):
        sheet = wb[name]
        header = [c.value for c in sheet[1]]
        for row in sheet.iter_rows(min_row=2, values_only=True):
            theme, sub = row[header.index("Theme")], row[header.index("Sub-Theme")]
            assert "\n" not in (theme or "") + (sub or ""), (name, row[0])
            if row[0] == "bury-1":
                assert sub == "EHCP Assessment and Review; Transitions", name
                seen += 1
    assert seen >= 1


# -- 8: ids in Word's "Also in" --------------------------------------------------------------


def reds_shared_elsewhere(ws) -> None:
    """Workspace c of the review: two reds that other agreements also hold."""
    with admin(ws, by="Ann") as ctx:
        ratings.rate(ctx, "bury-4", "red", "no mainstream inclusion offer")
        ratings.rate(ctx, "kingston-richmond-7", "red", "nothing under way")


def test_word_also_in_starts_each_other_measures_id_on_a_line_of_its_own(ws, tmp_path):
    reds_shared_elsewhere(ws)
    write_reports(ws, "docx", tmp_path, on=DAY)
    data = report_data(ws, on=DAY)
    table = next(
        t
        for t in Document(str(tmp_path / "report.docx")).tables
        if t.rows[1].cells[0].text == "bury-4"
    )
    shared = {r.id: r for r in data.opportunities if r.also_in}
    assert set(shared) == {"bury-4", "kingston-richmond-7"}
    for row in table.rows[1:]:
        found = shared.get(row.cells[0].text)
        if found is None:
            continue
        lines = row.cells[2].text.split("\n")
        at = lines.index("Also in:")
        assert [x.split(" ")[0] for x in lines[at + 1 :]] == list(found.also_in)
    # the recommendation column holds the longest id on a line
    rec = table.columns[2].width
    assert rec >= max(word.longest_word(r.also_in, 10, bold=False) for r in shared.values())


@pytest.mark.office
def test_libreoffice_never_breaks_an_also_in_id_at_its_hyphens(ws, tmp_path):
    reds_shared_elsewhere(ws)
    document = write_reports(ws, "docx", tmp_path / "out", on=DAY)[0]
    text = rendered_text([document], tmp_path)[document]
    section = text[text.index("Opportunities (") : text.index("Not yet rated (")]
    words = section.split()
    for mid in ("hammersmith-fulham-4", "stoke-on-trent-5", "stoke-on-trent-7"):
        assert mid in words, section
    assert not re.search(r"\bstoke-on-\s*\n|hammersmith-\s*\n", section), section


# -- 9: the recommendation's room in the Word appendix ---------------------------------------


def test_the_word_appendix_gives_the_recommendation_the_room_empty_columns_leave(ws, tmp_path):
    write_reports(ws, "docx", tmp_path, on=DAY)
    table = Document(str(tmp_path / "report.docx")).tables[0]
    widths = {c.text: col.width for c, col in zip(table.rows[0].cells, table.columns, strict=True)}
    # the seed: 17 of 27 measures have no rationale and no evidence at all
    assert widths["Recommendation"] >= Mm(70)
    assert widths["Rationale"] >= word.word_width("Rationale", 9)
    assert widths["Evidence"] >= word.word_width("Evidence", 9)


def row(rationale: str = "", evidence: str = "", text: str = "Do the thing.") -> ReportRow:
    return ReportRow("bury-1", "Bury", text, ("Theme",), (), Rag.GREEN, rationale, evidence)


def test_appendix_widths_keep_the_old_widths_when_every_row_has_its_rationale_and_evidence():
    words = "a reason given at length with the evidence behind it " * 6
    full = [row(words, "https://example.org/a\nminutes " + words) for _ in range(5)]
    widths = word.appendix_widths(full)
    assert widths[6:] == (word.SMALL_RATIONALE_WIDTH, word.SMALL_EVIDENCE_WIDTH)
    assert abs(sum(widths) - word.TEXT_WIDTH) < Mm(0.1)
    # none at all: each as wide as its header, the recommendation the rest
    bare = word.appendix_widths([row() for _ in range(5)])
    assert bare[6] == word.word_width("Rationale", 9) and bare[7] == word.word_width("Evidence", 9)
    assert bare[2] > widths[2]
    assert abs(sum(bare) - word.TEXT_WIDTH) < Mm(0.1)
    # a long word is never cut: the column is at least as wide as it
    long = word.appendix_widths([row("Commissioning"), *[row(text=words) for _ in range(9)]])
    assert long[6] >= word.longest_word(["Commissioning"], 9, bold=False)


def test_one_long_rationale_among_short_ones_is_as_wide_as_keeps_the_appendix_shortest():
    """From a QA pass: one measure rated with a 200-word rationale, the rest not rated, gave the
    rationale its share of the table's text (2.3 cm), and its row ran down three pages. The
    rationale is now as wide as makes the table shortest (every row's tallest cell, added up):
    wider for the long one, but not at the cost of every other row's recommendation."""
    reason = " ".join(["the resource base opened in September with twelve places"] * 22)
    short = "Expand specialist provision in the borough."
    rows = [row(reason), *[row(text=short)] * 26]
    widths = word.appendix_widths(rows)
    assert widths[6] > word.SMALL_RATIONALE_WIDTH + Mm(15)  # short recommendations: room to take
    assert abs(sum(widths) - word.TEXT_WIDTH) < Mm(0.1)
    long_recommendations = [row(reason), *[row(text=" ".join([short] * 12))] * 26]
    kept = word.appendix_widths(long_recommendations)
    assert kept[6] < widths[6] and kept[2] > widths[2]  # every row's recommendation counts more
    full = [row("reason " * 40, text=short)] * 5  # every row's rationale the same: none ran on
    assert word.appendix_widths(full)[6] >= word.SMALL_RATIONALE_WIDTH


# -- 10: empty sheets ------------------------------------------------------------------------


def test_an_empty_sheet_says_what_the_other_formats_say(ws, tmp_path):
    ids = [view.id for view in load_state(ws).views]
    with admin(ws, by="Ann") as ctx:
        ratings.new_assessment(ctx, "Bristol: all green", use=True)
        for mid in ids:
            ratings.rate(ctx, mid, "green", "in place")
    write_reports(ws, "all", tmp_path, on=DAY)
    wb = load_workbook(tmp_path / "report.xlsx")
    md = (tmp_path / "report.md").read_text("utf-8")
    for name, said in (
        ("Opportunities", "No measure is rated red."),
        ("Unrated", "Every measure has a rating."),
    ):
        sheet = wb[name]
        assert said in md
        assert sheet.cell(2, 1).value == said, name
        assert sheet.max_row == 2, name
        # the sentence is no row of the table: the filter is on the header alone
        assert sheet.auto_filter.ref.endswith("1"), name


# -- 11: the position statement's "Changes since" --------------------------------------------


def test_the_changes_column_names_the_periods_start(ws, tmp_path):
    write_reports(ws, "position", tmp_path, on=DAY, since=date(2099, 1, 1))
    md = (tmp_path / "position.md").read_text("utf-8")
    header = next(x for x in md.splitlines() if x.startswith("| ID |"))
    assert header.rstrip(" |").endswith("| Changes since 1 January 2099")
    table = Document(str(tmp_path / "position.docx")).tables[0]
    assert table.rows[0].cells[-1].text == "Changes since 1 January 2099"
