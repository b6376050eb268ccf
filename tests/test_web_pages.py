"""Every page of the web app, in-process over a real workspace: parsed, and checked for meaning."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

import io
from dataclasses import replace

import openpyxl
import pytest
from web_support import (
    PASSWORD,
    by_id,
    csrf_of,
    heading,
    page,
    post,
    sign_in,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
    text,
)

from valvecheck.services import catalogue, measures, summary
from valvecheck.services.workspace import unit_of_work


def test_sign_in_then_every_page_answers_with_its_heading(site):
    client = site.client()
    assert client.get("/").status_code == 303  # nobody signed in: to the sign-in page
    assert client.get("/").headers["location"].startswith("/login")
    login = client.get("/login")  # signing in through the form
    assert login.status_code == 200
    form = page(login).find(".//form[@action='/login']")
    names = {i.get("name") for i in form.iter("input")}
    assert {"username", "password", "csrf_token"} <= names
    sign_in(client, "ann")
    expected = {
        "/": "Dashboard",
        "/measures": "Measures",
        "/measures/bury-1": "Measure bury-1",
        "/activities": "Activities",
        "/activities/B-1": "SENCO network",
        "/assessments": "Assessments",
        f"/assessments/{site.bristol_assessment}": "Bristol: mitigation validation exercise",
        "/imports": "Imports",
        "/reports": "Reports",
        "/admin/users": "People in Bristol",
        "/logout": "Sign out",
    }
    for path, title in expected.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert heading(response) == title, path
        # the council's name in the header, never GOV.UK's crown
        assert text(page(response).find(".//header//a")) == "Bristol"
        assert "govuk-header__logotype" not in response.text


def test_only_administrators_are_offered_the_people_page(site):
    """Beside who is signed in, not in the menu (nine items wrapped onto a second line)."""
    for who, offered in (("ann", True), ("ed", False), ("vi", False)):
        board = page(site.client(who).get("/"))
        links = [a.get("href") for a in board.iter("a")]
        assert ("/admin/users" in links) is offered, who
        menu = board.find(".//nav[@aria-label='Menu']")
        assert menu is not None and "/admin/users" not in [a.get("href") for a in menu.iter("a")]


def test_dashboard_shows_the_summary_of_the_current_assessment(site):
    client = site.client("ed")
    with unit_of_work(site.ws, as_person="ed") as ctx:
        found = summary.summary(ctx)
    board = client.get("/")
    assert text(by_id(board, "coverage")) == f"{round(found.coverage * 100)}%"
    assert text(by_id(board, "reds")) == str(found.rag["red"])
    assert text(by_id(board, "unrated")) == str(found.rag["unrated"])
    assert text(by_id(board, "aligned")) == "0"
    svg = page(board).find(".//{http://www.w3.org/2000/svg}svg[@class='app-chart']")
    assert svg is not None and svg.get("role") == "img"
    # every red measure is listed as an opportunity, most widely shared first
    items = page(board).findall(".//ol/li")
    assert [text(li.find("a")) for li in items] == found.opportunities[:10]


def test_dashboard_lists_what_to_check_once_the_council_has_activities(site):
    """As ``summary`` does: a red measure with an activity linked, green or amber measures with
    none, and a linked activity that has stalled."""
    from valvecheck.services import activities, links

    client = site.client("ed")
    with unit_of_work(site.ws, as_person="ed") as ctx:
        found = summary.summary(ctx)
    red = found.opportunities[0]
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        activities.add_activity(ctx, {"code": "SEN-3", "title": "Hubs", "status": "Stalled"})
        links.link(ctx, "SEN-3", red, "the hubs deliver it")
    with unit_of_work(site.ws, as_person="ed") as ctx:
        checks = summary.summary(ctx).alignment["alignment_checks"]
    board = client.get("/")
    assert text(by_id(board, "to-check")) == "What to check"

    def listed(key: str) -> list[str]:
        return [text(a) for a in by_id(board, f"check-{key}").iter("a")]

    assert listed("uncovered-with-activity") == [red] == checks["red_or_unrated_with_activity"]
    assert listed("at-risk") == ["SEN-3"] == checks["linked_activities_stalled_or_overdue"]
    shown = listed("covered-without-activity")
    assert shown == checks["green_or_amber_without_activity"][:20] and shown
    more = len(checks["green_or_amber_without_activity"]) - 20
    if more > 0:
        assert f"and {more} more" in text(by_id(board, "check-covered-without-activity"))
    href = by_id(board, "check-at-risk").find(".//a").get("href")
    assert href == "/activities/SEN-3" and client.get(href).status_code == 200


def test_measures_listing_filters_from_the_query_string_and_paginates(site):
    client = site.client("vi")
    everything = client.get("/measures")
    assert "of 27 measures" in text(by_id(everything, "count"))
    reds = client.get("/measures?rag=red")
    rows = page(reds).findall(".//table[@id='measures']/tbody/tr")
    with unit_of_work(site.ws, as_person="vi") as ctx:
        expected = [v.id for v in measures.list_measures(ctx) if v.rag.value == "red"]
    assert [text(r.find("td/a")) for r in rows] == expected
    assert all(text(r.findall("td")[1]) == "Red" for r in rows)
    bury = client.get("/measures?authority=Bury&text=mainstream")
    ids = [text(r.find("td/a")) for r in page(bury).findall(".//table[@id='measures']/tbody/tr")]
    assert ids and all(i.startswith("bury-") for i in ids)
    # the filter form keeps what was chosen
    assert page(bury).find(".//select[@id='authority']/option[@selected]").get("value") == "Bury"
    # pages of 50: 27 fit on one, and asking for page 2 shows none
    assert "There is no page 2" in text(by_id(client.get("/measures?page=2"), "count"))
    assert "No measure matches" in text(by_id(client.get("/measures?text=zzzz"), "count"))
    assert client.get("/measures?due=soon").status_code == 422
    assert client.get("/measures?rag=purple").status_code == 422
    assert client.get("/measures?due=overdue").status_code == 200


def test_a_filter_no_measure_could_match_is_named_on_the_listing_itself(site):
    """A saved address whose theme was renamed since, or a mistyped rating: the Measures page,
    its error at the filter, the other filters kept (not a page with only a way home)."""
    client = site.client("vi")
    old_theme = client.get("/measures?theme=Financial+Efficiencies+Old&authority=Bury")
    assert old_theme.status_code == 422
    assert heading(old_theme) == "Measures"
    summary_links = page(old_theme).findall(".//div[@class='govuk-error-summary']//a")
    assert [a.get("href") for a in summary_links] == ["#theme"]
    assert "There is no theme 'Financial Efficiencies Old'" in text(by_id(old_theme, "theme-error"))
    assert by_id(old_theme, "theme").get("aria-describedby") == "theme-error"
    rows = page(old_theme).findall(".//table[@id='measures']/tbody/tr")
    assert rows and all(text(r.find("td/a")).startswith("bury-") for r in rows)  # Bury kept
    both = client.get("/measures?rag=purple&text=--")
    assert both.status_code == 422
    assert set(by_id(both, f) is not None for f in ("rag-error", "text-error")) == {True}
    assert "of 27 measures" in text(by_id(both, "count"))  # neither could match: all shown
    assert by_id(both, "text").get("value") == "--"  # what was typed stays in its box
    summary_links = page(both).findall(".//div[@class='govuk-error-summary']//a")
    assert [a.get("href") for a in summary_links] == ["#rag", "#text"]  # the form's order
    odd = client.get("/measures?due=banana")
    assert odd.status_code == 422 and "banana" not in text(by_id(odd, "due"))  # no such option


def test_measure_page_shows_text_source_placements_rating_form_and_history(site):
    client = site.client("ed")
    response = client.get("/measures/bury-1")
    assert "Bury" in text(page(response).find(".//dl"))
    form = page(response).find(".//form[@id='rating-form']")
    names = {i.get("name") for i in form.iter("input")} | {
        t.get("name") for t in form.iter("textarea")
    }
    assert {"rag", "rationale", "evidence", "version", "csrf_token"} <= names
    assert client.get("/measures/BURY-1").status_code == 200
    missing = client.get("/measures/nobody-99")
    assert missing.status_code == 404 and "nobody-99" in text(by_id(missing, "message"))


def test_measure_page_links_the_same_measure_in_other_agreements(site):
    client = site.client("ed")
    shared = by_id(client.get("/measures/stoke-on-trent-5"), "equivalents")
    assert [a.get("href") for a in shared.iter("a")] == [
        "/measures/bury-4",
        "/measures/hammersmith-fulham-4",
    ]
    assert "(Hammersmith and Fulham)" in text(shared)
    # each with its rating in this assessment, so one commitment is rated alike across agreements
    tags = [e for e in shared.iter() if (e.get("class") or "").startswith("app-rag app-rag--")]
    assert len(tags) == 2
    alone = by_id(client.get("/measures/bury-2"), "equivalents")
    assert text(alone) == "No other agreement in the catalogue has this measure"


def test_common_measures_page_lists_shared_measures_most_widely_shared_first(site):
    client = site.client("vi")  # a viewer reads it too
    response = client.get("/common")
    assert response.status_code == 200
    rows = page(response).findall(".//table[@id='common-table']/tbody/tr")
    first = [text(td) for td in rows[0].findall("td")]
    # the template's placeholder as a person reads it (review 6, item 12)
    assert first[0] == "3" and first[1].startswith("Support and drive schools in [council]")
    links = [a.get("href") for a in rows[0].iter("a")]
    assert links == [
        "/measures/bury-4",
        "/measures/hammersmith-fulham-4",
        "/measures/stoke-on-trent-5",
    ]
    assert [text(r.findall("td")[0]) for r in rows] == ["3", "2", "2"]
    every = page(client.get("/common?show=all")).findall(".//table[@id='common-table']/tbody/tr")
    assert len(every) > len(rows) and {text(r.findall("td")[0]) for r in every[len(rows) :]} == {
        "1"
    }
    odd = page(client.get("/common?show=nonsense")).findall(".//table[@id='common-table']/tbody/tr")
    assert len(odd) == len(rows)  # an unknown choice shows the default


def test_common_measures_page_goes_page_by_page(site, monkeypatch):
    from valvecheck.web import common_measures

    monkeypatch.setattr(common_measures, "PER_PAGE", 10)
    client = site.client("vi")
    last = client.get("/common?show=all&page=3")
    assert text(by_id(last, "count")) == "Showing 21 to 23 of 23 groups"
    assert len(page(last).findall(".//table[@id='common-table']/tbody/tr")) == 3
    assert page(last).find(".//nav[@class='govuk-pagination']") is not None
    beyond = client.get("/common?show=all&page=9")
    assert text(by_id(beyond, "count")) == "There is no page 9: the 23 groups fit on 3 pages"
    assert client.get("/common?page=0").status_code == 422


def test_a_measures_deadlines_read_as_dates_a_person_uses(site):
    shown = text(by_id(site.client("ed").get("/measures/bury-1"), "deadlines"))
    # Bury's date, not Bristol's: said as the agreement's own deadline (review 6, item 11)
    assert shown.startswith("Due 31 Mar 2022 Bury's deadline passed and the measure is not rated")
    assert '"by March 2022" is read as due by 31 Mar 2022' in shown.replace("\u201c", '"').replace(
        "\u201d", '"'
    )
    assert "(financial year, assumed)" in shown
    for cli_word in ("->", "due-by", "OVERDUE", "VALVECHECK_"):
        assert cli_word not in shown


def test_rating_with_a_rationale_is_saved_shown_and_in_the_history(site):
    client = site.client("ed")
    version = page(client.get("/measures/bury-4")).find(".//input[@name='version']").get("value")
    saved = post(
        client,
        "/measures/bury-4/rating",
        {
            "rag": "green",
            "rationale": "SENCO network",
            "evidence": "https://example.org/paper\nminutes 4 May",
            "version": version,
        },
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/measures/bury-4"
    shown = client.get("/measures/bury-4")
    assert "Rating saved" in shown.text
    assert text(by_id(shown, "current-rationale")) == "SENCO network"
    assert page(shown).find(".//a[@href='https://example.org/paper']") is not None
    history = page(shown).findall(".//table[@id='history-table']/tbody/tr")
    assert "ed" in text(history[0]) and "Green" in text(history[0])
    # the dashboard changes with it
    assert "bury-4" in text(by_id(client.get("/"), "recent-table"))


def test_a_rating_form_without_a_choice_or_with_a_bad_word_is_refused_and_keeps_the_text(site):
    client = site.client("ed")
    refused = post(
        client, "/measures/bury-4/rating", {"rag": "", "rationale": "kept", "version": "0"}
    )
    assert refused.status_code == 422
    assert "Choose a rating" in text(page(refused).find(".//*[@class='govuk-error-summary']"))
    assert page(refused).find(".//textarea[@name='rationale']").text == "kept"
    napp = post(
        client,
        "/measures/bury-4/rating",
        {"rag": "not_applicable", "rationale": "", "version": "0"},
    )
    assert napp.status_code == 422 and "needs a reason" in napp.text


def test_two_editors_on_one_rating_the_second_gets_409_with_both_versions_and_their_text(site):
    first, second = site.client("ed"), site.client("ann")
    version = page(first.get("/measures/bury-4")).find(".//input[@name='version']").get("value")
    page(second.get("/measures/bury-4"))  # both opened the same form
    ok = post(
        first,
        "/measures/bury-4/rating",
        {"rag": "amber", "rationale": "Ed's view", "version": version},
    )
    assert ok.status_code == 303
    clash = post(
        second,
        "/measures/bury-4/rating",
        {"rag": "red", "rationale": "Ann's view", "evidence": "note", "version": version},
    )
    assert clash.status_code == 409
    theirs = by_id(clash, "theirs")
    assert "Ed's view" in text(theirs) and "Amber" in text(theirs)
    mine = by_id(clash, "yours")
    assert mine.find(".//textarea[@name='rationale']").text == "Ann's view"
    assert mine.find(".//input[@value='red']").get("checked") is not None
    # saving again from the conflict page carries the new version and succeeds
    newer = mine.find(".//input[@name='version']").get("value")
    assert int(newer) == int(version) + 1
    again = post(
        second,
        "/measures/bury-4/rating",
        {"rag": "red", "rationale": "Ann's view", "version": newer},
    )
    assert again.status_code == 303
    with unit_of_work(site.ws, as_person="ann") as ctx:
        from valvecheck.services.ratings import history

        steps = history(ctx, "bury-4")
    assert [(r.by, r.rationale) for r in steps[-2:]] == [("ed", "Ed's view"), ("ann", "Ann's view")]


def _form(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The rating form's values as the page draws them (what a browser would send back)."""
    form = page(response).find(".//form[@id='rating-form']")
    assert form is not None, "no rating form on the page"
    values = {
        i.get("name"): i.get("value") or "" for i in form.iter("input") if i.get("type") != "radio"
    }
    values["rag"] = next(
        (
            i.get("value")
            for i in form.iter("input")
            if i.get("type") == "radio" and i.get("checked") is not None
        ),
        "",
    )
    for area in form.iter("textarea"):
        values[area.get("name")] = area.text or ""
    values.pop("csrf_token", None)
    return values


