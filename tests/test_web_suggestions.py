"""Suggestions for every activity on one page (from a QA pass: a lead with forty activities had
to open each to see which still had suggestions to look at, and to accept them)."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

from web_support import (
    by_id,
    page,
    post,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
    text,
)

from valvecheck.services import activities, suggestions
from valvecheck.services.workspace import unit_of_work


def boxes(response):  # type: ignore[no-untyped-def]
    """The page's checkboxes: (value, ticked)."""
    found = page(response).findall(".//input[@type='checkbox'][@name='pair']")
    return [(b.get("value"), b.get("checked") is not None) for b in found]


def test_every_activity_with_suggestions_is_listed_the_likely_ones_ticked(site):
    client = site.client("ed")
    shown = client.get("/suggestions")
    assert shown.status_code == 200
    found = boxes(shown)
    with unit_of_work(site.ws, as_person="ed") as ctx:
        expected = suggestions.suggest(ctx, top=3)
    bar = expected.accept_threshold
    assert bar is not None
    want = [
        (f"{s.measure_id} {aid}", s.score >= bar) for aid, ss in expected.groups.items() for s in ss
    ]
    assert found == want and any(t for _, t in found)  # ticked: those clearing the accept bar
    assert {v.split(" ", 1)[1] for v, _ in found} == {"B-1", "B-2"}
    said = text(by_id(shown, "waiting"))
    assert said.startswith(
        "2 of the council's 2 activities have suggestions nobody has linked or marked not relevant"
    )
    # the Activities page leads here
    listing = page(client.get("/activities"))
    assert listing.find(".//a[@id='all-suggestions']").get("href") == "/suggestions"


def test_linking_the_ticked_ones_links_them_as_accepted_suggestions_and_they_leave_the_page(site):
    client = site.client("ed")
    ticked = [v for v, t in boxes(client.get("/suggestions")) if t]
    made = post(client, "/suggestions", {"pair": ticked, "page": "1"})
    assert made.status_code == 303 and made.headers["location"] == "/suggestions?page=1"
    after = client.get(made.headers["location"])
    assert f"{len(ticked)} link{'s' if len(ticked) != 1 else ''} made" in after.text
    left = {v for v, _ in boxes(after)}
    assert not left & set(ticked)  # judged now: not suggested again
    with unit_of_work(site.ws, as_person="ed") as ctx:
        for value in ticked:
            measure, activity = value.split(" ", 1)
            view = activities.show_activity(ctx, activity)
            event = next(e for e in view.history if e.measure_id == measure)
            assert event.linked and event.rationale == "suggested, accepted by ed"


def test_a_suggestion_someone_judged_meanwhile_is_left_alone_and_said(site):
    first, second = site.client("ed"), site.client("ann")
    ticked = [v for v, t in boxes(first.get("/suggestions")) if t]
    assert len(ticked) >= 2
    measure, activity = ticked[0].split(" ", 1)
    # ann marks the first not relevant while ed's page is open
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        from valvecheck.services.links import not_relevant

        not_relevant(ctx, activity, measure, "a different project")
    made = post(first, "/suggestions", {"pair": ticked, "page": "1"})
    said = first.get(made.headers["location"]).text
    n = len(ticked) - 1
    assert f"{n} link{'s' if n != 1 else ''} made; 1 suggestion chosen was linked, unlinked" in said
    assert second is not None


def test_nothing_ticked_or_a_pair_no_longer_suggested_links_nothing_and_says_why(site):
    client = site.client("ed")
    empty = post(client, "/suggestions", {"page": "1"})
    assert empty.status_code == 422
    assert "Choose at least one suggestion to link" in text(by_id(empty, "accept-error"))
    odd = post(client, "/suggestions", {"pair": ["bury-4 B-1", "kingston-richmond-8 B-1"]})
    assert odd.status_code == 422 and "is not suggested for B-1 now" in odd.text
    with unit_of_work(site.ws, as_person="ed") as ctx:
        assert not [e for e in activities.show_activity(ctx, "B-1").history]  # all or none
    assert post(client, "/suggestions", {"pair": ["nonsense"]}).status_code == 422
    gone = post(client, "/suggestions", {"pair": ["bury-4 NOPE"]})  # the page, saying why
    assert gone.status_code == 404 and "There is no activity" in text(by_id(gone, "accept-error"))


def test_a_viewer_reads_the_suggestions_without_boxes_and_cannot_link(site):
    viewer = site.client("vi")
    shown = viewer.get("/suggestions")
    assert shown.status_code == 200 and boxes(shown) == []
    assert "An editor or administrator links them" in shown.text
    assert "bury-4" in shown.text or "stoke-on-trent" in shown.text
    assert post(viewer, "/suggestions", {"pair": ["bury-4 B-1"]}).status_code == 403


