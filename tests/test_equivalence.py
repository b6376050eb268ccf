"""People's decisions that two agreements' measures are (or are not) the same commitment: kept
with who, when and why, never overwritten, and followed by the common measures, prevalence,
the measure's page and the reports."""

# ruff: noqa: F811 (the web tests take the imported fixtures as parameters)

from __future__ import annotations

import re

import pytest
from support import admin
from web_support import (
    by_id,
    page,
    post,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
    text,
)

from valvecheck.analysis.common import group_measures
from valvecheck.catalogue.loader import load_catalogue
from valvecheck.errors import Forbidden, InputError, NotFound
from valvecheck.services import common, equivalence, measures, people
from valvecheck.services.workspace import unit_of_work
from valvecheck.store.tables import equivalence_event


def shared(groups) -> list[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    return sorted(g.members for g in groups if len(g.members) > 1)


def test_the_grouping_follows_decisions_the_same_and_not_the_same():
    catalogue = load_catalogue()
    before = shared(group_measures(catalogue))
    assert ("bury-1", "stoke-on-trent-2") not in before
    joined = shared(group_measures(catalogue, decisions=[("bury-1", "stoke-on-trent-2", True)]))
    assert joined == sorted([*before, ("bury-1", "stoke-on-trent-2")])
    apart = shared(group_measures(catalogue, decisions=[("bury-4", "stoke-on-trent-5", False)]))
    assert ("bury-4", "hammersmith-fulham-4") in apart
    assert not any({"bury-4", "stoke-on-trent-5"} <= set(g) for g in apart)
    # a decision about a measure the catalogue does not hold changes nothing
    assert shared(group_measures(catalogue, decisions=[("kent-3", "bury-1", True)])) == before


def test_a_decision_is_kept_with_who_and_why_and_prevalence_follows(ws):
    with admin(ws, by="lead") as ctx:
        found = equivalence.decide(ctx, "Bury-1", "stoke-on-trent-2", "same", " both EHCP quality ")
        assert found is not None
        assert (found.measure, found.other, found.decision, found.rationale) == (
            "bury-1",
            "stoke-on-trent-2",
            "same",
            "both EHCP quality",
        )
        page = measures.measure_page(ctx, "bury-1")
        assert [e.id for e in page.equivalents] == ["stoke-on-trent-2"]
        assert page.decided("stoke-on-trent-2") == found
        groups = common.common_measures(ctx, min_prevalence=2)
        assert ("bury-1", "stoke-on-trent-2") in [g.members for g in groups]
        # withdrawn: the grouping decides again, and both events stay in the table
        assert equivalence.decide(ctx, "stoke-on-trent-2", "bury-1", "none") is None
        assert measures.measure_page(ctx, "bury-1").equivalents == ()
        assert ctx.db.execute(equivalence_event.select()).all().__len__() == 2


def test_not_the_same_splits_a_group_and_the_dashboard_index_follows(ws):
    from valvecheck.services.prevalence import prevalence_of
    from valvecheck.store.queries import load_catalogue as stored

    with admin(ws) as ctx:
        assert prevalence_of(ctx.session, stored(ctx.session, None))["stoke-on-trent-5"] == 3
        equivalence.decide(ctx, "bury-4", "stoke-on-trent-5", "different", "a different aim")
        assert prevalence_of(ctx.session, stored(ctx.session, None))["stoke-on-trent-5"] == 1
        assert [e.id for e in measures.measure_page(ctx, "bury-4").equivalents] == [
            "hammersmith-fulham-4"
        ]


@pytest.mark.parametrize(
    ("other", "decision", "error", "message"),
    [
        ("bury-2", "same", InputError, "one agreement"),
        ("bury-1", "different", InputError, "same measure as itself"),
        ("nobody-9", "same", NotFound, "no measure 'nobody-9'"),
        ("stoke-on-trent-2", "maybe", InputError, "same, different or none"),
    ],
)
def test_a_decision_that_cannot_be_is_refused_and_nothing_is_written(
    ws, other, decision, error, message
):
    with pytest.raises(error, match=message), admin(ws) as ctx:
        equivalence.decide(ctx, "bury-1", other, decision)
    with admin(ws, write=False) as ctx:
        assert ctx.db.execute(equivalence_event.select()).all() == []


def test_only_an_administrator_decides(ws):
    with admin(ws) as ctx:
        people.add_person(ctx, "ed", "editor", password="correct horse battery")
    with pytest.raises(Forbidden), unit_of_work(ws, write=True, as_person="ed") as ctx:
        equivalence.decide(ctx, "bury-1", "stoke-on-trent-2", "same")


def test_same_as_at_the_command_line(cli):
    cli("init")
    code, out, _ = cli("same-as", "bury-1", "stoke-on-trent-2", "--rationale", "both EHCP")
    assert code == 0 and out.strip().startswith(
        "Recorded: bury-1 and stoke-on-trent-2 are the same commitment"
    )
    _, shown, _ = cli("show", "stoke-on-trent-2")
    assert "The same measure in other agreements: bury-1 (Bury)" in shown
    decided = next(x for x in shown.splitlines() if x.startswith("Decided"))
    assert decided.startswith("Decided the same as bury-1, by ") and decided.endswith(": both EHCP")
    code, out, _ = cli("same-as", "bury-1", "stoke-on-trent-2", "--withdraw")
    assert code == 0 and out.startswith("Withdrawn")
    code, _, err = cli("same-as", "bury-1", "bury-2")
    assert code == 1 and "one agreement" in err
    code, _, err = cli("same-as", "bury-1", "stoke-on-trent-2", "--not", "--withdraw")
    assert code != 0 and "not both" in err


def test_an_administrator_records_a_decision_on_the_measure_page(site):
    ann = site.client("ann")
    form = page(ann.get("/measures/bury-1")).find(".//form[@id='equivalence-form']")
    assert form is not None
    done = post(
        ann,
        "/measures/bury-1/equivalence",
        {"other": "stoke-on-trent-2", "decision": "same", "reason": "both EHCP quality"},
    )
    assert done.status_code == 303
    shown = ann.get(done.headers["location"])
    assert "Recorded: bury-1 and stoke-on-trent-2 are the same commitment" in shown.text
    shared_ = by_id(shown, "equivalents")
    assert "stoke-on-trent-2" in text(shared_) and "decided the same by ann" in text(shared_)
    refused = post(ann, "/measures/bury-1/equivalence", {"other": "nobody-9", "decision": "same"})
    assert refused.status_code == 422 and "There is no measure &#39;nobody-9&#39;" in refused.text
    empty = post(ann, "/measures/bury-1/equivalence", {"other": "", "decision": "same"})
    assert empty.status_code == 422 and "Enter the id" in empty.text
    # a reason past the limit is refused at its box with the text kept, never cut by the browser
    box = by_id(ann.get("/measures/bury-1"), "reason")
    assert box.get("maxlength") is None and box.get("aria-describedby") == "reason-info"
    long = "x" * 20_001
    sent = {"other": "stoke-on-trent-3", "decision": "same", "reason": long}
    too_long = post(ann, "/measures/bury-1/equivalence", sent)
    assert too_long.status_code == 422
    assert "at most 20,000 characters" in text(by_id(too_long, "reason-error"))
    assert by_id(too_long, "reason").text == long


def test_an_administrator_finds_the_other_measure_by_its_words(site):
    ann = site.client("ann")
    found = ann.get("/measures/bury-1", params={"find": "POST-16  offer"})
    assert found.status_code == 200
    rows = page(found).findall(".//table[@id='found-measures']/tbody/tr")
    ids = [text(r.find("./td/a")) for r in rows]
    assert ids == ["kingston-richmond-7", "stoke-on-trent-7"]
    assert "2 measures of other agreements hold POST-16 offer" in text(
        by_id(found, "found-measures")
    )
    choose = rows[1].find("./td[3]/a").get("href")
    assert choose == "/measures/bury-1?other=stoke-on-trent-7#equivalence-form"
    chosen = page(ann.get(choose)).find(".//input[@id='other']")
    assert chosen.get("value") == "stoke-on-trent-7"
    # measures of the measure's own agreement are not offered (bury-4 says "schools in Bury")
    own = ann.get("/measures/bury-1", params={"find": "schools in bury"})
    assert "No measure of another agreement holds schools in bury" in text(by_id(own, "found-none"))
    council = ann.get("/measures/bury-1", params={"find": "Stoke reform"})
    shown = page(council).findall(".//table[@id='found-measures']/tbody/tr/td[1]/a")
    assert [text(a) for a in shown] == [
        "stoke-on-trent-2",
        "stoke-on-trent-4",
        "stoke-on-trent-6",
        "stoke-on-trent-7",
    ]
    none = ann.get("/measures/bury-1", params={"find": "zeppelin"})
    assert "No measure of another agreement holds zeppelin" in text(by_id(none, "found-none"))
    for nothing in (" ", "' ,"):
        empty = ann.get("/measures/bury-1", params={"find": nothing})
        assert empty.status_code == 422 and "Enter a word or two" in text(
            by_id(empty, "find-error")
        )


def test_the_search_shows_the_first_ten_and_says_how_many(ws):
    with admin(ws) as ctx:
        found = equivalence.other_measures(ctx, "bury-1", "in")
        others = [v for v in measures.load_state(ctx).views if v.agreement.slug != "bury"]
        starting = [v.id for v in others if re.search(r"\bin", v.measure.text, re.IGNORECASE)]
        assert found.total == len(starting) > equivalence.SHOWN
        assert [v.id for v in found.views] == starting[: equivalence.SHOWN]
        # a word is found at the start of a word, whatever its case or plural
        assert [v.id for v in equivalence.other_measures(ctx, "bury-1", "ehcp").views] == [
            "hammersmith-fulham-1",
            "kingston-richmond-3",
            "stoke-on-trent-2",
        ]
        with pytest.raises(NotFound):
            equivalence.other_measures(ctx, "nobody-9", "the")
        with pytest.raises(InputError):
            equivalence.other_measures(ctx, "bury-1", " ' ")


def test_the_common_measures_page_lists_every_decision_with_who_and_why(site):
    ann, vi = site.client("ann"), site.client("vi")
    assert by_id(vi.get("/common"), "none-decided") is not None
    post(
        ann,
        "/measures/bury-1/equivalence",
        {"other": "stoke-on-trent-2", "decision": "same", "reason": "both EHCP"},
    )
    post(
        ann, "/measures/bury-4/equivalence", {"other": "stoke-on-trent-5", "decision": "different"}
    )
    rows = page(vi.get("/common")).findall(".//table[@id='decided-table']/tbody/tr")
    cells = [[text(td) for td in r.findall("td")] for r in rows]
    assert [c[:3] for c in cells] == [
        ["bury-1 and stoke-on-trent-2", "The same commitment", "both EHCP"],
        ["bury-4 and stoke-on-trent-5", "Not the same", ""],
    ]
    assert all(c[3].startswith("ann, ") for c in cells)


def test_an_editor_sees_no_form_and_may_not_post_one(site):
    ed = site.client("ed")
    assert page(ed.get("/measures/bury-1")).find(".//form[@id='equivalence-form']") is None
    refused = post(
        ed, "/measures/bury-1/equivalence", {"other": "stoke-on-trent-2", "decision": "same"}
    )
    assert refused.status_code == 403


def test_two_copies_of_one_text_cannot_be_kept_apart(ws):
    from valvecheck.services.catalogue import import_catalogue

    copies = (
        b"LA,Recommendation\n"
        b"Kent,Commission a review of the banding of top-up funding by March 2025.\n"
        b"Medway,Commission a review of the banding of top-up funding by March 2026.\n"
    )
    with admin(ws) as ctx:
        import_catalogue(ctx, copies, "copies.csv")
        ids = [
            m.id
            for m in measures.load_state(ctx).catalogue.measures
            if m.agreement in ("kent", "medway")
        ]
    assert len(ids) == 2
    with pytest.raises(InputError, match="same words"), admin(ws) as ctx:
        equivalence.decide(ctx, ids[0], ids[1], "different")
    with admin(ws) as ctx:  # the same, though, is only what the grouping already says
        assert equivalence.decide(ctx, ids[0], ids[1], "same") is not None


def test_another_councils_decision_names_its_council_not_its_person(site):
    """The catalogue is shared, so Leeds sees the decision of Bristol (the council that keeps the
    catalogue) and why; Bristol's people are Bristol's own, so Leeds sees "an administrator in
    Bristol", on every page and in the export."""
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        equivalence.decide(ctx, "bury-1", "stoke-on-trent-2", "same", "one panel, two names")
    with unit_of_work(site.ws, as_person="ann") as ctx:
        [own] = equivalence.decisions_about(ctx, "bury-1")
    assert (own.by, own.council) == ("ann", "Bristol")
    with unit_of_work(site.ws, as_person="lee") as ctx:
        [seen] = equivalence.decisions_about(ctx, "bury-1")
        exported = ctx_export(ctx)
    assert (seen.by, seen.rationale) == ("an administrator in Bristol", "one panel, two names")
    assert "an administrator in Bristol" in exported and ",ann," not in exported
    leeds = site.client("lee")
    for path in ("/common?show=all", "/measures/bury-1"):
        shown = text(page(leeds.get(path)))
        assert "an administrator in Bristol" in shown and "ann," not in shown, path
    assert "decided the same by ann" in text(page(site.client("ann").get("/measures/bury-1")))
    with unit_of_work(site.ws, council="Leeds", by="tester") as ctx:  # the local administrator
        assert equivalence.decisions_about(ctx, "bury-1")[0].by == "ann"


def ctx_export(ctx) -> str:  # type: ignore[no-untyped-def]
    from valvecheck.services.catalogue import export_package

    files = export_package(ctx)
    return files["same_measures.csv"].decode()
