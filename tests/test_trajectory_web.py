"""The deficit trajectory's page, reached from /impact: its years, setting a year's figures
through the same use-case as `valvecheck trajectory set`, and every change made to it."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

from decimal import Decimal

import pytest
from web_support import (
    by_id,
    csrf_of,
    heading,
    page,
    post,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
    text,
    title,
)

from valvecheck.services import ratings
from valvecheck.services import trajectory as trajectories
from valvecheck.services.workspace import unit_of_work

PAGE = "/impact/trajectory"


def _rows(response, table_id: str) -> list[list[str]]:  # type: ignore[no-untyped-def]
    table = page(response).find(f".//table[@id='{table_id}']/tbody")
    assert table is not None, table_id
    return [[text(c) for c in row if c.tag in ("td", "th")] for row in table.iter("tr")]


def _held(site) -> list[tuple[str, Decimal, Decimal | None, Decimal | None]]:  # type: ignore[no-untyped-def]
    with unit_of_work(site.ws, as_person="ed") as ctx:
        return [(y.year, y.unmitigated, y.target, y.actual) for y in trajectories.trajectory(ctx)]


def test_an_editor_sets_a_year_from_the_impact_page_and_sees_it_with_its_history(site):
    client = site.client("ed")
    link = page(client.get("/impact")).find(".//a[@id='trajectory-link']")
    assert link is not None and link.get("href") == PAGE
    empty = client.get(PAGE)
    assert empty.status_code == 200 and heading(empty) == "Deficit trajectory"
    assert title(empty).startswith("Deficit trajectory")
    assert by_id(empty, "trajectory-empty") is not None
    assert by_id(empty, "trajectory-no-history") is not None
    first = {"year": "2025/26", "unmitigated": "£1,000,000", "target": "£800,000"}
    sent = post(client, PAGE, first, token_from=PAGE)
    assert sent.status_code == 303 and sent.headers["location"] == PAGE
    shown = client.get(PAGE)
    banner = page(shown).find(".//*[@class='govuk-notification-banner__heading']")
    assert text(banner) == "2025-26 in the trajectory: figures saved"
    changed = post(client, PAGE, {"year": "2025-26", "target": "£750,000"}, token_from=PAGE)
    assert changed.status_code == 303
    shown = client.get(PAGE)
    assert [row[:4] for row in _rows(shown, "trajectory-years")] == [
        ["2025-26", "£1,000,000.00", "£750,000.00", "Not recorded"]
    ]
    history = [row[1:6] for row in _rows(shown, "trajectory-history")]
    assert history[0] == ["ed", "2025-26", "Target", "£800,000.00", "£750,000.00"]  # newest
    assert ["ed", "2025-26", "Unmitigated deficit", "Not recorded", "£1,000,000.00"] in history
    assert _held(site) == [("2025-26", Decimal("1000000.00"), Decimal("750000.00"), None)]
    again = post(client, PAGE, {"year": "2025-26", "target": "750000"}, token_from=PAGE)
    assert again.status_code == 303
    said = page(client.get(PAGE)).find(".//*[@class='govuk-notification-banner__heading']")
    assert text(said) == "2025-26 in the trajectory: nothing changed, as recorded already"


def test_a_change_made_by_import_or_the_cli_shows_in_the_history_with_its_file(site):
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        data = b"year,unmitigated,target\n2025-26,1000,900\n2026-27,2000,1500\n"
        trajectories.import_trajectory(ctx, data, "plan.csv")
        trajectories.set_trajectory(ctx, "2026-27", target="1400")
    shown = site.client("vi").get(PAGE)
    assert [row[0] for row in _rows(shown, "trajectory-years")] == ["2025-26", "2026-27"]
    newest = _rows(shown, "trajectory-history")[0]
    assert newest[1:] == ["ann", "2026-27", "Target", "£1,500.00", "£1,400.00", ""]
    files = {row[-1] for row in _rows(shown, "trajectory-history")[1:]}
    assert files == {"plan.csv"}


def test_a_viewer_sees_the_trajectory_but_no_form_and_is_refused(site):
    with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        trajectories.set_trajectory(ctx, "2025-26", unmitigated="£1,000")
    viewer = site.client("vi")
    shown = viewer.get(PAGE)
    assert shown.status_code == 200
    assert _rows(shown, "trajectory-years")[0][:2] == ["2025-26", "£1,000.00"]
    assert page(shown).find(f".//form[@action='{PAGE}']") is None
    assert by_id(shown, "set-year") is None
    link = page(viewer.get("/impact")).find(".//a[@id='trajectory-link']")
    assert link is not None and text(link) == "See the deficit trajectory"
    refused = post(viewer, PAGE, {"year": "2025-26", "unmitigated": "£5"}, token_from=PAGE)
    assert refused.status_code == 403
    assert _held(site) == [("2025-26", Decimal("1000.00"), None, None)]


@pytest.mark.parametrize("token", [None, "not-the-sessions"])
def test_without_the_sessions_csrf_token_nothing_is_set(site, token):
    client = site.client("ed")
    client.get(PAGE)
    data = {"year": "2025-26", "unmitigated": "£1"}
    if token:
        data["csrf_token"] = token
    refused = client.post(PAGE, data=data)
    assert refused.status_code == 403 and heading(refused) == "This form has expired"
    assert _held(site) == []


def _summary(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    found = page(response).find(".//*[@class='govuk-error-summary']")
    assert found is not None, "no error summary"
    return {a.get("href", "").removeprefix("#"): text(a) for a in found.iter("a")}


@pytest.mark.parametrize(
    ("sent", "said"),
    [
        (  # nothing typed: what to enter, never "'' is not a financial year"
            {},
            {
                "year": "Enter the financial year, for example 2025-26",
                "unmitigated": "Enter the unmitigated deficit, the target or the actual outturn",
            },
        ),
        (  # bad figures, each named by its field, all at once
            {"year": "2025-26", "unmitigated": "lots", "target": "£1.2.3", "actual": "abc"},
            {
                "unmitigated": "'lots' is not an amount",
                "target": "is not an amount",
                "actual": "'abc' is not an amount",
            },
        ),
        (  # a year left out between the trajectory's and this one, and no unmitigated for it
            {"year": "2027-28", "target": "£5"},
            {
                "year": "The trajectory has no row for 2026-27",
                "unmitigated": "2027-28 is not in the trajectory yet",
            },
        ),
        (
            {"year": "twenty", "unmitigated": "none"},
            {
                "year": "'twenty' is not a financial year",
                "unmitigated": "The unmitigated deficit of a year cannot be withdrawn",
            },
        ),
    ],
)
def test_every_problem_is_in_the_summary_named_by_its_field_and_nothing_is_set(site, sent, said):
    with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        trajectories.set_trajectory(ctx, "2025-26", unmitigated="£1,000")
    client = site.client("ed")
    refused = post(client, PAGE, sent, token_from=PAGE)
    assert refused.status_code == 422
    assert title(refused).startswith("Error: Deficit trajectory")
    listed = _summary(refused)
    assert list(listed) == list(said)  # in the form's order, one each
    form = page(refused).find(f".//form[@action='{PAGE}']")
    assert form is not None
    for field, message in said.items():
        assert message in listed[field]
        assert message in text(by_id(refused, f"{field}-error"))
        box = form.find(f".//input[@id='{field}']")
        assert box is not None and "govuk-input--error" in box.get("class", "")
    for field in ("year", "unmitigated", "target", "actual"):
        assert form.find(f".//input[@name='{field}']").get("value") == sent.get(field, "")
    assert "''" not in refused.text
    assert _held(site) == [("2025-26", Decimal("1000.00"), None, None)]


def test_a_locked_assessments_trajectory_is_shown_but_not_changed(site):
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        trajectories.set_trajectory(ctx, "2025-26", unmitigated="£1,000")
        ratings.lock_assessment(ctx)
    client = site.client("ed")
    shown = client.get(PAGE)
    assert shown.status_code == 200 and by_id(shown, "trajectory-locked") is not None
    assert page(shown).find(f".//form[@action='{PAGE}']") is None
    refused = post(client, PAGE, {"year": "2025-26", "target": "£5"}, token_from=PAGE)
    assert refused.status_code == 409
    assert _held(site) == [("2025-26", Decimal("1000.00"), None, None)]


def test_another_councils_trajectory_never_shows(site):
    with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        trajectories.set_trajectory(ctx, "2025-26", unmitigated="£777,777")
    leeds = site.client("lee")
    shown = leeds.get(PAGE)
    assert "777,777" not in shown.text and by_id(shown, "trajectory-empty") is not None
    token = csrf_of(leeds, PAGE)
    sent = leeds.post(PAGE, data={"csrf_token": token, "year": "2030-31", "unmitigated": "£9"})
    assert sent.status_code == 303
    assert _held(site) == [("2025-26", Decimal("777777.00"), None, None)]
