"""What a council team tripped on in a user-level pass over the web app: each test is one defect
found then, shown failing before its fix."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

import pytest
from support import hold_writers_turn
from web_support import (
    by_id,
    heading,
    page,
    post,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
    text,
)

from valvecheck.importers import limits
from valvecheck.web.text import sentence


def test_a_file_over_the_limit_is_refused_with_its_real_size(site, monkeypatch):
    # small enough to pass the server's early check of the request's length, over the file limit
    monkeypatch.setattr(limits, "MAX_BYTES", 1000)
    client = site.client("les")
    big = b"ID,Name\n" + b"L-9,x\n" * 500  # 3,008 bytes
    refused = post(
        client, "/imports", {"kind": "activities"}, files={"file": ("big.csv", big, "text/csv")}
    )
    assert refused.status_code == 422
    said = text(page(refused).find(".//main"))
    assert f"{len(big):,} bytes" in said
    assert "1,001 bytes" not in said  # what was read before stopping, not the file's size


def test_a_conflict_names_the_measure_as_it_is_written(site):
    first, second = site.client("ed"), site.client("ann")
    version = page(first.get("/measures/bury-4")).find(".//input[@name='version']").get("value")
    assert post(first, "/measures/bury-4/rating", {"rag": "amber", "version": version}).status_code
    clash = post(
        second, "/measures/bury-4/rating", {"rag": "red", "rationale": "x", "version": version}
    )
    assert clash.status_code == 409
    summary = text(page(clash).find(".//*[@class='govuk-error-summary']"))
    assert "bury-4 was rated Amber" in summary
    assert "Bury-4" not in clash.text


def test_a_refusal_names_the_person_as_their_name_is_written(site):
    refused = post(site.client("vi"), "/measures/bury-4/rating", {"rag": "green", "version": "0"})
    assert refused.status_code == 403
    said = text(by_id(refused, "message"))
    assert said.startswith("vi is a viewer"), said


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("there is no measure 'x'", "There is no measure 'x'"),
        (
            "bury-4 was rated Green by ed since you opened it",
            "bury-4 was rated Green by ed since you opened it",
        ),
        ("stoke-on-trent-3 was rated Green", "stoke-on-trent-3 was rated Green"),
        ("ann.lee is a viewer", "ann.lee is a viewer"),
        ("  choose a rating ", "Choose a rating"),
        ("", "Something went wrong."),
    ],
)
def test_sentence_capitalises_words_but_never_an_id(message, expected):
    assert sentence(message) == expected


def test_a_position_statement_without_its_start_shows_the_form_with_the_error(site):
    client = site.client("vi")
    refused = client.get("/reports/download?format=position&since=")
    assert refused.status_code == 422
    form = page(refused).find(".//main//form[@action='/reports/download']")
    assert form is not None, "the form to correct, not a dead end"
    summary = page(refused).find(".//*[@class='govuk-error-summary']")
    assert summary is not None
    assert summary.find(".//a[@href='#since']") is not None
    assert by_id(refused, "since-error") is not None
    # what was chosen stays chosen
    chosen = form.find(".//input[@id='format-position']")
    assert chosen is not None and chosen.get("checked") is not None


def test_a_report_date_that_is_not_a_date_shows_the_form_with_the_error(site):
    client = site.client("vi")
    refused = client.get("/reports/download?format=md&on=31/03/2026")
    assert refused.status_code == 422
    assert page(refused).find(".//*[@class='govuk-error-summary']//a[@href='#on']") is not None
    assert by_id(refused, "on-error") is not None
    assert by_id(refused, "on").get("value") == "31/03/2026"


def test_an_import_of_one_activity_says_activity_not_activities(site):
    client = site.client("les")
    one = b"ID,Name\nL-5,Annual review catch-up\n"
    preview = post(
        client, "/imports", {"kind": "activities"}, files={"file": ("one.csv", one, "text/csv")}
    )
    assert preview.status_code == 200
    said = text(by_id(preview, "preview-summary"))
    assert said.startswith("1 activity read: 1 new"), said
    confirm = page(preview).find(".//main//form[@method='post']").get("action")
    done = post(client, confirm, token_from="/imports")
    assert done.status_code == 303
    banner = text(page(client.get(done.headers["location"])).find(".//main"))
    assert "Imported 1 activity from one.csv: 1 new, 0 updated" in banner


@pytest.mark.parametrize("kind", ["activities", "catalogue"])
def test_a_preview_keeps_no_writer_waiting(site, monkeypatch, kind):
    """A preview writes nothing, so it takes no writer's turn: it answers while another process
    holds the turn (it used to run the import in a write transaction and roll back, so every
    save in the council waited behind a large file's preview, up to the busy limit)."""
    from pathlib import Path

    from valvecheck.store.db import WriterQueue

    monkeypatch.setattr(WriterQueue, "WAIT", 0.5)
    client = site.client("les" if kind == "activities" else "ann")
    two = {
        "activities": b"ID,Name\nL-7,Annual review catch-up\nL-8,SENCO network\n",
        "catalogue": b"LA,Recommendation\nBury,Publish a sufficiency strategy for SEND places.\n"
        b"Bury,Open two resourced provisions for autistic pupils.\n",
    }[kind]
    holder = hold_writers_turn(Path(f"{site.ws.engine.url.database}-lock"), 30)
    try:
        preview = post(
            client, "/imports", {"kind": kind}, files={"file": ("two.csv", two, "text/csv")}
        )
    finally:
        holder.kill()
        holder.wait(10)
    assert preview.status_code == 200, text(page(preview).find(".//main"))
    said = text(by_id(preview, "preview-summary"))
    expected = {"activities": "2 activities read: 2 new", "catalogue": "2 rows read: 2 new"}
    assert said.startswith(expected[kind]), said
    if kind == "activities":
        assert "L-7" not in client.get("/activities").text  # nothing was written
    else:
        assert "sufficiency strategy" not in client.get("/measures?text=sufficiency").text


def test_a_catalogue_preview_counts_one_row_and_one_measure_in_the_singular(site):
    client = site.client("ann")
    one = b"LA,Recommendation\nBury,Publish a sufficiency strategy for SEND places by 2027.\n"
    preview = post(
        client, "/imports", {"kind": "catalogue"}, files={"file": ("one.csv", one, "text/csv")}
    )
    assert preview.status_code == 200
    said = text(by_id(preview, "preview-summary"))
    assert said.startswith("1 row read: 1 new measure, 0 revised texts."), said


def test_a_catalogue_table_with_other_headings_is_read_through_the_forms_column_names(site):
    """A missing column's message says "a column map such as Recommendation=... would say so":
    the catalogue's form now has the field it speaks of, as the activities' form has."""
    client = site.client("ann")
    form = page(client.get("/imports"))
    field = form.find(".//input[@id='catalogue-map']")
    assert field is not None and field.get("name") == "column_map"
    table = b"Council,Condition text\nBury,Publish a sufficiency strategy for SEND places.\n"
    sent = {"file": ("other.csv", table, "text/csv")}
    refused = post(client, "/imports", {"kind": "catalogue"}, files=sent)
    assert "a column map such as Recommendation=Condition text would say so" in refused.text
    mapped = {"kind": "catalogue", "column_map": "Recommendation=Condition text"}
    preview = post(client, "/imports", mapped, files=sent)
    assert preview.status_code == 200, text(page(preview).find(".//main"))
    said = text(by_id(preview, "preview-summary"))
    assert said.startswith("1 row read: 1 new measure"), said


def test_making_the_only_admin_a_viewer_is_refused_on_the_people_page(site):
    client = site.client("ann")
    me = site.people["ann"]
    refused = post(client, f"/admin/users/{me}/role", {"role": "viewer"}, token_from="/admin/users")
    assert refused.status_code == 422
    assert text(page(refused).find(".//h1")) == "People in Bristol"  # the page to act on
    link = page(refused).find(f".//*[@class='govuk-error-summary']//a[@href='#role-{me}']")
    assert link is not None
    assert text(link).startswith("ann is the only admin of Bristol"), text(link)
    assert by_id(refused, f"role-{me}-error") is not None
    assert by_id(refused, f"role-{me}").get("aria-describedby") == f"role-{me}-error"
    still = page(client.get("/admin/users")).find(f".//select[@id='role-{me}']/option[@selected]")
    assert still is not None and still.get("value") == "admin"


def test_linking_with_no_measure_id_asks_for_one(site):
    client = site.client("ed")
    refused = post(client, "/activities/B-1/link", {"measure": " "}, token_from="/activities/B-1")
    assert refused.status_code == 422
    link = page(refused).find(".//*[@class='govuk-error-summary']//a[@href='#measure']")
    assert link is not None
    assert text(link) == "Choose the measure to link, or enter its id, for example bury-4"


def test_accepting_no_suggestion_is_an_error_not_a_success(site):
    client = site.client("ed")
    refused = post(client, "/activities/B-1/accept", {}, token_from="/activities/B-1")
    assert refused.status_code == 422
    assert page(refused).find(".//*[@class='govuk-notification-banner__heading']") is None
    # the group's first checkbox, which takes focus (its fieldset cannot)
    link = page(refused).find(".//*[@class='govuk-error-summary']//a[@href='#accept-1']")
    assert link is not None and text(link) == "Choose at least one measure to link"
    assert by_id(refused, "accept-error") is not None
    assert by_id(refused, "accept").tag == "fieldset"
    # a viewer is refused as ever, chosen or not
    viewer = site.client("vi")
    assert (
        post(viewer, "/activities/B-1/accept", {}, token_from="/activities/B-1").status_code == 403
    )


def test_a_council_with_no_assessment_is_told_to_start_one_not_given_a_form_that_fails(site):
    from valvecheck.services import people
    from valvecheck.services.workspace import unit_of_work

    with unit_of_work(site.ws, write=True, council="Bristol", by="setup") as ctx:
        people.add_council(ctx, "York")
        site.people["yo"] = people.add_person(ctx, "yo", "editor", "York", "x" * 12).id
    client = site.client("yo")
    shown = client.get("/measures/bury-4")
    assert shown.status_code == 200
    assert page(shown).find(".//form[@id='rating-form']") is None
    said = by_id(shown, "no-assessment")
    assert said is not None and "York has no assessment yet" in text(said)
    assert said.find(".//a[@href='/assessments']") is not None
    reports = client.get("/reports")  # no empty Assessment list, no report of nothing
    assert reports.status_code == 200
    assert page(reports).find(".//form[@action='/reports/download']") is None
    assert "York has no assessment yet" in text(by_id(reports, "no-assessment"))
    refused = client.get("/reports/download?format=html")
    assert refused.status_code == 404
    assert "York has no assessment yet" in refused.text


def test_times_are_shown_on_the_clock_in_england_as_valid_html(site):
    from datetime import UTC, datetime

    from valvecheck.services import ratings
    from valvecheck.services.workspace import unit_of_work

    with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        ctx.clock = lambda: datetime(2026, 7, 1, 9, 5, 12, 345678, tzinfo=UTC)
        ratings.rate(ctx, "bury-2", "amber", "summer review", expected_version=0)
    shown = site.client("ed").get("/measures/bury-2")
    moment = by_id(shown, "history-table").find(".//time")
    # 09:05 UTC is 10:05 BST; the HTML datetime allows at most three digits of a second
    assert text(moment) == "1 Jul 2026 10:05"
    assert moment.get("datetime") == "2026-07-01T10:05:12+01:00"


@pytest.mark.parametrize(
    "path", ["/measures?rag=purple", "/assessments/compare?first=1&second=1", "/no-such-page"]
)
def test_an_error_page_keeps_the_councils_header_and_menu(site, path):  # noqa: F811
    refused = site.client("ed").get(path)
    assert refused.status_code in (404, 422)
    assert "Signed in as ed" in text(page(refused))
    assert page(refused).find(".//nav") is not None


def test_a_reworded_agreement_on_the_import_page_is_refused_saying_how_to_revise(site):
    from valvecheck.catalogue.loader import load_catalogue

    bury = [m.text for m in load_catalogue().measures if m.id.startswith("bury-")]
    bury[1] = bury[1].rstrip(".") + " during 2023-24 and 2024-25."  # bury-2 reworded
    body = "LA,Recommendation\n" + "".join(f'Bury,"{t}"\n' for t in bury)
    client = site.client("ann")
    refused = post(
        client,
        "/imports",
        {"kind": "catalogue"},
        files={"file": ("bury-v2.csv", body.encode(), "text/csv")},
    )
    assert refused.status_code == 422, refused.status_code
    assert "rewords measure bury-2" in text(page(refused))
    assert "This is a new version of agreements already here" in text(by_id(refused, "reworded"))


def test_due_in_the_next_six_months_leaves_out_what_is_overdue(site):
    """The listing's "Due in the next 6 months" is from today on (bookmarkable: no date in it);
    measures due years ago are the "Overdue" choice's."""
    from datetime import date

    from valvecheck.domain.views import Filters, months_on
    from valvecheck.services.listing import parse_due
    from valvecheck.services.measures import list_measures
    from valvecheck.services.workspace import unit_of_work

    client = site.client("ed")
    shown = client.get("/measures?due=6-months")
    assert shown.status_code == 200
    assert page(shown).find(".//select[@id='due']/option[@value='6-months'][@selected]") is not None
    listed = {text(a) for a in page(shown).findall(".//table//a")}
    overdue = {text(a) for a in page(client.get("/measures?due=overdue")).findall(".//table//a")}
    assert overdue and not listed & overdue
    on = date(2021, 10, 1)  # bury-5 is due 31 Dec 2021, bury-1 31 Mar 2022
    with unit_of_work(site.ws, as_person="ed") as ctx:
        within = parse_due("6-months", Filters(today=on))
        assert {"bury-5", "bury-1"} <= {v.id for v in list_measures(ctx, within)}
        later = parse_due("6-months", Filters(today=date(2022, 1, 1)))
        assert "bury-5" not in {v.id for v in list_measures(ctx, later)}
    assert months_on(date(2026, 8, 31), 6) == date(2027, 2, 28)


def test_an_activities_preview_shows_what_would_change_and_what_would_be_cleared(site):
    """The officer's only check before a re-import: each value that would change, and each the
    file would clear (an empty Owner cell), besides the new activities."""
    client = site.client("ed")
    again = b"ID,Name,Owner\nB-1,SENCO network (relaunched),\nB-9,Inclusion charter,Head of SEND\n"
    preview = post(
        client, "/imports", {"kind": "activities"}, files={"file": ("upd.csv", again, "text/csv")}
    )
    assert preview.status_code == 200
    rows = [
        [text(c) for c in r.findall("td")]
        for r in page(preview).findall(".//table[@id='changes']/tbody/tr")
    ]
    assert rows == [
        ["B-1", "Title", "SENCO network", "SENCO network (relaunched)"],
        ["B-1", "Owner", "Inclusion lead", "Cleared the file's cell is empty"],
    ]
    assert "B-9: Inclusion charter" in text(by_id(preview, "new-activities"))
    assert "Inclusion lead" in client.get("/activities/B-1").text  # nothing stored yet


def test_a_source_that_is_not_a_web_address_is_refused_on_the_form_not_by_the_browser(site):
    """The imports forms carry novalidate, as every form here: the page says what is wrong
    in its own words, not a browser's tooltip."""
    client = site.client("ann")
    form = page(client.get("/imports")).findall(".//form[@action='/imports']")
    assert form and all(f.get("novalidate") is not None for f in form)
    one = b"LA,Recommendation\nBury,Publish a sufficiency strategy for SEND places by 2027.\n"
    refused = post(
        client,
        "/imports",
        {"kind": "catalogue", "source_url": "not a url"},
        files={"file": ("one.csv", one, "text/csv")},
    )
    assert refused.status_code == 422
    assert "is not a web address" in text(page(refused))


def test_accepting_a_measure_no_longer_suggested_says_so_beside_the_choices(site):
    client = site.client("ed")
    shown = page(client.get("/activities/B-1"))
    offered = {i.get("value") for i in shown.findall(".//input[@type='checkbox'][@name='measure']")}
    from valvecheck.catalogue.loader import load_catalogue

    other = next(m.id for m in load_catalogue().measures if m.id not in offered)
    refused = post(
        client, "/activities/B-1/accept", {"measure": [other]}, token_from="/activities/B-1"
    )
    assert refused.status_code == 422
    assert f"{other} is not suggested for B-1" in text(by_id(refused, "accept-error"))
    assert heading(refused) == "SENCO network"  # the activity's page, not an error page


def test_carried_ratings_prefill_the_persons_own_words_and_notes_never_pile_up(site):
    from valvecheck.services.ratings import history, new_assessment, rate
    from valvecheck.services.workspace import unit_of_work

    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        rate(ctx, "bury-1", "red", "Ann says red")
        new_assessment(ctx, "Spring 2027", carry_from=site_current(ctx), use=True)
        new_assessment(ctx, "Summer 2027", carry_from="Spring 2027", use=True)
        [carried] = history(ctx, "bury-1")
    assert carried.rationale == "Ann says red (carried forward from 'Spring 2027')"
    client = site.client("ed")
    box = page(client.get("/measures/bury-1")).find(".//textarea[@name='rationale']")
    assert box.text == "Ann says red"


def site_current(ctx) -> str:  # type: ignore[no-untyped-def]
    from valvecheck.services.ratings import current_assessment

    return current_assessment(ctx).name


def test_a_failed_unlink_never_fills_the_link_form(site):
    client = site.client("ed")
    post(client, "/activities/B-1/link", {"measure": "bury-3"}, token_from="/activities/B-1")
    post(client, "/activities/B-1/unlink", {"measure": "bury-3"}, token_from="/activities/B-1")
    again = post(
        client,
        "/activities/B-1/unlink",
        {"measure": "bury-3", "rationale": "stopped"},
        token_from="/activities/B-1",
    )
    assert again.status_code == 409
    # the link form is a select of the measures: none chosen
    assert page(again).find(".//select[@id='measure']/option[@selected]") is None
    assert not (page(again).find(".//textarea[@id='link-rationale']").text or "")


def test_an_import_with_no_file_chosen_is_the_form_again_with_what_was_typed(site):
    client = site.client("ann")
    refused = post(
        client,
        "/imports",
        {"kind": "catalogue", "agreement_year": "2026-27", "source_url": "https://x.gov.uk/a"},
    )
    assert refused.status_code == 422 and heading(refused) == "Imports"
    assert "Choose a file to upload" in text(by_id(refused, "catalogue-file-error"))
    assert by_id(refused, "agreement_year").get("value") == "2026-27"
    assert by_id(refused, "source_url").get("value") == "https://x.gov.uk/a"
    link = page(refused).find(".//*[@class='govuk-error-summary']//a")
    assert link.get("href") == "#catalogue-file"


def test_confirmation_pages_never_ask_what_is_refused_or_done(site):
    ann = site.client("ann")
    me = site.people["ann"]
    assert ann.get(f"/admin/users/{me}/remove").status_code == 422
    own = post(
        ann,
        f"/admin/users/{me}/password",
        {"password": "x" * 12, "confirm": "x" * 12},
        token_from=f"/admin/users/{me}/password",
    )
    assert own.status_code == 303
    assert "Your password is changed" in ann.get("/admin/users").text
    both = post(
        ann,
        f"/admin/users/{site.people['vi']}/password",
        {"password": "abc", "confirm": "abd"},
        token_from="/admin/users",
    )
    assert by_id(both, "password-error") is not None and by_id(both, "confirm-error") is not None
    post(ann, f"/assessments/{site.bristol_assessment}/lock", token_from="/assessments")
    again = ann.get(f"/assessments/{site.bristol_assessment}/lock")
    assert again.status_code == 303
    assert "is already locked" in ann.get(again.headers["location"]).text


def test_the_dashboard_says_one_in_the_singular_and_the_account_bar_is_a_landmark(site):
    client = site.client("ed")
    post(client, "/activities/B-1/link", {"measure": "bury-3"}, token_from="/activities/B-1")
    board = text(page(client.get("/")))
    assert "1 has an activity linked" in board
    account = page(client.get("/")).find(".//nav[@aria-label='Your account']")
    assert account is not None and "Signed in as ed" in text(account)


def test_a_catalogue_preview_lists_what_the_shared_catalogue_would_gain(site):
    client = site.client("ann")
    table = (
        b"LA,Recommendation,RAG\n"
        b"Bury,Publish a sufficiency strategy for SEND places by 2027.,Green\n"
        b"Leeds,Open two SEMH resource bases in Leeds secondary schools.,\n"
    )
    preview = post(
        client,
        "/imports",
        {"kind": "catalogue", "agreement_year": "2026-27"},
        files={"file": ("cat.csv", table, "text/csv")},
    )
    assert preview.status_code == 200
    rows = [
        [text(c) for c in r.findall("td")]
        for r in page(preview).findall(".//table[@id='new-measures']/tbody/tr")
    ]
    assert [(r[1], r[2][:20]) for r in rows] == [
        ("Bury", "Publish a sufficienc"),
        ("Leeds", "Open two SEMH resour"),
    ]
    said = text(by_id(preview, "catalogue-changes"))
    assert "New authority in the catalogue: Leeds." in said
    assert "New agreements:" in said and "every council on this server" in said
    assert "holds 1 rating, for Bristol's current assessment" in said
    assert "Leeds" not in client.get("/measures").text  # nothing stored yet


def test_wording_from_the_second_qa_pass(site):
    """An agreement filter is named by its title, not its slug; a red measure no other agreement
    shares says so, not "shared by 1 agreement"; a viewer is told who may import a tracker
    (editors may: it said to ask an administrator to import files); a same-measure decision's
    reason is marked optional, as it is."""
    ed, vi = site.client("ed"), site.client("vi")
    none = ed.get("/measures", params={"agreement": "bury", "text": "zebra crossings"})
    applied = text(by_id(none, "applied"))
    assert "Agreement: Bury Safety Valve agreement 2020-21" in applied, applied
    board = page(ed.get("/"))
    hints = [text(h) for h in board.iterfind(".//ol//span[@class='govuk-hint']")]
    assert hints and not any(h == "shared by 1 agreement" for h in hints), hints
    assert "in this agreement only" in hints, hints  # the seed has such a red measure
    said = text(page(vi.get("/imports")).find(".//main"))
    assert "Importing a tracker of activities needs an editor or an administrator" in said
    assert "ask an administrator if you need to import files" not in said
    shown = page(site.client("ann").get("/measures/kingston-richmond-5"))
    label = shown.find(".//label[@for='reason']")
    assert label is not None and text(label) == "Why (optional)"


def test_setting_a_measure_back_to_not_rated_drops_the_reasons_of_the_rating_taken_away(site):
    """From a QA pass: the rating form offers the rationale and evidence again, so choosing "Not
    rated" saved the Green rating's "Post-16 offer reformed with colleges" once more, and the
    committee report printed it beside Not rated. They stay in the history; a reason typed for
    the change itself is kept."""
    from valvecheck.services.measures import show_measure
    from valvecheck.services.workspace import unit_of_work

    ed = site.client("ed")

    def form(measure: str) -> dict[str, str]:
        shown = page(ed.get(f"/measures/{measure}"))
        version = shown.find(".//input[@name='version']").get("value")
        rationale = shown.find(".//textarea[@name='rationale']").text or ""
        evidence = shown.find(".//textarea[@name='evidence']").text or ""
        return {"version": version, "rationale": rationale, "evidence": evidence}

    first = {"rag": "green", "rationale": "Post-16 offer reformed with colleges"}
    green = post(ed, "/measures/stoke-on-trent-7/rating", {**form("stoke-on-trent-7"), **first})
    assert green.status_code == 303
    offered = form("stoke-on-trent-7")
    assert offered["rationale"] == "Post-16 offer reformed with colleges"  # offered again
    back = post(ed, "/measures/stoke-on-trent-7/rating", {**offered, "rag": "unrated"})
    assert back.status_code == 303
    with unit_of_work(site.ws, as_person="ed") as ctx:
        view = show_measure(ctx, "stoke-on-trent-7")
    assert (view.latest.rag.value, view.latest.rationale) == ("unrated", "")
    assert view.history[-2].rationale == "Post-16 offer reformed with colleges"  # kept there
    again = post(ed, "/measures/stoke-on-trent-7/rating", {**form("stoke-on-trent-7"), **first})
    assert again.status_code == 303
    said = {**form("stoke-on-trent-7"), "rag": "unrated", "rationale": "Moved to 2027 plan"}
    assert post(ed, "/measures/stoke-on-trent-7/rating", said).status_code == 303
    with unit_of_work(site.ws, as_person="ed") as ctx:
        assert show_measure(ctx, "stoke-on-trent-7").latest.rationale == "Moved to 2027 plan"


def test_a_column_map_that_cannot_be_read_is_refused_at_its_field_with_what_was_typed(site):
    """From a QA pass: a mistyped column map was reported against the file's name in a
    problems table, and had to be typed again. The form comes back with the error at the
    column names, linked from the summary, with what was typed kept."""
    ed = site.client("ed")
    sent = {"kind": "activities", "column_map": "identifier Project Ref"}
    files = {"file": ("t.csv", b"Project Ref,Name\nT-1,Hubs\n", "text/csv")}
    refused = post(ed, "/imports", sent, files=files, token_from="/imports")
    assert refused.status_code == 422
    said = text(by_id(refused, "activities-map-error"))
    assert "'identifier Project Ref' should be COLUMN=HEADING" in said
    assert "Choose the file again" in said
    assert by_id(refused, "activities-map").get("value") == "identifier Project Ref"
    link = page(refused).find(".//*[@class='govuk-error-summary']//a")
    assert link is not None and link.get("href") == "#activities-map"
