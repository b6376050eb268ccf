"""The common-measures page rates every copy of one common measure in one go: a "Rate all N" link
for those who may rate, a form of the group's measures (all ticked) with the measure page's
rating fields, all of them saved or none, every problem at once and what was typed kept."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

from xml.etree.ElementTree import Element

import pytest
from web_support import (
    by_id,
    heading,
    page,
    post,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
    text,
)

from valvecheck.services import people, ratings
from valvecheck.services.workspace import unit_of_work

GROUP = ("bury-4", "hammersmith-fulham-4", "stoke-on-trent-5")  # one template, three agreements
FORM = "/common/bury-4/rate"


def rate_links(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The "Rate all N" links of the common-measures page: address -> what they say."""
    return {
        a.get("href", ""): text(a)
        for a in page(response).iter("a")
        if a.get("href", "").endswith("/rate")
    }


def the_form(response) -> Element:  # type: ignore[no-untyped-def]
    form = page(response).find(".//form[@id='rate-copies-form']")
    assert form is not None, text(page(response).find(".//main"))[:500]
    return form


def sent_as_drawn(response, **changes: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What the browser sends for the form as drawn (ticked boxes, hidden fields, checked radio,
    the text areas), with ``changes``."""
    form = the_form(response)
    data: dict[str, object] = {"listed": [], "version": [], "measures": []}
    for i in form.iter("input"):
        kind, name = i.get("type"), i.get("name", "")
        if kind == "hidden" and name in ("listed", "version"):
            data[name].append(i.get("value"))  # type: ignore[union-attr]
        elif kind == "hidden" and name != "csrf_token":
            data[name] = i.get("value")
        elif kind == "checkbox" and i.get("checked") is not None:
            data["measures"].append(i.get("value"))  # type: ignore[union-attr]
        elif kind == "radio" and i.get("checked") is not None:
            data[name] = i.get("value")
    for t in form.iter("textarea"):
        data[t.get("name", "")] = t.text or ""
    return {**data, **changes}


def histories(site, who: str = "ed") -> dict[str, list[tuple[str, str, str]]]:  # type: ignore[no-untyped-def]
    with unit_of_work(site.ws, as_person=who) as ctx:
        return {
            m: [(r.rag.value, r.rationale, r.by) for r in ratings.history(ctx, m)] for m in GROUP
        }


def errors_listed(response) -> list[str]:  # type: ignore[no-untyped-def]
    summary = page(response).find(".//*[@class='govuk-error-summary']")
    assert summary is not None, "no error summary"
    return [text(li) for li in summary.iter("li")]


def test_a_rate_all_link_for_each_group_for_those_who_may_rate(site):
    links = rate_links(site.client("ed").get("/common"))
    assert links[FORM] == "Rate all 3 copies of bury-4"
    assert all(words.startswith("Rate all 2") for a, words in links.items() if a != FORM)
    assert rate_links(site.client("vi").get("/common")) == {}
    # every measure listed: a measure on its own has no group to rate with it
    everything = site.client("ed").get("/common?show=all")
    assert "/common/bury-1/rate" not in rate_links(everything) and FORM in rate_links(everything)


def test_the_form_lists_the_group_ticked_with_each_ones_rating_and_the_rating_fields(site):
    shown = site.client("ed").get(FORM)
    assert shown.status_code == 200
    assert heading(shown) == "Rate all 3 copies of this measure"
    form = the_form(shown)
    assert form.get("action") == FORM and form.get("method") == "post"
    boxes = [i for i in form.iter("input") if i.get("type") == "checkbox"]
    assert [b.get("value") for b in boxes] == list(GROUP)
    assert all(b.get("checked") is not None for b in boxes)
    # each with its rating now (the seed rated hammersmith-fulham-4 amber) and version
    assert "Now Amber" in text(by_id(shown, "measures-hammersmith-fulham-4-hint"))
    assert "Now Not rated" in text(by_id(shown, "measures-bury-4-hint"))
    sent = sent_as_drawn(shown)
    assert sent["listed"] == list(GROUP) and sent["version"] == ["0", "1", "0"]
    assert sent["assessment"] == "Bristol: mitigation validation exercise"
    assert "rag" not in sent and sent["rationale"] == ""  # the copies' ratings differ
    radios = [i.get("value") for i in form.iter("input") if i.get("type") == "radio"]
    assert radios == ["green", "amber", "red", "not_applicable", "unrated"]
    assert {t.get("name") for t in form.iter("textarea")} == {"rationale", "evidence"}
    assert form.find(".//input[@name='csrf_token']") is not None
    # the measure page's words for the fields
    assert text(form.find(".//label[@for='rationale']")) == "Rationale"
    assert "what the council is doing, or not" in text(by_id(shown, "rationale-hint"))


def test_saving_rates_each_ticked_copy_and_says_which_on_the_common_page(site):
    client = site.client("ed")
    before = histories(site)
    shown = client.get(FORM)
    saved = post(
        client,
        FORM,
        sent_as_drawn(shown, rag="green", rationale="SENCO network", evidence=""),
        token_from=FORM,
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/common"
    banner = page(client.get("/common")).find(".//*[@class='govuk-notification-banner__heading']")
    assert text(banner) == (
        "Rating saved for 3 measures, each now green: "
        "bury-4, hammersmith-fulham-4, stoke-on-trent-5"
    )
    after = histories(site)
    for m in GROUP:
        assert after[m] == [*before[m], ("green", "SENCO network", "ed")], m
    # opened again, the form holds the answer they now all share (as a measure's page does)
    again = sent_as_drawn(client.get(FORM))
    assert (again["rag"], again["rationale"]) == ("green", "SENCO network")
    # and sent as it stands, nothing is recorded, and the page says so
    assert post(client, FORM, again, token_from=FORM).status_code == 303
    banner = page(client.get("/common")).find(".//*[@class='govuk-notification-banner__heading']")
    assert text(banner) == (
        "Nothing to save: already rated so, unchanged: "
        "bury-4, hammersmith-fulham-4, stoke-on-trent-5"
    )
    assert histories(site) == after


def test_an_unticked_copy_is_left_alone(site):
    client = site.client("ed")
    before = histories(site)
    shown = client.get(FORM)
    sent = sent_as_drawn(shown, rag="red", rationale="not yet", measures=["bury-4"])
    assert post(client, FORM, sent, token_from=FORM).status_code == 303
    after = histories(site)
    assert after["bury-4"] == [("red", "not yet", "ed")]
    assert after["hammersmith-fulham-4"] == before["hammersmith-fulham-4"]
    assert after["stoke-on-trent-5"] == before["stoke-on-trent-5"]


def test_every_problem_at_once_with_what_was_typed_kept_and_nothing_saved(site):
    client = site.client("ed")
    before = histories(site)
    shown = client.get(FORM)
    words = "Our reasons,\nwritten at length"
    sent = sent_as_drawn(shown, rag="", rationale=words, evidence="https://example.org/x")
    sent["measures"] = ["hammersmith-fulham-4", "bury-1"]  # a crafted post: not of the group
    refused = post(client, FORM, sent, token_from=FORM)
    assert refused.status_code == 422
    listed = errors_listed(refused)
    assert listed[0].startswith("bury-1 is not grouped with bury-4")
    assert listed[1:] == ["Choose a rating"]
    form = the_form(refused)
    assert form.find(".//textarea[@name='rationale']").text == words
    assert form.find(".//textarea[@name='evidence']").text == "https://example.org/x"
    ticked = [
        i.get("value")
        for i in form.iter("input")
        if i.get("type") == "checkbox" and i.get("checked") is not None
    ]
    assert ticked == ["hammersmith-fulham-4"]  # as sent (the crafted one is not on the form)
    assert histories(site) == before


def test_a_copy_rated_since_the_form_was_opened_refuses_all_and_is_marked(site):
    client = site.client("ed")
    shown = client.get(FORM)
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        ratings.rate(ctx, "stoke-on-trent-5", "red", "ann's view", expected_version=0)
    before = histories(site)
    sent = sent_as_drawn(shown, rag="green", rationale="kept words")
    refused = post(client, FORM, sent, token_from=FORM)
    assert refused.status_code == 409
    (said,) = errors_listed(refused)
    assert said.startswith("stoke-on-trent-5 was rated Red by ann since you opened it")
    assert histories(site) == before
    assert "Rated since you opened this page" in text(by_id(refused, "changed-stoke-on-trent-5"))
    assert by_id(refused, "changed-bury-4") is None
    again = sent_as_drawn(refused)
    assert again["rationale"] == "kept words" and again["rag"] == "green"
    assert again["version"] == ["0", "1", "1"]  # what the page shows now
    # sent again, having seen it: saved over ann's, in each history
    assert post(client, FORM, again, token_from=FORM).status_code == 303
    assert histories(site)["stoke-on-trent-5"][-1] == ("green", "kept words", "ed")


def test_a_locked_assessment_offers_no_form_and_a_refused_post_keeps_the_words(site):
    client = site.client("ed")
    shown = client.get(FORM)
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        ratings.lock_assessment(ctx)
    before = histories(site)
    sent = sent_as_drawn(shown, rag="green", rationale="words to keep")
    refused = post(client, FORM, sent, token_from=FORM)
    assert refused.status_code == 409
    assert page(refused).find(".//form[@id='rate-copies-form']") is None
    assert "is locked" in text(by_id(refused, "locked"))
    assert text(by_id(refused, "typed-rationale")) == "words to keep"
    # the refusal is the page's error summary: at its top, before the heading (GOV.UK's pattern)
    order = [
        e.get("id") or e.tag
        for e in page(refused).iter()
        if e.get("id") == "refused" or e.tag == "h1"
    ]
    assert order == ["refused", "h1"], order
    assert histories(site) == before
    opened = client.get(FORM)
    assert opened.status_code == 200 and by_id(opened, "locked") is not None
    assert page(opened).find(".//form[@id='rate-copies-form']") is None


def test_no_assessment_offers_no_form(site):
    with unit_of_work(site.ws, write=True, council="Bristol", by="setup") as ctx:
        people.add_council(ctx, "York")
        site.people = {**site.people, "yo": people.add_person(ctx, "yo", "editor", "York").id}
    shown = site.client("yo").get(FORM)
    assert shown.status_code == 200
    assert "York has no assessment yet" in text(by_id(shown, "no-assessment"))
    assert page(shown).find(".//form[@id='rate-copies-form']") is None


def test_a_viewer_reads_the_group_but_may_not_rate_it(site):
    client = site.client("vi")
    shown = client.get(FORM)
    assert shown.status_code == 200
    assert page(shown).find(".//form[@id='rate-copies-form']") is None
    assert by_id(shown, "read-only") is not None
    assert [text(a) for a in by_id(shown, "copies").iter("a")] == list(GROUP)
    before = histories(site)
    sent = {"measures": list(GROUP), "listed": list(GROUP), "version": ["0", "1", "0"]}
    refused = post(client, FORM, {**sent, "rag": "green"}, token_from=FORM)
    assert refused.status_code == 403
    assert histories(site) == before


@pytest.mark.parametrize("address", ["/common/nope-9/rate", "/common/bury-1/rate"])
def test_no_such_group_is_not_found(site, address):
    client = site.client("ed")
    assert client.get(address).status_code == 404
    sent = {"measures": ["bury-1"], "listed": ["bury-1"], "version": ["0"], "rag": "green"}
    assert post(client, address, sent, token_from="/common").status_code == 404


def test_without_the_sessions_csrf_token_nothing_is_rated(site):
    client = site.client("ed")
    before = histories(site)
    sent = sent_as_drawn(client.get(FORM), rag="green")
    refused = client.post(FORM, data=sent)
    assert refused.status_code == 403 and heading(refused) == "This form has expired"
    assert histories(site) == before


def test_another_council_sees_and_rates_its_own_ratings(site):
    leeds = site.client("les")
    shown = leeds.get(FORM)
    # the seed's amber is Bristol's: Leeds has not rated hammersmith-fulham-4
    assert "Now Not rated" in text(by_id(shown, "measures-hammersmith-fulham-4-hint"))
    bristol = histories(site)
    sent = sent_as_drawn(shown, rag="amber", rationale="Leeds' own")
    assert post(leeds, FORM, sent, token_from=FORM).status_code == 303
    assert histories(site) == bristol
    assert {h[-1] for h in histories(site, "les").values()} == {("amber", "Leeds' own", "les")}


def test_another_assessment_made_current_since_is_said_and_the_form_redrawn_for_it(site):
    client = site.client("ed")
    shown = client.get(FORM)
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        ratings.new_assessment(ctx, "Bristol: 2027", use=True)
    sent = sent_as_drawn(shown, rag="green", rationale="for last year")
    refused = post(client, FORM, sent, token_from=FORM)
    assert refused.status_code == 409
    (said,) = errors_listed(refused)
    assert said.startswith("The current assessment is now 'Bristol: 2027'")
    assert text(by_id(refused, "assessment")) == "In Bristol: 2027."
    again = sent_as_drawn(refused)
    assert again["assessment"] == "Bristol: 2027" and again["rationale"] == "for last year"
    with unit_of_work(site.ws, as_person="ed") as ctx:
        assert ratings.history(ctx, "bury-4", "Bristol: 2027") == []
