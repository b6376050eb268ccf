"""Defects a QA pass found using the product as a council team would, each pinned by a test that
failed before its fix: one section per defect, numbered as the QA pass numbered them.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support import admin
from support import workbook as _xlsx
from support import write_file as _write

from valvecheck.domain.rag import Rag
from valvecheck.errors import InputError
from valvecheck.importers.activities import read_activities
from valvecheck.services import activities, links, ratings
from valvecheck.services.imports import ImportOutcome
from valvecheck.services.reports import formats_of

DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


# -- 2: a blank row under a theme merged down is skipped, as in CSV ----------------------------


def _tracker_with_spacer() -> bytes:
    """A tracker: title and notes above the header, a theme merged down A5:A9 over its
    activities, and row 7 left empty as a spacer."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (
        ["High needs programme tracker"],
        ["Updated monthly"],
        [],
        ["Theme", "Activity ID", "Title"],
        ["Inclusion", "A-1", "Outreach"],
        [None, "A-2", "Hubs"],
        [None, None, None],
        [None, "A-3", "Panel"],
        [None, "A-4", "Training"],
    ):
        sheet.append(row)
    sheet.merge_cells("A5:A9")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_spacer_row_under_a_merged_theme_is_skipped_not_refused() -> None:
    parsed = read_activities(_tracker_with_spacer(), "tracker.xlsx")
    assert parsed.problems == []
    assert [(a.id, a.theme) for a in parsed.rows] == [
        ("A-1", "Inclusion"),
        ("A-2", "Inclusion"),
        ("A-3", "Inclusion"),  # the merge still reaches the rows below the spacer
        ("A-4", "Inclusion"),
    ]
    assert parsed.lines == [5, 6, 8, 9]


def test_a_row_with_only_a_value_of_its_own_still_counts() -> None:
    """The fix skips rows filled only by a merge from above, not rows with a value of their
    own: a row whose own theme cell is its only value is still an activity with no id."""
    data = _xlsx([["Theme", "ID", "Title"], ["Inclusion", "A-1", "Outreach"], ["SEMH", None, None]])
    parsed = read_activities(data, "t.xlsx")
    assert [(p.code, p.line) for p in parsed.problems] == [
        ("missing-value", 3),
        ("missing-value", 3),
    ]


