"""The finance lead's QA pass over the impact reports: each test here fails without its fix.

1. Markdown writes a net cost -£480,000.00, not \\-£480,000.00; 2. Excel shows it -£480,000.00
too, not (£480,000.00); 3. the Excel chart covers the trajectory's years exactly; 4. axis labels
read right at any size (£999bn, never £1e+06m); 5. a financial year far from now is refused,
naming the years allowed; 6. Word checks spelling in British English; 7. in Word a heading,
intro and chart stay together, a total never starts a page alone, and a bold total never
breaks mid-number; 8. the flags and appendix sheets print whole and readably; 9. withdrawing a
figure on the command line says so.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Emu, Twips
from openpyxl import load_workbook
from reports_support import today_is
from support import admin, write_reports

from valvecheck.domain.impact import TrajectoryYear, roll_up
from valvecheck.domain.money import Invalid, money_text, parse_year
from valvecheck.errors import ImportRejected, InputError
from valvecheck.reports.docx_fit import word_width
from valvecheck.reports.impact_chart import line_chart, said_money, short_money
from valvecheck.reports.impact_font import GLYPHS
from valvecheck.reports.markdown import escape, table
from valvecheck.services import activities, impact, links
from valvecheck.services import trajectory as trajectories
from valvecheck.services.workspace import init_workspace, unit_of_work
from valvecheck.store.db import Workspace

DAY = date(2026, 3, 16)  # in 2025-26
# eight columns of eight-figure amounts: too wide for the page at 10 pt
TRAJECTORY = (
    "year,unmitigated,target,actual\n"
    "2024-25,£12500000,£10000000,£11250000.50\n"
    "2025-26,£14200000,£8000000,\n"
    "2026-27,£16000000,-£500000,\n"
    "2027-28,£18000000,£0,\n"
)
TRAJECTORY_YEARS = ["2024-25", "2025-26", "2026-27", "2027-28"]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every report of a council with a net cost (-£480,000.00), savings a year before and a
    year after its trajectory, and a flag; written once for the module (the tests only read)."""
    base = tmp_path_factory.mktemp("finance-qa")
    ws = Workspace(str(base / "valvecheck.db"))
    with today_is(DAY):
        init_workspace(ws)
        with admin(ws) as ctx:
            activities.import_activities(ctx, b"id,title\nA1,Post-16\nA2,Inclusion\n", "a.csv")
            links.link(ctx, "A1", "bury-1")
            links.link(ctx, "A2", "bury-2")
            trajectories.import_trajectory(ctx, TRAJECTORY.encode(), "t.csv")
            impact.set_saving(ctx, "A1", "2023-24", expected="£100000")
            impact.set_saving(ctx, "A1", "2024-25", expected="-£480,000", actual="-£500,000")
            impact.set_saving(ctx, "A2", "2025-26", expected="£2,000,000")
            impact.set_saving(ctx, "A2", "2028-29", expected="£300,000")
        write_reports(ws, "all", base / "out", on=DAY)
    ws.dispose()
    yield base / "out"


# -- 1. Markdown: a net cost as the other formats write it ---------------------------------------


def test_markdown_writes_a_net_cost_as_html_does_never_with_an_escaped_minus(reports):
    text = (reports / "report.md").read_text("utf-8")
    html = (reports / "report.html").read_text("utf-8")
    assert "| -£480,000.00 |" in text and "-£480,000.00" in html
    assert "\\-£" not in text


def test_a_markdown_cell_is_left_as_typed_but_a_line_still_escapes_its_list_marker():
    assert table(["Saving"], [["-£480,000.00"], ["1. first"]]).splitlines()[2:] == [
        "| -£480,000.00 |",
        "| 1. first |",
    ]
    assert escape("- not a list") == "\\- not a list"  # a paragraph or a list item's text
    assert escape("a | b *c*", starts_line=False) == "a \\| b \\*c\\*"  # still literal


# -- 2. Excel: the same convention for a net cost ------------------------------------------------


