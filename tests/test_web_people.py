"""The People page's forms: a refusal is shown at the page's own address (the GOV.UK pattern: the
page again, 4xx, an error summary, what was chosen still chosen), never at another address that
a refresh would post to again or that shows another page when opened; a change done redirects
with a banner."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

from web_support import (
    by_id,
    heading,
    page,
    post,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
    text,
)


def summary_links(response) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    found = page(response).find(".//*[@class='govuk-error-summary']")
    assert found is not None, "no error summary"
    return [(a.get("href", ""), text(a)) for a in found.iter("a")]


def chosen(response, select_id: str) -> str:  # type: ignore[no-untyped-def]
    option = page(response).find(f".//select[@id='{select_id}']/option[@selected]")
    return option.get("value") if option is not None else ""


def test_every_form_of_the_people_page_posts_to_the_page_itself(site):
    shown = site.client("ann").get("/admin/users")
    forms = page(shown).find(".//table[@id='people']").findall(".//form")
    roles = [f for f in forms if f.find(".//select[@name='role']") is not None]
    assert len(roles) == 3  # ann, ed, vi
    for form in roles:
        assert form.get("action") == "/admin/users"
        person = form.find(".//input[@name='person']").get("value")
        assert form.find(".//select").get("id") == f"role-{person}"


def test_a_refused_role_change_is_shown_at_the_people_pages_address_with_the_choice_kept(site):
    client = site.client("ann")
    me = site.people["ann"]
    refused = post(client, "/admin/users", {"person": me, "role": "viewer"})
    assert refused.status_code == 422
    assert str(refused.url).endswith("/admin/users")  # what a refresh, or the address bar, opens
    assert heading(refused) == "People in Bristol"
    [(href, said)] = summary_links(refused)
    assert href == f"#role-{me}" and said.startswith("ann is the only admin of Bristol")
    assert by_id(refused, f"role-{me}").get("aria-describedby") == f"role-{me}-error"
    assert chosen(refused, f"role-{me}") == "viewer"  # what was chosen, beside why not
    assert chosen(refused, f"role-{site.people['ed']}") == "editor"  # the others as they are
    assert chosen(client.get("/admin/users"), f"role-{me}") == "admin"  # nothing changed


def test_a_role_change_from_the_page_redirects_with_a_banner(site):
    client = site.client("ann")
    ed = site.people["ed"]
    changed = post(client, "/admin/users", {"person": ed, "role": "viewer"})
    assert changed.status_code == 303 and changed.headers["location"] == "/admin/users"
    after = client.get("/admin/users")
    banner = page(after).find(".//*[@class='govuk-notification-banner__heading']")
    assert text(banner) == "ed is now a Viewer"
    assert chosen(after, f"role-{ed}") == "viewer"


def test_a_role_change_for_no_such_person_is_not_found(site):
    client = site.client("ann")
    for person in ("abc", "99999", str(site.people["lee"])):  # lee is Leeds'
        assert post(client, "/admin/users", {"person": person, "role": "viewer"}).status_code == 404


def test_a_role_that_is_not_one_is_shown_at_the_add_forms_role(site):
    client = site.client("ann")
    typed = {"username": "new.person", "role": "boss", "password": "p" * 12, "confirm": "p" * 12}
    refused = post(client, "/admin/users", typed)
    assert refused.status_code == 422
    assert [href for href, _ in summary_links(refused)] == ["#role"]
    message = by_id(refused, "role-error")
    assert message is not None and "'boss' is not a role" in text(message)
    select = by_id(refused, "role")
    assert select.get("aria-describedby") == "role-error"
    assert "govuk-select--error" in select.get("class", "")
    assert by_id(refused, "username").get("value") == "new.person"


def test_removing_your_own_access_is_refused_as_its_question_is_at_the_same_address(site):
    client = site.client("ann")
    me = site.people["ann"]
    asked = client.get(f"/admin/users/{me}/remove")
    sent = post(client, f"/admin/users/{me}/remove", token_from="/admin/users")
    assert sent.status_code == asked.status_code == 422
    assert heading(sent) == heading(asked) != "People in Bristol"
    assert text(by_id(sent, "message")) == text(by_id(asked, "message"))
    assert "ask another administrator" in text(by_id(sent, "message"))


def test_a_persons_form_address_opened_as_a_page_goes_to_the_people_page(site):
    client = site.client("ann")
    ed, lee = site.people["ed"], site.people["lee"]
    for form in ("role", "restore"):
        opened = client.get(f"/admin/users/{ed}/{form}")
        assert (opened.status_code, opened.headers["location"]) == (303, "/admin/users")
        assert client.get(f"/admin/users/{lee}/{form}").status_code == 404  # lee is Leeds'
        assert client.get(f"/admin/users/99999/{form}").status_code == 404
    assert site.client("ed").get(f"/admin/users/{ed}/role").status_code == 403  # not an admin
