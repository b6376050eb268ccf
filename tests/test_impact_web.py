"""The /impact page: the same figures as `impact`, the chart as SVG, recording a saving."""

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
)

from valvecheck.services import impact
from valvecheck.services import trajectory as trajectories
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
        trajectories.set_trajectory(ctx, "2025-26", unmitigated="£1,000,000", target="£800,000")
    token = csrf_of(client, "/impact")
    sent = client.post(
        "/impact/savings",
        data={"csrf_token": token, "activity": "B-1", "year": "2025/26", "cohort": "4",
              "unit": "£12,500.50"},
    )  # fmt: skip
    assert sent.status_code == 303 and sent.headers["location"] == "/impact"
    shown = client.get("/impact")
    # the banner says the amounts as they were read, so a slip in what was typed shows at once
    banner = page(shown).find(".//p[@class='govuk-notification-banner__heading']")
    assert text(banner) == "B-1 2025-26: saving recorded: expected £50,002.00 (4 x £12,500.50)"
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
        from valvecheck.services import links
        from valvecheck.services.measures import load_state

        view = load_state(ctx).views[0]
        links.link(ctx, "B-1", view.id, "same aim")
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


def _summary(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The error summary as {the field its link goes to: the message}."""
    found = page(response).find(".//*[@class='govuk-error-summary']")
    assert found is not None, "no error summary"
    return {a.get("href", "").removeprefix("#"): text(a) for a in found.iter("a")}


ENTER_YEAR = "Enter the financial year, for example 2025-26"
ENTER_FIGURE = "Enter an expected or actual saving, or a cohort and an average saving per child"


@pytest.mark.parametrize(
    ("sent", "status", "said"),
    [
        (  # nothing typed: what to enter, never "There is no activity ''"
            {},
            422,
            {"activity": "Choose the activity", "year": ENTER_YEAR, "expected": ENTER_FIGURE},
        ),
        (  # the finance review's: a bad year and a bad actual, both
            {"activity": "B-1", "year": "2027-29", "actual": "abc"},
            422,
            {"year": "the second year must follow", "actual": "'abc' is not an amount"},
        ),
        (  # the accessibility review's: every field wrong, every one said
            {"activity": "nope", "year": "twenty", "expected": "lots", "cohort": "x"},
            404,
            {
                "activity": "There is no activity 'nope'",
                "year": "'twenty' is not a financial year",
                "expected": "'lots' is not an amount",
                "cohort": "'x' must be a whole number",
                "unit": "Enter the average saving per child for the cohort",
            },
        ),
        (
            {"activity": "B-1", "year": "2025-26", "unit": "£10"},
            422,
            {"cohort": "Enter the cohort (number of children)"},
        ),
        (  # what only the service can say comes after the fields are right, at its field
            {"activity": "B-1", "year": "2025-26", "actual": "none"},
            422,
            {"actual": "B-1 has no actual saving recorded for 2025-26 to withdraw"},
        ),
        (
            {
                "activity": "B-1",
                "year": "2025-26",
                "expected": "£100",
                "cohort": "2",
                "unit": "£10",
            },
            422,
            {"expected": "is not the cohort times the unit saving"},
        ),
    ],
)
def test_every_problem_is_in_the_summary_linked_to_its_field_with_what_was_typed(
    site, sent, status, said
):
    client = site.client("ed")
    refused = post(client, "/impact/savings", sent, token_from="/impact")
    assert refused.status_code == status
    listed = _summary(refused)
    assert list(listed) == list(said)  # in the form's order, one each
    form = page(refused).find(".//form[@action='/impact/savings']")
    assert form is not None
    for field, message in said.items():
        assert message in listed[field]
        assert message in text(by_id(refused, f"{field}-error"))
        box = form.find(f".//*[@id='{field}']")  # the activity is a select of the council's
        assert box is not None and "--error" in box.get("class", "")
    chosen = form.find(".//select[@name='activity']/option[@selected]")
    assert (chosen.get("value") if chosen is not None else "") == sent.get("activity", "")
    for field in ("year", "expected", "actual", "cohort", "unit"):
        assert form.find(f".//input[@name='{field}']").get("value") == sent.get(field, "")
    assert "''" not in refused.text
    with unit_of_work(site.ws, as_person="ed") as ctx:
        assert impact.saving_history(ctx, "B-1") == []


def test_the_form_says_none_withdraws_a_figure_and_it_does(site):
    client = site.client("ed")
    shown = client.get("/impact")
    for field in ("expected", "actual"):
        assert "Enter none to withdraw the figure recorded" in text(by_id(shown, f"{field}-hint"))
    data = {"activity": "B-1", "year": "2025-26", "expected": "£1,000", "actual": "£400"}
    assert post(client, "/impact/savings", data, token_from="/impact").status_code == 303
    withdrawn = {"activity": "b-1", "year": "2025/26", "actual": "None"}
    assert post(client, "/impact/savings", withdrawn, token_from="/impact").status_code == 303
    said = page(client.get("/impact")).find(".//*[@class='govuk-notification-banner__heading']")
    assert text(said) == (
        "B-1 2025-26: actual saving withdrawn (its history keeps it); now expected £1,000.00"
    )
    with unit_of_work(site.ws, as_person="ed") as ctx:
        *_, entry = impact.saving_history(ctx, "B-1")
    assert (entry.expected, entry.actual, entry.version) == (Decimal("1000.00"), None, 2)


def test_the_activity_page_shows_its_savings_by_year_and_their_history_newest_first(site):
    with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        impact.set_saving(ctx, "B-1", "2026-27", expected="£2,000")
        impact.set_saving(ctx, "B-1", "2025-26", cohort="3", unit="£100")
        impact.set_saving(ctx, "B-1", "2025-26", actual="£250.50", note="Spring term")
        impact.set_saving(ctx, "B-2", "2025-26", expected="£999,999")
    shown = site.client("vi").get("/activities/B-1")
    assert _cells(shown, "savings-table") == [
        ["2025-26", "£300.00", "£250.50", "3 x £100.00"],
        ["2026-27", "£2,000.00", "Not recorded", ""],
    ]
    assert text(by_id(shown, "savings-history")) == "History of savings, newest first"
    history = _cells(shown, "savings-history-table")
    assert [row[1:] for row in history] == [
        ["ed", "2025-26", "£300.00", "£250.50", "3 x £100.00", "Spring term"],
        ["ed", "2025-26", "£300.00", "Not recorded", "3 x £100.00", ""],
        ["ed", "2026-27", "£2,000.00", "Not recorded", "", ""],
    ]
    assert "999,999" not in shown.text  # another activity's
    assert page(shown).find(".//a[@href='#savings-history']") is not None

    def record_link(response) -> list[str]:  # type: ignore[no-untyped-def]
        main = page(response).find(".//main")
        assert main is not None
        return [a.get("href", "") for a in main.iter("a") if text(a).startswith("Record a saving")]

    assert record_link(shown) == []  # a viewer records nothing
    assert record_link(site.client("ed").get("/activities/B-1")) == ["/impact"]


def test_an_activity_without_savings_says_so(site):
    shown = site.client("ed").get("/activities/B-2")
    assert by_id(shown, "savings-table") is None
    assert "No saving recorded yet." in text(page(shown).find(".//main"))


def test_measures_and_activities_on_the_impact_page_link_to_their_pages(site):
    with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        from valvecheck.services import links
        from valvecheck.services.measures import load_state

        first, second = (v.id for v in load_state(ctx).views[:2])
        links.link(ctx, "B-1", first, "same aim")
        links.link(ctx, "B-2", first, "same aim")
        links.link(ctx, "B-2", second, "same aim")
        impact.set_saving(ctx, "B-1", "2025-26", expected="£1,000")
        impact.set_saving(ctx, "B-2", "2025-26", expected="£500")
    shown = page(site.client("vi").get("/impact"))

    def links(table_id: str) -> list[list[str]]:
        table = shown.find(f".//table[@id='{table_id}']/tbody")
        assert table is not None, table_id
        return [[a.get("href", "") for a in row.iter("a")] for row in table.iter("tr")]

    assert links("impact-measures") == [
        [f"/measures/{first}", "/activities/B-1", "/activities/B-2"],
        [f"/measures/{second}", "/activities/B-2"],
        [],  # the total
    ]
    assert links("impact-activities") == [["/activities/B-1"], ["/activities/B-2"]]
    row = shown.find(".//table[@id='impact-measures']/tbody/tr")
    assert text(row.findall("td")[3]) == "B-1, B-2"  # the Activities cell reads as before


def test_each_chart_and_table_title_is_a_heading_in_order_that_names_its_table(site):
    """Heading navigation (a screen reader's H key) reaches every table's title: an h2 under
    the page's h1, no level skipped, which names its table and the table's scrolling region."""
    from valvecheck.reports.impact_tables import tables

    with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        from valvecheck.services import links
        from valvecheck.services.measures import load_state

        links.link(ctx, "B-1", load_state(ctx).views[0].id, "same aim")
        trajectories.set_trajectory(ctx, "2025-26", unmitigated="£1,000,000", target="£800,000")
        impact.set_saving(ctx, "B-1", "2025-26", expected="£250,000")
        captions = [t.caption for t in tables(impact.impact(ctx))]
    main = page(site.client("ed").get("/impact")).find(".//main")
    assert main is not None
    order = list(main.iter())
    headings = [e for e in order if e.tag in ("h1", "h2", "h3", "h4", "h5", "h6")]
    levels = [int(h.tag[1]) for h in headings]
    assert (levels[0], text(headings[0])) == (1, "Impact")
    assert all(later <= before + 1 for before, later in zip(levels, levels[1:], strict=False))
    said = [text(h) for h in headings if h.tag == "h2"]
    titles = ["Trajectory: in-year high needs deficit by financial year", *captions]
    assert said[: len(titles)] == titles and said[-1] == "Record a saving"
    found = main.findall(".//table")
    assert len(found) == len(captions) > 1
    for table, caption in zip(found, captions, strict=True):
        named = by_id_in(main, table.get("aria-labelledby", ""))
        assert named is not None and named.tag == "h2" and text(named) == caption
        assert order.index(named) < order.index(table)
        region = next(e for e in order if table in list(e) and e.get("role") == "region")
        assert region.get("aria-labelledby") == named.get("id")
        assert table.find("caption") is None  # not a caption styled as a heading
    figure = main.find(".//figure[@id='impact-chart']/figcaption/h2")
    assert figure is not None and text(figure) == titles[0]


def by_id_in(root, element_id: str):  # type: ignore[no-untyped-def]
    return root.find(f".//*[@id='{element_id}']") if element_id else None
