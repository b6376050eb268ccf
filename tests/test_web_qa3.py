"""What a QA pass over importing a tracker and working through its links found on the web pages:
each test is one finding, shown failing before its fix."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

import pytest
from web_support import (
    by_id,
    page,
    post,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
    text,
)

from valvecheck.domain.measure_ids import run_together
from valvecheck.services import links
from valvecheck.services.workspace import unit_of_work


def _preview(client, name: str, data: bytes):  # type: ignore[no-untyped-def]
    return post(
        client,
        "/imports",
        {"kind": "activities"},
        files={"file": (name, data, "text/csv")},
        token_from="/imports",
    )


def _confirm(client, preview):  # type: ignore[no-untyped-def]
    forms = page(preview).iter("form")
    action = next(f.get("action") for f in forms if f.get("action", "").endswith("/confirm"))
    done = post(client, action, token_from="/imports")
    assert done.status_code == 303, done.text
    return client.get(done.headers["location"])


# -- finding 2: the links a measures column makes are counted ------------------------------------


def test_an_import_counts_the_links_from_its_measures_column(site):
    """B-1 and B-2 are here as the file has them: its only news is their measures. The preview
    and the banner said "0 new, 0 updated" and nothing of the links; the CLI says "Linked 3
    activity-measure pairs from the measures column", and the pages now say so too."""
    client = site.client("ed")
    tracker = b"ID,Name,Measures\nB-1,SENCO network,bury-4\nB-2,Resource bases,bury-2; bury-3\n"
    preview = _preview(client, "linkonly.csv", tracker)
    assert preview.status_code == 200
    said = text(by_id(preview, "preview-summary"))
    assert said.startswith(
        "2 activities read: 0 new, 0 already here would be updated, and 3 activity-measure "
        "pairs would be linked from the measures column."
    ), said
    banner = text(page(_confirm(client, preview)).find(".//*[@id='notice-title']/../.."))
    assert (
        "Imported 2 activities from linkonly.csv: 0 new, 0 updated; linked 3 activity-measure "
        "pairs from the measures column" in banner
    ), banner
    # one link more: the singular, and nothing said of links where none is made
    again = _preview(client, "one.csv", b"ID,Name,Measures\nB-1,SENCO network,bury-4; bury-1\n")
    assert "and 1 activity-measure pair would be linked" in text(by_id(again, "preview-summary"))
    plain = _preview(client, "plain.csv", b"ID,Name\nB-9,Panel\n")
    assert "linked" not in text(by_id(plain, "preview-summary"))
    banner = text(page(_confirm(client, plain)).find(".//*[@id='notice-title']/../.."))
    assert "Imported 1 activity from plain.csv: 1 new, 0 updated" in banner
    assert "linked" not in banner


# -- finding 3: no blank Status column ----------------------------------------------------------


@pytest.mark.parametrize(
    ("tracker", "columns", "cells"),
    [
        (
            b"ID,Name,Owner\nB-9,Panel,Sam Lee\n",
            ["Activity", "Title", "Owner"],
            ["B-9", "Panel", "Sam Lee"],
        ),
        (
            b"ID,Name,Status\nB-9,Panel,On track\n",
            ["Activity", "Title", "Status"],
            ["B-9", "Panel", "On track → In progress"],
        ),
    ],
    ids=["no status column", "a status column"],
)
def test_the_preview_shows_a_status_column_only_when_the_file_has_one(
    site, tracker, columns, cells
):
    """A file with no status column keeps each activity's status; a blank Status column on
    every row said the import would clear them (the Owner column was already left out)."""
    preview = _preview(site.client("ed"), "tracker.csv", tracker)
    assert preview.status_code == 200
    table = page(preview).find(".//table[@id='rows-read']")
    assert [text(h) for h in table.findall("thead/tr/th")] == columns
    assert [[text(c) for c in r.findall("td")] for r in table.findall("tbody/tr")] == [cells]


# -- finding 6: a "not relevant" mark is not an unlink -------------------------------------------


def test_the_dashboard_says_not_relevant_where_it_said_unlinked(site):
    with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        links.not_relevant(ctx, "B-1", "bury-4", "a different service")
        links.link(ctx, "B-2", "bury-2", "it delivers it")
        links.unlink(ctx, "B-2", "bury-2", "it does not after all")
    table = page(site.client("vi").get("/")).find(".//table[@id='recent-table']")
    changes = [text(r.findall("td")[2]) for r in table.findall("tbody/tr")]
    assert "Marked not relevant to B-1: bury-4 Not relevant: a different service" in changes
    assert not [c for c in changes if c.startswith("B-1 unlinked from")], changes
    # a real unlink is still said as one
    assert any(c.startswith("B-2 unlinked from bury-2") for c in changes), changes
    assert any(c.startswith("B-2 linked to bury-2") for c in changes), changes


# -- finding 9: ids separated by commas ----------------------------------------------------------


