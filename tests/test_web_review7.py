"""The fifth review's web findings closed after the round: a measure rated Red ("not doing
anything") that has an activity linked to it says so on its page."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

from web_support import by_id, site, site_template, text  # noqa: F401

from valvecheck.services import links, ratings
from valvecheck.services.workspace import unit_of_work


def test_a_red_measure_with_a_linked_activity_asks_for_the_rating_to_be_checked(site):
    with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        ratings.rate(ctx, "bury-3", "red", "nothing in place yet")
    client = site.client("ed")
    before = client.get("/measures/bury-3")
    assert before.status_code == 200 and by_id(before, "red-but-linked") is None
    with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        links.link(ctx, "B-1", "bury-3", "delivers it")
    after = client.get("/measures/bury-3")
    said = text(by_id(after, "red-but-linked"))
    assert "Rated Red (not doing anything), but 1 activity is linked to it: B-1." in said
    with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        ratings.rate(ctx, "bury-3", "amber", "B-1 under way")
    assert by_id(client.get("/measures/bury-3"), "red-but-linked") is None
