"""The committee report after a SEND programme lead's review: the name on the paper, its date,
plain words, the key, the position statement, the order of the links, the lock, and the layout
of each format (page numbers, keep-with-next, the workbook's About sheet)."""

from __future__ import annotations

import re
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook
from reports_support import DAY, day_is_today, today_is
from support import admin, load_state, report_data, write_reports
from web_support import by_id, page, site, site_template  # noqa: F401 (fixtures)

from valvecheck.domain.link_reason import RECORDED, link_reason
from valvecheck.domain.rating import BUNDLED
from valvecheck.errors import InputError
from valvecheck.services import activities, links, ratings
from valvecheck.services.workspace import init_workspace, unit_of_work
from valvecheck.store.db import Workspace


def word_text(path: Path) -> str:
    doc = Document(str(path))
    paragraphs = [p.text for p in doc.paragraphs]
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(paragraphs + cells)


def xlsx_text(path: Path) -> str:
    wb = load_workbook(path, read_only=True)
    found = [
        str(v)
        for ws in wb.worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v is not None
    ]
    wb.close()
    return "\n".join(found)


def every_format(out: Path) -> dict[str, str]:
    """The text of each of the four reports."""
    return {
        "report.docx": word_text(out / "report.docx"),
        "report.xlsx": xlsx_text(out / "report.xlsx"),
        "report.html": (out / "report.html").read_text("utf-8"),
        "report.md": (out / "report.md").read_text("utf-8").replace("\\", ""),
    }


# -- 2: the name printed on the paper is not the council acting ------------------------------


def test_the_printed_council_name_has_its_own_option(cli, tmp_path):
    """`report --council-name` prints a name; the global --council chooses whose ratings."""
    with today_is():
        cli("init")
        assert cli("councils", "add", "North Somerset")[0] == 0
        code, _, err = cli(
            "--council", "Bristol", "report", "-f", "md", "-o", str(tmp_path),
            "--council-name", "Bristol City Council",
        )  # fmt: skip
    assert code == 0, err
    assert "Bristol City Council, 1 May 2099" in (tmp_path / "report.md").read_text("utf-8")


def test_another_councils_name_on_this_councils_ratings_is_refused(cli, tmp_path):
    out = tmp_path / "out"
    with today_is():
        cli("init")
        assert cli("councils", "add", "North Somerset")[0] == 0
        code, _, err = cli(
            "--council", "Bristol", "report", "-f", "md", "-o", str(out),
            "--council-name", "north  somerset",
        )  # fmt: skip
    assert code == 1
    assert err.startswith("error: --council-name: 'north  somerset' is another council")
    assert "ratings reported are Bristol's" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_the_service_names_the_field_of_a_wrong_council_name(ws):
    from valvecheck.services import people, reports

    with admin(ws) as ctx:
        people.add_council(ctx, "Leeds")
    with unit_of_work(ws, council="Bristol") as ctx, pytest.raises(InputError) as refused:
        reports.report_data(ctx, council_name="Leeds")
    assert refused.value.field == "council_name"
    with unit_of_work(ws, council="Bristol") as ctx:  # its own name, written another way
        assert reports.report_data(ctx, council_name="BRISTOL").council == "BRISTOL"


# -- 3: a date after today, or before the assessment was started ------------------------------


@pytest.fixture
def quarters(tmp_path):
    """Q1 started on 10 January 2026, Q2 (current) on 1 March 2026; today is 5 March 2026."""
    ws = Workspace(str(tmp_path / "q.db"))
    with today_is(date(2026, 1, 10)):
        init_workspace(ws)
        with admin(ws) as ctx:
            ratings.new_assessment(ctx, "Bristol: Q1", use=True)
    with today_is(date(2026, 3, 1)), admin(ws) as ctx:
        ratings.new_assessment(ctx, "Bristol: Q2", use=True)
    with today_is(date(2026, 3, 5)):
        yield ws
    ws.dispose()


