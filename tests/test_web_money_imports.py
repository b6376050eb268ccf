"""Savings and the deficit trajectory imported on the web: a finance lead uploads the workbook,
sees each figure the file would change, and confirms (before, only `valvecheck impact import`
and `valvecheck trajectory import` could)."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

from decimal import Decimal

from web_support import (
    by_id,
    page,
    post,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
    text,
)

from valvecheck.services import impact as savings
from valvecheck.services import ratings
from valvecheck.services import trajectory as trajectories
from valvecheck.services.workspace import unit_of_work


def _upload(client, kind: str, name: str, data: bytes, column_map: str = ""):  # type: ignore[no-untyped-def]
    form = {"kind": kind, "column_map": column_map}
    return post(client, "/imports", form, files={"file": (name, data)}, token_from="/imports")


def _lines(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    table = page(response).find(".//table[@id='figure-changes']/tbody")
    assert table is not None
    return [[text(c) for c in row if c.tag == "td"] for row in table.iter("tr")]


def _problems(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    table = page(response).find(".//table[@id='problems']/tbody")
    assert table is not None
    return [[text(c) for c in row if c.tag == "td"] for row in table.iter("tr")]


def _confirm_address(response) -> str:  # type: ignore[no-untyped-def]
    form = page(response).find(".//main//form[@method='post']")
    assert form is not None
    return str(form.get("action"))


def _banner(response) -> str:  # type: ignore[no-untyped-def]
    return text(page(response).find(".//*[@class='govuk-notification-banner__heading']"))


def _savings(site, activity: str) -> list[tuple[str, Decimal | None, Decimal | None, str]]:  # type: ignore[no-untyped-def]
    with unit_of_work(site.ws, as_person="ann") as ctx:
        return [(s.year, s.expected, s.actual, s.by) for s in savings.saving_history(ctx, activity)]


def _trajectory(site) -> list[tuple[str, Decimal, Decimal | None, Decimal | None]]:  # type: ignore[no-untyped-def]
    with unit_of_work(site.ws, as_person="ann") as ctx:
        return [(y.year, y.unmitigated, y.target, y.actual) for y in trajectories.trajectory(ctx)]


SAVINGS = b'activity,year,expected,actual\nB-1,2025-26,120000,\nB-2,2025-26,"\xc2\xa350,000",\n'


def test_savings_are_previewed_figure_by_figure_and_stored_only_when_confirmed(site):
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        savings.set_saving(ctx, "B-1", "2025-26", expected="100000")
    client = site.client("ed")
    form = page(client.get("/imports")).find(".//form/input[@value='savings']")
    assert form is not None  # the Imports page offers the savings form to an editor
    preview = _upload(client, "savings", "savings.csv", SAVINGS)
    assert preview.status_code == 200, preview.text
    assert text(by_id(preview, "preview-summary")).startswith(
        "2 savings rows read: 2 would be recorded, 0 are as recorded already."
    )
    assert _lines(preview) == [
        ["B-1", "2025-26", "Expected saving", "£100,000.00", "£120,000.00"],
        ["B-2", "2025-26", "Expected saving", "Not recorded", "£50,000.00"],
    ]
    assert _savings(site, "B-2") == []  # nothing stored by the preview
    done = post(client, _confirm_address(preview), token_from="/imports")
    assert done.status_code == 303 and done.headers["location"] == "/impact"
    assert _banner(client.get("/impact")) == (
        "Imported 2 savings rows from savings.csv: 2 recorded, 0 unchanged"
    )
    assert _savings(site, "B-1")[-1] == ("2025-26", Decimal("120000.00"), None, "ed")
    assert _savings(site, "B-2") == [("2025-26", Decimal("50000.00"), None, "ed")]
    again = _upload(client, "savings", "savings.csv", SAVINGS)
    assert by_id(again, "nothing-to-change") is not None
    assert page(again).find(".//main//form[@method='post']") is None  # nothing to import


def test_a_bad_savings_file_names_file_row_and_column_and_nothing_is_stored(site):
    client = site.client("ed")
    bad = b"activity,year,expected\nB-1,2025-26,lots\nB-9,2025-26,1000\n"
    refused = _upload(client, "savings", "bad.csv", bad)
    assert refused.status_code == 422
    found = _problems(refused)
    assert [row[:3] for row in found] == [
        ["bad.csv", "2", "expected"],
        ["bad.csv", "3", "activity"],
    ]
    assert "B-9" in found[1][3]
    assert page(refused).find(".//main//form[@method='post']") is None
    assert _savings(site, "B-1") == []


def test_a_colleague_saving_after_the_preview_is_shown_before_anything_is_imported(site):
    client = site.client("ed")
    preview = _upload(client, "savings", "savings.csv", SAVINGS)
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        savings.set_saving(ctx, "B-1", "2025-26", expected="90000")
    stale = post(client, _confirm_address(preview), token_from="/imports")
    assert stale.status_code == 409
    assert by_id(stale, "changed-since") is not None
    assert _lines(stale)[0] == ["B-1", "2025-26", "Expected saving", "£90,000.00", "£120,000.00"]
    assert _savings(site, "B-2") == []  # nothing imported
    done = post(client, _confirm_address(stale), token_from="/imports")
    assert done.status_code == 303
    assert _savings(site, "B-1")[-1][:2] == ("2025-26", Decimal("120000.00"))


def test_the_trajectory_is_previewed_with_a_year_left_out_withdrawn_then_replaced(site):
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        held = b"year,unmitigated,target\n2025-26,1000,900\n2026-27,2000,1500\n"
        trajectories.import_trajectory(ctx, held, "plan.csv")
    client = site.client("ed")
    data = b"Year,Unmitigated,Target\n2026-27,2000,1400\n2027-28,3000,2500\n"
    preview = _upload(client, "trajectory", "plan-2.csv", data)
    assert preview.status_code == 200, preview.text
    assert _lines(preview) == [
        ["2025-26", "Unmitigated deficit", "£1,000.00", "Withdrawn"],
        ["2025-26", "Target", "£900.00", "Withdrawn"],
        ["2026-27", "Target", "£1,500.00", "£1,400.00"],
        ["2027-28", "Unmitigated deficit", "Not recorded", "£3,000.00"],
        ["2027-28", "Target", "Not recorded", "£2,500.00"],
    ]
    assert "to replace the deficit trajectory of" in text(by_id(preview, "preview-summary"))
    assert [y[0] for y in _trajectory(site)] == ["2025-26", "2026-27"]  # nothing stored yet
    done = post(client, _confirm_address(preview), token_from="/imports")
    assert done.status_code == 303 and done.headers["location"] == "/impact/trajectory"
    assert _banner(client.get("/impact/trajectory")) == (
        "Imported plan-2.csv as the deficit trajectory of “Bristol: mitigation validation "
        "exercise”: 2 years, 5 figures changed (the figures before are kept in its history)"
    )
    assert _trajectory(site) == [
        ("2026-27", Decimal("2000.00"), Decimal("1400.00"), None),
        ("2027-28", Decimal("3000.00"), Decimal("2500.00"), None),
    ]


def test_a_misspelt_trajectory_column_is_refused_rather_than_withdraw_the_targets(site):
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        trajectories.import_trajectory(ctx, b"year,unmitigated,target\n2025-26,1000,900\n", "a.csv")
    client = site.client("ed")
    refused = _upload(client, "trajectory", "b.csv", b"year,unmitigated,targt\n2025-26,1000,800\n")
    assert refused.status_code == 422
    assert _problems(refused)[0][4] == "column-not-read"
    mapped = _upload(
        client, "trajectory", "b.csv", b"year,unmitigated,targt\n2025-26,1000,800\n", "target=targt"
    )
    assert _lines(mapped) == [["2025-26", "Target", "£900.00", "£800.00"]]


def test_a_locked_assessment_trajectory_is_refused_at_the_preview(site):
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        ratings.lock_assessment(ctx)
    refused = _upload(
        site.client("ann"), "trajectory", "a.csv", b"year,unmitigated\n2025-26,1000\n"
    )
    assert refused.status_code == 409
    assert "is locked" in _problems(refused)[0][3]
    assert _trajectory(site) == []


def test_a_viewer_is_offered_no_money_imports_and_is_refused_one(site):
    client = site.client("vi")
    shown = client.get("/imports")
    assert by_id(shown, "savings") is None and by_id(shown, "trajectory") is None
    refused = _upload(client, "savings", "savings.csv", SAVINGS)
    assert refused.status_code == 403
    nothing = post(client, "/imports", {"kind": "trajectory"}, token_from="/imports")
    assert nothing.status_code == 403
    assert _savings(site, "B-1") == []


def test_a_column_map_error_is_said_at_the_savings_form_with_what_was_typed(site):
    again = _upload(site.client("ed"), "savings", "savings.csv", SAVINGS, "expected")
    assert again.status_code == 422
    assert by_id(again, "savings-map-error") is not None
    field = by_id(again, "savings-map")
    assert field is not None and field.get("value") == "expected"


def test_the_impact_and_trajectory_pages_lead_to_the_imports_for_those_who_may_record(site):
    editor = site.client("ed")
    link = by_id(editor.get("/impact"), "import-savings-link")
    assert link is not None and link.get("href") == "/imports#savings"
    link = by_id(editor.get("/impact/trajectory"), "import-trajectory-link")
    assert link is not None and link.get("href") == "/imports#trajectory"
    viewer = site.client("vi")
    assert by_id(viewer.get("/impact"), "import-savings-link") is None
    assert by_id(viewer.get("/impact/trajectory"), "import-trajectory-link") is None


# -- from a QA pass of the money imports ----------------------------------------------------------


def test_a_zero_and_a_new_years_counts_are_previewed_as_they_will_be_stored(site):
    client = site.client("ed")
    data = b"activity,year,expected,actual,ehcps,mainstream\nB-1,2025-26,0,0,5,3\n"
    preview = _upload(client, "savings", "zero.csv", data)
    assert _lines(preview) == [
        ["B-1", "2025-26", "Expected saving", "Not recorded", "£0.00"],
        ["B-1", "2025-26", "Actual saving", "Not recorded", "£0.00"],
        ["B-1", "2025-26", "Counts", "Not recorded", "EHCPs 5, mainstream placements 3"],
    ]
    assert post(client, _confirm_address(preview), token_from="/imports").status_code == 303
    assert _savings(site, "B-1") == [("2025-26", Decimal("0.00"), Decimal("0.00"), "ed")]


def test_no_assessment_or_a_locked_one_says_so_in_place_of_the_trajectory_form(site):
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        ratings.lock_assessment(ctx)
    shown = site.client("ann").get("/imports")
    assert "is locked" in text(by_id(shown, "trajectory-shut"))
    assert page(shown).find(".//form/input[@value='trajectory']") is None
    refused = _upload(site.client("ann"), "trajectory", "a.csv", b"year,unmitigated\n2025-26,1\n")
    summary = text(page(refused).find(".//*[@class='govuk-error-summary__body']"))
    assert summary == "It cannot be imported now, whatever the file holds: see below."


def test_a_file_refused_at_its_confirmation_says_why_on_its_preview_page(site):
    client = site.client("ed")
    data = b"year,unmitigated,targt\n2025-26,1000,800\n"
    preview = _upload(client, "trajectory", "plan.csv", data)
    assert preview.status_code == 200  # nothing held yet: nothing the unread column could be
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        trajectories.set_trajectory(ctx, "2025-26", unmitigated="1000", target="900")
    refused = post(client, _confirm_address(preview), token_from="/imports")
    assert refused.status_code == 422
    assert _problems(refused)[0][4] == "column-not-read"
    assert page(refused).find(".//main//a[@href='/imports']") is not None  # choose another file
    assert _trajectory(site) == [("2025-26", Decimal("1000.00"), Decimal("900.00"), None)]


def test_the_import_button_is_pressed_once(site):
    preview = _upload(site.client("ed"), "savings", "savings.csv", SAVINGS)
    button = page(preview).find(".//main//form[@method='post']//button")
    assert button is not None and button.get("data-prevent-double-click") == "true"


def _confirmed_while_a_colleague_writes(site, client, preview, write):  # type: ignore[no-untyped-def]
    """Press Import while ``write`` (ann's) is still in its transaction, then let it commit."""
    import threading

    writing, go = threading.Event(), threading.Event()

    def colleague() -> None:
        with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
            write(ctx)
            writing.set()
            go.wait(30)

    theirs = threading.Thread(target=colleague)
    theirs.start()
    assert writing.wait(30)
    answer: list[object] = []
    confirm = _confirm_address(preview)
    mine = threading.Thread(
        target=lambda: answer.append(post(client, confirm, token_from="/imports"))
    )
    mine.start()
    mine.join(1.0)  # the confirmation waits for the colleague's locks
    go.set()
    theirs.join(30)
    mine.join(30)
    (response,) = answer
    return response


def test_on_postgresql_a_colleagues_entry_in_flight_at_the_confirmation_is_shown_first(
    pg_url: str, tmp_path
):  # type: ignore[no-untyped-def]
    """The confirmation imports under the import's own locks, then compares with the preview:
    a colleague's saving, or trajectory year, still being written as Import is pressed is
    waited for and shown, never overwritten unseen (a QA pass saw both on PostgreSQL: the
    saving replaced, the trajectory a 500 for two rows in force)."""
    from web_support import make_site

    site = make_site(tmp_path, url=pg_url)
    try:
        client = site.client("ed")
        cases = (
            (
                "savings",
                b"activity,year,expected\nB-1,2025-26,120000\n",
                lambda ctx: savings.set_saving(ctx, "B-1", "2025-26", expected="90000"),
                "£90,000.00",
            ),
            (
                "trajectory",
                b"year,unmitigated,target\n2025-26,1000,800\n",
                lambda ctx: trajectories.set_trajectory(
                    ctx, "2025-26", unmitigated="1000", target="900"
                ),
                "£900.00",
            ),
        )
        for kind, data, write, theirs in cases:
            preview = _upload(client, kind, f"{kind}.csv", data)
            assert preview.status_code == 200, preview.text
            response = _confirmed_while_a_colleague_writes(site, client, preview, write)
            assert response.status_code == 409, (kind, response.status_code)
            assert by_id(response, "changed-since") is not None
            assert _lines(response)[0][-2] == theirs
        assert _savings(site, "B-1") == [("2025-26", Decimal("90000.00"), None, "ann")]
        assert _trajectory(site) == [("2025-26", Decimal("1000.00"), Decimal("900.00"), None)]
    finally:
        site.ws.dispose()


def test_on_postgresql_a_colleagues_activity_edit_in_flight_at_the_confirmation_is_shown_first(
    pg_url: str, tmp_path
):  # type: ignore[no-untyped-def]
    """An activities file is confirmed as the money files are: imported under the council's
    activities lock, then compared with its preview. A colleague's edit still being saved as
    Import is pressed is waited for and shown, never overwritten unseen (the file was
    previewed again before the lock, so an edit committed while it waited was overwritten)."""
    from web_support import B1_OPENED, make_site

    from valvecheck.services.activities import edit_activity, show_activity

    site = make_site(tmp_path, url=pg_url)
    try:
        client = site.client("ed")
        tracker = b"ID,Name,Owner\nB-1,SENCO network,Tracker owner\n"
        preview = _upload(client, "activities", "tracker.csv", tracker)
        assert preview.status_code == 200, preview.text

        def edit(ctx):  # type: ignore[no-untyped-def]
            edit_activity(ctx, "B-1", {**B1_OPENED, "owner": "Lead changed"}, B1_OPENED)

        response = _confirmed_while_a_colleague_writes(site, client, preview, edit)
        assert response.status_code == 409, response.status_code
        assert by_id(response, "changed-since") is not None
        assert "Lead changed" in text(page(response).find(".//main"))
        with unit_of_work(site.ws, as_person="ann") as ctx:
            assert show_activity(ctx, "B-1").activity.owner == "Lead changed"
    finally:
        site.ws.dispose()
