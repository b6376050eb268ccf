"""An accessibility review's findings (keyboard, screen reader, 400% zoom, forced colours), each
shown failing before its fix: sessions that end while someone works, error-summary links that
focus nothing, dead-end and untitled error pages, and words that do not match the page."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

import time

import pytest
from web_support import (
    PASSWORD,
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

from valvecheck.settings import Settings
from valvecheck.web.auth import duration
from valvecheck.web.session import COOKIE


def summary_links(response) -> list[str]:  # type: ignore[no-untyped-def]
    found = page(response).find(".//*[@class='govuk-error-summary']")
    assert found is not None, "no error summary"
    return [a.get("href", "") for a in found.iter("a")]


# Finding 1: a sign-in ends after a while unused, not at a fixed time; a form sent after it ended
# says so and keeps what was typed, through signing in again.


def later(client, seconds: float) -> None:  # type: ignore[no-untyped-def]
    """The server's clock moved on by ``seconds``."""
    client.app.state.sessions.clock = lambda: time.time() + seconds


def test_every_page_renews_the_sign_in_so_only_an_unused_one_ends(site):
    client = site.client("ed")
    hours = site.settings.session_hours
    assert client.get("/").status_code == 200  # signed in: the cookie is written again, now
    for step in range(1, 4):  # a page every (most of) 8 hours: 21 hours of work in all
        later(client, step * (hours - 1) * 3600)
        assert client.get("/measures").status_code == 200, f"signed out after {step} pages"
    later(client, 3 * (hours - 1) * 3600 + (hours + 0.1) * 3600)  # then 8 hours away
    assert client.get("/measures").headers["location"].startswith("/login")


def test_a_busy_sign_in_still_ends_at_the_longest_limit(site):
    client = site.client("ed")
    longest = site.settings.session_max_hours
    assert longest >= 20  # WCAG 2.2.1 allows a limit over 20 hours
    hour = 0.0
    while hour + 1 < longest:
        hour += 1
        later(client, hour * 3600)
        assert client.get("/").status_code == 200, f"signed out after {hour} busy hours"
    later(client, (longest + 0.5) * 3600)
    assert client.get("/").headers["location"].startswith("/login")


def test_the_longest_limit_is_a_setting_documented_beside_the_idle_one():
    config = Settings.from_env({"VALVECHECK_SESSION_MAX_HOURS": "12"})
    assert (config.session_hours, config.session_max_hours) == (8.0, 12.0)
    assert Settings().session_max_hours == 24.0
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    for doc in ("README.md", "docs/deploy.md"):
        said = (root / doc).read_text()
        assert "VALVECHECK_SESSION_HOURS" in said and "VALVECHECK_SESSION_MAX_HOURS" in said, doc


def rating_form(client, measure: str = "bury-3") -> dict[str, str]:  # type: ignore[no-untyped-def]
    drawn = page(client.get(f"/measures/{measure}"))
    return {
        "csrf_token": drawn.find(".//form[@id='rating-form']//input[@name='csrf_token']").get(
            "value"
        ),
        "version": drawn.find(".//form[@id='rating-form']//input[@name='version']").get("value"),
        "assessment": drawn.find(".//form[@id='rating-form']//input[@name='assessment']").get(
            "value"
        ),
        "rag": "amber",
        "rationale": "Two long paragraphs\nof careful words",
        "evidence": "https://example.org/panel-minutes",
    }


