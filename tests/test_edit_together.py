"""Two people changing one activity at once (from a QA pass: the second save put back the first
person's owner and description, silently). Each person's form says what it showed when it was
opened: only the details they changed are saved, so a colleague's change to another stands; a
detail both changed is asked about, naming who changed it, when and to what, with what was typed
kept; saving again replaces it deliberately. The service, and the web's edit form."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

import pytest
from web_support import (
    B1_OPENED,
    by_id,
    page,
    post,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
    text,
)

from valvecheck.domain.activity import Status
from valvecheck.errors import InputErrors
from valvecheck.services.activities import edit_activity, show_activity
from valvecheck.services.workspace import unit_of_work

EDIT = "/activities/B-1/edit"


def form_of(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Every value the edit form would send as it stands (its inputs, select and textarea)."""
    form = page(response).find(".//main//form[@method='post']")
    assert form is not None, "no form"
    sent: dict[str, str] = {}
    for field in form.iter("input"):
        if field.get("name") and field.get("name") != "csrf_token":
            sent[field.get("name")] = field.get("value") or ""
    for field in form.iter("textarea"):
        sent[field.get("name")] = field.text or ""
    for field in form.iter("select"):
        chosen = [o for o in field.iter("option") if o.get("selected") is not None]
        sent[field.get("name")] = chosen[0].get("value") if chosen else ""
    return sent


def activity(site, code: str = "B-1"):  # type: ignore[no-untyped-def]
    with unit_of_work(site.ws, as_person="ann") as ctx:
        return show_activity(ctx, code).activity


def test_two_people_changing_different_details_both_keep_their_change(site):
    ed, ann = site.client("ed"), site.client("ann")
    eds, anns = form_of(ed.get(EDIT)), form_of(ann.get(EDIT))
    assert eds["was_owner"] == "Inclusion lead" and anns["status"] == "in_progress"
    mine = {**eds, "owner": "Priya Shah", "description": "Monthly SENCO network meetings"}
    assert post(ed, EDIT, mine, token_from=EDIT).status_code == 303
    # ann's form still shows the old owner and description; she changes the status only
    saved = post(ann, EDIT, {**anns, "status": "at_risk"}, token_from=EDIT)
    assert saved.status_code == 303, text(page(saved).find(".//main"))
    now = activity(site)
    assert (now.owner, now.description) == ("Priya Shah", "Monthly SENCO network meetings")
    assert now.status == Status.AT_RISK


def test_a_detail_both_changed_is_asked_about_and_saving_again_replaces_it(site):
    ed, ann = site.client("ed"), site.client("ann")
    eds, anns = form_of(ed.get(EDIT)), form_of(ann.get(EDIT))
    assert post(ed, EDIT, {**eds, "owner": "Priya Shah"}, token_from=EDIT).status_code == 303
    refused = post(ann, EDIT, {**anns, "owner": "Sam Okafor", "status": "done"}, token_from=EDIT)
    assert refused.status_code == 422
    said = text(by_id(refused, "owner-error"))
    assert "The owner was changed to 'Priya Shah' by ed at " in said
    assert "since this form was opened: save again to replace it with what you typed" in said
    again = form_of(refused)
    assert again["owner"] == "Sam Okafor" and again["status"] == "done"  # what she typed, kept
    assert again["was_owner"] == "Priya Shah"  # the form now shows the owner as it is
    assert activity(site).owner == "Priya Shah"  # nothing of hers saved yet
    saved = post(ann, EDIT, again, token_from=EDIT)
    assert saved.status_code == 303
    now = activity(site)
    assert (now.owner, now.status) == ("Sam Okafor", Status.DONE)


def test_the_same_change_by_both_and_a_form_without_its_first_values_are_saved(site):
    ed, ann = site.client("ed"), site.client("ann")
    eds, anns = form_of(ed.get(EDIT)), form_of(ann.get(EDIT))
    assert post(ed, EDIT, {**eds, "status": "done"}, token_from=EDIT).status_code == 303
    # the same status from ann: nothing to ask
    assert post(ann, EDIT, {**anns, "status": "done"}, token_from=EDIT).status_code == 303
    plain = {k: v for k, v in anns.items() if not k.startswith("was_")}
    assert post(ann, EDIT, {**plain, "owner": "Whole form"}, token_from=EDIT).status_code == 303
    assert activity(site).owner == "Whole form"