def test_the_rating_form_comes_back_whole_and_sending_it_unchanged_records_nothing(site):
    """The form holds the current rating, rationale and evidence alike: adding one evidence
    link keeps the rationale in the current rating (and the committee report)."""
    client = site.client("ed")
    first = _form(client.get("/measures/bury-4"))
    post(
        client,
        "/measures/bury-4/rating",
        {**first, "rag": "amber", "rationale": "SENCO network", "evidence": "paper"},
    )
    again = _form(client.get("/measures/bury-4"))
    assert (again["rag"], again["rationale"], again["evidence"]) == (
        "amber",
        "SENCO network",
        "paper",
    )
    same = post(client, "/measures/bury-4/rating", again)
    assert same.status_code == 303
    assert "Nothing changed" in client.get("/measures/bury-4").text
    more = post(client, "/measures/bury-4/rating", {**again, "evidence": "paper\nminutes"})
    assert more.status_code == 303
    with unit_of_work(site.ws, as_person="ed") as ctx:
        from valvecheck.services.ratings import history

        steps = history(ctx, "bury-4")
    assert [(r.rationale, r.evidence) for r in steps] == [
        ("SENCO network", "paper"),
        ("SENCO network", "paper\nminutes"),
    ]


def test_a_form_drawn_for_another_assessment_is_refused_saying_so_and_keeps_the_text(site):
    """An administrator made another assessment current while an editor was typing: the rating
    does not go into an assessment the editor was not looking at, and nothing is a 500."""
    from valvecheck.services.ratings import history, new_assessment

    client = site.client("ed")
    form = _form(client.get("/measures/bury-2"))
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        new_assessment(ctx, "Spring 2027 (fresh)", use=True)
    refused = post(
        client, "/measures/bury-2/rating", {**form, "rag": "green", "rationale": "typed"}
    )
    assert refused.status_code == 409
    assert "Spring 2027 (fresh)" in text(by_id(refused, "rag-error"))
    assert page(refused).find(".//textarea[@name='rationale']").text == "typed"
    with unit_of_work(site.ws, as_person="ed") as ctx:
        assert history(ctx, "bury-2") == []
    # a version the fresh assessment never had (the form of another): a clear refusal too
    stale = post(client, "/measures/bury-3/rating", {"rag": "green", "version": "99"})
    assert stale.status_code == 409 and "reload the page" in text(by_id(stale, "rag-error"))