def test_a_measures_cell_with_commas_is_told_to_separate_the_ids_with_semicolons(site):
    tracker = (
        b"ID,Name,Measures\n"
        b'B-7,Panel,"kingston-richmond-5, bury-2"\n'
        b"B-8,Hubs,bury-3 / stoke-on-trent-1\n"
        b"B-9,Outreach,bury-9\n"
        b"B-10,Offer,local offer\n"
    )
    refused = _preview(site.client("ed"), "commas.csv", tracker)
    assert refused.status_code == 422
    rows = [
        [text(c) for c in r.findall("td")]
        for r in page(refused).findall(".//table[@id='problems']/tbody/tr")
    ]
    said = "there is no measure '{}' (separate measure ids with ';', as in '{}')"
    assert rows == [
        [
            "commas.csv",
            "2",
            "Measures",
            said.format("kingston-richmond-5, bury-2", "kingston-richmond-5; bury-2"),
            "unknown-measure",
        ],
        [
            "commas.csv",
            "3",
            "Measures",
            said.format("bury-3 / stoke-on-trent-1", "bury-3; stoke-on-trent-1"),
            "unknown-measure",
        ],
        # one id mistyped, and words with no close id: as before
        ["commas.csv", "4", "Measures", "there is no measure 'bury-9' (did you mean bury-5?)",
         "unknown-measure"],
        ["commas.csv", "5", "Measures", "there is no measure 'local offer' (measure ids look "
         "like bury-4; separate them with ';')", "unknown-measure"],
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "ids"),
    [
        ("kingston-richmond-5, bury-2", ("kingston-richmond-5", "bury-2")),
        ("bury-3 / stoke-on-trent-1", ("bury-3", "stoke-on-trent-1")),
        ("bury-3|bury-4", ("bury-3", "bury-4")),
        ("bury 2 and bury 3", ("bury-2", "bury-3")),
        ("Bury 2 Kingston Richmond 5", ("bury-2", "kingston-richmond-5")),
        ("bury-9", ()),
        ("Stoke on Trent 5", ()),
        ("hammersmith-fulham2", ()),
        ("Hammersmith & Fulham 3", ()),
        ("local offer", ()),
        ("bury-2,", ()),
        ("N/A", ()),  # from a review: "N; A" was offered
        ("TBC / bury-4", ()),
    ],
)
def test_several_ids_written_as_one_are_told_apart(typed, ids):
    assert run_together(typed) == ids


# -- finding 8: the problems table stacks on a phone ---------------------------------------------


def test_the_import_problems_table_stacks_each_cell_named_by_its_column(site):
    """On a phone the Problem column was squeezed to a few letters beside the file's name: the
    table stacks as the listings do, each cell carrying its column's name."""
    refused = _preview(site.client("ed"), "bad.csv", b"ID,Name,Measures\nB-9,Panel,bury-9\n")
    assert refused.status_code == 422
    table = page(refused).find(".//table[@id='problems']")
    assert "app-table--stack" in table.get("class", "").split()
    assert table.get("role") == "table"
    columns = [text(h) for h in table.findall("thead/tr/th")]
    assert columns == ["File", "Row", "Column", "Problem", "Code"]
    assert [h.get("role") for h in table.findall("thead/tr/th")] == ["columnheader"] * 5
    for row in table.findall("tbody/tr"):
        assert row.get("role") == "row"
        cells = row.findall("td")
        assert [c.get("data-label") for c in cells] == columns
        assert [c.get("role") for c in cells] == ["cell"] * 5


# -- finding 11: the activity's blank details say so ---------------------------------------------


def test_an_activitys_missing_details_say_not_given(site):
    client = site.client("ed")
    _confirm(client, _preview(client, "bare.csv", b"ID,Name\nB-9,Panel\n"))
    details = page(client.get("/activities/B-9")).find(".//main//dl")
    shown = {
        text(r.find("dt")): text(r.find("dd"))
        for r in details.findall("div")
        if r.find("dt") is not None
    }
    assert shown == {
        "Owner": "Not given",
        "Status": "Not known",
        "Theme": "Not given",
        "Dates": "Not given",
    }
    # given details are shown as before
    kept = page(client.get("/activities/B-1")).find(".//main//dl")
    assert "Inclusion lead" in text(kept)


def test_an_activity_with_one_date_says_which_it_has(site):
    """From the QA pass: an end date alone read "to 31 Mar 2026"."""
    client = site.client("ed")
    data = b"ID,Name,Start,End\nB-7,Panel,,31/03/2026\nB-8,Hub,01/04/2026,\nB-6,Both,01/04/2026,31/03/2027\n"
    _confirm(client, _preview(client, "dated.csv", data))

    def dates(code: str) -> str:
        details = page(client.get(f"/activities/{code}")).find(".//main//dl")
        row = next(r for r in details.findall("div") if text(r.find("dt")) == "Dates")
        return text(row.find("dd"))

    assert dates("B-7") == "Until 31 Mar 2026 (no start date given)"
    assert dates("B-8") == "From 1 Apr 2026 (no end date given)"
    assert dates("B-6") == "1 Apr 2026 to 31 Mar 2027"
