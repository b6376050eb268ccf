"""Adding one activity on the web: the button for those who may, the form at /activities/new,
every problem at once with what was typed kept, CSRF, and the new activity's page after."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

from web_support import (
    by_id,
    csrf_of,
    heading,
    page,
    post,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
    text,
    title,
)

from valvecheck.services.activities import list_activities, show_activity
from valvecheck.services.activity_details import activity_history
from valvecheck.services.workspace import unit_of_work

TYPED = {
    "code": "SEN-12",
    "title": "Inclusion hubs",
    "description": "Hubs in mainstream schools",
    "theme": "Inclusion",
    "owner": "Ann Lee",
    "status": "in_progress",
    "start": "01/09/2026",
    "end": "March 2027",
}


def summary(response) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    found = page(response).find(".//*[@class='govuk-error-summary']")
    assert found is not None, "no error summary"
    return [(a.get("href"), text(a)) for a in found.iter("a")]


def codes(site, who: str) -> list[str]:  # type: ignore[no-untyped-def]
    with unit_of_work(site.ws, as_person=who) as ctx:
        return [v.activity.id for v in list_activities(ctx)]


def test_an_editor_sees_the_button_and_the_form_a_viewer_neither(site):
    ed = site.client("ed")
    button = by_id(ed.get("/activities"), "add-activity")
    assert button is not None and button.get("href") == "/activities/new"
    assert text(button) == "Add an activity"
    form = ed.get("/activities/new")
    assert form.status_code == 200 and heading(form) == "Add an activity"
    tree = page(form)
    shown = tree.find(".//form[@action='/activities/new']")
    assert shown is not None and shown.get("method") == "post"
    names = [e.get("name") for e in shown.iter() if e.tag in ("input", "select", "textarea")]
    # the edit form's fields, the id first
    edit = page(ed.get("/activities/B-1/edit")).find(".//form[@action='/activities/B-1/edit']")
    edited = [e.get("name") for e in edit.iter() if e.tag in ("input", "select", "textarea")]
    # (the edit form also says what it showed when opened: test_edit_together)
    shown_fields = [n for n in edited[1:] if not n.startswith("was_")]
    assert names == ["csrf_token", "code", *shown_fields]
    vi = site.client("vi")
    assert by_id(vi.get("/activities"), "add-activity") is None
    assert vi.get("/activities/new").status_code == 403
    assert post(vi, "/activities/new", TYPED, token_from="/activities").status_code == 403
    assert codes(site, "vi") == ["B-1", "B-2"]


def test_an_added_activity_is_shown_with_a_confirmation_and_its_history(site):
    ed = site.client("ed")
    sent = post(ed, "/activities/new", TYPED, token_from="/activities/new")
    assert (sent.status_code, sent.headers["location"]) == (303, "/activities/SEN-12")
    shown = ed.get("/activities/SEN-12")
    assert shown.status_code == 200
    assert "SEN-12 added" in text(
        page(shown).find(".//*[@class='govuk-notification-banner__heading']")
    )
    assert "Inclusion hubs" in heading(shown)
    table = by_id(shown, "changes-table")
    assert table is not None
    rows = [[text(td) for td in tr.findall("td")] for tr in table.findall("tbody/tr")]
    assert {r[1] for r in rows} == {"ed"} and ["ed", "Title", "Not given", "Inclusion hubs"] in [
        r[1:] for r in rows
    ]
    # a status from nothing reads as the edit form names no status: "Not known"
    assert ["ed", "Status", "Not known", "In progress"] in [r[1:] for r in rows]
    with unit_of_work(site.ws, as_person="ed") as ctx:
        a = show_activity(ctx, "SEN-12").activity
        assert (a.owner, a.status.label, str(a.start), str(a.end)) == (
            "Ann Lee",
            "In progress",
            "2026-09-01",
            "2027-03-31",
        )
        assert len(activity_history(ctx, "SEN-12")) == 7


def test_every_problem_is_shown_at_once_and_what_was_typed_is_kept(site):
    ed = site.client("ed")
    typed = {**TYPED, "code": "", "title": " ", "start": "32/13/2026", "end": "yesterday"}
    sent = post(ed, "/activities/new", typed, token_from="/activities/new")
    assert sent.status_code == 422
    assert [href for href, _ in summary(sent)] == ["#code", "#title", "#start", "#end"]
    assert dict(summary(sent))["#code"] == "Enter the activity's id, for example SEN-12"
    assert dict(summary(sent))["#start"] == "'32/13/2026' is not a real date"
    for field in ("code", "title", "start", "end"):
        assert text(by_id(sent, f"{field}-error")).startswith("Error: "), field
    assert title(sent).startswith("Error: Add an activity")
    tree = page(sent)
    assert tree.find(".//input[@id='start']").get("value") == "32/13/2026"
    assert tree.find(".//input[@id='owner']").get("value") == "Ann Lee"
    assert tree.find(".//input[@id='theme']").get("value") == "Inclusion"
    assert text(tree.find(".//textarea[@id='description']")) == "Hubs in mainstream schools"
    assert tree.find(".//select[@id='status']/option[@selected]").get("value") == "in_progress"
    assert codes(site, "ed") == ["B-1", "B-2"]


def test_a_taken_id_is_refused_beside_the_field(site):
    ed = site.client("ed")
    sent = post(ed, "/activities/new", {**TYPED, "code": "b-1"}, token_from="/activities/new")
    assert sent.status_code == 409
    assert [href for href, _ in summary(sent)] == ["#code"]
    said = dict(summary(sent))["#code"]
    assert said.startswith("The council already has an activity 'b-1' (written 'B-1'")
    assert page(sent).find(".//input[@id='code']").get("value") == "b-1"
    # another council's id is free: Leeds has L-1, Bristol may have one too
    made = post(ed, "/activities/new", {**TYPED, "code": "L-1"}, token_from="/activities/new")
    assert made.status_code == 303
    assert site.client("les").get("/activities/SEN-12").status_code == 404


def test_the_form_is_refused_without_the_sessions_csrf_token(site):
    ed = site.client("ed")
    for token in (None, csrf_of(site.client("ann"), "/")):
        data = dict(TYPED) if token is None else {**TYPED, "csrf_token": token}
        refused = ed.post("/activities/new", data=data)
        assert refused.status_code == 403
        assert heading(refused) == "This form has expired"
    assert codes(site, "ed") == ["B-1", "B-2"]


def test_new_is_the_form_never_an_activitys_id(site):
    ed = site.client("ed")
    assert heading(ed.get("/activities/new")) == "Add an activity"
    assert ed.get("/activities/B-1").status_code == 200  # the pages of activities still open
    nobody = site.client().get("/activities/new")  # nobody signed in: to sign in, and back
    assert (nobody.status_code, nobody.headers["location"]) == (
        303,
        "/login?next=%2Factivities%2Fnew",
    )


def test_an_id_with_a_slash_opens_edits_and_links_like_any_other(site):
    """Trackers write ids such as "HNB/03": the activity's page, its edit form and its link
    form open and save at its address, which holds the slash (they answered 404)."""
    ed = site.client("ed")
    added = post(ed, "/activities/new", {**TYPED, "code": "HNB/03"}, token_from="/activities/new")
    assert added.status_code == 303 and added.headers["location"] == "/activities/HNB%2F03"
    shown = ed.get(added.headers["location"])
    assert shown.status_code == 200 and heading(shown) == "Inclusion hubs"
    assert "HNB/03" in title(shown)
    assert ed.get("/activities/HNB/03").status_code == 200
    assert ed.get("/activities/HNB/03/edit").status_code == 200
    edited = {k: v for k, v in TYPED.items() if k != "code"}
    sent = {**edited, "title": "Hubs, renamed"}
    saved = post(ed, "/activities/HNB/03/edit", sent, token_from="/activities/HNB/03/edit")
    assert saved.status_code == 303, saved.text
    with unit_of_work(site.ws, as_person="ed") as ctx:
        assert show_activity(ctx, "HNB/03").activity.title == "Hubs, renamed"
    sent = {"measure": "bury-4", "rationale": ""}
    linked = post(ed, "/activities/HNB/03/link", sent, token_from="/activities/HNB/03")
    assert linked.status_code == 303, linked.text
    with unit_of_work(site.ws, as_person="ed") as ctx:
        assert show_activity(ctx, "HNB/03").measures == ["bury-4"]
    assert ed.get("/activities/HNB/04").status_code == 404


def test_an_id_with_a_question_mark_or_hash_is_one_address_after_every_form(site):
    """Every form sends people back to the activity's page by its id quoted whole: "Q?1#2"
    unquoted was the page of "Q" with a query and a fragment."""
    ed = site.client("ed")
    added = post(ed, "/activities/new", {**TYPED, "code": "Q?1#2"}, token_from="/activities/new")
    assert added.headers["location"] == "/activities/Q%3F1%232"
    edited = {k: v for k, v in TYPED.items() if k != "code"}
    saved = post(ed, "/activities/Q%3F1%232/edit", edited, token_from="/activities/Q%3F1%232/edit")
    assert saved.status_code == 303 and saved.headers["location"] == "/activities/Q%3F1%232"
    sent = {"measure": "bury-4", "rationale": ""}
    linked = post(ed, "/activities/Q%3F1%232/link", sent, token_from="/activities/Q%3F1%232")
    assert linked.status_code == 303 and linked.headers["location"] == "/activities/Q%3F1%232"
    assert ed.get(linked.headers["location"]).status_code == 200


def test_a_refused_status_marks_its_select_as_govuk_does(site):
    """The select in error has GOV.UK's error style and is described by its message."""
    ed = site.client("ed")
    sent = post(
        ed, "/activities/new", {**TYPED, "status": "sideways"}, token_from="/activities/new"
    )
    assert sent.status_code == 422
    select = by_id(sent, "status")
    assert "govuk-select--error" in select.get("class")
    assert select.get("aria-describedby") == "status-error"
    assert by_id(sent, "status-error") is not None


def test_the_list_says_a_status_is_not_known_as_the_form_does(site):
    """The list left a status blank where the activity's page and form say "Not known"."""
    ed = site.client("ed")
    added = post(ed, "/activities/new", {**TYPED, "status": ""}, token_from="/activities/new")
    assert added.status_code == 303
    rows = by_id(ed.get("/activities"), "activities").findall(".//tbody/tr")
    found = {text(r.find("td")): [text(td) for td in r.findall("td")] for r in rows}
    assert found["SEN-12"][3] == "Not known"
    assert found["B-1"][3] == "In progress"