def test_a_report_dated_after_today_is_refused(quarters):
    with pytest.raises(InputError) as refused:
        report_data(quarters, on=date(2026, 3, 6))
    assert refused.value.field == "on"
    assert str(refused.value).startswith("6 March 2026 is after today (5 March 2026)")
    assert report_data(quarters, on=date(2026, 3, 5)).date_text == "5 March 2026"


def test_a_report_dated_before_its_assessment_was_started_is_refused_naming_both(quarters):
    with pytest.raises(InputError) as refused:
        report_data(quarters, on=date(2026, 2, 28))
    said = str(refused.value)
    assert refused.value.field == "on"
    assert "'Bristol: Q2' was started on 1 March 2026, after 28 February 2026" in said
    assert "the assessment started last before then was 'Bristol: Q1'" in said
    assert report_data(quarters, on=date(2026, 3, 1)).assessment == "Bristol: Q2"
    assert report_data(quarters, "Bristol: Q1", on=date(2026, 2, 28)).assessment == "Bristol: Q1"


def test_the_command_line_names_date_in_a_refused_date(quarters, cli, tmp_path):
    db = str(quarters.engine.url.database)
    for day, said in (("2026-03-06", "after today"), ("2026-02-01", "was started on 1 March")):
        code, _, err = cli("report", "-o", str(tmp_path / day), "--date", day, db=db)
        assert code == 1 and err.startswith("error: --date: ") and said in err, err
        assert not (tmp_path / day).exists()


def test_the_web_form_shows_a_refused_date_at_its_field(site):  # noqa: F811
    """Leeds's assessment was started today: yesterday is before it, tomorrow after today."""
    client = site.client("lee")
    for day, said in ((date.today() + timedelta(days=2), "after today"),
                      (date.today() - timedelta(days=2), "was started on")):  # fmt: skip
        refused = client.get(f"/reports/download?format=md&on={day.isoformat()}")
        assert refused.status_code == 422
        assert said in " ".join("".join(by_id(refused, "on-error").itertext()).split())
        assert page(refused).find(".//*[@class='govuk-error-summary']//a[@href='#on']") is not None


def test_the_web_form_labels_the_paper(site):  # noqa: F811
    client = site.client("vi")
    form = page(client.get("/reports")).find(".//main//form[@action='/reports/download']")
    assert form is not None and form.find(".//input[@name='appendix']") is not None
    report = client.get("/reports/download?format=md&appendix=Appendix+C")
    assert report.status_code == 200 and report.text.startswith("**Appendix C**\n")


# -- 10: plain words, authority names, the whole key --------------------------------------------


pytestmark_day = pytest.mark.usefixtures(day_is_today.__name__)


@pytestmark_day
def test_the_seeds_note_reads_as_plain_words_and_history_keeps_it(ws, tmp_path):
    with admin(ws) as ctx:
        ratings.new_assessment(ctx, "Q2", carry_from="Bristol: mitigation validation exercise")
    out = tmp_path / "out"
    write_reports(ws, "all", out, "Q2", on=DAY)
    key = "Carried forward: a rating made in 'Bristol: mitigation validation exercise' and "
    for name, text in every_format(out).items():
        assert "seed appendix" not in text, name
        text = text.replace("&#39;", "'")
        assert "Rating from the original Appendix A exercise" in text, name
        # where the ratings came from is said once, not after every rationale
        assert "(carried forward from" not in text, name
        assert 1 <= text.count(key) <= 2, name  # the appendix, and the opportunities
        assert text.count("Carried forward") > 10, name  # every carried rating is marked
    stored = [r.rationale for v in load_state(ws, "Q2").views for r in v.history]
    assert stored and all(r.startswith(BUNDLED) for r in stored)  # history is not rewritten


EVIDENCE = "https://democracy.bristol.gov.uk/documents/s12345/forum.pdf\nSchools Forum, 14 Oct"