def test_a_locked_assessment_offers_no_rating_form_and_keeps_what_was_typed(site):
    client = site.client("ed")
    form = _form(client.get("/measures/bury-3"))
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        from valvecheck.services.ratings import current_assessment, lock_assessment

        lock_assessment(ctx, current_assessment(ctx).name)
    shown = client.get("/measures/bury-3")
    assert page(shown).find(".//form[@id='rating-form']") is None
    assert "is locked (by ann" in text(by_id(shown, "locked"))
    refused = post(
        client, "/measures/bury-3/rating", {**form, "rag": "green", "rationale": "my words"}
    )
    assert refused.status_code == 409
    summaries = page(refused).findall(".//*[@class='govuk-error-summary']")
    assert len(summaries) == 1 and "locked" in text(summaries[0])  # one box, no dead link
    assert not summaries[0].findall(".//a[@href='#rag']")
    assert text(by_id(refused, "typed-rationale")) == "my words"


@pytest.mark.parametrize("field", ["rationale", "evidence"], ids=["rationale", "evidence"])
def test_script_typed_into_a_text_field_comes_back_as_text(site, field):
    client = site.client("ed")
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    post(
        client,
        "/measures/bury-5/rating",
        {"rag": "amber", "rationale": "ok", field: attack, "version": "0"},
    )
    shown = client.get("/measures/bury-5")
    tree = page(shown)
    assert all("alert" not in (s.text or "") for s in tree.iter("script"))
    assert not [i for i in tree.iter("img") if i.get("onerror")]
    assert attack in text(tree.find(".//table[@id='history-table']"))
    assert "&lt;script&gt;" in shown.text