def test_the_service_saves_only_what_the_person_changed(site):
    opened = B1_OPENED
    with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        edit_activity(ctx, "B-1", {**opened, "start": "01/09/2026"}, opened)
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        # ann's form was opened before ed's start date: she sets an end before it
        with pytest.raises(InputErrors) as refused:
            edit_activity(ctx, "B-1", {**opened, "end": "01/01/2026"}, opened)
        assert refused.value.errors == {
            "end": "The end date must be on or after the start date (the start date is "
            "01/09/2026 now: it was changed since this form was opened)"
        }
        with pytest.raises(InputErrors) as both:
            edit_activity(ctx, "B-1", {**opened, "start": "01/10/2026"}, opened)
        assert refused.value.codes == {}
        assert both.value.codes == {"start": "changed-since"}
        said = both.value.errors["start"]
        assert said.startswith("The start date was changed to '01/09/2026' by ed at ")
        view = edit_activity(ctx, "B-1", {**opened, "end": "31/03/2027"}, opened)
    assert str(view.activity.start) == "2026-09-01" and str(view.activity.end) == "2027-03-31"


def confirm_action(response) -> str:  # type: ignore[no-untyped-def]
    form = page(response).find(".//main//form[@method='post']")
    assert form is not None, "no confirm form"
    return form.get("action")


def test_an_import_confirmed_after_a_colleagues_edit_shows_what_it_would_change_now(site):
    """The preview said "Owner: Inclusion lead -> Tracker owner"; a colleague set the owner
    since; confirming imported over their change without a word. Now the confirmation shows the
    preview again as it stands, and only confirming that imports."""
    ann, ed = site.client("ann"), site.client("ed")
    tracker = b"ID,Name,Owner\nB-1,SENCO network,Tracker owner\n"
    sent = {"file": ("tracker.csv", tracker, "text/csv")}
    preview = post(ann, "/imports", {"kind": "activities"}, files=sent, token_from="/imports")
    assert preview.status_code == 200 and by_id(preview, "changed-since") is None
    first = confirm_action(preview)
    eds = form_of(ed.get(EDIT))
    assert post(ed, EDIT, {**eds, "owner": "Lead changed"}, token_from=EDIT).status_code == 303
    again = post(ann, first, token_from="/imports")
    assert again.status_code == 409
    assert "the council's activities changed after your preview" in text(
        by_id(again, "changed-since")
    )
    assert "Lead changed" in text(page(again).find(".//main"))  # the change as it would be now
    assert activity(site).owner == "Lead changed"  # nothing imported
    fresh = confirm_action(again)
    assert fresh != first
    assert post(ann, first, token_from="/imports").status_code == 404  # the old one is gone
    done = post(ann, fresh, token_from="/imports")
    assert done.status_code == 303
    assert activity(site).owner == "Tracker owner"


def test_saving_again_after_the_question_leaves_the_colleagues_other_changes(site):
    """From a review: ed set the owner and the status; ann, on an older form, changed the status
    only, was asked about it, saved again, and ed's owner went back: the form after the question
    was based on the details as they were then for every field. Now only the one asked about."""
    ed, ann = site.client("ed"), site.client("ann")
    eds, anns = form_of(ed.get(EDIT)), form_of(ann.get(EDIT))
    mine = {**eds, "owner": "Priya Shah", "status": "done"}
    assert post(ed, EDIT, mine, token_from=EDIT).status_code == 303
    asked = post(ann, EDIT, {**anns, "status": "at_risk"}, token_from=EDIT)
    assert asked.status_code == 422
    assert "The status was changed to 'Done' by ed at " in text(by_id(asked, "status-error"))
    assert by_id(asked, "owner-error") is None
    again = form_of(asked)
    assert again["was_status"] == "done"
    # the owner, which only ed changed, is shown as it is now (it showed the value ed replaced)
    assert again["owner"] == again["was_owner"] == "Priya Shah"
    assert post(ann, EDIT, again, token_from=EDIT).status_code == 303
    now = activity(site)
    assert (now.owner, now.status) == ("Priya Shah", Status.AT_RISK)


def test_a_date_order_problem_from_a_colleagues_date_says_so_at_the_date_changed(site):
    ed, ann = site.client("ed"), site.client("ann")
    eds, anns = form_of(ed.get(EDIT)), form_of(ann.get(EDIT))
    assert post(ed, EDIT, {**eds, "end": "31/12/2026"}, token_from=EDIT).status_code == 303
    refused = post(ann, EDIT, {**anns, "start": "01/01/2027"}, token_from=EDIT)
    assert refused.status_code == 422
    said = text(by_id(refused, "start-error"))
    assert "the end date is 31/12/2026 now: it was changed since this form was opened" in said
    assert by_id(refused, "end-error") is None