@pytestmark_day
def test_every_format_gives_each_rating_its_rationale_and_evidence_and_marks_a_carried_one(
    ws, tmp_path
):
    """The appendix of every format: a green rating's rationale and evidence (not only a red
    one's), and a rating carried into the assessment marked "Carried forward" in its row,
    where it came from said once, and a rating given in the assessment not marked."""
    seed = "Bristol: mitigation validation exercise"
    with admin(ws) as ctx:
        ratings.rate(ctx, "bury-1", "green", "Thresholds agreed at Schools Forum", EVIDENCE)
        ratings.new_assessment(ctx, "Q2", carry_from=seed, use=True)
        ratings.rate(ctx, "bury-2", "amber", "MI project scoped")
    out = tmp_path / "out"
    write_reports(ws, "all", out, "Q2", on=DAY)
    data = report_data(ws, "Q2", on=DAY)
    rows = {r.id: r for r in data.rows}
    assert (rows["bury-1"].rationale, rows["bury-1"].carried_from) == (
        "Thresholds agreed at Schools Forum",
        seed,
    )
    assert rows["bury-1"].evidence_items == tuple(EVIDENCE.splitlines())
    assert (rows["bury-2"].rationale, rows["bury-2"].carried) == ("MI project scoped", "")

    word = Document(str(out / "report.docx")).tables[0]
    assert [c.text for c in word.rows[0].cells][-3:] == ["RAG", "Rationale", "Evidence"]
    cells = {row.cells[0].text: [c.text for c in row.cells] for row in word.rows[1:]}
    assert cells["bury-1"][-3:] == ["Green", "Thresholds agreed at Schools Forum\nCarried forward",
                                    EVIDENCE]  # fmt: skip
    assert cells["bury-2"][-3:] == ["Amber", "MI project scoped", ""]
    with zipfile.ZipFile(out / "report.docx") as z:
        body = z.read("word/document.xml").decode()
        rels = z.read("word/_rels/document.xml.rels").decode()
    link = re.search(r'<w:hyperlink r:id="(\w+)">.*?forum\.pdf.*?</w:hyperlink>', body)
    assert link is not None  # the address is a link in Word; the note beside it is not
    assert f'Id="{link[1]}"' in rels and 'Target="https://democracy.bristol.gov.uk/' in rels
    assert body.count("<w:hyperlink ") == 1

    workbook = load_workbook(out / "report.xlsx", read_only=True)
    excel = {r[0]: r for r in workbook["Appendix"].iter_rows(min_row=2, values_only=True)}
    workbook.close()
    assert excel["bury-1"][5:] == ("Green", "Thresholds agreed at Schools Forum", EVIDENCE,
                                   "Carried forward")  # fmt: skip
    assert excel["bury-2"][5:] == ("Amber", "MI project scoped", None, None)

    page = (out / "report.html").read_text("utf-8")
    row = page[page.index('<tr id="bury-1">') : page.index('<tr id="bury-2">')]
    assert 'Thresholds agreed at Schools Forum <span class="note">Carried forward</span>' in row
    url = "https://democracy.bristol.gov.uk/documents/s12345/forum.pdf"
    assert f'<li><a href="{url}" rel="noopener noreferrer">{url}</a></li>' in row
    assert "<li>Schools Forum, 14 Oct</li>" in row
    row = page[page.index('<tr id="bury-2">') : page.index('<tr id="bury-3">')]
    assert "MI project scoped" in row and "Carried forward" not in row

    markdown = (out / "report.md").read_text("utf-8")
    assert (
        "| Green | Thresholds agreed at Schools Forum *Carried forward* | "
        "https://democracy.bristol.gov.uk/documents/s12345/forum.pdf; Schools Forum, 14 Oct |"
    ) in markdown
    assert "| Amber | MI project scoped |  |" in markdown
    for name, text in every_format(out).items():
        text = text.replace("&#39;", "'")
        assert f"Carried forward: a rating made in '{seed}'" in text, name
        assert "(carried forward from" not in text, name


