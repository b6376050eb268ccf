"""`valvecheck report`: the command, its errors, the monitoring pack and the links sheet."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from docx import Document
from openpyxl import load_workbook
from reports_support import DAY, day_is_today, docx_fill
from support import admin, load_state, report_data, write_reports

from valvecheck.domain.rag import Rag
from valvecheck.services import activities, links, ratings

# Reports here are dated DAY (2099): today is DAY for every test, as the report needs.
pytestmark = pytest.mark.usefixtures(day_is_today.__name__)


def test_init_then_report_all_writes_the_four_documents(cli, tmp_path):
    assert cli("init")[0] == 0
    out = tmp_path / "out"
    code, stdout, err = cli("report", "--format", "all", "--out", str(out))
    assert code == 0, err
    names = ["report.docx", "report.xlsx", "report.html", "report.md"]
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    assert stdout.splitlines() == [
        "Report of the assessment 'Bristol: mitigation validation exercise':",
        *[f"Wrote {out / n}" for n in names],
    ]


def test_report_options_reach_the_document(cli, tmp_path):
    cli("init")
    code, _, err = cli(
        "report", "-f", "md", "-o", str(tmp_path), "--council-name", "Testshire",
        "--title", "Safety Valve readiness", "--date", "2025-03-14",
    )  # fmt: skip
    assert code == 0, err
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert text.startswith("# Safety Valve readiness\n")
    assert "Testshire, 14 March 2025" in text
    assert "Testshire has cross-referenced" in text


@pytest.mark.parametrize(
    ("args", "message", "status"),
    [
        (["--format", "pdf"], "unknown report format 'pdf'", 1),
        (["--format", "position"], "--since: the position statement needs the start", 1),
        (["--date", "1/5/2024"], "--date: '1/5/2024' is not a date", 2),  # a usage error
        (
            ["--format", "position", "--since", "2024-13-01"],
            "--since: '2024-13-01' is not a date",
            2,
        ),
        (["--assessment", "nobody"], "there is no assessment 'nobody'", 1),
    ],
    ids=["unknown-format", "position-without-since", "bad-date", "bad-since", "no-assessment"],
)
def test_report_refuses_bad_options_in_one_line(cli, tmp_path, args, message, status):
    cli("init")
    code, stdout, err = cli("report", "--out", str(tmp_path / "out"), *args)
    assert code == status
    if status == 1:
        assert message in err and len(err.strip().splitlines()) == 1
    else:  # a usage error: the command's usage, then the message in a box
        assert message in " ".join(err.replace("│", " ").split())
    assert not (tmp_path / "out").exists()


def test_report_needs_a_workspace(cli, tmp_path):
    code, _, err = cli("report", "--out", str(tmp_path))
    assert code == 1 and "valvecheck init" in err


# -- the monitoring pack ---------------------------------------------------------------------


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=10, tzinfo=UTC)


# (measure index in document order, [(day, rag, rationale)]) rated in a fresh assessment
HISTORY = [
    (0, [("2024-01-10", Rag.RED, "nothing yet"), ("2024-03-05", Rag.AMBER, "thresholds drafted")]),
    (1, [("2024-01-10", Rag.GREEN, "case system live")]),
    (2, [("2024-04-01", Rag.GREEN, "forecast model built")]),
]
SINCE = date(2024, 2, 1)


@pytest.fixture
def monitored(ws):
    with admin(ws) as ctx:
        ratings.new_assessment(ctx, "Spring 2024", council="Testshire")
    ids = [v.id for v in load_state(ws, "Spring 2024").views]
    for index, entries in HISTORY:
        for day, rag, why in entries:
            with admin(ws, by="lead") as ctx:  # rated on that day, by the service
                ctx.clock = lambda day=day: at(day)
                ratings.rate(ctx, ids[index], rag, why, assessment="Spring 2024")
    return ws, ids


def test_position_statement_lists_what_changed_since_the_date(monitored, tmp_path):
    ws, ids = monitored
    paths = write_reports(ws, "position", tmp_path, "Spring 2024", on=DAY, since=SINCE)
    assert [p.name for p in paths] == ["position.docx", "position.md"]
    table = Document(str(tmp_path / "position.docx")).tables[0]
    rows = table.rows[1:]
    assert len(rows) == len(ids)
    expected = {
        0: (Rag.AMBER, "thresholds drafted", "5 March 2024: Red to Amber by lead: thresholds drafted"),
        1: (Rag.GREEN, "case system live", "No change"),
        2: (Rag.GREEN, "forecast model built", "1 April 2024: Not rated to Green by lead: forecast model built"),
    }  # fmt: skip
    for i, row in enumerate(rows):
        rag, rationale, changes = expected.get(i, (Rag.UNRATED, "", "No change"))
        cells = row.cells
        assert cells[0].text == ids[i]  # an ID to cross-refer to the committee report by
        assert (cells[3].text, cells[4].text, cells[5].text) == (rag.label, rationale, changes)
        assert docx_fill(cells[3]) == rag.colour
    markdown = (tmp_path / "position.md").read_text(encoding="utf-8")
    assert "period 1 February 2024 to 1 May 2099. Assessment: Spring 2024" in markdown
    assert f"{len(ids)} measures; 2 changed rating in the period." in markdown
    assert "5 March 2024: Red to Amber by lead: thresholds drafted" in markdown
    assert f"| {ids[0]} | " in markdown


def test_the_seeds_bundled_ratings_are_where_a_period_starts_not_changes_in_it(ws, tmp_path):
    """A workspace made today holds the seed's ratings dated today: a position statement for a
    period that began before them counts them as its starting position, not as changes."""
    ids = [v.id for v in load_state(ws).views if v.history]
    assert ids, "the seed's assessment has ratings"
    with admin(ws, by="lead") as ctx:
        ratings.rate(ctx, ids[0], Rag.RED, "the new provision slipped a year")
    write_reports(ws, "position", tmp_path, on=date(2099, 5, 1), since=date(2026, 1, 1))
    markdown = (tmp_path / "position.md").read_text(encoding="utf-8")
    assert "; 1 changed rating in the period." in markdown, markdown[:400]
    assert "by lead: the new provision slipped a year" in markdown
    assert "Not rated to" not in markdown  # no seed rating reads as made in the period


def test_all_with_since_adds_the_position_statement(monitored, tmp_path):
    ws, _ = monitored
    paths = write_reports(ws, "all", tmp_path, "Spring 2024", on=DAY, since=SINCE)
    assert {p.name for p in paths} == {
        "report.docx", "report.xlsx", "report.html", "report.md", "position.docx", "position.md",
    }  # fmt: skip


# -- links between activities and measures ---------------------------------------------------


def link_one(ws, tmp_path, views) -> None:
    """ETP-07 linked to the fourth measure; a link to the ninth made and then ended."""
    csv = tmp_path / "activities.csv"
    csv.write_text("id,title\nETP-07,Inclusion toolkit\n", encoding="utf-8")
    with admin(ws, by="lead") as ctx:
        activities.import_activities(ctx, csv.read_bytes(), csv.name)
        links.link(ctx, "ETP-07", views[3].id, "same aim")
        links.link(ctx, "ETP-07", views[8].id, "same aim")
        links.unlink(ctx, "ETP-07", views[8].id, "not the same")


def test_links_appear_once_activities_are_linked(ws, tmp_path):
    views = load_state(ws).views
    link_one(ws, tmp_path, views)
    data = report_data(ws, on=DAY)
    assert [(k.activity, k.measure) for k in data.links] == [("ETP-07", views[3].id)]
    write_reports(ws, "all", tmp_path, on=DAY)
    sheet = load_workbook(tmp_path / "report.xlsx")["Links"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert rows == [
        ["ETP-07", "Inclusion toolkit", views[3].id, views[3].la, views[3].measure.text,
         views[3].rag.label, "same aim", "lead"],
    ]  # fmt: skip
    for name in ("report.md", "report.html"):
        assert "ETP-07: Inclusion toolkit" in (tmp_path / name).read_text(encoding="utf-8")


def test_links_in_a_dated_report_are_as_they_stood_at_the_end_of_its_date(ws, tmp_path):
    """Like the ratings: a link made later is left out, a pair unlinked since is still shown."""
    views = load_state(ws).views
    csv = tmp_path / "activities.csv"
    csv.write_text("id,title\nETP-07,Inclusion toolkit\n", encoding="utf-8")
    with admin(ws, by="lead") as ctx:
        ctx.clock = lambda: at("2024-01-10")
        activities.import_activities(ctx, csv.read_bytes(), csv.name)
        links.link(ctx, "ETP-07", views[3].id, "same aim")
        links.link(ctx, "ETP-07", views[8].id, "same aim")
    with admin(ws, by="lead") as ctx:
        ctx.clock = lambda: at("2024-03-05")
        links.unlink(ctx, "ETP-07", views[8].id, "not the same")
        links.link(ctx, "ETP-07", views[5].id, "found later")

    def linked_on(on: date) -> list[str]:
        return [k.measure for k in report_data(ws, on=on).links]

    assert linked_on(date(2024, 1, 9)) == []
    assert linked_on(date(2024, 2, 1)) == [views[3].id, views[8].id]
    assert linked_on(date(2024, 3, 5)) == [views[3].id, views[5].id]  # the end of that day
    write_reports(ws, "xlsx", tmp_path, on=date(2024, 2, 1))
    sheet = load_workbook(tmp_path / "report.xlsx")["Links"]
    assert [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        views[3].id,
        views[8].id,
    ]


def test_a_report_is_the_position_as_at_its_date(cli, tmp_path):
    from datetime import date, timedelta

    cli("init")
    cli("rate", "bury-1", "green", "--rationale", "panel live")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    out = tmp_path / "then"
    code, _, err = cli("report", "--format", "md", "--date", yesterday, "--out", str(out))
    assert code == 0, err
    then = (out / "report.md").read_text()
    code, _, err = cli("report", "--format", "md", "--out", str(tmp_path / "now"))
    now = (tmp_path / "now" / "report.md").read_text()
    bury1 = "Strengthen their Special Educational Needs assessment"
    row_then = next(line for line in then.splitlines() if bury1 in line)
    row_now = next(line for line in now.splitlines() if bury1 in line)
    assert "Not rated" in row_then and "Green" in row_now


def test_since_after_the_report_date_is_refused(cli, tmp_path):
    cli("init")
    code, _, err = cli(
        "report",
        "--format",
        "position",
        "--since",
        "2030-01-01",
        "--date",
        "2026-01-01",
        "--out",
        str(tmp_path),
    )
    assert code == 1 and "--since" in err


def test_a_failed_report_leaves_the_folder_as_it_was(cli, tmp_path):
    cli("init")
    out = tmp_path / "o"
    assert cli("report", "--out", str(out), "--date", "2099-01-01")[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "report.xlsx").unlink()
    (out / "report.xlsx").mkdir()  # something in the way of one of the four files
    code, _, err = cli("report", "--out", str(out), "--date", "2099-03-14")
    assert code == 1 and "report.xlsx" in err
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == {k: v for k, v in before.items() if k != "report.xlsx"}
    assert sorted(p.name for p in out.iterdir()) == sorted(before)  # no scratch folder left


def test_report_help_says_what_date_and_assessment_mean(cli):
    """A back-dated paper leaves things out: the help says so, and which assessment is used."""
    code, out, _ = cli("report", "--help")
    assert code == 0
    said = " ".join(out.replace("│", " ").split())
    assert "ratings, links and savings given after it are left out" in said
    assert "(default: the current one" in said


# -- the position statement across a carry into a new assessment ---------------------------


def _position_row(path, mid: str) -> str:
    return next(
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith(f"| {mid} |")
    )


@pytest.fixture
def carried(ws):
    """'Autumn': the first measure rated Amber, then Green (1 and 5 March 2024); 'Spring'
    started from it on 10 March; 'Autumn' rated Red after that (not Spring's)."""
    with admin(ws) as ctx:
        ctx.clock = lambda: at("2024-01-02")
        ratings.new_assessment(ctx, "Autumn", council="Testshire")
    mid = load_state(ws, "Autumn").views[0].id
    steps = [
        ("2024-03-01", "ann", Rag.AMBER, "review started"),
        ("2024-03-05", "ann", Rag.GREEN, "thresholds agreed"),
        ("2024-03-10", "", None, "Spring"),  # started from Autumn, its ratings carried forward
        ("2024-03-12", "bob", Rag.RED, "rated after the carry"),
    ]
    for day, by, rag, why in steps:
        with admin(ws, by=by or "lead") as ctx:
            ctx.clock = lambda day=day: at(day)
            if rag is None:
                ratings.new_assessment(ctx, why, carry_from="Autumn")
            else:
                ratings.rate(ctx, mid, rag, why, assessment="Autumn")
    return ws, mid


def test_position_across_a_carry_starts_from_the_rating_then_and_lists_each_step(carried, tmp_path):
    """A rating carried into a new assessment is no change from 'Not rated': the period's
    changes are those made before the carry (Amber, then Green), and what was rated in the
    earlier assessment after the carry is not this one's."""
    ws, mid = carried
    write_reports(ws, "position", tmp_path, "Spring", on=DAY, since=SINCE)
    row = _position_row(tmp_path / "position.md", mid)
    assert (
        "1 March 2024: Not rated to Amber by ann: review started; "
        "5 March 2024: Amber to Green by ann: thresholds agreed |"
    ) in row
    assert "Not rated to Green" not in row and "after the carry" not in row
    assert "| Green | thresholds agreed *Carried forward* |" in row
    markdown = (tmp_path / "position.md").read_text(encoding="utf-8")
    assert "1 changed rating in the period" in markdown
    assert "Carried forward: a rating made in 'Autumn' and carried into" in markdown
    cells = Document(str(tmp_path / "position.docx")).tables[0].rows[1].cells
    assert cells[4].text == "thresholds agreed\nCarried forward"
    assert cells[5].text.splitlines() == [
        "1 March 2024: Not rated to Amber by ann: review started",
        "5 March 2024: Amber to Green by ann: thresholds agreed",
    ]


def test_position_after_a_carry_starts_from_the_carried_rating(carried, tmp_path):
    """A period that starts after the ratings were given: the carried rating is where it starts,
    and nothing changed."""
    ws, mid = carried
    write_reports(ws, "position", tmp_path, "Spring", on=DAY, since=date(2024, 3, 6))
    row = _position_row(tmp_path / "position.md", mid)
    assert row.endswith("| Green | thresholds agreed *Carried forward* | No change |")
    markdown = (tmp_path / "position.md").read_text(encoding="utf-8")
    assert "0 changed rating in the period" in markdown


def test_position_of_a_rating_changed_twice_within_one_assessment(carried, tmp_path):
    """Rated Amber then Green within the period: both steps, from the rating at its start."""
    ws, mid = carried
    write_reports(ws, "position", tmp_path, "Autumn", on=DAY, since=date(2024, 3, 2))
    row = _position_row(tmp_path / "position.md", mid)
    assert row.endswith(
        "| 5 March 2024: Amber to Green by ann: thresholds agreed; "
        "12 March 2024: Green to Red by bob: rated after the carry |"
    )