def test_excel_shows_a_net_cost_with_a_minus_in_pounds_and_pence_as_every_format(reports):
    sheet = load_workbook(reports / "report.xlsx")["Impact by year"]
    row = next(r for r in sheet.iter_rows(min_row=3) if r[0].value == "2024-25")
    expected = row[2]
    assert expected.value == -480000
    assert expected.number_format == "£#,##0.00;-£#,##0.00"
    # the negative section is money_text's shape: minus, pound sign, pence
    assert money_text(D("-480000")) == "-£480,000.00"


# -- 3 and 4. The Excel chart: the trajectory's years, labels at any size ------------------------


def _chart_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        [name] = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        return z.read(name).decode()


def test_the_excel_chart_covers_exactly_the_trajectorys_years(reports):
    xml = _chart_xml(reports / "report.xlsx")
    categories = set(re.findall(r"<c:cat>.*?<c:f>(.*?)</c:f>", xml, re.S))
    assert len(categories) == 1
    [ref] = categories
    first, last = map(int, re.fullmatch(r"'Impact by year'!\$A\$(\d+):\$A\$(\d+)", ref).groups())
    sheet = load_workbook(reports / "report.xlsx")["Impact by year"]
    years = [sheet.cell(r, 1).value for r in range(first, last + 1)]
    assert years == TRAJECTORY_YEARS  # not 2023-24 before it nor 2028-29 after it
    values = re.findall(r"<c:val>.*?<c:f>'Impact by year'!\$[B-I]\$(\d+):\$[B-I]\$(\d+)", xml, re.S)
    assert values == [(str(first), str(last))] * 4  # the four lines


def _huge() -> list[TrajectoryYear]:
    return [
        TrajectoryYear("2024-25", D("12500000.00"), D("10000000.00")),
        TrajectoryYear("2025-26", D("999000000000.00"), D("8000000.00")),
    ]


@pytest.mark.parametrize(
    ("amount", "label"),
    [
        (1e12, "£1,000bn"),
        (999e9, "£999bn"),
        (2.5e9, "£2.5bn"),
        (1e6, "£1m"),
        (-2.5e6, "-£2.5m"),
        (5e5, "£500k"),
        (999_999.9999999, "£1m"),  # rounds up to a thousand of its unit: the next unit
        (0.0, "£0"),
    ],
)
def test_tick_labels_read_as_written_at_any_size(amount, label):
    assert short_money(amount) == label


@pytest.mark.parametrize(
    ("amount", "said"),
    [
        ("999999.99", "£1.00m"),  # rounds up to a thousand of its unit: the next unit
        ("-999999.999", "-£1.00m"),
        ("999.999", "£1.00k"),
        ("999994.99", "£999.99k"),
        ("1234", "£1.23k"),
        ("999999999999.99", "£1,000.00bn"),  # no unit above billions
    ],
)
def test_the_alt_text_never_says_a_thousand_of_a_unit(amount, said):
    assert said_money(D(amount)) == said


def test_a_chart_of_999_billion_reads_in_billions_and_its_font_can_draw_every_label():
    found = roll_up(
        assessment="A",
        trajectory=_huge(),
        savings=[],
        links={},
        weights={},
        measures=[],
        titles={},
        day=DAY,
    )
    chart = line_chart(found)
    assert chart is not None
    labels = [label for label, _ in chart.ticks]
    assert labels[-1] == "£1,000bn" and "£200bn" in labels
    assert not any("e+" in label for label in labels)
    assert set("".join(labels)) <= set(GLYPHS)  # the PNG for Word draws each character