def test_activity_page_links_unlinks_and_accepts_suggestions(site):
    client = site.client("ed")
    shown = client.get("/activities/B-1")
    assert "SENCO network" in heading(shown)
    first = page(shown).findall(".//input[@type='checkbox'][@name='measure']")
    assert "bury-4" in [i.get("value") for i in first]  # suggested until a person judges it
    linked = post(client, "/activities/B-1/link", {"measure": "bury-4", "rationale": "network"})
    assert linked.status_code == 303
    assert "bury-4" in text(page(client.get("/activities/B-1")).find(".//table[@id='links-table']"))
    unknown = post(client, "/activities/B-1/link", {"measure": "nowhere-1"})
    assert unknown.status_code == 404 and "nowhere-1" in unknown.text
    twice = post(client, "/activities/B-1/link", {"measure": "bury-4"})
    assert twice.status_code == 409 and "already linked" in twice.text
    unlinked = post(client, "/activities/B-1/unlink", {"measure": "bury-4", "rationale": "ended"})
    assert unlinked.status_code == 303
    # unlinked is a person's "not this": the measure is not suggested again, and the page says so
    after = page(client.get("/activities/B-1"))
    offered = [i.get("value") for i in after.findall(".//input[@type='checkbox'][@name='measure']")]
    assert "bury-4" not in offered and text(after.find(".//p[@id='not-again']")).endswith(
        "as they were unlinked or marked not relevant (see the history): bury-4."
    )
    suggestions = page(client.get("/activities/B-2")).findall(
        ".//input[@type='checkbox'][@name='measure']"
    )
    assert suggestions, "the resource bases activity should have suggested measures"
    chosen = suggestions[0].get("value")
    accepted = post(client, "/activities/B-2/accept", {"measure": [chosen]})
    assert accepted.status_code == 303
    assert chosen in text(page(client.get("/activities/B-2")).find(".//table[@id='links-table']"))
    assert client.get("/activities/NOPE").status_code == 404


