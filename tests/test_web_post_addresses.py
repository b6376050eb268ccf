"""A form's own address opened as a page. A refused form is shown as the answer to its POST (the
GOV.UK pattern), so the address bar then holds the address the form posts to; opening it again
(a reload, a bookmark, Enter in the address bar, a new tab, the history) goes to the page the
form is on (303), never "That cannot be done here" (405) or not found for a blank measure. Nobody
signed in is sent to sign in; an id there is none of, or another council's, is not found, as
the page itself says."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

from urllib.parse import quote

import pytest
from web_support import (
    heading,
    page,
    post,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
    text,
)

# (where a form posts, the page it is on): every address a page's form posts to that has no page
# of its own, and the unlink and not-relevant questions' addresses as their forms leave them
# (with no measure named).
ADDRESSES = [
    ("/measures/bury-3/rating", "/measures/bury-3"),
    ("/measures/bury-3/equivalence", "/measures/bury-3"),
    ("/activities/B-1/link", "/activities/B-1"),
    ("/activities/B-1/accept", "/activities/B-1"),
    ("/activities/B-1/unlink", "/activities/B-1"),
    ("/activities/B-1/not-relevant", "/activities/B-1"),
    ("/impact/savings", "/impact"),
    ("/imports/abc/confirm", "/imports"),
]


@pytest.mark.parametrize("who", ["ed", "vi"])
@pytest.mark.parametrize(("address", "home"), ADDRESSES, ids=[a for a, _ in ADDRESSES])
def test_a_forms_address_opened_goes_to_the_page_the_form_is_on(site, who, address, home):
    client = site.client(who)  # a viewer too: the pages are theirs to read
    opened = client.get(address)
    assert opened.status_code == 303, (address, opened.status_code, heading(opened))
    assert opened.headers["location"] == home
    assert client.get(home).status_code == 200


def test_the_ids_are_found_as_the_page_finds_them_and_the_redirect_names_the_page(site):
    client = site.client("ed")
    for address, home in (
        ("/measures/BURY-3/rating", "/measures/bury-3"),
        ("/activities/b-1/link", "/activities/B-1"),
    ):
        assert client.get(home.replace("bury", "BURY").replace("B-1", "b-1")).status_code == 200
        opened = client.get(address)
        assert (opened.status_code, opened.headers.get("location")) == (303, home), address


# The reviewer's reports: a refused form, then its address opened again.
REFUSED = [
    ("/measures/bury-3/rating", {"rag": "not_applicable", "rationale": ""}, "/measures/bury-3"),
    ("/activities/B-1/link", {"measure": ""}, "/activities/B-1"),
    ("/activities/B-1/accept", {}, "/activities/B-1"),
    ("/impact/savings", {"activity": "B-1", "year": ""}, "/impact"),
]


@pytest.mark.parametrize(("address", "sent", "home"), REFUSED, ids=[a for a, _, _ in REFUSED])
def test_a_refused_forms_page_opened_again_is_the_forms_page(site, address, sent, home):
    client = site.client("ed")
    form = client.get(home)
    if address.endswith("/rating"):
        sent = {**sent, "version": page(form).find(".//input[@name='version']").get("value")}
    refused = post(client, address, sent, token_from=home)
    assert refused.status_code == 422, refused.text[:400]
    assert str(refused.url).endswith(address)  # what the address bar shows
    again = client.get(address)
    assert (again.status_code, again.headers.get("location")) == (303, home)
    shown = client.get(home)
    assert shown.status_code == 200 and heading(shown) == heading(form)


def test_a_rating_forms_address_keeps_the_listing_the_measure_was_opened_from(site):
    client = site.client("ed")
    listing = "rag=red&theme=Inclusion"
    opened = client.get(f"/measures/bury-3/rating?list={quote(listing, safe='')}")
    assert opened.status_code == 303
    location = opened.headers["location"]
    assert location == f"/measures/bury-3?list={quote(listing, safe='')}"
    shown = client.get(location)
    assert shown.status_code == 200
    back = page(shown).find(".//a[@id='back-to-list']")
    assert back is not None and back.get("href") == f"/measures?{listing}"
    # the page's rating form posts to that address, so a refusal's address keeps the listing
    form = page(shown).find(".//form[@id='rating-form']")
    assert (
        form is not None and form.get("action") == f"/measures/bury-3/rating?list={quote(listing)}"
    )


def test_nobody_signed_in_is_sent_to_sign_in_from_each_address(site):
    client = site.client()
    for address, _ in ADDRESSES:
        opened = client.get(address)
        assert opened.status_code == 303, (address, opened.status_code)
        assert opened.headers["location"] == f"/login?next={quote(address, safe='')}", address


def test_another_councils_or_no_such_id_is_not_found_as_on_its_page(site):
    client = site.client("lee")  # Leeds' administrator: Bristol's activities are not theirs
    for address, home in (
        ("/activities/B-1/link", "/activities/B-1"),
        ("/activities/B-1/accept", "/activities/B-1"),
        ("/activities/B-1/unlink", "/activities/B-1"),
        ("/activities/B-1/not-relevant", "/activities/B-1"),
        ("/activities/ZZ-9/link", "/activities/ZZ-9"),
        ("/measures/nope-9/rating", "/measures/nope-9"),
        ("/measures/nope-9/equivalence", "/measures/nope-9"),
    ):
        opened, itself = client.get(address), client.get(home)
        assert itself.status_code == 404, home
        assert opened.status_code == 404, (address, opened.status_code)
        assert heading(opened) == heading(itself), address
        assert "Bristol" not in text(page(opened).find(".//main")), address
    # and their own activity's forms go to its page
    opened = client.get("/activities/L-1/link")
    assert (opened.status_code, opened.headers.get("location")) == (303, "/activities/L-1")
