"""The dashboard says when a new assessment is being prepared: ratings given in it are not what
the dashboard, lists and reports show until it is made current."""

from __future__ import annotations

from tests.web_support import by_id, site, site_template, text  # noqa: F401
from valvecheck.services import ratings
from valvecheck.services.workspace import unit_of_work


def test_the_dashboard_names_an_assessment_being_prepared(site):  # noqa: F811
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        shown = ratings.current_assessment(ctx)
        assert shown is not None
        draft = ratings.new_assessment(ctx, "Bristol: 2027")
        ratings.rate(ctx, "bury-1", "green", "done", assessment="Bristol: 2027")

    said = by_id(site.client("vi").get("/"), f"being-prepared-{draft.id}")
    assert said is not None
    words = text(said)
    assert "Bristol: 2027 is being prepared (1 rated)" in words and shown.name in words
    assert "Make Bristol: 2027 current" not in words  # a viewer cannot
    editor = site.client("ed").get("/")
    assert f'href="/assessments/{draft.id}/use"' in editor.text
    # another council's dashboard says nothing of it
    assert "Bristol: 2027" not in site.client("lee").get("/").text

    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        ratings.use_assessment(ctx, "Bristol: 2027")
    assert "being-prepared" not in site.client("ed").get("/").text  # current now: nothing else


def test_an_earlier_or_locked_assessment_is_not_being_prepared(site):  # noqa: F811
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        ratings.new_assessment(ctx, "Bristol: 2027", use=True)  # the seed's is now the earlier one
        ratings.new_assessment(ctx, "Bristol: trial")
        ratings.lock_assessment(ctx, "Bristol: trial")
        assert ratings.being_prepared(ctx) == []
    assert "being-prepared" not in site.client("ed").get("/").text