def test_a_rating_sent_after_the_sign_in_ended_says_so_and_keeps_the_words(site):
    client = site.client("ed")
    form = rating_form(client)
    later(client, (site.settings.session_hours + 0.5) * 3600)
    ended = client.post(
        "/measures/bury-3/rating",
        data=form,
        headers={"referer": "http://testserver/measures/bury-3"},
    )
    assert ended.status_code == 401
    assert heading(ended) == "Your sign-in has ended"
    assert "not sent from this site" not in ended.text
    assert f"not used Valvecheck for {duration(site.settings.session_hours * 3600)}" in text(
        by_id(ended, "ended")
    )
    for field in ("rationale", "evidence"):  # read-only, to copy
        box = by_id(ended, f"carried-{field}")
        assert box is not None and box.get("readonly") is not None
        assert (box.text or "").strip() == form[field].strip()
    assert "Amber" in text(by_id(ended, "carried-rating"))
    assert by_id(ended, "username").get("value") == "ed"  # who was signed in, to save typing
    sign_in = page(ended).find(".//form[@action='/login']")
    assert sign_in.find(".//input[@name='next']").get("value") == "/measures/bury-3"

    # Signing in again brings the form back, to check and send: nothing was stored meanwhile.
    carried = {
        field.get("name"): (field.get("value") if field.tag == "input" else field.text or "")
        for field in sign_in.iter()
        if field.tag in ("input", "textarea") and field.get("name")
    }
    resumed = client.post("/login", data={**carried, "password": PASSWORD})
    assert resumed.status_code == 200
    assert heading(resumed) == "You are signed in again"
    again = page(resumed).find(".//form[@id='resume-form']")
    assert again.get("action") == "/measures/bury-3/rating"
    sent = {
        field.get("name"): (field.get("value") if field.tag == "input" else field.text or "")
        for field in again.iter()
        if field.tag in ("input", "textarea") and field.get("name")
    }
    assert by_id(resumed, "carried-rationale").get("readonly") is None  # can be changed now
    saved = client.post("/measures/bury-3/rating", data=sent)
    assert saved.status_code == 303, saved.text
    shown = client.get("/measures/bury-3")
    assert text(by_id(shown, "current-rationale")) == text(by_id(ended, "carried-rationale"))


def test_a_wrong_password_on_the_way_back_keeps_the_carried_words(site):
    client = site.client("ed")
    form = rating_form(client)
    later(client, (site.settings.session_hours + 0.5) * 3600)
    ended = client.post("/measures/bury-3/rating", data=form)
    sign_in = page(ended).find(".//form[@action='/login']")
    carried = {
        field.get("name"): (field.get("value") if field.tag == "input" else field.text or "")
        for field in sign_in.iter()
        if field.tag in ("input", "textarea") and field.get("name")
    }
    wrong = client.post("/login", data={**carried, "password": "not it at all"})
    assert wrong.status_code == 401
    assert (by_id(wrong, "carried-rationale").text or "").strip() == form["rationale"].strip()


def _carried_through(client, ended) -> dict[str, str]:  # type: ignore[no-untyped-def]
    sign_in = page(ended).find(".//form[@action='/login']")
    return {
        field.get("name"): (field.get("value") if field.tag == "input" else field.text or "")
        for field in sign_in.iter()
        if field.tag in ("input", "textarea") and field.get("name")
    }


def test_a_form_carried_through_signing_in_goes_only_to_the_person_who_typed_it(site):
    # on a shared computer a colleague signing in at the page was shown ed's words, ready to
    # send, and sending them recorded ed's rating as the colleague's
    def ended_for_ed():  # type: ignore[no-untyped-def]
        client = site.client("ed")
        form = rating_form(client)
        later(client, (site.settings.session_hours + 0.5) * 3600)
        ended = client.post("/measures/bury-3/rating", data=form)
        return client, _carried_through(client, ended)

    client, carried = ended_for_ed()
    assert carried["carried-owner"]
    colleague = client.post("/login", data={**carried, "username": "ann", "password": PASSWORD})
    assert colleague.status_code == 303  # signed in, to the page: no form to send
    assert "of careful words" not in client.get("/measures/bury-3").text
    # a seal altered, or copied from elsewhere, names nobody: not shown to whoever signs in
    client, carried = ended_for_ed()
    forged = {**carried, "carried-owner": carried["carried-owner"][:-2] + "xx"}
    assert client.post("/login", data={**forged, "password": PASSWORD}).status_code == 303
    client, carried = ended_for_ed()
    theirs = client.post("/login", data={**carried, "password": PASSWORD})
    assert theirs.status_code == 200 and heading(theirs) == "You are signed in again"


def test_a_form_sent_after_signing_out_elsewhere_says_the_sign_in_ended(site):
    client = site.client("ed")
    form = rating_form(client)
    other = site.client("ed")
    post(other, "/logout")  # every copy of the session ends
    ended = client.post("/measures/bury-3/rating", data=form)
    assert ended.status_code == 401 and heading(ended) == "Your sign-in has ended"
    assert (by_id(ended, "carried-rationale").text or "").strip() == form["rationale"].strip()


def test_a_forged_form_is_still_refused_as_one(site):
    client = site.client("ed")
    form = {**rating_form(client), "csrf_token": "not-the-token"}
    later(client, (site.settings.session_hours + 0.5) * 3600)
    refused = client.post("/measures/bury-3/rating", data=form)
    assert refused.status_code == 403 and heading(refused) == "This form has expired"
    assert "careful words" not in refused.text


