"""An accessibility review's findings (WCAG 2.2 AA, screen reader and keyboard), each shown
failing before its fix: a viewer's suggestions as disabled checkboxes, "Error: Error:" in a title,
forms that report one problem per sending, an error link that leads nowhere, page titles that do
not say what the page is, setup's error at the wrong field, two "Menu" landmarks, a filter error
without a summary; and the 503 page, which showed the database's address to anyone.

(What only a browser shows, where focus lands and a box's Tab stop, is in browser/test_browser.py:
a second Playwright module beside that one's is refused.)"""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

import logging

import pytest
from web_support import (
    by_id,
    csrf_of,
    fresh,  # noqa: F401 (a fixture)
    page,
    post,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
    text,
    title,
)

from valvecheck.errors import WorkspaceError


def summary(response) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """The error summary's links: (target, words)."""
    found = page(response).find(".//*[@class='govuk-error-summary']")
    assert found is not None, "no error summary"
    return [(a.get("href", ""), text(a)) for a in found.iter("a")]


# 1. A viewer reads the suggested measures as a list, not as a form of disabled checkboxes (GOV.UK
# greys a disabled checkbox's label and hint to half opacity: below contrast, and "unavailable").


def test_a_viewer_reads_the_suggestions_as_a_list_without_form_controls(site):
    shown = site.client("vi").get("/activities/B-1")
    tree = page(shown)
    assert tree.findall(".//input[@type='checkbox']") == []
    assert tree.findall(".//*[@disabled]") == []
    assert tree.find(".//form[@action='/activities/B-1/accept']") is None
    listed = by_id(shown, "suggested")
    assert listed is not None and listed.tag == "ul"
    items = listed.findall("li")
    assert items, "no suggestion listed: test nothing"
    first = text(items[0])
    assert "match." in first and "Read " in first  # the band, the reason and the link stay
    assert "Not relevant" not in text(listed)  # a viewer may not mark one


def test_an_editor_still_chooses_the_suggestions_to_link(site):
    tree = page(site.client("ed").get("/activities/B-1"))
    boxes = tree.findall(".//form[@action='/activities/B-1/accept']//input[@type='checkbox']")
    assert boxes and all(b.get("disabled") is None for b in boxes)
    hint = tree.find(f".//*[@id='{boxes[0].get('aria-describedby')}']")
    assert "match." in text(hint) and "Not relevant" in text(hint)


# 3. The edit page's title says "Error:" once (base.html adds it to every page with errors).


def test_the_edit_pages_title_says_error_once(site):
    ed = site.client("ed")
    sent = post(ed, "/activities/B-1/edit", {"title": ""}, token_from="/activities/B-1/edit")
    assert sent.status_code == 422
    assert title(sent) == "Error: Change B-1 – Valvecheck – Bristol"


# 4. The activity edit and "Add a person" forms list every problem at once.


def test_the_activity_edit_form_reports_every_problem_at_once(site):
    ed = site.client("ed")
    typed = {"title": " ", "status": "sideways", "start": "32/13/2026", "end": "yesterday"}
    sent = post(ed, "/activities/B-1/edit", typed, token_from="/activities/B-1/edit")
    assert sent.status_code == 422
    assert [href for href, _ in summary(sent)] == ["#title", "#status", "#start", "#end"]
    for field in ("title", "status", "start", "end"):
        assert text(by_id(sent, f"{field}-error")).startswith("Error: "), field
    assert dict(summary(sent))["#title"] == "Enter the activity's title"
    assert dict(summary(sent))["#start"] == "'32/13/2026' is not a real date"
    assert "B-1" in text(page(ed.get("/activities/B-1")).find(".//title"))  # nothing saved


def test_an_end_before_the_start_is_said_with_the_other_problems(site):
    ed = site.client("ed")
    typed = {"title": "", "start": "01/09/2026", "end": "01/03/2026"}
    sent = post(ed, "/activities/B-1/edit", typed, token_from="/activities/B-1/edit")
    assert dict(summary(sent)) == {
        "#title": "Enter the activity's title",
        "#end": "The end date must be on or after the start date",
    }


def test_a_good_edit_is_still_saved(site):
    ed = site.client("ed")
    typed = {"title": "SENCO network, relaunched", "start": "01/09/2026", "end": "March 2027"}
    sent = post(ed, "/activities/B-1/edit", typed, token_from="/activities/B-1/edit")
    assert (sent.status_code, sent.headers["location"]) == (303, "/activities/B-1")
    assert "SENCO network, relaunched" in ed.get("/activities/B-1").text


