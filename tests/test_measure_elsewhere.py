"""A measure's page shows its latest rating in each of the council's other assessments (last
year's, a draft), on the web and in `show`; another council's never."""

from __future__ import annotations

from tests.web_support import by_id, site, site_template, text  # noqa: F401
from valvecheck.services import ratings
from valvecheck.services.workspace import unit_of_work


def test_a_measures_page_shows_its_rating_in_the_councils_other_assessments(site):  # noqa: F811
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        seed = ratings.current_assessment(ctx)
        assert seed is not None
        ratings.rate(ctx, "bury-2", "amber", "Dashboard scoped, not yet built")
        ratings.new_assessment(ctx, "Bristol: 2027", use=True)
        ratings.rate(ctx, "bury-2", "green", "Dashboard live since May")

    response = site.client("ed").get("/measures/bury-2")
    assert response.status_code == 200
    table = text(by_id(response, "elsewhere-table"))
    assert seed.name in table and "Amber" in table and "Dashboard scoped" in table
    assert "Dashboard live" not in table  # the assessment shown is not "elsewhere"
    assert "Leeds secret rationale" not in response.text  # Leeds rated bury-2 in its own

    # a measure the other assessment never rated has no such section
    assert by_id(site.client("ed").get("/measures/bury-3"), "elsewhere-table") is None


def test_show_names_the_rating_in_the_other_assessments(cli, ws):
    code, _, err = cli("rate", "bury-2", "amber", "--rationale", "Scoped only", "--by", "Ann")
    assert code == 0, err
    code, _, err = cli("assessments", "new", "Next year", "--use")
    assert code == 0, err
    code, out, err = cli("show", "bury-2")
    assert code == 0, err
    seed = [line for line in out.splitlines() if line.startswith("In ")]
    assert len(seed) == 1 and seed[0].endswith(": Amber - Scoped only"), out


def test_a_measures_page_title_says_it_is_a_measure_and_whose(site):  # noqa: F811
    from tests.web_support import page

    title = text(page(site.client("ed").get("/measures/bury-4")).find(".//title"))
    assert title.startswith("Measure bury-4 (Bury)"), title