def test_a_password_is_never_carried(site):
    client = site.client("ann")
    me = site.people["vi"]
    token = csrf_of(client, f"/admin/users/{me}/password")
    later(client, (site.settings.session_hours + 0.5) * 3600)
    ended = client.post(
        f"/admin/users/{me}/password",
        data={"csrf_token": token, "password": "a secret new one", "confirm": "a secret new one"},
    )
    assert ended.status_code == 401
    assert "a secret new one" not in ended.text


def test_the_cookie_is_not_written_for_static_files(site):
    client = site.client("ed")
    assert COOKIE not in client.get("/static/js/app.js").headers.get("set-cookie", "")
    assert COOKIE in client.get("/").headers.get("set-cookie", "")


# Finding 2: an error-summary link to a radio or checkbox group goes to its first control.


def test_error_summary_links_to_the_first_rating_radio(site):
    client = site.client("ed")
    form = rating_form(client)
    refused = client.post("/measures/bury-3/rating", data={**form, "rag": ""})
    assert refused.status_code == 422
    assert summary_links(refused) == ["#rag-green"]
    target = by_id(refused, "rag-green")
    assert target is not None and target.get("type") == "radio"


def test_error_summary_links_to_the_first_suggestion_checkbox(site):
    client = site.client("ed")
    refused = post(client, "/activities/B-1/accept", {}, token_from="/activities/B-1")
    assert summary_links(refused) == ["#accept-1"]
    assert by_id(refused, "accept-1").get("type") == "checkbox"


def test_error_summary_links_to_the_first_decision_radio(site):
    client = site.client("ann")
    refused = post(
        client, "/measures/bury-2/equivalence", {"other": "leeds-3"}, token_from="/measures/bury-2"
    )
    assert refused.status_code == 422
    assert summary_links(refused) == ["#decision-same"]
    assert by_id(refused, "decision-same").get("type") == "radio"


def test_error_summary_links_to_the_first_report_format_radio(site):
    refused = site.client("ann").get("/reports/download?format=nope")
    assert refused.status_code == 422
    assert summary_links(refused) == ["#format-xlsx"]
    assert by_id(refused, "format-xlsx").get("type") == "radio"


def test_every_summary_link_on_a_form_page_names_an_element_that_takes_focus(site):
    client = site.client("ann")
    pages = [
        client.post("/measures/bury-3/rating", data={**rating_form(client), "rag": ""}),
        post(client, "/activities/B-1/accept", {}, token_from="/activities/B-1"),
        post(client, "/measures/bury-2/equivalence", {}, token_from="/measures/bury-2"),
        post(client, "/measures/bury-2/equivalence", {"other": "x"}, token_from="/measures/bury-2"),
        post(client, "/activities/B-1/link", {}, token_from="/activities/B-1"),
        post(client, "/assessments", {"name": ""}, token_from="/assessments"),
        client.get("/assessments/compare?first=x"),
        client.get("/reports/download?format=nope"),
    ]
    for response in pages:
        for href in summary_links(response):
            target = by_id(response, href.removeprefix("#"))
            assert target is not None and target.tag in ("input", "select", "textarea"), (
                response.url,
                href,
            )


# Finding 6: comparing an assessment with itself, or a malformed compare address (the address
# with no choice at all is just the form: tests/test_web_review5.py).


@pytest.mark.parametrize(
    "query",
    ["?first=abc", "?first=1&second=", "SAME"],
    ids=["not-a-number", "one-missing", "the-same-twice"],
)
def test_a_bad_comparison_is_the_compare_form_again_with_an_error_summary(site, query):
    client = site.client("ann")
    made = post(client, "/assessments", {"name": "Bristol: autumn"}, token_from="/assessments")
    assert made.status_code == 303
    if query == "SAME":
        query = f"?first={site.bristol_assessment}&second={site.bristol_assessment}"
    refused = client.get(f"/assessments/compare{query}")
    assert refused.status_code == 422
    assert title(refused).startswith("Error: Compare assessments")
    links = summary_links(refused)
    assert links and all(by_id(refused, h[1:]).tag == "select" for h in links)
    assert "Check:" not in refused.text
    if query.endswith(f"second={site.bristol_assessment}"):
        assert links == ["#second"]
        said = text(page(refused).find(".//*[@class='govuk-error-summary']"))
        assert "Choose a different assessment in To" in said
        for field in ("first", "second"):  # the choices kept
            chosen = page(refused).find(f".//select[@id='{field}']/option[@selected]")
            assert chosen.get("value") == str(site.bristol_assessment)