def test_adding_a_person_reports_the_name_and_the_password_at_once(site):
    ann = site.client("ann")
    typed = {"username": "", "role": "viewer", "password": "abc", "confirm": "abc"}
    sent = post(ann, "/admin/users", typed, token_from="/admin/users")
    assert sent.status_code == 422
    assert [href for href, _ in summary(sent)] == ["#username", "#password"]
    typed = {"username": " ", "role": "viewer", "password": "abcdefghijk", "confirm": "other"}
    sent = post(ann, "/admin/users", typed, token_from="/admin/users")
    assert [href for href, _ in summary(sent)] == ["#username", "#confirm"]
    typed = {"username": "x" * 201, "role": "viewer", "password": "abc"}  # a script: no confirm
    sent = post(ann, "/admin/users", typed, token_from="/admin/users")
    assert [href for href, _ in summary(sent)] == ["#username", "#password"]


def test_a_person_added_properly_is_still_added_and_a_taken_name_still_refused(site):
    ann = site.client("ann")
    good = {"username": "new.person", "role": "editor"}
    good |= {"password": "a long password", "confirm": "a long password"}
    sent = post(ann, "/admin/users", good, token_from="/admin/users")
    assert sent.status_code == 303
    assert "new.person" in ann.get("/admin/users").text
    sent = post(ann, "/admin/users", good | {"username": "ED"}, token_from="/admin/users")
    assert sent.status_code == 409
    assert [href for href, _ in summary(sent)] == ["#username"]


# 5. A refused unlink's message leads to the links' heading, which can take focus (a div that
# cannot left focus nowhere); that focus lands there is checked in a browser.


def test_a_refused_unlinks_summary_link_leads_to_a_focusable_heading(site):
    ed = site.client("ed")
    sent = post(ed, "/activities/B-1/unlink", {"measure": "bury-4"}, token_from="/activities/B-1")
    assert sent.status_code == 409
    [(href, words)] = summary(sent)
    assert words == "B-1 is not linked to bury-4"
    target = by_id(sent, href.removeprefix("#"))
    assert target is not None and target.tag == "h2" and target.get("tabindex") == "-1"
    assert text(target) == "Measures it delivers"


# 6. Titles say what the page is.


def test_an_activitys_title_says_it_is_an_activity_and_names_it(site):
    shown = site.client("vi").get("/activities/B-1")
    assert title(shown) == "Activity B-1: SENCO network – Valvecheck – Bristol"


def test_a_comparisons_title_names_the_two_assessments(site):
    ed = site.client("ed")
    made = post(ed, "/assessments", {"name": "Spring 2027 review"}, token_from="/assessments")
    assert made.status_code == 303
    second = int(made.headers["location"].rsplit("/", 1)[1])
    shown = ed.get(f"/assessments/compare?first={site.bristol_assessment}&second={second}")
    assert shown.status_code == 200
    first = "Bristol: mitigation validation exercise"
    assert title(shown) == (
        f"Compare assessments: from {first} to Spring 2027 review – Valvecheck – Bristol"
    )
    assert title(ed.get("/assessments/compare")).startswith("Compare assessments – ")


def test_a_filtered_activities_list_says_so_in_its_title(site):
    ed = site.client("ed")
    assert title(ed.get("/activities")) == "Activities – Valvecheck – Bristol"
    assert title(ed.get("/activities?owner=inclusion")).startswith("Activities, filtered: 1 found")
    assert title(ed.get("/activities?owner=nobody")).startswith("Activities, filtered: none found")


# 7. Setup, with the councils listed and none chosen: the error is on the choice.


def _setup(client, **fields: str):  # type: ignore[no-untyped-def]
    return client.post("/setup", data={**fields, "csrf_token": csrf_of(client, "/setup")})


def test_setup_with_nothing_chosen_asks_for_the_council_at_its_choice(fresh):
    ws, client = fresh
    sent = _setup(client)
    assert sent.status_code == 422
    assert summary(sent)[0] == ("#existing-1", "Choose your council, or name a new one")
    assert [href for href, _ in summary(sent)][1:] == ["#username", "#password"]
    group = page(sent).find(".//fieldset[@id='existing']/..")
    assert "govuk-form-group--error" in (group.get("class") or "")
    described = page(sent).find(".//fieldset[@id='existing']").get("aria-describedby", "")
    assert "existing-error" in described.split()
    assert text(by_id(sent, "existing-error")) == "Error: Choose your council, or name a new one"
    assert by_id(sent, "council-error") is None
    assert page(sent).find(".//input[@name='existing'][@checked]") is None  # none chosen yet