def test_the_excel_charts_axis_is_labelled_in_one_unit_with_the_charts_ticks(tmp_path):
    ws = Workspace(str(tmp_path / "huge.db"))
    with today_is(DAY):
        init_workspace(ws)
        with admin(ws) as ctx:
            trajectory = (
                b"year,unmitigated,target\n2024-25,12500000,10000000\n2025-26,999000000000,0\n"
            )
            trajectories.import_trajectory(ctx, trajectory, "t.csv")
        write_reports(ws, "xlsx", tmp_path / "out", on=DAY)
    ws.dispose()
    xml = _chart_xml(tmp_path / "out" / "report.xlsx")
    axis = xml[xml.index("<c:valAx>") : xml.index("</c:valAx>")]
    assert 'formatCode="£#,##0,,,&quot;bn&quot;;-£#,##0,,,&quot;bn&quot;"' in axis
    assert '<c:max val="1000000000000"/>' in axis and '<c:majorUnit val="200000000000"/>' in axis


# -- 5. a financial year far from now ------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "read"),
    [("1999-00", ""), ("2099-00", ""), ("99/00", " (read as 2099-00)"), ("2009-10", "")],
)
def test_a_year_outside_a_plans_years_is_refused_naming_the_years_allowed(typed, read):
    with pytest.raises(Invalid) as caught:
        parse_year(typed)
    assert caught.value.code == "year-out-of-range"
    assert str(caught.value) == (
        f"'{typed}'{read} is outside the years a high needs deficit plan covers: give a "
        "financial year from 2010-11 to 2050-51"
    )


@pytest.mark.parametrize(
    ("typed", "year"), [("2010-11", "2010-11"), ("2050/51", "2050-51"), ("FY25/26", "2025-26")]
)
def test_the_years_at_either_end_of_the_range_are_accepted(typed, year):
    assert parse_year(typed) == year


def test_2051_52_is_refused_and_a_malformed_year_is_still_not_a_financial_year():
    with pytest.raises(Invalid, match="from 2010-11 to 2050-51"):
        parse_year("2051-52")
    with pytest.raises(Invalid) as caught:
        parse_year("1999-01")  # the second year does not follow the first
    assert caught.value.code == "not-a-financial-year"


@pytest.fixture
def council(ws):
    with admin(ws) as ctx:
        activities.import_activities(ctx, b"id,title\nA1,Post-16\nA2,Inclusion\n", "a.csv")
    return ws


@pytest.mark.parametrize(
    ("importer", "content", "line"),
    [
        ("savings", "activity,year,expected\nA1,2025-26,£100\nA2,2099-00,£100\n", 3),
        ("trajectory", "year,unmitigated\n1999-00,£1\n", 2),
    ],
    ids=["savings", "trajectory"],
)
def test_an_import_names_the_file_row_and_column_of_a_year_out_of_range(
    council, importer, content, line
):
    with admin(council) as ctx, pytest.raises(ImportRejected) as caught:
        if importer == "savings":
            impact.import_savings(ctx, content.encode(), "plan.csv")
        else:
            trajectories.import_trajectory(ctx, content.encode(), "plan.csv")
    [problem] = caught.value.problems
    assert (problem.code, problem.line, problem.column) == ("year-out-of-range", line, "year")
    assert problem.file.startswith("plan.csv") and "2010-11 to 2050-51" in problem.message


def test_a_year_out_of_range_is_refused_by_hand_at_the_year(council):
    with admin(council) as ctx, pytest.raises(InputError) as caught:
        impact.set_saving(ctx, "A1", "2099-00", expected="£100")
    assert caught.value.field == "year" and "2010-11 to 2050-51" in str(caught.value)


