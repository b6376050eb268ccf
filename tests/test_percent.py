"""One rounding for a coverage figure everywhere a person reads it: a half up (12.5% is 13%), as
the reports and a spreadsheet print it; the command line and the web app said 12%."""

from __future__ import annotations

from tests.web_support import by_id, site, site_template, text  # noqa: F401
from valvecheck.domain.percent import percent
from valvecheck.services import ratings
from valvecheck.services.workspace import unit_of_work

THREE_OF_24 = (["bury-1", "bury-2", "bury-3"], ["bury-4", "bury-5", "hammersmith-fulham-1"])


def rate_three_of_twenty_four(ws, **who) -> int:  # type: ignore[no-untyped-def]
    """A new assessment of the 27 measures: 3 green and 3 not applicable, so 3 of 24."""
    with unit_of_work(ws, write=True, **who) as ctx:
        made = ratings.new_assessment(ctx, "Half way", use=True)
        for mid in THREE_OF_24[0]:
            ratings.rate(ctx, mid, "green", "in place")
        for mid in THREE_OF_24[1]:
            ratings.rate(ctx, mid, "not_applicable", "not for us")
    return made.id


def test_percent_rounds_a_half_up():
    assert [percent(x) for x in (3 / 24, 1 / 8, 0.0, 1.0, 23 / 40, 0.124)] == [
        "13%",
        "13%",
        "0%",
        "100%",
        "58%",
        "12%",
    ]


def test_summary_prints_a_half_up(cli, ws):
    rate_three_of_twenty_four(ws, by="Ann")
    code, out, err = cli("summary")
    assert code == 0, err
    assert "Coverage (green + amber): 13% of 24" in out, out


def test_the_dashboard_and_assessment_page_print_a_half_up(site):  # noqa: F811
    made = rate_three_of_twenty_four(site.ws, as_person="ann")
    client = site.client("ed")
    assert text(by_id(client.get("/"), "coverage")) == "13%"
    assert "13% green or amber" in client.get(f"/assessments/{made}").text