def _merged_down(rows: list[list[object]], merge: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    sheet.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_spacer_row_under_an_la_merged_down_is_skipped_in_a_catalogue_workbook() -> None:
    """The same cause in the catalogue's workbook reader: the LA merged over its rows."""
    from valvecheck.importers.catalogue import read_catalogue

    data = _merged_down(
        [
            ["LA", "Recommendation", "Theme", "Sub-Theme", "RAG"],
            ["Bury", "Expand specialist provision in Bury.", "Sufficiency", "", ""],
            [None, None, None, None, None],
            [None, "Review top-up funding bands.", "Financial Efficiencies", "", ""],
        ],
        "A2:A4",
    )
    found = read_catalogue(data, "catalogue.xlsx")
    assert found.problems == []
    assert [(r.la, r.line) for r in found.rows] == [("Bury", 2), ("Bury", 4)]


def test_a_spacer_row_under_an_activity_merged_down_is_skipped_in_a_savings_workbook() -> None:
    """The same cause in the impact importer: an activity merged over its years' rows."""
    from valvecheck.importers.savings import read_savings

    data = _merged_down(
        [
            ["Activity", "Year", "Expected", "Actual"],
            ["A1", "2024-25", "1000", ""],
            [None, None, None, None],
            [None, "2025-26", "2000", ""],
        ],
        "A2:A4",
    )
    found = read_savings(data, "savings.xlsx")
    assert found.problems == []
    assert len(found.rows) == 2


# -- 5: the import sentence says 1 row, 1 new agreement ... ----------------------------------


def test_the_import_sentence_says_one_thing_in_the_singular() -> None:
    outcome = ImportOutcome(
        assessment="Autumn",
        rows=1,
        added={"measures": 1, "revised": 0, "agreements": 1, "placements": 1},
        ratings=1,
        kept=1,
    )
    assert outcome.describe("one.csv") == (
        "Imported 1 row from one.csv: 1 new measure, 0 revised, 1 new agreement, "
        "1 new placement, 1 rating into 'Autumn'; 1 rating in the file not applied, as people "
        "have rated it since."
    )


def test_the_import_sentence_keeps_plurals_for_other_counts() -> None:
    outcome = ImportOutcome(
        assessment="",
        rows=2,
        added={"measures": 0, "revised": 2, "agreements": 2, "placements": 3},
        ratings=0,
    )
    assert outcome.describe("two.csv") == (
        "Imported 2 rows from two.csv: 0 new measures, 2 revised, 2 new agreements, "
        "3 new placements."
    )


def test_importing_one_new_agreement_says_agreement(empty_ws, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = _write(
        tmp_path,
        "one.csv",
        "LA,Recommendation,Theme,Sub-Theme,RAG\n"
        "Bury,Expand specialist provision in the borough.,Sufficiency,,\n",
    )
    code, out, err = cli(
        "import", "catalogue", str(path), "--agreement-year", "2020-21", "--council", "Leeds"
    )
    assert code == 0, err
    assert "1 new measure, 0 revised, 1 new agreement, 1 new placement" in " ".join(out.split())
    assert "Imported 1 row from" in out


# -- 6: a Word document (or another document) named .xlsx says what it is ---------------------


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def _word() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Activities: outreach, hubs, panel")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (_word, "a Word document"),
        (lambda: _zip({"ppt/presentation.xml": b"<p/>"}), "a PowerPoint file"),
        (
            lambda: _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
            "an OpenDocument spreadsheet",
        ),
    ],
    ids=["word", "powerpoint", "opendocument"],
)
def test_a_document_named_xlsx_is_named_for_what_it_is(make, kind) -> None:  # type: ignore[no-untyped-def]
    parsed = read_activities(make(), "activities.xlsx")
    (problem,) = parsed.problems
    assert problem.code == "not-csv-or-xlsx"
    assert kind in problem.message and "named .xlsx" in problem.message


def test_text_named_xlsx_is_still_not_a_workbook() -> None:
    (problem,) = read_activities(b"id,title\na,One\n", "a.xlsx").problems
    assert problem.code == "not-a-workbook"


def test_the_codes_of_a_misnamed_document_are_the_documented_ones() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    section = docs[docs.index("### `valvecheck activities import`") :]
    section = section[: section.index("\n### ")]
    for code in ("not-csv-or-xlsx", "not-a-workbook"):
        assert f"`{code}`" in section


def test_the_command_line_reports_a_word_document_named_xlsx(ws, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, "activities.xlsx", _word())
    code, _, err = cli("activities", "import", str(path))
    assert code == 1 and "[not-csv-or-xlsx]" in err and "a Word document" in err


# -- 7: the column-map hint offers each missing field the heading most like it ---------------


def _missing(header: str) -> dict[str, str]:
    parsed = read_activities(f"{header}\nx,y,z\n".encode(), "t.csv")
    return {p.column or "": p.message for p in parsed.problems if p.code == "missing-column"}


def test_each_missing_field_is_offered_the_heading_most_like_it() -> None:
    said = _missing("Ref No,Scheme,Notes")
    assert "a column map such as id=Ref No " in said["id"]
    assert "a column map such as title=Scheme " in said["title"]


def test_a_heading_is_never_offered_for_two_fields() -> None:
    said = _missing("Ref No,Notes,Comments")
    assert "id=Ref No " in said["id"]
    assert "Ref No" not in said["title"]
    assert "a column map such as title=<its heading> " in said["title"]


# -- 8: a bad RAG word names its field ---------------------------------------------------------