def test_a_year_recorded_before_the_range_was_checked_is_restored_and_can_be_withdrawn(
    council, monkeypatch
):
    """The range is for new figures: a backup holding a year recorded before it was checked
    restores, and its figures can be withdrawn (a QA pass found the backup refused and the
    figure stranded in every report)."""
    import valvecheck.domain.money as money
    from valvecheck.domain.people import Role
    from valvecheck.services import backup
    from valvecheck.services.context import Actor

    with monkeypatch.context() as before:  # as an earlier release recorded it
        before.setattr(money, "LAST_YEAR", "2099-00")
        with admin(council) as ctx:
            impact.set_saving(ctx, "A1", "2060-61", expected="£5,000")
            trajectories.set_trajectory(ctx, "2060-61", unmitigated="£9,000", target="£8,000")
    with admin(council) as ctx:
        data = backup.dumps(backup.backup(ctx))
    local = Actor("restorer", Role.ADMIN, None)
    with unit_of_work(council, write=True, actor=local) as ctx:
        backup.restore(ctx, data, "backup.json", replace=True)
    with admin(council) as ctx:
        assert [s.year for s in impact.saving_history(ctx, "A1")] == ["2060-61"]
        impact.set_saving(ctx, "A1", "2060-61", expected="none")
        trajectories.set_trajectory(ctx, "2060-61", target="none")
        assert impact.saving_history(ctx, "A1")[-1].expected is None
        with pytest.raises(InputError, match="2010-11 to 2050-51"):  # a new figure: refused
            impact.set_saving(ctx, "A1", "2060-61", expected="£1")


# -- 6. Word: British English --------------------------------------------------------------------


def test_word_checks_spelling_in_british_english(reports):
    with zipfile.ZipFile(reports / "report.docx") as z:
        styles = z.read("word/styles.xml").decode()
        settings = z.read("word/settings.xml").decode()
    defaults = re.search(r"<w:docDefaults>.*?</w:docDefaults>", styles, re.S)
    assert defaults is not None
    assert re.findall(r'<w:lang w:val="([^"]+)"', defaults[0]) == ["en-GB"]
    assert "en-US" not in re.findall(r'<w:themeFontLang w:val="([^"]+)"', settings)


# -- 7. Word: headings with their chart, totals with their rows, figures whole -------------------


def _keeps(paragraph) -> bool:  # type: ignore[no-untyped-def]
    p_pr = paragraph._p.pPr
    return p_pr is not None and p_pr.find(qn("w:keepNext")) is not None


def test_the_impact_heading_and_intro_stay_on_the_page_of_the_chart(reports):
    doc = Document(str(reports / "report.docx"))
    paragraphs = doc.paragraphs
    chart = next(
        i for i, p in enumerate(paragraphs) if p._p.find(f".//{qn('w:drawing')}") is not None
    )
    heading = next(i for i, p in enumerate(paragraphs) if p.text.startswith("Impact against"))
    assert heading < chart
    assert all(_keeps(p) for p in paragraphs[heading:chart]), [
        p.text[:30] for p in paragraphs[heading:chart] if not _keeps(p)
    ]


def _impact_tables(path: Path) -> dict[str, object]:
    tables = {}
    for t in Document(str(path)).tables:
        tables[t.rows[0].cells[0].text + "/" + t.rows[0].cells[1].text] = t
    return tables


@pytest.mark.parametrize(
    ("table", "totals"), [("Year/Unmitigated", 2), ("Measure/LA", 1), ("Theme/Expected", 1)]
)
def test_a_total_row_is_kept_with_the_row_before_it(reports, table, totals):
    rows = _impact_tables(reports / "report.docx")[table].rows[1:]  # type: ignore[attr-defined]
    kept = [all(_keeps(c.paragraphs[0]) for c in row.cells) for row in rows]
    loose = [not any(_keeps(c.paragraphs[0]) for c in row.cells) for row in rows]
    # the last row before the totals and every total but the last keep with the next row
    body = len(rows) - totals
    assert kept[body - 1 : -1] == [True] * totals
    assert all(loose[: body - 1]) and loose[-1]


def test_no_figure_breaks_mid_number_a_bold_total_neither(reports):
    years = _impact_tables(reports / "report.docx")["Year/Unmitigated"]
    rows = years.rows[1:]  # type: ignore[attr-defined]
    checked = 0
    for n, row in enumerate(rows):
        bold = n >= len(rows) - 2
        for cell in row.cells[1:]:
            if not cell.text:
                continue
            run = cell.paragraphs[0].runs[0]
            assert bool(run.bold) == bold
            size = run.font.size.pt if run.font.size else 10
            width = Twips(int(cell._tc.tcPr.tcW.get(qn("w:w"))))
            # as wide as the figure in LibreOffice's DejaVu Sans, and the cell's margins
            assert Emu(width) >= word_width(cell.text, size, bold), cell.text
            checked += bold
    assert checked == 3  # "Total to date": expected and actual; "Total, all years": expected


