"""Every problem of a saving or a trajectory year at once, by field, from the service: the CLI
says the first in one line, the web form shows them all (and checks nothing of its own but what
was left blank)."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

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

from valvecheck.errors import InputErrors, NotFound
from valvecheck.services import activities, impact
from valvecheck.services import trajectory as trajectories
from valvecheck.services.workspace import unit_of_work


@pytest.fixture
def council(ws):
    with admin(ws) as ctx:
        activities.import_activities(ctx, b"id,title\nA1,Post-16 places\n", "activities.csv")
    return ws


def test_set_saving_raises_every_problem_in_the_forms_order_and_the_cli_says_each(council, cli):
    with admin(council) as ctx, pytest.raises(InputErrors) as caught:
        impact.set_saving(
            ctx,
            "A1",
            "2025",
            expected="lots",
            actual="abc",
            cohort="x",
            unit="-£5",
            counts={"ehcps": "-1"},
        )
    found = caught.value
    assert list(found.errors) == ["year", "expected", "actual", "cohort", "unit", "counts"]
    assert "'2025' is not a financial year" in found.errors["year"]
    assert "'lots' is not an amount" in found.errors["expected"]
    assert "'abc' is not an amount" in found.errors["actual"]
    assert "must be a whole number" in found.errors["cohort"]
    assert "cannot be negative" in found.errors["unit"]
    assert "cannot be negative" in found.errors["counts"]
    assert (found.field, str(found)) == ("year", found.errors["year"])  # the first, for a CLI
    with admin(council, write=False) as ctx:
        assert impact.saving_history(ctx, "A1") == []
    code, out, err = cli("impact", "set", "A1", "--year", "2025", "--expected", "lots")
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [
        "error: nothing was changed: 2 problems found",
        "  --year: '2025' is not a financial year: write it like 2025-26 (April 2025 to "
        "March 2026)",
        "  --expected: the expected saving 'lots' is not an amount in pounds (write it like "
        "£1,234.50)",
    ]


def test_an_activity_not_the_councils_is_among_the_problems_and_alone_is_not_found(council):
    with admin(council) as ctx:
        with pytest.raises(InputErrors) as caught:
            impact.set_saving(ctx, "Z9", "2025-26", expected="£100", cohort="2", unit="£10")
        assert caught.value.errors == {
            "activity": "there is no activity 'Z9'",
            "expected": "the expected saving £100.00 is not the cohort times the unit saving "
            "(2 x £10.00 = £20.00); give one or the other, or make them agree",
        }
        assert caught.value.codes == {
            "activity": "not-found",
            "expected": "expected-not-cohort-times-unit",
        }
        with pytest.raises(NotFound, match="there is no activity 'Z9'") as alone:
            impact.set_saving(ctx, "Z9", "2025-26", expected="£100")
        assert not isinstance(alone.value, InputErrors)


def test_set_trajectory_raises_every_problem_of_the_year_at_once(council):
    with admin(council) as ctx:
        trajectories.set_trajectory(ctx, "2025-26", unmitigated="£1,000")
        with pytest.raises(InputErrors) as caught:
            trajectories.set_trajectory(ctx, "2027-28", target="lots", actual="none")
        assert list(caught.value.errors) == ["year", "unmitigated", "target"]
        assert "no row for 2026-27" in caught.value.errors["year"]
        assert "2027-28 is not in the trajectory yet" in caught.value.errors["unmitigated"]
        assert "'lots' is not an amount" in caught.value.errors["target"]
        with pytest.raises(InputErrors) as caught:
            trajectories.set_trajectory(ctx, "twenty", unmitigated="none", target="x")
        assert list(caught.value.errors) == ["year", "unmitigated", "target"]
        assert "cannot be withdrawn" in caught.value.errors["unmitigated"]
        (kept,) = trajectories.trajectory(ctx)
    assert (kept.year, kept.target) == ("2025-26", None)


def _summary(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    found = page(response).find(".//*[@class='govuk-error-summary']")
    assert found is not None, "no error summary"
    return {a.get("href", "").removeprefix("#"): text(a) for a in found.iter("a")}


@pytest.mark.parametrize(
    ("sent", "status", "said"),
    [
        (  # a bad figure and a figure to withdraw that was never recorded: both, at once
            {"activity": "B-1", "year": "2025-26", "expected": "lots", "actual": "none"},
            422,
            {
                "expected": "'lots' is not an amount",
                "actual": "B-1 has no actual saving recorded for 2025-26 to withdraw",
            },
        ),
        (  # a cohort without its unit saving is said once, at the one left blank
            {"activity": "B-1", "year": "2025-26", "actual": "none", "cohort": "2"},
            422,
            {
                "actual": "B-1 has no actual saving recorded for 2025-26 to withdraw",
                "unit": "Enter the average saving per child for the cohort",
            },
        ),
        (  # an activity that is not the council's, and what else only the service can say
            {
                "activity": "nope",
                "year": "2025-26",
                "expected": "£100",
                "cohort": "2",
                "unit": "£10",
            },
            404,
            {
                "activity": "There is no activity 'nope'",
                "expected": "is not the cohort times the unit saving",
            },
        ),
    ],
)
def test_the_saving_form_shows_every_problem_the_service_finds(site, sent, status, said):
    client = site.client("ed")
    refused = post(client, "/impact/savings", sent, token_from="/impact")
    assert refused.status_code == status
    listed = _summary(refused)
    assert list(listed) == list(said)
    for field, message in said.items():
        assert message in listed[field]
        assert message in text(by_id(refused, f"{field}-error"))
    with unit_of_work(site.ws, as_person="ed") as ctx:
        assert impact.saving_history(ctx, "B-1") == []