@pytestmark_day
def test_a_link_read_from_the_tracker_says_so_in_plain_words(ws, tmp_path):
    tracker = b"ID,Title,Measures\nETP-01,Inclusion fund,bury-4\n"
    with admin(ws) as ctx:
        activities.import_activities(ctx, tracker, "programme.csv")
    out = tmp_path / "out"
    write_reports(ws, "all", out, on=DAY)
    said = link_reason(f"{RECORDED} programme.csv")
    assert said == "Listed in the Measures column of the programme tracker, programme.csv"
    for name, text in every_format(out).items():
        assert "recorded in the measures column" not in text, name
        assert said in text, name


def test_a_link_from_the_tracker_is_stored_as_the_shared_words_expect():
    """The import stores the note ``link_reason`` reads: one set of words for the web pages
    and the reports (services.activities writes it, domain.link_reason reads it)."""
    assert activities.RECORDED == RECORDED


@pytestmark_day
def test_the_key_explains_not_rated_and_not_applicable_in_every_format(ws, tmp_path):
    out = tmp_path / "out"
    write_reports(ws, "all", out, on=DAY)
    for name, text in every_format(out).items():
        flat = " ".join(text.split())
        assert "not yet rated; counted in the coverage base but never as covered" in flat, name
        assert "left out of the coverage base" in flat, name
        for label in ("NOT RATED", "NOT APPLICABLE") if name != "report.xlsx" else ():
            assert label in flat, name


# -- 13: links in order of activity, then measure -------------------------------------------


@pytestmark_day
def test_links_are_in_order_of_activity_then_measure_in_every_format(ws, tmp_path):
    tracker = b"ID,Title\nETP-10,Ten\nETP-2,Two\nETP-1,One\n"
    with admin(ws, by="lead") as ctx:
        activities.import_activities(ctx, tracker, "acts.csv")
        for activity, measure in (("ETP-10", "bury-1"), ("ETP-2", "bury-3"),
                                  ("ETP-1", "stoke-on-trent-2"), ("ETP-2", "bury-1"),
                                  ("ETP-1", "bury-5")):  # fmt: skip
            links.link(ctx, activity, measure, "same aim")
    order = [("ETP-1", "bury-5"), ("ETP-1", "stoke-on-trent-2"), ("ETP-2", "bury-1"),
             ("ETP-2", "bury-3"), ("ETP-10", "bury-1")]  # fmt: skip
    assert [(k.activity, k.measure) for k in report_data(ws, on=DAY).links] == order
    out = tmp_path / "out"
    write_reports(ws, "all", out, on=DAY)
    for name, pairs in (
        ("report.md", r"\| (ETP-\d+): \w+ \| ([a-z-]+-\d+):"),
        ("report.html", r"<td>(ETP-\d+): \w+</td><td>([a-z-]+-\d+):"),
    ):
        assert re.findall(pairs, (out / name).read_text("utf-8")) == order, name
    doc = Document(str(out / "report.docx"))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Activity")
    assert [
        (r.cells[0].text.split(":")[0], r.cells[1].text.split(":")[0]) for r in table.rows[1:]
    ] == order
    wb = load_workbook(out / "report.xlsx", read_only=True)
    assert [(r[0], r[2]) for r in wb["Links"].iter_rows(min_row=2, values_only=True)] == order
    wb.close()


# -- 1 (the line): a locked assessment says so ----------------------------------------------


@pytestmark_day
def test_a_locked_assessment_says_when_and_by_whom_in_every_format(ws, tmp_path):
    out = tmp_path / "open"
    write_reports(ws, "all", out, on=DAY, since=date(2099, 1, 1))
    assert all("Locked on" not in t for t in every_format(out).values())
    with admin(ws, by="Ann") as ctx:
        ratings.lock_assessment(ctx)
    out = tmp_path / "locked"
    write_reports(ws, "all", out, on=DAY, since=date(2099, 1, 1))
    assert report_data(ws, on=DAY).locked_at is not None
    for name, text in every_format(out).items():
        assert "Locked on 1 May 2099 by Ann." in text, name
    assert "Locked on 1 May 2099 by Ann." in (out / "position.md").read_text("utf-8")
    assert "Locked on 1 May 2099 by Ann." in word_text(out / "position.docx")