# -- 8. Excel: sheets that print whole and readably ----------------------------------------------

PAGE_WIDTH = 841.9  # points: landscape A4
CHARACTER = 7.0  # points a character of an Excel width takes in LibreOffice's DejaVu Sans 11 pt


def _printable(ws) -> float:  # type: ignore[no-untyped-def]
    return PAGE_WIDTH - 72 * (ws.page_margins.left + ws.page_margins.right)


def test_the_flags_sheet_prints_within_the_pages_width_without_scaling(reports):
    ws = load_workbook(reports / "report.xlsx")["Impact flags"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1)
    assert ws["A2"].alignment.wrap_text
    # one column: LibreOffice never scales it down, so it must fit the page as it is
    assert ws.column_dimensions["A"].width * CHARACTER <= _printable(ws)


def test_the_appendix_prints_one_page_wide_at_a_readable_size(reports):
    ws = load_workbook(reports / "report.xlsx")["Appendix"]
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)
    assert ws.print_title_rows == "$1:$1"  # the header row on every page
    assert ws["C2"].alignment.wrap_text
    # Excel: Calibri 11 at 7 pixels a character (a stored width holds its 5 pixels of padding
    # too), 3/4 of a point a pixel; fitted to the page's width, the print is scaled by the page
    # over the sheet's width
    pixels = sum(
        round(d.width * 7) * (d.max - d.min + 1)
        for d in ws.column_dimensions.values()
        if d.width and d.min and d.max
    )
    assert ws.max_column == 9 and pixels > 9 * 7 * 9  # all nine columns counted
    printed = 11 * min(1.0, _printable(ws) / (pixels * 0.75))
    assert printed >= 8, printed


# -- 9. withdrawing on the command line ----------------------------------------------------------


def test_withdrawing_a_saving_on_the_command_line_says_it_was_withdrawn(council, cli):
    assert (
        cli("impact", "set", "A1", "--year", "2024-25", "--expected", "£5", "--actual", "£4")[0]
        == 0
    )
    code, out, err = cli("impact", "set", "A1", "--year", "2024-25", "--actual", "none")
    assert code == 0, err
    assert out.startswith("A1 2024-25: actual saving withdrawn (its history keeps it); now ")
    assert "expected £5.00" in out
    code, out, err = cli("impact", "set", "A1", "--year", "2024-25", "--expected", "none")
    assert code == 0, err
    # nothing left: said so, not "now expected none"
    assert out.strip() == "A1 2024-25: expected saving withdrawn (its history keeps it) (entry 3)."


def test_an_empty_cell_of_a_smaller_table_is_no_taller_than_its_row():
    """An empty cell's paragraph mark takes the table's size (a QA pass saw rows with blank
    cells stand taller in a table set at 8 or 9 pt: the mark kept the body's 11 pt)."""
    from xml.etree import ElementTree

    from docx.shared import Mm

    from valvecheck.reports import docx_rows
    from valvecheck.reports.impact_docx import _paragraph

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    namespace = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    empty = _paragraph(docx_rows.cell_xml("", Mm(20), size=18), right=True, keep=True, mark=18)
    cell = ElementTree.fromstring(empty.replace("<w:tc>", f"<w:tc {namespace}>", 1))
    p_pr = cell.find(f"{w}p/{w}pPr")
    assert p_pr is not None and [e.tag.removeprefix(w) for e in p_pr] == ["keepNext", "jc", "rPr"]
    assert p_pr.find(f"{w}rPr/{w}sz").get(f"{w}val") == "18"