def test_a_bad_rag_word_names_the_rag_field() -> None:
    with pytest.raises(InputError) as caught:
        Rag.parse("purple")
    assert caught.value.field == "rag"


def test_rating_with_a_bad_rag_word_names_the_field_in_the_api(tmp_path) -> None:
    from api_support import server

    with server(str(tmp_path / "api.db")) as srv:
        refused = srv.client.post(
            "/api/measures/bury-1/ratings",
            json={"rag": "purple", "version": 1},
            headers=srv.as_("A-editor"),
        )
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert body["code"] == "invalid-input" and body["field"] == "rag"


# -- 12: the setup form names every missing field at once ----------------------------------


def test_an_empty_setup_form_names_every_missing_field(empty_ws) -> None:  # type: ignore[no-untyped-def]
    from valvecheck.services.setup import first_admin

    with empty_ws.session(write=True, all_councils=True) as db, pytest.raises(InputError) as caught:
        first_admin(db, "", "", "")
    said = str(caught.value)
    assert "council" in said and "sign-in name" in said and "password" in said
    assert list(caught.value.fields) == ["council", "name", "password"]  # type: ignore[attr-defined]


def test_a_setup_form_with_a_council_names_the_rest(empty_ws) -> None:  # type: ignore[no-untyped-def]
    from valvecheck.services.setup import first_admin

    with empty_ws.session(write=True, all_councils=True) as db, pytest.raises(InputError) as caught:
        first_admin(db, "Bristol", "", "short")
    assert caught.value.field == "name"
    assert "council" not in str(caught.value)
    assert "sign-in name" in str(caught.value) and "password" in str(caught.value)


def test_the_empty_setup_page_lists_every_missing_field(tmp_path) -> None:
    from fastapi.testclient import TestClient
    from web_support import csrf_of, page, text

    from valvecheck.services.workspace import init_workspace
    from valvecheck.settings import Settings
    from valvecheck.store.db import Workspace
    from valvecheck.web import create_app

    ws = Workspace(str(tmp_path / "fresh.db"))
    init_workspace(ws)
    try:
        client = TestClient(create_app(Settings(secret_key="k" * 40), ws), follow_redirects=False)
        token = csrf_of(client, "/setup")
        refused = client.post(
            "/setup",
            data={
                "council": "",
                "username": "",
                "password": "",
                "confirm": "",
                "csrf_token": token,
            },
        )
        assert refused.status_code == 422
        shown = page(refused)
        summary = text(shown.find(".//*[@class='govuk-error-summary']"))
        assert "council" in summary and "sign-in name" in summary and "password" in summary
        # each at its own field, linked from the summary (GOV.UK's error pattern); with the
        # workspace's councils listed and none chosen, the council's is at the choice, linked to
        # its first radio (an accessibility review's finding 7)
        for field, link, words in (
            ("existing", "existing-1", "council"),
            ("username", "username", "sign-in name"),
            ("password", "password", "password"),
        ):
            at = shown.find(f".//*[@id='{field}-error']")
            assert at is not None and words in text(at), field
            assert shown.find(f".//*[@class='govuk-error-summary']//a[@href='#{link}']") is not None
    finally:
        ws.dispose()


# -- 14: report messages below the command line use no command-line words -------------------


def test_an_unknown_report_format_lists_only_the_formats_every_shell_offers() -> None:
    with pytest.raises(InputError) as caught:
        formats_of("pdf")
    said = str(caught.value)
    assert caught.value.field == "format"
    for name in ("docx", "xlsx", "html", "md", "position"):
        assert name in said
    assert "all" not in re.findall(r"[a-z]+", said)  # not a choice on the web form


def test_a_position_statement_without_its_start_names_no_option() -> None:
    with pytest.raises(InputError) as caught:
        formats_of("position")
    assert caught.value.field == "since"
    assert "(since)" not in str(caught.value) and "since" not in str(caught.value)