def test_activities_whose_suggestions_are_all_judged_leave_the_page(site):
    client = site.client("ed")
    for value, _ in boxes(client.get("/suggestions")):
        measure, activity = value.split(" ", 1)
        with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
            from valvecheck.services.links import not_relevant

            not_relevant(ctx, activity, measure, "not ours")
    # each activity's next suggestions (beyond the three shown) come up, until none are left
    for _ in range(5):
        rest = boxes(client.get("/suggestions"))
        if not rest:
            break
        for value, _ in rest:
            measure, activity = value.split(" ", 1)
            with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
                from valvecheck.services.links import not_relevant

                not_relevant(ctx, activity, measure, "not ours")
    shown = client.get("/suggestions")
    assert boxes(shown) == []
    assert text(by_id(shown, "waiting")).startswith("No activity has suggestions waiting")


def test_an_activitys_accept_names_a_measure_judged_meanwhile(site):
    """From the QA pass: two chosen, one marked not relevant meanwhile by a colleague, said only
    '1 link made for B-2'."""
    client = site.client("ed")
    shown = page(client.get("/activities/B-2"))
    chosen = [b.get("value") for b in shown.findall(".//input[@type='checkbox'][@name='measure']")]
    assert len(chosen) >= 2
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        from valvecheck.services.links import not_relevant

        not_relevant(ctx, "B-2", chosen[0], "a different project")
    made = post(client, "/activities/B-2/accept", {"measure": chosen[:2]})
    said = client.get(made.headers["location"]).text
    assert f"1 link made for B-2; {chosen[0]} was linked, unlinked or marked not relevant" in said


def test_marking_not_relevant_after_a_colleague_judged_it_says_who_and_keeps_the_reason(site):
    """From the QA pass: it ended on 'Someone else changed this first' with only a way to the
    dashboard, the reason typed lost."""
    client = site.client("ed")
    chosen = (
        page(client.get("/activities/B-2"))
        .find(".//input[@type='checkbox'][@name='measure']")
        .get("value")
    )
    assert client.get(f"/activities/B-2/not-relevant?measure={chosen}").status_code == 200
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        from valvecheck.services.links import link

        link(ctx, "B-2", chosen, "ours")
    late = post(
        client, "/activities/B-2/not-relevant", {"measure": chosen, "rationale": "older pupils"}
    )
    assert late.status_code == 409
    said = text(by_id(late, "not-relevant-rationale-error"))
    assert f"B-2 is linked to {chosen} already (by ann, " in said
    assert page(late).find(".//textarea[@name='rationale']").text == "older pupils"
    assert page(late).find(".//a[@href='/activities/B-2']") is not None  # a way on


def test_the_unlink_question_for_a_link_gone_meanwhile_is_the_activity_saying_so(site):
    client = site.client("ed")
    post(client, "/activities/B-1/link", {"measure": "bury-4", "rationale": "network"})
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        from valvecheck.services.links import unlink

        unlink(ctx, "B-1", "bury-4", "ended")
    gone = client.get("/activities/B-1/unlink?measure=bury-4")
    assert gone.status_code == 404
    assert "B-1 is not linked to 'bury-4' now" in text(by_id(gone, "unlink-error"))
    assert by_id(gone, "suggestions") is not None  # the activity's page, to go on from


def test_a_refused_batch_comes_back_ticked_as_the_person_left_it(site):
    """From a review: it came back with the default ticks, so pressing the button again linked
    the suggestions the person had unticked."""
    client = site.client("ed")
    found = boxes(client.get("/suggestions"))
    kept = [found[0][0]]  # the person keeps one tick and adds a pair no longer suggested
    refused = post(client, "/suggestions", {"pair": [*kept, "kingston-richmond-8 B-1"]})
    assert refused.status_code == 422
    assert [v for v, t in boxes(refused) if t] == kept
    assert "ticked again, as you left them" in text(by_id(refused, "ticked"))
    assert page(refused).find(".//a[@href='#pair-1-1']") is not None  # the summary's link


def test_a_colleagues_judgement_between_reading_and_linking_stands(site, monkeypatch):
    """From a review: accept decided what was judged from events read before any pair's lock,
    then scored for seconds; on PostgreSQL a "not relevant" committed in that window was
    overridden. Here the window is made by handing accept the events from before it."""
    client = site.client("ed")
    measure, activity = next(v for v, t in boxes(client.get("/suggestions")) if t).split(" ", 1)
    with unit_of_work(site.ws, as_person="ed") as ctx:
        before = suggestions.link_events(ctx)
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        from valvecheck.services.links import not_relevant

        not_relevant(ctx, activity, measure, "a different project")
    monkeypatch.setattr(suggestions, "link_events", lambda ctx: before)
    with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        made = suggestions.accept(ctx, [(activity, measure)])
    assert made == []
    with unit_of_work(site.ws, as_person="ed") as ctx:
        history = [
            (e.by, e.linked)
            for e in activities.show_activity(ctx, activity).history
            if e.measure_id == measure
        ]
    assert history == [("ann", False)]