def test_locking_an_assessment_asks_first_and_says_it_cannot_be_undone(site):
    client = site.client("ann")
    shown = page(client.get(f"/assessments/{site.bristol_assessment}"))
    ask = shown.find(f".//a[@href='/assessments/{site.bristol_assessment}/lock']")
    assert (
        ask is not None
        and shown.find(f".//form[@action='/assessments/{site.bristol_assessment}/lock']") is None
    )
    question = client.get(f"/assessments/{site.bristol_assessment}/lock")
    assert heading(question).startswith("Lock ") and "cannot be unlocked" in question.text
    assert site.client("vi").get(f"/assessments/{site.bristol_assessment}/lock").status_code == 403
    assert post(client, f"/assessments/{site.bristol_assessment}/lock").status_code == 303
    assert "Locked (read-only) by ann" in text(
        by_id(client.get(f"/assessments/{site.bristol_assessment}"), "state")
    )


def test_unlinking_asks_first_with_the_measures_text_and_keeps_the_reason(site):
    client = site.client("ed")
    post(client, "/activities/B-1/link", {"measure": "bury-4", "rationale": "network"})
    shown = client.get("/activities/B-1")
    table = page(shown).find(".//table[@id='links-table']")
    assert "Support and drive schools" in text(table)  # what bury-4 says, beside its id
    ask = table.find(".//a[@href='/activities/B-1/unlink?measure=bury-4']")
    assert ask is not None and page(shown).find(".//form[@action='/activities/B-1/unlink']") is None
    question = client.get("/activities/B-1/unlink?measure=bury-4")
    assert heading(question) == "Unlink bury-4 from B-1?"
    assert "Support and drive schools" in text(
        page(question).find(".//*[@class='govuk-inset-text app-pre-wrap']")
    )
    assert page(question).find(".//textarea[@name='rationale']") is not None
    assert (
        post(
            client, "/activities/B-1/unlink", {"measure": "bury-4", "rationale": "stopped in May"}
        ).status_code
        == 303
    )
    with unit_of_work(site.ws, as_person="ed") as ctx:
        from valvecheck.services.activities import show_activity

        last = show_activity(ctx, "B-1").history[-1]
    assert (last.linked, last.rationale) == (False, "stopped in May")
    assert client.get("/activities/B-1/unlink?measure=bury-4").status_code == 404  # not linked now
    assert site.client("vi").get("/activities/B-1/unlink?measure=bury-4").status_code == 403