def test_setup_with_a_new_council_chosen_and_no_name_asks_for_the_name(fresh):
    ws, client = fresh
    sent = _setup(client, existing="", username="priya")
    assert summary(sent)[0] == ("#council", "Enter your council's name")
    assert by_id(sent, "existing-error") is None
    assert by_id(sent, "existing-new").get("checked") is not None


def test_setup_with_a_name_typed_and_no_choice_is_still_a_new_council(fresh):
    ws, client = fresh
    fields = {"council": "York", "username": "priya", "password": "short"}
    sent = _setup(client, **fields, confirm="short")
    assert [href for href, _ in summary(sent)] == ["#password"]
    assert by_id(sent, "existing-new").get("checked") is not None
    good = {"password": "a long password", "confirm": "a long password"}
    assert _setup(client, **fields | good).status_code == 303


# 8. One landmark named "Menu" (the service navigation's wrapper was a second, a region).


def test_the_menu_is_one_landmark(site):
    tree = page(site.client("vi").get("/"))
    named = [e.tag for e in tree.iter() if e.get("aria-label") == "Menu"]
    assert named == ["nav"]
    assert tree.find(".//section") is None


# 9. Visually hidden text at the end of a table cell never widens its scroll box (the box was a
# Tab stop with one pixel to scroll; the browser test draws it).


def test_the_stylesheet_keeps_hidden_text_inside_a_table_box(site):
    css = site.client().get("/static/govuk/app.min.css").text
    assert ".app-table-scroll .govuk-visually-hidden{top:0;left:0}" in css


# 10. A bad status filter (an address changed by hand) has an error summary too.


def test_a_bad_status_filter_has_an_error_summary(site):
    shown = site.client("vi").get("/activities?status=bogus")
    assert shown.status_code == 422
    [(href, words)] = summary(shown)
    assert href == "#status" and words.startswith("'bogus' is not a status")
    assert title(shown) == "Error: Activities – Valvecheck – Bristol"  # not "filtered"


# Not accessibility: the 503 page showed the database's address (role, host, port, name) to
# anyone, and nothing an officer could do. It says what to do; the address goes to the log.

ADDRESS = "postgresql+psycopg://valvecheck@db.internal:5432/valvecheck_prod"


def _down(*args: object, **kwargs: object) -> None:
    raise WorkspaceError(f"cannot use the workspace {ADDRESS}: connection failed: FATAL")


@pytest.mark.parametrize("who", [None, "ann"])
def test_the_503_page_says_what_to_do_and_logs_the_address(site, monkeypatch, caplog, who):
    client = site.client(who)
    monkeypatch.setattr(site.ws, "session", _down)
    monkeypatch.setattr(site.ws, "connection", _down)
    with caplog.at_level(logging.ERROR, logger="valvecheck"):
        shown = client.get("/login" if who is None else "/measures")
    assert shown.status_code == 503
    for leak in ("db.internal", "5432", "valvecheck_prod", "postgresql", "FATAL"):
        assert leak not in shown.text, leak
    said = text(by_id(shown, "message"))
    assert "Try again in a few minutes" in said
    assert "tell whoever runs Valvecheck" in said
    assert title(shown).startswith("Error: The service is not ready")
    logged = [r.getMessage() for r in caplog.records if r.name == "valvecheck"]
    assert any(ADDRESS in line and "workspace-unavailable" in line for line in logged), logged


def test_a_busy_workspace_says_so_without_the_address(site, monkeypatch):
    client = site.client("ed")

    def busy(*args: object, **kwargs: object) -> None:
        raise WorkspaceError(f"the workspace {ADDRESS} is busy", reason="busy")

    monkeypatch.setattr(site.ws, "session", busy)
    shown = client.get("/measures")
    assert shown.status_code == 503
    assert ADDRESS not in shown.text
    assert "taking a long time" in text(by_id(shown, "message"))


def test_setup_shows_a_database_failure_as_the_503_page_not_at_a_field(fresh, monkeypatch):
    ws, client = fresh
    token = csrf_of(client, "/setup")
    from valvecheck.web import auth

    def down(*args: object, **kwargs: object) -> None:
        raise WorkspaceError(f"cannot use the workspace {ADDRESS}: connection failed")

    monkeypatch.setattr(auth, "first_admin", down)
    form = {"council": "York", "username": "priya", "password": "a long password"}
    sent = client.post("/setup", data=form | {"confirm": form["password"], "csrf_token": token})
    assert sent.status_code == 503
    assert ADDRESS not in sent.text
