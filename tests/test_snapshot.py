"""A kept assessment state is always the state a fresh read would give."""

from __future__ import annotations

from valvecheck.services import activities, measures, ratings
from valvecheck.services.catalogue import import_catalogue
from valvecheck.services.workspace import unit_of_work


def _fresh_and_kept(ws):  # type: ignore[no-untyped-def]
    with unit_of_work(ws, by="t") as ctx:
        kept = measures.load_state(ctx)
        fresh = measures._read_state(ctx, None)
    return kept, fresh


def _same(kept, fresh) -> None:  # type: ignore[no-untyped-def]
    assert kept.assessment == fresh.assessment
    assert [(v.id, v.measure.text, v.history) for v in kept.views] == [
        (v.id, v.measure.text, v.history) for v in fresh.views
    ]


def test_kept_state_follows_ratings_assessments_and_catalogue_changes(ws):
    first, _ = _fresh_and_kept(ws)
    again, fresh = _fresh_and_kept(ws)
    assert again is first  # nothing changed: reused
    _same(again, fresh)
    with unit_of_work(ws, write=True, by="ann") as ctx:
        ratings.rate(ctx, "bury-4", "green", "one")
        ratings.rate(ctx, "bury-4", "amber", "two")
        ratings.rate(ctx, "stoke-on-trent-2", "red", "three")
    after, fresh = _fresh_and_kept(ws)
    assert after is not first
    _same(after, fresh)
    assert [r.rationale for r in after.views[3].history][-2:] == ["one", "two"]
    assert first.views[3].history != after.views[3].history  # the earlier state is untouched
    with unit_of_work(ws, write=True, by="ann") as ctx:
        ratings.new_assessment(ctx, "Next", use=True)
    _same(*_fresh_and_kept(ws))
    with unit_of_work(ws, write=True, by="ann") as ctx:
        import_catalogue(ctx, b"LA,Recommendation\nBury,A brand new measure for Bury\n", "new.csv")
        activities.import_activities(ctx, b"ID,Name\nA-1,x\n", "a.csv")
    kept, fresh = _fresh_and_kept(ws)
    _same(kept, fresh)
    assert any("brand new measure" in v.measure.text for v in kept.views)


def test_a_measures_kept_suggestions_follow_the_activities(ws):
    from valvecheck.services.listing import measure_suggestions
    from valvecheck.services.suggestions import suggest

    def both():  # type: ignore[no-untyped-def]
        with unit_of_work(ws, by="t") as ctx:
            kept = measure_suggestions(ctx, "bury-4")
            fresh = suggest(ctx, measure="bury-4").groups.get("bury-4", [])
        return [(s.activity_id, s.score) for s in kept], [(s.activity_id, s.score) for s in fresh]

    assert both() == ([], [])  # no activities yet
    with unit_of_work(ws, write=True, by="ann") as ctx:
        activities.import_activities(
            ctx, b"ID,Name\nS-1,SENCO network for mainstream schools\n", "a.csv"
        )
    kept, fresh = both()
    assert kept == fresh and [a for a, _ in kept] == ["S-1"]
    with unit_of_work(ws, write=True, by="ann") as ctx:
        activities.import_activities(
            ctx, b"ID,Name\nS-2,Inclusion support for mainstream schools\n", "b.csv"
        )
    kept, fresh = both()
    assert kept == fresh and {a for a, _ in kept} == {"S-1", "S-2"}