def test_suggestions_say_what_each_measure_says_and_a_second_accept_says_nothing_was_new(site):
    first, second = site.client("ed"), site.client("ann")
    shown = page(first.get("/activities/B-2"))
    box = shown.find(".//input[@type='checkbox'][@name='measure']")
    chosen = box.get("value")
    label = text(shown.find(f".//label[@for='{box.get('id')}']"))
    with unit_of_work(site.ws, as_person="ed") as ctx:
        said = measures.show_measure(ctx, chosen).measure.text
    assert label.startswith(f"{chosen}: {said[:60]}")
    page(second.get("/activities/B-2"))  # both opened the page
    assert post(first, "/activities/B-2/accept", {"measure": [chosen]}).status_code == 303
    late = post(second, "/activities/B-2/accept", {"measure": [chosen]})
    assert late.status_code == 303
    assert "Nothing new linked for B-2" in second.get(late.headers["location"]).text


def test_assessments_start_carrying_forward_compare_and_lock(site):
    client = site.client("ann")
    started = post(
        client,
        "/assessments",
        {"name": "Bristol: autumn 2026", "carry_from": str(site.bristol_assessment), "use": "yes"},
    )
    assert started.status_code == 303
    new_id = int(started.headers["location"].rsplit("/", 1)[1])
    shown = client.get(f"/assessments/{new_id}")
    assert heading(shown) == "Bristol: autumn 2026" and "Current" in text(by_id(shown, "state"))
    post(
        client, "/measures/bury-4/rating", {"rag": "green", "rationale": "moved on", "version": "0"}
    )
    compared = client.get(f"/assessments/compare?first={site.bristol_assessment}&second={new_id}")
    assert compared.status_code == 200
    rows = page(compared).findall(".//table[@id='moved']/tbody/tr")
    assert [text(r.find("td/a")) for r in rows] == ["bury-4"]
    assert "1 measure moved" in text(by_id(compared, "moved-summary"))
    duplicate = post(client, "/assessments", {"name": "Bristol: autumn 2026"})
    assert duplicate.status_code == 409 and "already exists" in duplicate.text
    locked = post(client, f"/assessments/{new_id}/lock")
    assert locked.status_code == 303
    refused = post(
        client,
        "/measures/hammersmith-fulham-1/rating",
        {"rag": "green", "rationale": "late", "version": "0"},
    )
    assert refused.status_code == 409 and "locked" in refused.text
    assert client.get(f"/assessments/compare?first={new_id}&second={new_id}").status_code == 422


