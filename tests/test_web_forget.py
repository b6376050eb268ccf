"""The People page's "Remove personal details": for someone whose access was removed, a question
that cannot be answered by accident (their name typed), then the People page saying how many
records now read "Former member N"."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

from sqlalchemy import select
from web_support import (
    by_id,
    heading,
    page,
    post,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
    text,
    title,
)

from valvecheck.services import ratings
from valvecheck.services.workspace import unit_of_work
from valvecheck.store import tables as t


def people_rows(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Each row of the People table: its first cell (the name) -> the whole row's text."""
    found = page(client.get("/admin/users")).findall(".//table[@id='people']/tbody/tr")
    return {text(r.find("td")): text(r) for r in found}


def links_of(client) -> set[str]:  # type: ignore[no-untyped-def]
    return {a.get("href", "") for a in page(client.get("/admin/users")).iter("a")}


def rated_then_removed(site) -> int:  # type: ignore[no-untyped-def]
    """ed rates twice, then ann removes ed's access: ed's id."""
    with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        ratings.rate(ctx, "bury-4", "amber", "half done")
        ratings.rate(ctx, "bury-4", "green", "done")
    ed = site.people["ed"]
    assert post(site.client("ann"), f"/admin/users/{ed}/remove").status_code == 303
    return ed


def names_recorded(site) -> list[str]:  # type: ignore[no-untyped-def]
    with site.ws.session(write=False, all_councils=True) as s:
        r = t.rating.c
        return list(s.scalars(select(r.by).where(r.rationale.in_(("half done", "done")))))


def test_the_action_is_offered_only_for_someone_whose_access_was_removed(site):
    ann = site.client("ann")
    ed = site.people["ed"]
    assert f"/admin/users/{ed}/forget" not in links_of(ann)
    rated_then_removed(site)
    offered = {h for h in links_of(ann) if h.endswith("/forget")}
    assert offered == {f"/admin/users/{ed}/forget"}
    assert "Remove personal details of ed" in people_rows(ann)["ed"]


def test_the_question_warns_and_asks_for_the_name(site):
    ed = rated_then_removed(site)
    asked = site.client("ann").get(f"/admin/users/{ed}/forget")
    assert asked.status_code == 200
    assert heading(asked) == "Remove personal details of ed?"
    warning = page(asked).find(".//*[@class='govuk-warning-text']")
    assert "cannot be undone" in text(warning) and "backup" in text(warning)
    form = page(asked).find(f".//form[@action='/admin/users/{ed}/forget']")
    assert form is not None and form.get("method") == "post"
    assert form.find(".//input[@name='csrf_token']") is not None
    assert "type their sign-in name, ed" in text(form.find(".//label[@for='name']")).lower()


def test_a_wrong_or_missing_name_is_refused_on_the_question_and_nothing_changes(site):
    ed = rated_then_removed(site)
    ann = site.client("ann")
    address = f"/admin/users/{ed}/forget"
    for typed in ("", "ann", "e d"):
        refused = post(ann, address, {"name": typed}, token_from=address)
        assert refused.status_code == 422, typed
        assert heading(refused) == "Remove personal details of ed?"
        assert title(refused).startswith("Error: ")
        [link] = page(refused).find(".//*[@class='govuk-error-summary']").iter("a")
        assert link.get("href") == "#name" and "type ed to confirm" in text(link)
        assert by_id(refused, "name").get("value") == typed
        assert by_id(refused, "name").get("aria-describedby") == "name-error"
    assert names_recorded(site) == ["ed", "ed"]
    assert "ed" in people_rows(ann)


def test_the_name_typed_removes_the_details_and_the_people_page_says_how_many(site):
    ed = rated_then_removed(site)
    ann = site.client("ann")
    address = f"/admin/users/{ed}/forget"
    sent = post(ann, address, {"name": " ED "}, token_from=address)  # as names are typed
    assert (sent.status_code, sent.headers["location"]) == (303, "/admin/users")
    shown = ann.get("/admin/users")
    banner = page(shown).find(".//*[@class='govuk-notification-banner__heading']")
    assert (
        text(banner) == "Personal details removed: 2 records now read \u201cFormer member 1\u201d"
    )
    rows = people_rows(ann)
    assert "ed" not in rows and "Personal details removed" in rows["Former member 1"]
    assert "Restore access" not in rows["Former member 1"]
    assert f"/admin/users/{ed}/forget" not in links_of(ann)
    assert names_recorded(site) == ["Former member 1", "Former member 1"]
    # asked again (the back button): nothing to remove, said so
    again = post(ann, address, {"name": "Former member 1"}, token_from="/admin/users")
    assert again.status_code == 409 and "removed already" in text(by_id(again, "message"))
    restore = post(ann, f"/admin/users/{ed}/restore", token_from="/admin/users")
    assert restore.status_code == 422 and "cannot be given access again" in restore.text
    assert "Someone else changed this first" not in restore.text


def test_someone_who_can_still_sign_in_is_refused_remove_their_access_first(site):
    ann = site.client("ann")
    vi = site.people["vi"]
    address = f"/admin/users/{vi}/forget"
    asked = ann.get(address)
    sent = post(ann, address, {"name": "vi"}, token_from="/admin/users")
    assert asked.status_code == sent.status_code == 422
    for answer in (asked, sent):
        assert "remove their access first" in text(by_id(answer, "message"))
    assert "vi" in people_rows(ann)


def test_only_an_admin_of_the_persons_own_council_is_asked(site):
    ed = rated_then_removed(site)
    address = f"/admin/users/{ed}/forget"
    assert site.client("vi").get(address).status_code == 403
    assert site.client("lee").get(address).status_code == 404  # Leeds' admin
    refused = post(site.client("lee"), address, {"name": "ed"}, token_from="/admin/users")
    assert refused.status_code == 404
    assert site.client("ann").get("/admin/users/99999/forget").status_code == 404
    assert names_recorded(site) == ["ed", "ed"]


def cells(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [text(c) for c in page(response).iter("td")]


def test_the_pages_and_the_api_stop_naming_them_at_once(site):
    # the measure's page keeps the assessment's state between requests: a removal rewrites the
    # names in place, which its fingerprint (counts and highest ids) did not see
    from valvecheck.services import tokens

    ed = rated_then_removed(site)
    ann = site.client("ann")
    with unit_of_work(site.ws, write=True, council="Bristol", by="admin") as ctx:
        secret = tokens.create_token(ctx, "script", "viewer").secret
    api = {"Authorization": f"Bearer {secret}"}

    def named() -> tuple[list[str], set[str]]:
        shown = cells(ann.get("/measures/bury-4"))
        answer = ann.get("/api/measures/bury-4/ratings", headers=api).json()
        return shown, {h["by"] for h in answer}

    shown, by = named()
    assert shown.count("ed") == 2 and "ed" in by
    address = f"/admin/users/{ed}/forget"
    assert post(ann, address, {"name": "ed"}, token_from=address).status_code == 303
    shown, by = named()
    assert "ed" not in shown and shown.count("Former member 1") == 2
    assert "ed" not in by and "Former member 1" in by