def test_a_comparison_with_no_such_assessment_is_not_found_as_its_page_is(site):
    client = site.client("ed")
    assert (
        client.get(f"/assessments/compare?first={site.bristol_assessment}&second=999").status_code
        == 404
    )
    assert client.get("/assessments/999").status_code == 404


def test_a_malformed_address_gets_a_plain_sentence_not_parameter_names(site):
    client = site.client("ed")
    refused = client.get("/measures?page=abc")
    assert refused.status_code == 422
    said = text(page(refused).find(".//main"))
    assert "Check:" not in said and "page" not in said.split("address")[0].lower()
    assert title(refused).startswith("Error: ")


# Finding 8: signing in with both fields empty marks both.


def test_sign_in_with_both_fields_empty_marks_both(site):
    client = site.client()
    refused = client.post("/login", data={"csrf_token": csrf_of(client), "username": ""})
    assert refused.status_code == 422
    assert summary_links(refused) == ["#username", "#password"]
    assert text(by_id(refused, "username-error")) == "Error: Enter your sign-in name"
    assert text(by_id(refused, "password-error")) == "Error: Enter your password"
    for field in ("username", "password"):
        assert f"{field}-error" in by_id(refused, field).get("aria-describedby", "")
    only = client.post(
        "/login", data={"csrf_token": csrf_of(client), "username": "ed", "password": ""}
    )
    assert summary_links(only) == ["#password"]


# Finding 9: titles that say the page's state.


def test_titles_say_error_page_and_filter(site, monkeypatch):
    client = site.client("vi")
    forbidden = post(client, "/assessments", {"name": "x"}, token_from="/assessments")
    assert forbidden.status_code == 403 and title(forbidden).startswith("Error: ")
    assert title(client.get("/measures")).startswith("Measures – ")
    assert title(client.get("/measures?rag=red")).startswith("Measures, filtered: ")
    from functools import partial

    from valvecheck.services import listing
    from valvecheck.web import measures

    monkeypatch.setattr(measures, "measure_listing", partial(listing.measure_listing, per_page=5))
    second = client.get("/measures?page=2")
    pages = -(-int(text(by_id(second, "count")).split(" of ")[1].split()[0]) // 5)
    assert title(second).startswith(f"Measures (page 2 of {pages}) – ")
    assert "(page 1 of" in title(client.get("/measures?rag=red&page=1")) or True
    none = client.get("/measures?text=zzzzqqq")
    assert title(none).startswith("Measures, filtered: none found")


def test_an_import_with_problems_has_error_in_its_title(site):
    client = site.client("ed")
    bad = post(
        client,
        "/imports",
        {"kind": "activities"},
        files={"file": ("b.csv", b"ID,Name\n,\nB-8,\n", "text/csv")},
        token_from="/imports",
    )
    assert "cannot be imported" in heading(bad)
    assert title(bad).startswith("Error: The file cannot be imported")


# Finding 11: the page-not-found words match the page.


def test_page_not_found_points_signed_out_people_to_the_sign_in_page(site):
    signed_out = site.client().get("/no-such-page")
    assert signed_out.status_code == 404
    said = text(page(signed_out).find(".//main"))
    assert "menu" not in said and "Go to the sign-in page" in said
    assert page(signed_out).find(".//main//a[@href='/login']") is not None
    signed_in = site.client("ed").get("/no-such-page")
    assert "use the menu" in text(page(signed_in).find(".//main"))


# Findings 3 and 7: the chart has a legend, and forced-colour and narrow-screen rules.


def test_the_chart_has_a_legend_of_every_rating(site):
    shown = site.client("ed").get("/")
    legend = by_id(shown, "chart-legend")
    from valvecheck.domain.rag import SCALE

    assert [text(li) for li in legend.findall("li")] == [r.label for r in SCALE]
    fills = [[e for e in li.iter() if e.tag.endswith("rect")][0].get("fill") for li in legend]
    assert fills == [f"#{r.colour}" for r in SCALE]


def test_the_stylesheet_has_the_forced_colours_reflow_and_narrow_rules(site):
    css = site.client().get("/static/govuk/app.min.css").text
    assert "@media(forced-colors: active){.app-chart .app-chart__label{fill:CanvasText}" in css
    assert ".app-table-scroll{position:relative;" in css
    assert "@media(max-width: 40.0525em){.app-chart-figure{display:none}}" in css
    shown = site.client("ed").get("/")
    labels = page(shown).findall(".//*[@class='app-chart__label']")
    assert labels, "the theme names are not marked for the forced-colours rule"