def test_reports_download_each_format_and_the_excel_reads_back(site):
    client = site.client("vi")
    for fmt, kind in (
        ("xlsx", "spreadsheetml"),
        ("docx", "wordprocessingml"),
        ("html", "text/html"),
        ("md", "text/markdown"),
    ):
        response = client.get(f"/reports/download?format={fmt}")
        assert response.status_code == 200, fmt
        assert kind in response.headers["content-type"]
        assert response.headers["content-disposition"].startswith("attachment")
    book = openpyxl.load_workbook(io.BytesIO(client.get("/reports/download?format=xlsx").content))
    cells = {
        str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value
    }
    assert "bury-1" in " ".join(cells)
    named = client.get("/reports/download?format=md&on=2026-03-31").headers["content-disposition"]
    assert named.endswith("report-bristol-mitigation-validation-exercise-2026-03-31.md")
    assert client.get("/reports/download?format=pdf").status_code == 422
    assert client.get("/reports/download?format=position").status_code == 422
    assert client.get("/reports/download?format=position&since=2020-01-01").status_code == 200


def test_a_locked_assessments_download_is_named_by_the_day_it_was_locked(site):
    from datetime import UTC, datetime

    from valvecheck.services.ratings import current_assessment, lock_assessment

    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        ctx.clock = lambda: datetime(2026, 3, 31, 10, tzinfo=UTC)
        lock_assessment(ctx, current_assessment(ctx).name)
    response = site.client("vi").get("/reports/download?format=md")
    assert response.status_code == 200
    named = response.headers["content-disposition"]
    assert named.endswith("report-bristol-mitigation-validation-exercise-2026-03-31.md")
    assert "Bristol, 31 March 2026." in response.text


def test_admin_adds_people_changes_roles_and_removes_access(site):
    client = site.client("ann")
    added = post(
        client, "/admin/users", {"username": "newbie", "role": "editor", "password": PASSWORD}
    )
    assert added.status_code == 303
    people = page(client.get("/admin/users")).findall(".//table[@id='people']/tbody/tr")
    assert any("newbie" in text(r) and "Editor" in text(r) for r in people)
    short = post(
        client, "/admin/users", {"username": "shorty", "role": "viewer", "password": "short"}
    )
    assert short.status_code == 422 and "10 characters" in short.text
    newbie = site.client()
    sign_in(newbie, "newbie")
    assert newbie.get("/").status_code == 200
    with unit_of_work(site.ws, as_person="ann") as ctx:
        from valvecheck.services.people import list_people

        newbie_id = next(p.id for p in list_people(ctx) if p.name == "newbie")
    assert post(client, f"/admin/users/{newbie_id}/role", {"role": "viewer"}).status_code == 303
    assert post(client, f"/admin/users/{newbie_id}/remove").status_code == 303
    assert newbie.get("/").status_code == 303  # signed out from their next request on


def test_an_administrator_asks_before_removing_access_can_restore_it_and_set_a_password(site):
    client = site.client("ann")
    vi = site.people["vi"]
    row = next(
        r
        for r in page(client.get("/admin/users")).findall(".//table[@id='people']/tbody/tr")
        if "vi" in text(r).split()
    )
    assert row.find(f".//a[@href='/admin/users/{vi}/remove']") is not None  # a question first
    question = client.get(f"/admin/users/{vi}/remove")
    assert heading(question) == "Remove access for vi?"
    assert post(client, f"/admin/users/{vi}/remove").status_code == 303
    gone = site.client()
    assert (
        gone.post(
            "/login", data={"username": "vi", "password": PASSWORD, "csrf_token": csrf_of(gone)}
        ).status_code
        == 401
    )
    assert post(client, f"/admin/users/{vi}/restore", token_from="/admin/users").status_code == 303
    sign_in(site.client(), "vi")  # back, with the role they had
    # a forgotten password: the administrator sets a new one; the old one and its sessions end
    before = site.client("vi")
    assert before.get("/").status_code == 200
    differ = post(
        client,
        f"/admin/users/{vi}/password",
        {"password": "a" * 12, "confirm": "b" * 12},
        token_from=f"/admin/users/{vi}/password",
    )
    assert differ.status_code == 422 and "not the same" in text(by_id(differ, "confirm-error"))
    short = post(
        client,
        f"/admin/users/{vi}/password",
        {"password": "short", "confirm": "short"},
        token_from=f"/admin/users/{vi}/password",
    )
    assert short.status_code == 422 and "10 characters" in short.text
    new = "a new long password"
    done = post(
        client,
        f"/admin/users/{vi}/password",
        {"password": new, "confirm": new},
        token_from=f"/admin/users/{vi}/password",
    )
    assert done.status_code == 303
    assert before.get("/").status_code == 303  # signed out everywhere
    sign_in(site.client(), "vi", new)
    old = site.client()
    assert (
        old.post(
            "/login", data={"username": "vi", "password": PASSWORD, "csrf_token": csrf_of(old)}
        ).status_code
        == 401
    )
    assert site.client("ed").get(f"/admin/users/{vi}/password").status_code == 403
    assert (
        site.client("lee").get(f"/admin/users/{vi}/password").status_code == 404
    )  # another council's


