"""The /impact page: the same figures as `impact`, the chart as SVG, recording a saving."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

from decimal import Decimal

from web_support import (
    by_id,
    csrf_of,
    heading,
    page,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
    text,
)

from valvecheck.services import impact
from valvecheck.services.workspace import unit_of_work


def _cells(response, table_id: str) -> list[list[str]]:  # type: ignore[no-untyped-def]
    table = by_id(response, table_id)
    assert table is not None, table_id
    return [
        [text(c) for c in row if c.tag.endswith(("td", "th"))]
        for row in table.iter()
        if row.tag.endswith("tr")
    ][1:]


def test_an_editor_records_a_saving_and_sees_it_rolled_up_with_the_chart(site):
    client = site.client("ed")
    empty = client.get("/impact")
    assert empty.status_code == 200 and heading(empty) == "Impact"
    assert by_id(empty, "impact-empty") is not None
    with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        impact.set_trajectory(ctx, "2025-26", unmitigated="£1,000,000", target="£800,000")
    token = csrf_of(client, "/impact")
    sent = client.post(
        "/impact/savings",
        data={"csrf_token": token, "activity": "B-1", "year": "2025/26", "cohort": "4",
              "unit": "£12,500.50"},
    )  # fmt: skip
    assert sent.status_code == 303 and sent.headers["location"] == "/impact"
    shown = client.get("/impact")
    assert _cells(shown, "impact-years")[0] == [
        "2025-26",
        "£1,000,000.00",
        "£50,002.00",  # 4 x £12,500.50
        "£949,998.00",
        "£800,000.00",
        "£149,998.00",
        "",
        "",
        "",
    ]
    figure = by_id(shown, "impact-chart")
    assert figure is not None
    assert any(e.tag.endswith("svg") for e in figure.iter())
    with unit_of_work(site.ws, as_person="ed") as ctx:
        (entry,) = impact.saving_history(ctx, "B-1")
    assert (entry.expected, entry.by) == (Decimal("50002.00"), "ed")


def test_bad_input_is_shown_beside_its_field_and_nothing_is_written(site):
    client = site.client("ed")
    token = csrf_of(client, "/impact")
    refused = client.post(
        "/impact/savings",
        data={"csrf_token": token, "activity": "B-1", "year": "2025-26", "expected": "ten"},
    )
    assert refused.status_code == 422
    assert "not an amount in pounds" in text(by_id(refused, "expected-error"))
    assert page(refused).find(".//input[@name='expected']").get("value") == "ten"
    with unit_of_work(site.ws, as_person="ed") as ctx:
        assert impact.saving_history(ctx, "B-1") == []


def test_a_viewer_sees_no_form_and_cannot_post(site):
    viewer = site.client("vi")
    shown = viewer.get("/impact")
    assert shown.status_code == 200
    assert page(shown).find(".//form[@action='/impact/savings']") is None
    token = csrf_of(viewer, "/impact")
    refused = viewer.post(
        "/impact/savings",
        data={"csrf_token": token, "activity": "B-1", "year": "2025-26", "expected": "£1"},
    )
    assert refused.status_code == 403


def test_without_the_csrf_token_nothing_is_recorded(site):
    client = site.client("ed")
    refused = client.post(
        "/impact/savings", data={"activity": "B-1", "year": "2025-26", "expected": "£1"}
    )
    assert refused.status_code == 403


def test_another_councils_savings_never_show(site):
    with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        impact.set_saving(ctx, "B-1", "2025-26", expected="£777,777")
    leeds = site.client("lee")
    shown = leeds.get("/impact")
    assert "777,777" not in shown.text
    token = csrf_of(leeds, "/impact")
    refused = leeds.post(
        "/impact/savings",
        data={"csrf_token": token, "activity": "B-1", "year": "2025-26", "expected": "£1"},
    )
    assert refused.status_code == 404


def test_no_actual_recorded_reads_as_such_and_ratings_by_their_words(site):
    with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        from valvecheck.services import activities
        from valvecheck.services.measures import load_state

        view = load_state(ctx).views[0]
        activities.link(ctx, "B-1", view.id, "same aim")
        impact.set_saving(ctx, "B-1", "2025-26", expected="£250,000")
        impact.set_saving(ctx, "B-2", "2025-26", actual="1234.5")
    shown = site.client("ed").get("/impact")
    measures = _cells(shown, "impact-measures")
    assert measures[0][0] == view.id and measures[0][3:] == [
        view.rag.label,
        "B-1",
        "£250,000.00",
        "£250,000.00",
        "",
    ]
    flags = text(by_id(shown, "impact-flags"))
    assert "B-1 has no actual saving recorded yet for 2025-26" in flags
    assert "has saved £0.00" not in flags