def test_a_locked_assessments_report_is_the_paper_that_went_to_committee(tmp_path):
    """Links, savings and weights recorded after the lock (the next quarter's work) never
    reach the locked assessment's report, which is dated at its lock by default."""
    from valvecheck.services import impact, weights
    from valvecheck.services import trajectory as trajectories

    ws = Workspace(str(tmp_path / "lock.db"))
    trajectory = (
        "year,unmitigated,target\n2048-49,£20000000,£18000000\n2049-50,£22000000,£17000000\n"
    )
    with today_is(date(2099, 4, 20)):
        init_workspace(ws)
        with admin(ws, by="Ann") as ctx:
            ratings.new_assessment(ctx, "Bristol: Q1", use=True)
            activities.import_activities(ctx, b"id,title\nA1,Inclusion fund\nA2,Post-16\n", "p.csv")
            ratings.rate(ctx, "bury-1", "green", "panel live")
            links.link(ctx, "A1", "bury-1", "the fund is this measure")
            links.link(ctx, "A1", "bury-4", "and this one")
            trajectories.import_trajectory(ctx, trajectory.encode(), "t.csv")
            impact.set_saving(ctx, "A1", "2048-49", expected="£100000", actual="£90000")
            ratings.lock_assessment(ctx)
        write_reports(ws, "md", tmp_path / "reported")
    with today_is(date(2099, 5, 1)):
        with admin(ws, by="Bo") as ctx:
            ratings.new_assessment(ctx, "Bristol: Q2", carry_from="Bristol: Q1", use=True)
            links.unlink(ctx, "A1", "bury-4", "moved to Q2's plan")
            links.link(ctx, "A2", "bury-2", "Q2's work")
            impact.set_saving(ctx, "A1", "2048-49", actual="£50000")
            weights.set_weights(ctx, "A1", "bury-1=1")
        write_reports(ws, "md", tmp_path / "later", "Bristol: Q1")
        write_reports(ws, "md", tmp_path / "current")
    reported = (tmp_path / "reported" / "report.md").read_text("utf-8")
    assert "Locked on 20 April 2099 by Ann." in reported and "£90,000.00" in reported
    assert (tmp_path / "later" / "report.md").read_text("utf-8") == reported
    current = (tmp_path / "current" / "report.md").read_text("utf-8")
    assert "£50,000.00" in current and "A2" in current  # the open quarter shows the new work
    ws.dispose()


def test_a_locked_assessments_report_keeps_the_programme_as_it_stood_at_the_lock(tmp_path):
    """A measure placed in a new theme, and a placement taken away, after the lock (the
    programme reorganised next quarter) leave the locked paper's themes as they went to
    committee; the open assessment's report shows the programme as it is now."""
    from valvecheck.services import programme

    ws = Workspace(str(tmp_path / "lock.db"))
    moved = "School Provision and Process"  # bury-4's sub-theme in the seed's programme
    with today_is(date(2099, 4, 20)):
        init_workspace(ws)
        with admin(ws, by="Ann") as ctx:
            ratings.new_assessment(ctx, "Bristol: Q1", use=True)
            ratings.lock_assessment(ctx)
        write_reports(ws, "md", tmp_path / "reported")
    with today_is(date(2099, 5, 1)):
        with admin(ws, by="Bo") as ctx:
            ratings.new_assessment(ctx, "Bristol: Q2", carry_from="Bristol: Q1", use=True)
            programme.place(ctx, "bury-3", "Preparing for adulthood reform", "Post-16 routes")
            programme.unplace(
                ctx, "bury-4", "Local Placement Sufficiency and Managing Demand", moved
            )
        write_reports(ws, "md", tmp_path / "later", "Bristol: Q1")
        write_reports(ws, "md", tmp_path / "current")
    reported = (tmp_path / "reported" / "report.md").read_text("utf-8")
    assert moved in reported and "Preparing for adulthood reform" not in reported
    assert (tmp_path / "later" / "report.md").read_text("utf-8") == reported
    current = (tmp_path / "current" / "report.md").read_text("utf-8")
    assert "Preparing for adulthood reform" in current and "Post-16 routes" in current
    assert current.count(moved) < reported.count(moved)
    ws.dispose()