def test_sign_in_refuses_wrong_passwords_then_throttles(site):
    client = site.client()
    token = csrf_of(client)
    wrong = client.post("/login", data={"username": "ed", "password": "nope", "csrf_token": token})
    assert wrong.status_code == 401 and "not right" in wrong.text
    for _ in range(4):
        client.post("/login", data={"username": "ed", "password": "nope", "csrf_token": token})
    throttled = client.post(
        "/login", data={"username": "ed", "password": PASSWORD, "csrf_token": token}
    )
    assert throttled.status_code == 429 and "Too many attempts" in throttled.text


def test_sign_out_ends_the_session(site):
    client = site.client("ed")
    out = post(client, "/logout")
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert client.get("/").status_code == 303
    assert "You have signed out" in client.get("/login").text


def test_next_after_sign_in_stays_on_this_site(site):
    client = site.client()
    token = csrf_of(client)
    response = client.post(
        "/login",
        data={
            "username": "ed",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/x",
        },
    )
    assert response.headers["location"] == "/"
    client = site.client()
    token = csrf_of(client)
    response = client.post(
        "/login",
        data={
            "username": "ed",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/measures?rag=red",
        },
    )
    assert response.headers["location"] == "/measures?rag=red"


def test_a_served_app_works_on_the_configured_number_of_requests_at_once(site):
    """VALVECHECK_THREADS bounds the threads page work runs in (the rest wait in order)."""
    import anyio.to_thread
    from fastapi.testclient import TestClient

    from valvecheck.web import create_app

    settings = replace(site.settings, threads=3)
    with TestClient(create_app(settings, site.ws)) as client:  # runs the app's lifespan
        assert client.get("/login").status_code == 200
        tokens = client.portal.call(
            lambda: anyio.to_thread.current_default_thread_limiter().total_tokens
        )
    assert tokens == 3


def test_the_served_app_learns_the_matcher_beside_the_server_starting(site):
    """`valvecheck serve` learns the matcher's model in a background thread, so the first page
    with suggestions does not wait for it; a page that asks meanwhile waits for that one."""
    import threading

    from valvecheck.analysis import matcher
    from valvecheck.web.app import served_app

    matcher._bundled_model.cache_clear()  # as in a new server process
    served_app(site.settings, site.ws)
    learning = [t for t in threading.enumerate() if t.name == "valvecheck-learn"]
    assert learning
    for thread in learning:
        thread.join(timeout=120)
        assert not thread.is_alive()
    assert matcher._bundled_model.cache_info().currsize == 1  # learned by the thread, not here
    assert matcher.bundled_model() is matcher.bundled_model()  # and once a process


def test_a_comparison_with_a_locked_assessment_lists_the_measures_imported_since(site):
    client = site.client("ann")
    post(client, f"/assessments/{site.bristol_assessment}/lock")
    started = post(
        client,
        "/assessments",
        {"name": "Bristol: 2027", "carry_from": str(site.bristol_assessment), "use": "yes"},
    )
    later = int(started.headers["location"].rsplit("/", 1)[1])
    kent = "LA,Recommendation\nKent,Open two resourced provisions.\nKent,Review transport.\n"
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        catalogue.import_catalogue(ctx, kent.encode(), "kent.csv")
    for first, second, table in (
        (site.bristol_assessment, later, "only-1"),
        (later, site.bristol_assessment, "only-2"),
    ):
        shown = client.get(f"/assessments/compare?first={first}&second={second}")
        rows = page(shown).findall(f".//table[@id='{table}']/tbody/tr")
        assert [text(r.find("td/a")) for r in rows] == ["kent-1", "kent-2"]
        said = text(by_id(shown, f"{table}-heading"))
        assert said == "2 measures only in Bristol: 2027"
        assert "27 unchanged" in text(by_id(shown, "moved-summary"))
        assert "is locked: it keeps the catalogue it was reported against" in shown.text
