"""The sixth review of the web app (a month as a workstream owner): searching measures by their
words, linking without knowing ids, judging suggestions, the import preview, editing activities,
other councils' deadlines, the reports' words, the phone layout and rating one measure after
another."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from web_support import (
    by_id,
    page,
    post,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
    text,
)

from valvecheck.analysis.methods import METHODS
from valvecheck.analysis.suggest import Match, Suggestion
from valvecheck.domain.measure_ids import measure_key, nearest
from valvecheck.domain.search import matches
from valvecheck.domain.views import Filters
from valvecheck.errors import Conflict, ImportRejected, NotFound
from valvecheck.services import activities, links, measures
from valvecheck.services.listing import activity_suggestions
from valvecheck.services.workspace import unit_of_work


def ids_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    rows = page(response).findall(".//table[@id='measures']/tbody/tr")
    return [text(r.find("td/a")) for r in rows]


# -- item 8: words in the measure --------------------------------------------------------------


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("EHCPs", True),  # a plural finds the singular
        ("independent schools", True),
        ("health contributions", True),  # any order
        ("speech and language", True),  # punctuation and "and" do not matter
        ("SPEECH, Language", True),
        ("AP", True),  # "(AP)" is the whole word
        ("contribut", True),  # a longer word may start a word
        ("post-16", True),
        ("zzz", False),
        ("health zzz", False),  # every word must be there
    ],
)
def test_words_in_a_measure_are_matched_whole_in_any_order_plurals_ignored(search, found):
    said = (
        "Reform of the Alternative Provision (AP) model; independent school placements; "
        "contributions from health; a speech, language and communication needs offer; "
        "each EHCP; the post-16 offer"
    )
    assert matches(search, said) is found


def test_a_short_word_is_never_found_inside_another():
    assert not matches("AP", "contributions from appropriate funding sources")
    assert not matches("SEN", "sensory needs")
    assert matches("SEN", "SEN support")


def test_the_reviewers_searches_find_the_seed_measures_on_the_page(site):
    client = site.client("ed")
    assert "bury-1" in ids_of(client.get("/measures?text=EHCPs"))
    assert "bury-3" in ids_of(client.get("/measures?text=independent+schools"))
    assert ids_of(client.get("/measures?text=health+contributions")) == ["kingston-richmond-5"]
    assert ids_of(client.get("/measures?text=speech+and+language")) == ["hammersmith-fulham-1"]
    # "AP" is the Alternative Provision measure, not bury-5's "appropriate"
    assert ids_of(client.get("/measures?text=AP")) == ["hammersmith-fulham-3"]


def test_no_match_names_the_filters_and_offers_to_clear_only_the_words(site):
    client = site.client("ed")
    none = client.get("/measures?rag=red&authority=Bury&text=zzzz")
    assert "No measure matches" in text(by_id(none, "count"))
    applied = text(by_id(none, "applied"))
    assert "Authority: Bury" in applied and "Rating: Red" in applied and "zzzz" in applied
    clear = by_id(none, "clear-words")
    query = parse_qs(urlsplit(clear.get("href")).query)
    assert query == {"authority": ["Bury"], "rag": ["red"]}


def test_the_cli_and_the_service_search_alike(site, cli):
    with unit_of_work(site.ws, as_person="ed") as ctx:
        found = [v.id for v in measures.list_measures(ctx, Filters(text="health contributions"))]
    assert found == ["kingston-richmond-5"]
    cli("init")
    code, out, _ = cli("measures", "--text", "health contributions")
    assert code == 0
    assert [line.split("\t")[0] for line in out.splitlines()[2:]] == ["kingston-richmond-5"]


def test_a_large_catalogue_is_searched_alike():
    """The search runs in Python over the catalogue (services/listing.py); its speed at 3,750
    and 37,500 measures is measured in bench/search_bench.py (docs/benchmarks.md), not here."""
    texts = [f"Measure {n}: reduce independent school placements in area {n}" for n in range(3750)]
    kept = [t for t in texts if matches("independent schools", t)]
    assert len(kept) == 3750
    assert not [t for t in texts if matches("independent academies", t)]


# -- item 5: linking and recording without knowing ids ------------------------------------------


@pytest.mark.parametrize("typed", ["Bury 3", "bury 3", "BURY-3", " bury-3 ", "Bury3"])
def test_a_measure_id_as_people_type_it(typed):
    assert measure_key(typed) == "bury-3"


def test_an_unknown_id_names_the_nearest():
    known = ["bury-3", "kingston-richmond-5", "hammersmith-fulham-2"]
    assert nearest("Kingston 5", known) == "kingston-richmond-5"
    assert nearest("bury-31", known) == "bury-3"
    assert nearest("Hammersmith and Fulham 2", known) == "hammersmith-fulham-2"
    assert nearest("nowhere-9", known) is None


def test_the_link_form_is_a_select_by_agreement_and_typed_ids_are_understood(site):
    client = site.client("ed")
    shown = page(client.get("/activities/B-1"))
    select = shown.find(".//select[@id='measure']")
    assert select is not None
    groups = select.findall("optgroup")
    assert "Bury" in groups[0].get("label")
    first = groups[0].find("option")
    assert first.get("value") == "bury-1" and text(first).startswith("bury-1: Strengthen their")
    # a typed id, as a person writes it, links the measure meant
    linked = post(
        client, "/activities/B-1/link", {"measure": "Bury 3"}, token_from="/activities/B-1"
    )
    assert linked.status_code == 303
    with unit_of_work(site.ws, as_person="ed") as ctx:
        assert "bury-3" in activities.show_activity(ctx, "B-1").measures
    unknown = post(client, "/activities/B-1/link", {"measure": "Kingston 9"})
    assert unknown.status_code == 404
    assert "There is no measure 'Kingston 9'" in text(by_id(unknown, "measure-error"))


def test_an_unknown_measure_says_did_you_mean(site):
    with (
        pytest.raises(NotFound, match=r"Did you mean kingston-richmond-5\?"),
        unit_of_work(site.ws, write=True, as_person="ed") as ctx,
    ):
        links.link(ctx, "B-1", "Kingston 5 ")  # the space is the typo: still found
    with (
        pytest.raises(NotFound, match=r"'bury-31'. Did you mean bury-3\?"),
        unit_of_work(site.ws, write=True, as_person="ed") as ctx,
    ):
        links.link(ctx, "B-1", "bury-31")


def test_the_tracker_measures_column_reads_bury_3_and_names_an_unknown_as_typed(site):
    tracker = b"ID,Title,Measures\nB-1,SENCO network,Bury 3; BURY-4\n"
    with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        done = activities.import_activities(ctx, tracker, "tracker.csv")
    assert done.linked == 2
    bad = b"ID,Title,Measures\nB-1,SENCO network,Bury 33\n"
    with (
        pytest.raises(ImportRejected) as refused,
        unit_of_work(site.ws, write=True, as_person="ed") as ctx,
    ):
        activities.import_activities(ctx, bad, "tracker.csv")
    said = str(refused.value.problems[0].message)
    assert "'Bury 33'" in said and "did you mean bury-3?" in said


def test_the_impact_form_chooses_the_activity_from_the_councils(site):
    shown = page(site.client("ed").get("/impact"))
    options = shown.findall(".//select[@id='activity']/option")
    assert [o.get("value") for o in options] == ["", "B-1", "B-2"]
    assert text(options[1]) == "B-1: SENCO network"


# -- item 4: suggestions -------------------------------------------------------------------------


def test_not_relevant_records_who_and_why_and_the_suggestion_goes(site):
    client = site.client("ed")
    offered = [
        i.get("value")
        for i in page(client.get("/activities/B-1")).findall(".//input[@name='measure']")
    ]
    assert "bury-4" in offered
    ask = client.get("/activities/B-1/not-relevant?measure=bury-4")
    assert ask.status_code == 200 and "bury-4" in text(page(ask).find(".//h1"))
    marked = post(
        client,
        "/activities/B-1/not-relevant",
        {"measure": "bury-4", "rationale": "about primary schools only"},
        token_from="/activities/B-1/not-relevant?measure=bury-4",
    )
    assert marked.status_code == 303
    after = client.get("/activities/B-1")
    offered = [i.get("value") for i in page(after).findall(".//input[@name='measure']")]
    assert "bury-4" not in offered
    assert "Marked not relevant: bury-4" in after.text
    with unit_of_work(site.ws, as_person="ed") as ctx:
        event = links.link_events(ctx)[-1]
        assert (event.by, event.linked, event.rationale) == (
            "ed",
            False,
            "Not relevant: about primary schools only",
        )
        assert links.is_not_relevant(event)
        assert "bury-4" not in [s.measure_id for s in activity_suggestions(ctx, "B-1")]
    with pytest.raises(Conflict), unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        links.not_relevant(ctx, "B-1", "bury-4")
    # a viewer may not judge suggestions
    viewer = site.client("vi")
    assert viewer.get("/activities/B-1/not-relevant?measure=bury-5").status_code == 403


def test_a_suggestion_reads_as_one_plain_sentence_and_a_band():
    found = Suggestion(
        "SEND-04",
        "bury-5",
        0.99,
        1,
        matches=(Match("funding", "funding contributions and income", ("x",), ("y",)),),
        words=("contributions", "ICB"),
        example="Q3 update: health contributions",
    )
    reason = found.reason
    assert reason.startswith("Both mention funding contributions and income")
    assert "like an example in Valvecheck's bundled examples" in reason
    assert "another council" not in reason and "0.99" not in reason
    assert reason.endswith(".") and reason.count(". ") == 0
    own = Suggestion("SEND-04", "bury-5", 0.5, 1, learned_from="SEN-12", linked_to="bury-5")
    assert own.reason == "It is like your activity SEN-12, which you linked to bury-5."
    matcher = METHODS["matcher"]  # threshold 0.2, accept bar 0.83
    assert [matcher.band(s) for s in (0.99, 0.83, 0.6, 0.514, 0.2)] == [
        "High",
        "High",
        "Medium",
        "Low",
        "Low",
    ]


def test_the_pages_show_bands_and_reasons_not_scores(site):
    client = site.client("ed")
    shown = client.get("/activities/B-1")
    hint = text(by_id(shown, "accept-1-hint"))
    assert hint.split(" match.")[0] in ("High", "Medium", "Low")
    assert "Score" not in hint and "another council" not in hint
    measure = client.get("/measures/bury-4")
    rows = page(measure).findall(".//tbody[@id='suggested-activities']/tr")
    assert rows
    first = [text(c) for c in rows[0].findall("td")]
    assert first[0] in ("B-1: SENCO network", "B-2: Resource bases")
    assert first[2] in ("High", "Medium", "Low")
    assert "Not relevant" in first[3]


# -- item 6: the import preview --------------------------------------------------------------------


def test_the_preview_shows_status_words_and_the_links_each_row_makes(site):
    client = site.client("ed")
    tracker = (
        b"ID,Title,Status,Measures\n"
        b"B-1,SENCO network,On track,bury-4\n"
        b"B-7,Tribunal review,Delayed,\n"
        b"B-8,Panel,Planned,Bury 3\n"
    )
    preview = post(
        client,
        "/imports",
        {"kind": "activities"},
        files={"file": ("tracker.csv", tracker, "text/csv")},
        token_from="/imports",
    )
    assert preview.status_code == 200
    rows = [
        [text(c) for c in r.findall("td")]
        for r in page(preview).findall(".//table[@id='rows-read']/tbody/tr")
    ]
    assert rows == [
        ["B-1", "SENCO network", "On track → In progress", "bury-4"],
        ["B-7", "Tribunal review", "Delayed → At risk", "None"],
        ["B-8", "Panel", "Planned", "bury-3"],
    ]
    assert "links already recorded are kept" in text(by_id(preview, "links-kept")).lower()
    assert "On track → In progress" in text(by_id(preview, "status-words"))


def test_the_preview_shows_owners_and_dates_as_they_will_be_recorded(site):
    """From a QA pass: a day-first date and a month alone are read as recorded, so a council
    can check them before importing; an unchanged file has nothing to import."""
    client = site.client("ed")
    tracker = (
        b"ID,Title,Owner,Start,End\n"
        b"Q-1,Outreach,Sam Lee,01/04/2026,July 2027\n"
        b"Q-2,Hubs,,2026-09-01,\n"
    )

    def preview():  # type: ignore[no-untyped-def]
        return post(
            client,
            "/imports",
            {"kind": "activities"},
            files={"file": ("dated.csv", tracker, "text/csv")},
            token_from="/imports",
        )

    shown = preview()
    assert shown.status_code == 200
    table = page(shown).find(".//table[@id='rows-read']")
    # no status column in the file: no Status column of blanks (each status is kept)
    assert [text(h) for h in table.findall("thead/tr/th")] == [
        "Activity", "Title", "Owner", "Start", "End",
    ]  # fmt: skip
    rows = [[text(c) for c in r.findall("td")] for r in table.findall("tbody/tr")]
    assert rows == [
        ["Q-1", "Outreach", "Sam Lee", "01/04/2026 → 1 Apr 2026", "July 2027 → 31 Jul 2027"],
        ["Q-2", "Hubs", "", "1 Sep 2026", ""],
    ]

    def confirm(response):  # type: ignore[no-untyped-def]
        forms = page(response).iter("form")
        return next((f for f in forms if f.get("action", "").endswith("/confirm")), None)

    assert post(client, confirm(shown).get("action"), token_from="/imports").status_code == 303
    again = preview()
    assert "Nothing to change" in text(by_id(again, "nothing-to-change"))
    assert confirm(again) is None  # no button to import nothing


# -- item 7: editing activities and filtering the list ------------------------------------------


def test_an_editor_changes_an_activity_and_a_viewer_cannot(site):
    client = site.client("ed")
    shown = client.get("/activities/B-1")
    assert by_id(shown, "edit-activity") is not None
    form = page(client.get("/activities/B-1/edit"))
    assert form.find(".//input[@id='title']").get("value") == "SENCO network"
    saved = post(
        client,
        "/activities/B-1/edit",
        {
            "title": "SENCO network",
            "description": "Termly meetings",
            "theme": "Inclusion",
            "owner": "Ann Lee",
            "status": "at_risk",
            "start": "01/09/2026",
            "end": "March 2027",
        },
        token_from="/activities/B-1/edit",
    )
    assert saved.status_code == 303
    with unit_of_work(site.ws, as_person="ed") as ctx:
        a = activities.show_activity(ctx, "B-1").activity
    assert (a.owner, a.status.label, a.theme, str(a.start), str(a.end)) == (
        "Ann Lee",
        "At risk",
        "Inclusion",
        "2026-09-01",
        "2027-03-31",
    )
    bad = post(
        client,
        "/activities/B-1/edit",
        {"title": "SENCO network", "start": "01/09/2026", "end": "01/01/2026"},
        token_from="/activities/B-1/edit",
    )
    assert bad.status_code == 422 and by_id(bad, "end-error") is not None
    viewer = site.client("vi")
    assert by_id(viewer.get("/activities/B-1"), "edit-activity") is None
    assert viewer.get("/activities/B-1/edit").status_code == 403


def test_the_activities_list_filters_by_owner_and_status(site):
    client = site.client("vi")

    def listed(query: str) -> list[str]:
        rows = page(client.get("/activities" + query)).findall(
            ".//table[@id='activities']/tbody/tr"
        )
        return [text(r.find("td/a")) for r in rows]

    assert listed("") == ["B-1", "B-2"]
    assert listed("?owner=Inclusion+lead") == ["B-1"]
    assert listed("?owner=place+planning") == ["B-2"]
    assert listed("?status=planned") == ["B-2"]
    assert listed("?status=on+track") == ["B-1"]  # the council's word for in progress
    assert listed("?owner=Inclusion+lead&status=planned") == []
    assert client.get("/activities?status=sideways").status_code == 422


# -- items 11 and 12: other councils' deadlines, the reports' words -------------------------------


def test_another_councils_deadline_is_called_theirs(site):
    client = site.client("ed")
    shown = text(by_id(client.get("/measures/bury-1"), "deadlines"))
    assert "Bury's deadline passed" in shown and "Overdue" not in shown
    listing = page(client.get("/measures"))
    labels = [text(o) for o in listing.findall(".//select[@id='due']/option")]
    assert "Agreement's deadline passed" in labels and "Overdue" not in labels


def test_the_seeds_ratings_use_the_reports_words(site):
    shown = site.client("ed").get("/measures/kingston-richmond-5")
    history = text(by_id(shown, "history-table"))
    assert "seed" not in history.lower() and "bundled" not in history.lower()
    assert "Rating from the original Appendix A exercise" in history
    assert "The original Appendix A exercise" in history


def test_impact_headings_are_the_webs_and_common_shows_council(site):
    client = site.client("ed")
    assert post(client, "/activities/B-1/link", {"measure": "bury-4"}).status_code == 303
    saved = post(
        client, "/impact/savings", {"activity": "B-1", "year": "2025-26", "expected": "£1000"}
    )
    assert saved.status_code == 303
    headings = [text(h) for h in page(client.get("/impact")).findall(".//thead//th")]
    assert "Authority" in headings and "Rating" in headings
    assert "LA" not in headings and "RAG" not in headings
    common = client.get("/common")
    assert "&lt;LA&gt;" not in common.text and "[council]" in text(by_id(common, "common-table"))


# -- items 14 and 15: the phone layout, the menu, rating one measure after another ---------------


def test_the_menu_has_a_toggle_and_a_viewer_has_no_imports(site):
    editor = page(site.client("ed").get("/"))
    toggle = editor.find(".//button[@aria-controls='navigation']")
    assert toggle is not None and toggle.get("hidden") is not None  # shown by the script only
    assert "Imports" in text(editor.find(".//ul[@id='navigation']"))
    viewer = page(site.client("vi").get("/"))
    assert "Imports" not in text(viewer.find(".//ul[@id='navigation']"))


def test_the_filters_fold_and_the_rating_is_next_to_the_id(site):
    shown = page(site.client("vi").get("/measures?rag=red"))
    details = shown.find(".//details[@id='filters-details']")
    assert details is not None and details.get("open") is not None  # open without JavaScript
    assert "1 applied" in text(details.find("summary"))
    headings = [text(h) for h in shown.findall(".//table[@id='measures']/thead//th")]
    assert headings[:2] == ["Measure", "Rating"]


def test_after_saving_a_rating_the_next_measure_keeps_the_lists_filters(site):
    client = site.client("ed")
    listing = client.get("/measures?authority=Bury&rag=unrated")
    first = page(listing).find(".//table[@id='measures']/tbody/tr/td/a")
    href = first.get("href")
    assert href.startswith("/measures/bury-1?list=")
    shown = client.get(href)
    assert by_id(shown, "back-to-list").get("href") == "/measures?authority=Bury&rag=unrated"
    form = page(shown).find(".//form[@id='rating-form']")
    kept = form.find(".//input[@name='list']").get("value")
    assert kept == "authority=Bury&rag=unrated"
    saved = post(
        client,
        "/measures/bury-1/rating",
        {"rag": "amber", "rationale": "MI dashboard", "version": "0", "list": kept},
        token_from=href,
    )
    assert saved.status_code == 303
    after = client.get(saved.headers["location"])
    assert "Rating saved" in after.text
    # bury-1 has left the "not rated" list; the next one in it is still found
    nxt = by_id(after, "next-measure")
    assert nxt is not None and nxt.get("href").startswith("/measures/bury-2?list=")
    assert by_id(after, "back-to-list").get("href") == "/measures?authority=Bury&rag=unrated"


def test_a_rating_can_be_set_back_to_not_rated(site):
    client = site.client("ed")
    never = page(client.get("/measures/bury-2"))
    assert never.find(".//input[@id='rag-unrated']") is None  # nothing to take back
    post(client, "/measures/bury-2/rating", {"rag": "green", "rationale": "x", "version": "0"})
    rated = page(client.get("/measures/bury-2"))
    assert rated.find(".//input[@id='rag-unrated']") is not None
    back = post(
        client, "/measures/bury-2/rating", {"rag": "unrated", "rationale": "", "version": "1"}
    )
    assert back.status_code == 303
    with unit_of_work(site.ws, as_person="ed") as ctx:
        view = measures.show_measure(ctx, "bury-2")
    assert view.rag.value == "unrated" and len(view.history) == 2


# -- the services, on either store (``ws`` is PostgreSQL with --store postgresql) ----------------

TRACKER = (
    b"ID,Title,Owner,Status,Measures\n"
    b"SEND-04,Joint funding panel,Ann Lee,On track,Kingston Richmond 5\n"
)


def test_services_mark_not_relevant_edit_and_search_on_either_store(ws):
    from support import admin

    with admin(ws, by="ann.lee") as ctx:
        done = activities.import_activities(ctx, TRACKER, "tracker.csv")
        assert done.linked == 1  # "Kingston Richmond 5" is kingston-richmond-5
        event = links.not_relevant(ctx, "send-04", "BURY 5", "  not a funding change ")
        assert (event.measure_id, event.rationale, event.by) == (
            "bury-5",
            "Not relevant: not a funding change",
            "ann.lee",
        )
        view = activities.edit_activity(ctx, "SEND-04", {"status": "delayed", "owner": "Tom"})
        assert (view.activity.status.label, view.activity.owner) == ("At risk", "Tom")
        assert view.activity.title == "Joint funding panel"  # what was not given is kept
    with admin(ws, write=False) as ctx:
        assert [v.id for v in measures.list_measures(ctx, Filters(text="EHCPs"))][:1] == ["bury-1"]
        events = activities.show_activity(ctx, "SEND-04").history
        assert [links.is_not_relevant(e) for e in events] == [False, True]
    with pytest.raises(Conflict), admin(ws) as ctx:
        links.not_relevant(ctx, "SEND-04", "kingston-richmond-5")  # linked already


def test_a_big_catalogue_is_searched_by_words_to_link(site, monkeypatch):
    """Above a list's size (services/measures.py CHOOSABLE), the measure is found by its words
    and linked from the list found; the id can still be typed."""
    from valvecheck.services import measures as measure_service

    monkeypatch.setattr(measure_service, "CHOOSABLE", 5)
    client = site.client("ed")
    shown = client.get("/activities/B-1?find=health+contributions")
    assert page(shown).find(".//select[@id='measure']") is None
    assert page(shown).find(".//input[@id='measure']") is not None
    rows = page(shown).findall(".//table[@id='found-measures']/tbody/tr")
    assert [text(r.find("td/a")) for r in rows] == ["kingston-richmond-5"]
    form = rows[0].find(".//form")
    assert form.get("action") == "/activities/B-1/link"
    linked = post(
        client,
        "/activities/B-1/link",
        {"measure": "kingston-richmond-5"},
        token_from="/activities/B-1",
    )
    assert linked.status_code == 303
    none = client.get("/activities/B-1?find=zzzz")
    assert by_id(none, "found-none") is not None