# -- 11: the position statement -------------------------------------------------------------


@pytestmark_day
def test_the_position_statement_has_ids_the_assessment_and_long_dates(ws, tmp_path):
    with admin(ws, by="Ann") as ctx:
        ratings.rate(ctx, "bury-1", "green", "panel live")
    write_reports(ws, "position", tmp_path, on=DAY, since=date(2099, 4, 1))
    text = (tmp_path / "position.md").read_text("utf-8")
    assert "period 1 April 2099 to 1 May 2099. Assessment: Bristol: mitigation validation" in text
    assert "| ID | LA | Recommendation |" in text
    assert "1 May 2099: Not rated to Green by Ann: panel live" in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    table = Document(str(tmp_path / "position.docx")).tables[0]
    assert [c.text for c in table.rows[0].cells][:2] == ["ID", "LA"]
    assert [r.cells[0].text for r in table.rows[1:]][:2] == ["bury-1", "bury-2"]


# -- 5: page numbers and running headers; the paper's own appendix label ---------------------


@pytestmark_day
def test_word_pages_carry_a_header_and_page_x_of_y(ws, tmp_path):
    write_reports(ws, "all", tmp_path, on=DAY, since=date(2099, 1, 1))
    for name in ("report.docx", "position.docx"):
        doc = Document(str(tmp_path / name))
        section = doc.sections[0]
        header = " ".join(p.text for p in section.header.paragraphs)
        assert "DfE Safety Valve Agreements" in header and "Bristol" in header, name
        assert "1 May 2099" in header, name
        with zipfile.ZipFile(tmp_path / name) as z:
            body = z.read("word/document.xml").decode()
            footers = [z.read(n).decode() for n in z.namelist() if n.startswith("word/footer")]
        assert "footerReference" in body and "headerReference" in body, name
        fields = re.findall(r'w:instr=" (\w+) "', "".join(footers))
        assert fields == ["PAGE", "NUMPAGES"], name
        assert "Page " in section.footer.paragraphs[0].text, name


@pytestmark_day
def test_html_evidence_links_only_web_addresses_and_escapes_the_rest(ws, tmp_path):
    """An evidence line that is an http(s) address is a link; any other line, a "javascript:"
    address among them, is text, and markup in it is shown, not obeyed."""
    evidence = "http://example.org/a?b=1&c=2\njavascript:alert(1)\n<b>Forum</b> minutes"
    with admin(ws) as ctx:
        ratings.rate(ctx, "bury-1", "green", "Agreed", evidence)
    write_reports(ws, "html", tmp_path, on=DAY)
    page_ = (tmp_path / "report.html").read_text("utf-8")
    row = page_[page_.index('<tr id="bury-1">') : page_.index('<tr id="bury-2">')]
    cell = row[row.index('<td class="evidence">') :]
    assert cell.count("<a ") == 1
    url = "http://example.org/a?b=1&amp;c=2"
    assert f'<li><a href="{url}" rel="noopener noreferrer">{url}</a></li>' in cell
    assert "<li>javascript:alert(1)</li>" in cell
    assert "<li>&lt;b&gt;Forum&lt;/b&gt; minutes</li>" in cell