def test_the_command_line_still_names_its_option(ws, cli) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli("report", "--format", "position")
    assert code == 1 and "--since: the position statement needs the start of its period" in err


# -- 9: times on the command line are on the clock in England, and say so -----------------


SUMMER = datetime(2026, 7, 1, 9, 5, 12, tzinfo=UTC)  # 10:05:12 BST
WINTER = datetime(2026, 12, 1, 9, 5, 12, tzinfo=UTC)  # 09:05:12 GMT


def test_history_prints_ratings_on_the_clock_in_england(ws, cli) -> None:  # type: ignore[no-untyped-def]
    for when, rag in ((SUMMER, "amber"), (WINTER, "green")):
        with admin(ws) as ctx:
            ctx.clock = lambda when=when: when
            ratings.rate(ctx, "bury-2", rag, "review")
    code, out, err = cli("history", "bury-2")
    assert code == 0, err
    assert "2026-07-01 10:05:12 BST" in out
    assert "2026-12-01 09:05:12 GMT" in out


def test_activities_show_prints_links_on_the_clock_in_england(ws, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with admin(ws) as ctx:
        activities.import_activities(ctx, b"ID,Title\nA-1,Outreach\n", "a.csv")
        ctx.clock = lambda: SUMMER
        links.link(ctx, "A-1", "bury-2", "delivers it")
    code, out, err = cli("activities", "show", "A-1")
    assert code == 0, err
    assert "2026-07-01 10:05 BST" in out


# -- 4: sign-in names are the same whatever their case ------------------------------------------


def test_a_name_differing_only_in_case_is_taken_and_signs_in_as_typed(ws) -> None:  # type: ignore[no-untyped-def]
    from valvecheck.errors import Conflict
    from valvecheck.services import people

    with admin(ws) as ctx:
        people.add_person(ctx, "ann.lee", "editor", password="a long password 1")
    with admin(ws) as ctx, pytest.raises(Conflict) as taken:
        people.add_person(ctx, "ANN.LEE", "viewer")
    assert "is taken" in str(taken.value) and taken.value.field == "name"
    with ws.session(all_councils=True) as db:  # signed in as people type it
        assert people.sign_in(db, "Ann.Lee", "a long password 1").name == "ann.lee"
    with admin(ws) as ctx:
        assert people.person_actor(ctx.session, "ANN.lee").name == "ann.lee"


def test_a_name_is_matched_exactly_first_and_never_by_a_guess() -> None:
    from valvecheck.domain.people import by_name

    names = ["ann.lee", "Bob", "BOB"]
    assert by_name(names, "ann.lee", str) == "ann.lee"
    assert by_name(names, "Ann.Lee", str) == "ann.lee"  # the only one but for case
    assert by_name(names, "BOB", str) == "BOB"  # written exactly so
    assert by_name(names, "bob", str) is None  # two differ from it in case alone: ambiguous
    assert by_name(names, "carol", str) is None


# -- the end of a day is midnight in England, in summer too --------------------------------


def test_the_end_of_a_day_is_midnight_in_england() -> None:
    from datetime import date

    from valvecheck.domain.moments import end_of_day

    assert end_of_day(date(2026, 7, 1)) == datetime(2026, 7, 1, 23, 0, tzinfo=UTC)  # BST
    assert end_of_day(date(2026, 12, 1)) == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)  # GMT


def test_a_rating_given_after_midnight_bst_is_not_in_the_days_paper(ws) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from support import load_state

    from valvecheck.domain.views import as_at

    late = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # 00:30 BST on 2 July
    with admin(ws) as ctx:
        ctx.clock = lambda: late
        ratings.rate(ctx, "bury-2", "red", "after midnight")
    state = load_state(ws)
    first, second = as_at(state, date(2026, 7, 1)), as_at(state, date(2026, 7, 2))
    assert "after midnight" not in [r.rationale for r in first.view("bury-2").history]
    assert "after midnight" in [r.rationale for r in second.view("bury-2").history]