@pytestmark_day
def test_xlsx_evidence_giving_one_web_address_links_to_it(ws, tmp_path):
    """A cell holds one link: evidence giving one http(s) address links to it, its text as
    written; evidence giving two, or a "javascript:" address, is text only."""
    with admin(ws) as ctx:
        ratings.rate(ctx, "bury-1", "green", "Agreed", "Forum minutes\nhttps://example.org/a?b=1")
        ratings.rate(ctx, "bury-2", "amber", "Agreed", "https://a.example\nhttps://b.example")
        ratings.rate(ctx, "bury-3", "red", "Agreed", "javascript:alert(1)")
    write_reports(ws, "xlsx", tmp_path, on=DAY)
    sheet = load_workbook(tmp_path / "report.xlsx")["Appendix"]
    heading = [c.value for c in sheet[1]]
    rows = {r[0].value: r[heading.index("Evidence")] for r in sheet.iter_rows(min_row=2)}
    linked = rows["bury-1"]
    assert linked.hyperlink is not None and linked.hyperlink.target == "https://example.org/a?b=1"
    assert linked.value == "Forum minutes\nhttps://example.org/a?b=1"
    assert linked.font.u == "single"
    assert rows["bury-2"].hyperlink is None and "https://b.example" in rows["bury-2"].value
    assert rows["bury-3"].hyperlink is None and rows["bury-3"].value == "javascript:alert(1)"


@pytestmark_day
def test_html_print_has_page_numbers_and_a_running_header(ws, tmp_path):
    title = 'Forum "paper" \\ </style> & more'
    write_reports(ws, "html", tmp_path, on=DAY, title=title)
    page_ = (tmp_path / "report.html").read_text("utf-8")
    style = page_.split("<style>", 1)[1].split("</style>", 1)[0]
    assert 'content: "Page " counter(page) " of " counter(pages)' in style
    top = re.search(r"@top-left \{ content: (\"[^\"]*\")", style)
    assert top is not None
    # the title is in the CSS string as escapes: no quote, backslash-quote or tag ends it early;
    # each escape ends with a space of its own (CSS drops one after an escape)
    decoded = re.sub(r"\\([0-9a-f]{6}) ", lambda m: chr(int(m[1], 16)), top[1][1:-1])
    assert decoded == f"{title} — Bristol — 1 May 2099"


@pytestmark_day
def test_the_appendix_label_is_the_papers_own_and_none_by_default(ws, tmp_path):
    write_reports(ws, "all", tmp_path / "plain", on=DAY)
    for name, text in every_format(tmp_path / "plain").items():
        assert "APPENDIX A" not in text and "Appendix C" not in text, name
    write_reports(ws, "all", tmp_path / "c", on=DAY, appendix="Appendix C")
    for name, text in every_format(tmp_path / "c").items():
        assert "Appendix C" in text, name
    doc = Document(str(tmp_path / "c" / "report.docx"))
    assert doc.paragraphs[0].text == "Appendix C"


def test_the_appendix_option_reaches_the_paper(cli, tmp_path):
    with today_is():
        cli("init")
        code, _, err = cli("report", "-f", "md", "-o", str(tmp_path), "--appendix", "Annex 2")
    assert code == 0, err
    assert (tmp_path / "report.md").read_text("utf-8").startswith("**Annex 2**\n\n# ")


# -- 6: headings, intros and captions stay with their tables ----------------------------------


@pytestmark_day
def test_word_keeps_headings_intros_and_captions_with_what_follows(ws, tmp_path):
    write_reports(ws, "docx", tmp_path, on=DAY)
    body = Document(str(tmp_path / "report.docx")).element.body
    children = list(body)
    kept = 0
    for element, after in zip(children, children[1:], strict=False):
        if element.tag != qn("w:p"):
            continue
        keep = element.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None
        style = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if after.tag == qn("w:tbl") or (style is not None and "Heading" in style.get(qn("w:val"))):
            assert keep, "".join(element.itertext())
            kept += 1
    assert kept >= 7  # the title, four section headings, and the intros of two tables


@pytestmark_day
def test_html_print_keeps_headings_and_captions_with_their_tables(ws, tmp_path):
    write_reports(ws, "html", tmp_path, on=DAY)
    style = (tmp_path / "report.html").read_text("utf-8").split("@media print", 1)[1]
    assert re.search(r"h2[^{]*\{ break-after: avoid", style)
    assert re.search(r"h2 \+ \.table-box[^{]*\{ break-before: avoid", style)
    assert re.search(r"caption, thead \{ break-after: avoid", style)


# -- 8: the workbook says what it is, and prints with page numbers ----------------------------


@pytestmark_day
def test_the_workbook_opens_on_an_about_sheet_and_prints_page_x_of_y(ws, tmp_path):
    write_reports(ws, "xlsx", tmp_path, on=DAY, appendix="Appendix C")
    wb = load_workbook(tmp_path / "report.xlsx")
    about = wb.worksheets[0]
    assert about.title == "About"
    facts = {r[0]: r[1] for r in about.iter_rows(values_only=True) if r[0]}
    assert facts["Title"] == "DfE Safety Valve Agreements: Mitigation Validation Exercise"
    assert facts["Council"] == "Bristol"
    assert facts["Assessment"] == "Bristol: mitigation validation exercise"
    assert facts["Position as at"] == "the end of 1 May 2099"
    assert facts["Label"] == "Appendix C"
    assert {"Green", "Amber", "Red", "Not rated", "Not applicable"} <= set(facts)
    for sheet in wb.worksheets:
        assert "DfE Safety Valve Agreements" in sheet.oddHeader.left.text, sheet.title
        assert sheet.oddFooter.right.text == "Page &P of &N", sheet.title


@pytestmark_day
def test_the_summary_sheet_adds_up_once_filtered_by_level(ws, tmp_path):
    write_reports(ws, "xlsx", tmp_path, on=DAY)
    sheet = load_workbook(tmp_path / "report.xlsx")["Summary"]
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    level, measures = header.index("Level"), header.index("Measures")
    total = next(r[measures] for r in rows if r[level] == "All measures")
    # what a filter on Level then SUM gives: each measure once per theme placement
    themes = sum(r[measures] for r in rows if r[level] == "Theme")
    views = load_state(ws).views
    assert themes == sum(len(v.measure.themes) for v in views) and total == len(views)
    assert "" not in {r[header.index("Sub-Theme")] for r in rows}  # blank, never ''
    assert {r[level] for r in rows} == {"Theme", "Sub-theme", "All measures"}


# -- 14: Word sub-themes apart, IDs whole -----------------------------------------------------


@pytestmark_day
@pytest.mark.office
def test_word_never_breaks_a_measure_id_at_its_hyphen(ws, tmp_path):
    from reports_support import rendered_text

    files = write_reports(ws, "all", tmp_path / "out", on=DAY, since=date(2099, 1, 1))
    docx = [f for f in files if f.suffix == ".docx"]
    ids = [v.id for v in load_state(ws).views]
    for path, text in rendered_text(docx, tmp_path).items():
        words = set(text.split())
        assert [i for i in ids if i not in words] == [], path.name


@pytest.mark.parametrize(
    ("line", "linked"),
    [
        ("https://a.example/x", True),
        ("https://a.example/x https://b.example/y", False),  # two addresses: text, as in Word
        ("see https://a.example/x", False),
        ("javascript:alert(1)", False),
    ],
)
def test_an_evidence_line_is_a_link_in_html_only_when_word_and_excel_link_it(line, linked):
    from valvecheck.reports.html import _env
    from valvecheck.reports.model import WEB_ADDRESS

    shown = _env.from_string(
        '{% from "macros.html.j2" import link_or_text %}{{ link_or_text(v) }}'
    ).render(v=line)
    assert ("<a href=" in shown) is linked is bool(WEB_ADDRESS.match(line))
