"""The finance review of the impact figures (a council finance lead and a DfE adviser), and the
impact page's reflow at 320 px: each test here fails without its fix.

1. "to date" follows the calendar, and an actual for a year that has not started is refused;
2. the trajectory keeps its history: a re-import says what it changed, never restamps a year
   it leaves as it was, and a report dated before a change shows the trajectory as it was;
3. a target or outturn formula with no saved value is refused, as the unmitigated one is;
4. a figure marked negative twice is refused; 5. floating noise around a whole penny is it;
6. a locked assessment's figures are the lock's everywhere; 8. the page says what it shows;
9. and 10. a savings re-import keeps the working and says what changed; 11. polish.
"""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest
from support import admin, report_data, workbook
from web_support import by_id, csrf_of, page, site, site_template, text  # noqa: F401

from valvecheck.domain.impact import Saving, TrajectoryYear, roll_up
from valvecheck.domain.money import Invalid, parse_money, year_of
from valvecheck.errors import ImportRejected, InputError
from valvecheck.services import activities, impact, links, ratings
from valvecheck.services import trajectory as trajectories
from valvecheck.services.workspace import unit_of_work
from valvecheck.store.db import Workspace

ASSESSMENT = "Bristol: mitigation validation exercise"
TRAJECTORY = (
    "year,unmitigated,target,actual\n"
    "2024-25,£12500000,£10000000,£11250000.50\n"
    "2025-26,£14200000,£8000000,\n"
    "2026-27,£16000000,-£500000,\n"
    "2027-28,£18000000,£0,\n"
)
# the same plan re-imported: two targets changed, the last two years left out
CHANGED = "year,unmitigated,target,actual\n2024-25,£12500000,£11000000,£11250000.50\n"
CHANGED += "2025-26,£14200000,£9000000,\n"
JANUARY, FEBRUARY, MARCH = (datetime(2026, m, 10, 10, tzinfo=UTC) for m in (1, 2, 3))


def clock(moment: datetime):  # type: ignore[no-untyped-def]
    return lambda: moment


@pytest.fixture
def council(ws):
    with admin(ws) as ctx:
        ctx.clock = clock(JANUARY)
        activities.import_activities(ctx, b"id,title\nA1,Post-16 places\nA2,Inclusion\n", "a.csv")
        links.link(ctx, "A1", "bury-1")
        links.link(ctx, "A2", "bury-2")
    return ws


def problems(caught: pytest.ExceptionInfo[ImportRejected]) -> list[tuple[str, int | None, str]]:
    return [(p.code, p.line, p.column or "") for p in caught.value.problems]


# -- 1. "to date" follows the calendar -----------------------------------------------------------


def test_an_actual_for_a_year_that_has_not_started_is_refused_by_hand_and_in_files(council):
    with admin(council) as ctx:
        ctx.clock = clock(datetime(2026, 12, 6, 12, tzinfo=UTC))  # 2026-27 is in progress
        with pytest.raises(InputError) as caught:
            impact.set_saving(ctx, "A1", "2028-29", actual="£500,000")
        assert caught.value.field == "actual"
        assert "2028-29 has not started yet (today, 6 December 2026, is in 2026-27)" in str(
            caught.value
        )
        impact.set_saving(ctx, "A1", "2028-29", expected="£500,000")  # a plan: any year
        impact.set_saving(ctx, "A1", "2026-27", actual="£1")  # the year in progress: allowed
        trajectories.import_trajectory(ctx, TRAJECTORY.encode(), "t.csv")
        with pytest.raises(InputError, match="2027-28 has not started") as caught:
            trajectories.set_trajectory(ctx, "2027-28", actual="£1")
        assert caught.value.field == "actual"
        savings = "activity,year,expected,Actual saving\nA1,2025-26,100,90\nA2,2027-28,100,5\n"
        with pytest.raises(ImportRejected) as rejected:
            impact.import_savings(ctx, savings.encode(), "s.csv")
        assert problems(rejected) == [("actual-not-started", 3, "Actual saving")]
        assert "2027-28 has not started yet" in rejected.value.problems[0].message
        plan = TRAJECTORY.replace("2027-28,£18000000,£0,", "2027-28,£18000000,£0,£1")
        with pytest.raises(ImportRejected) as rejected:
            trajectories.import_trajectory(ctx, plan.encode(), "t.csv")
        assert problems(rejected) == [("actual-not-started", 5, "actual")]


def test_the_web_form_refuses_an_actual_for_a_year_that_has_not_started(site):
    client = site.client("ed")
    later = year_of(date.today() + timedelta(days=800))
    refused = client.post(
        "/impact/savings",
        data={
            "csrf_token": csrf_of(client, "/impact"),
            "activity": "B-1",
            "year": later,
            "actual": "£5",
        },
    )
    assert refused.status_code == 422
    assert f"{later} has not started yet" in text(by_id(refused, "actual-error"))
    with unit_of_work(site.ws, as_person="ed") as ctx:
        assert impact.saving_history(ctx, "B-1") == []


def test_to_date_is_the_years_started_by_the_day_not_the_latest_actual(council):
    with admin(council) as ctx:
        ctx.clock = clock(datetime(2026, 12, 6, 12, tzinfo=UTC))
        trajectories.import_trajectory(ctx, TRAJECTORY.encode(), "t.csv")
        impact.set_saving(ctx, "A1", "2024-25", expected="£1,000,000")
        impact.set_saving(ctx, "A1", "2025-26", expected="£2,000,000")
        impact.set_saving(ctx, "A2", "2026-27", expected="£500,000")
        impact.set_saving(ctx, "A2", "2027-28", expected="£700,000")
        found = impact.impact(ctx, on=date(2026, 12, 6))
    # no actual is recorded anywhere: the closed years still count, and are flagged
    assert found.to_date == "2026-27"
    assert found.total.expected_to_date == D("3500000.00")
    assert [(f.code, f.subject) for f in found.flags if f.code == "no-actual-yet"] == [
        ("no-actual-yet", "A1")  # 2024-25 and 2025-26 have ended; 2026-27 is in progress
    ]
    assert "2024-25 and 2025-26" in next(f.message for f in found.flags if f.subject == "A1")


def test_an_actual_already_held_for_a_later_year_moves_nothing_and_is_flagged():
    found = roll_up(
        assessment="a",
        trajectory=[TrajectoryYear("2024-25", D(10), D(8)), TrajectoryYear("2025-26", D(10))],
        savings=[
            Saving("X", "2024-25", D("100.00"), D("100.00")),
            Saving("X", "2028-29", D("500.00"), D("500.00")),  # a mistyped year
        ],
        links={},
        weights={},
        measures=[],
        titles={"X": ""},
        day=date(2026, 12, 6),
    )
    assert found.to_date == "2026-27"
    assert found.total.expected_to_date == D("100.00")
    [flag] = [f for f in found.flags if f.code == "actual-not-started"]
    assert flag.message.startswith("X has an actual saving recorded for 2028-29, which had not")


# -- 2. the trajectory keeps its history --------------------------------------------------------


def test_a_trajectory_reimport_says_what_it_changed_and_keeps_what_it_replaced(council):
    with admin(council, by="finance lead") as ctx:
        ctx.clock = clock(JANUARY)
        first = trajectories.import_trajectory(ctx, TRAJECTORY.encode(), "plans/dsg-plan.csv")
    assert [(c.year, c.figure) for c in first.changes if c.added] == [
        ("2024-25", "unmitigated"),
        ("2025-26", "unmitigated"),
        ("2026-27", "unmitigated"),
        ("2027-28", "unmitigated"),
    ]
    with admin(council, by="someone else") as ctx:
        ctx.clock = clock(FEBRUARY)
        again = trajectories.import_trajectory(ctx, TRAJECTORY.encode(), "dsg-plan.csv")
        same = trajectories.set_trajectory(ctx, "2024-25", target="£10,000,000")
        held = trajectories.trajectory(ctx)
    assert again.changes == () and same.changes == ()
    # nothing changed: every year keeps who recorded it and when
    assert {(y.by, y.at) for y in held} == {("finance lead", JANUARY)}
    assert (same.year.by, same.year.at) == ("finance lead", JANUARY)
    with admin(council, by="editor") as ctx:
        ctx.clock = clock(MARCH)
        done = trajectories.import_trajectory(ctx, CHANGED.encode(), "dsg-plan-v2.csv")
        now = trajectories.trajectory(ctx)
    assert [(c.year, c.figure, c.before, c.after) for c in done.changes] == [
        ("2026-27", "unmitigated", D("16000000.00"), None),
        ("2026-27", "target", D("-500000.00"), None),
        ("2027-28", "unmitigated", D("18000000.00"), None),
        ("2027-28", "target", D("0.00"), None),
        ("2024-25", "target", D("10000000.00"), D("11000000.00")),
        ("2025-26", "target", D("8000000.00"), D("9000000.00")),
    ]
    assert [(y.year, y.target) for y in now] == [
        ("2024-25", D("11000000.00")),
        ("2025-26", D("9000000.00")),
    ]
    # the history: who, when, from, to and the file, the removals included
    history = [(c.at, c.by, c.year, c.figure, c.before, c.after, c.file) for c in now.history]
    assert history[-6:] == [
        (MARCH, "editor", "2024-25", "target", D("10000000.00"), D("11000000.00"), "dsg-plan-v2.csv"),
        (MARCH, "editor", "2025-26", "target", D("8000000.00"), D("9000000.00"), "dsg-plan-v2.csv"),
        (MARCH, "editor", "2026-27", "unmitigated", D("16000000.00"), None, "dsg-plan-v2.csv"),
        (MARCH, "editor", "2026-27", "target", D("-500000.00"), None, "dsg-plan-v2.csv"),
        (MARCH, "editor", "2027-28", "unmitigated", D("18000000.00"), None, "dsg-plan-v2.csv"),
        (MARCH, "editor", "2027-28", "target", D("0.00"), None, "dsg-plan-v2.csv"),
    ]  # fmt: skip
    assert history[0] == (
        JANUARY, "finance lead", "2024-25", "unmitigated", None, D("12500000.00"), "dsg-plan.csv"
    )  # fmt: skip


def test_a_report_dated_before_a_change_shows_the_trajectory_as_it_was(council):
    with admin(council) as ctx:
        ctx.clock = clock(JANUARY)
        trajectories.import_trajectory(ctx, TRAJECTORY.encode(), "t.csv")
        impact.set_saving(ctx, "A1", "2024-25", expected="£1,000,000", actual="£900,000")
    with admin(council) as ctx:
        ctx.clock = clock(FEBRUARY)
        trajectories.import_trajectory(ctx, TRAJECTORY.encode(), "t.csv")  # the same file again
    with admin(council) as ctx:
        ctx.clock = clock(MARCH)
        trajectories.import_trajectory(ctx, CHANGED.encode(), "t2.csv")
    before = report_data(council, on=date(2026, 2, 20)).impact
    assert before is not None and before.has_trajectory
    assert [(y.year, y.target) for y in before.years] == [
        ("2024-25", D("10000000.00")),
        ("2025-26", D("8000000.00")),
        ("2026-27", D("-500000.00")),
        ("2027-28", D("0.00")),
    ]
    assert [(f.code, f.message) for f in before.flags if f.subject == "trajectory"] == [
        (
            "changed-later",
            "The trajectory for 2024-25, 2025-26, 2026-27 and 2027-28 has changed since 20 "
            "February 2026: these figures are as they stood then (its history keeps both)",
        )
    ]
    after = report_data(council, on=date(2026, 3, 20)).impact
    assert after is not None
    assert [(y.year, y.target) for y in after.years] == [
        ("2024-25", D("11000000.00")),
        ("2025-26", D("9000000.00")),
    ]
    assert not [f for f in after.flags if f.subject == "trajectory"]


def test_the_trajectory_commands_say_what_changed_and_show_the_history(council, cli, tmp_path):
    (tmp_path / "t.csv").write_text(TRAJECTORY)
    (tmp_path / "t2.csv").write_text(CHANGED)
    assert cli("trajectory", "import", str(tmp_path / "t.csv"))[0] == 0
    code, out, err = cli("trajectory", "import", str(tmp_path / "t.csv"))
    assert code == 0, err
    assert out.startswith("Imported a trajectory of 4 years into") and ": nothing changed." in out
    code, out, err = cli("trajectory", "import", str(tmp_path / "t2.csv"))
    assert code == 0, err
    assert "  2024-25 target £10,000,000.00 -> £11,000,000.00\n" in out
    assert "  2026-27 removed (was unmitigated £16,000,000.00, target -£500,000.00)\n" in out
    assert "kept in the trajectory's history ('valvecheck trajectory')" in out
    code, out, err = cli("trajectory", "set", "--year", "2024-25", "--target", "£11,000,000")
    assert code == 0 and out.rstrip().endswith("(unchanged).")
    code, out, err = cli("trajectory")
    assert code == 0, err
    assert "\t2024-25\ttarget\t£10,000,000.00\t£11,000,000.00\tt2.csv\n" in out
    assert "\t2027-28\tunmitigated\t£18,000,000.00\tnone\tt2.csv\n" in out


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "m.db")
    return request.getfixturevalue("pg_url")


def test_migration_0013_keeps_the_trajectory_held_and_goes_down_and_up_again(url):
    from valvecheck.services.workspace import init_workspace

    ws = Workspace(url)
    init_workspace(ws)
    with unit_of_work(ws, write=True) as ctx:
        ctx.clock = clock(JANUARY)
        trajectories.import_trajectory(ctx, TRAJECTORY.encode(), "t.csv")
    with unit_of_work(ws, write=True) as ctx:
        ctx.clock = clock(FEBRUARY)
        trajectories.import_trajectory(ctx, CHANGED.encode(), "t2.csv")
    ws.downgrade("0012")  # the history goes; the trajectory in force stays
    ws.migrate()
    assert ws.revision() == ws.head()
    with unit_of_work(ws) as ctx:
        held = trajectories.trajectory(ctx)
        assert [(y.year, y.target) for y in held] == [
            ("2024-25", D("11000000.00")),
            ("2025-26", D("9000000.00")),
        ]
        # held from before the history: what they replaced is not known, and is not claimed
        assert {c.known for c in held.history} == {False}
        dated = impact.impact(ctx, until=FEBRUARY - timedelta(days=1))
    assert not dated.has_trajectory
    assert [f.message for f in dated.flags if f.code == "recorded-later"] == [
        "The trajectory for 2024-25 and 2025-26 was recorded after 9 February 2026 at 10:00 and "
        "is left out: the figures held before then were not kept"
    ]
    with unit_of_work(ws, write=True) as ctx:
        ctx.clock = clock(MARCH)
        assert trajectories.import_trajectory(ctx, CHANGED.encode(), "t2.csv").changes == ()
        changed = trajectories.set_trajectory(ctx, "2025-26", target="£8,500,000")
    assert [(c.before, c.after) for c in changed.changes] == [(D("9000000.00"), D("8500000.00"))]
    ws.dispose()


def test_a_backup_keeps_the_trajectory_history(council, tmp_path):
    from valvecheck.domain.people import Role
    from valvecheck.services import backup
    from valvecheck.services.context import Actor
    from valvecheck.services.workspace import init_workspace

    with admin(council) as ctx:
        ctx.clock = clock(JANUARY)
        trajectories.import_trajectory(ctx, TRAJECTORY.encode(), "t.csv")
    with admin(council) as ctx:
        ctx.clock = clock(MARCH)
        trajectories.import_trajectory(ctx, CHANGED.encode(), "t2.csv")
    with admin(council) as ctx:
        data = backup.dumps(backup.backup(ctx))
        history = trajectories.trajectory(ctx).history
    target = Workspace(str(tmp_path / "restored.db"))
    init_workspace(target, empty=True)
    with unit_of_work(target, write=True, actor=Actor("restorer", Role.ADMIN, None)) as ctx:
        backup.restore(ctx, data, "backup.json", replace=True)
    with unit_of_work(target, council="Bristol") as ctx:
        assert trajectories.trajectory(ctx).history == history
        dated = impact.impact(ctx, until=FEBRUARY)
    assert [(y.year, y.target) for y in dated.years][2:] == [
        ("2026-27", D("-500000.00")),
        ("2027-28", D("0.00")),
    ]
    # a backup cannot hold two figures in force for one year
    dump = json.loads(data)
    rows = dump["other"]["trajectory"]
    rows.append({**next(r for r in rows if r["ended_at"] is None), "version": 9})
    with (
        unit_of_work(target, write=True, actor=Actor("restorer", Role.ADMIN, None)) as ctx,
        pytest.raises(ImportRejected) as caught,
    ):
        backup.restore(ctx, json.dumps(dump).encode(), "backup.json", replace=True)
    assert [p.code for p in caught.value.problems] == ["duplicate-key"]
    assert "the assessment and year must be unique" in caught.value.problems[0].message
    target.dispose()


# -- 3. a formula with no saved value -----------------------------------------------------------


def test_a_target_or_outturn_formula_with_no_saved_value_is_refused(council):
    data = workbook(
        [
            ["Year", "Unmitigated", "Target", "Actual"],
            ["2024-25", 12_500_000, 10_000_000, 11_250_000],
            ["2025-26", 14_200_000, "=C2*0.8", None],
            ["2026-27", 16_000_000, "=C3*0.8", "=B4-100"],
        ]
    )
    with admin(council) as ctx, pytest.raises(ImportRejected) as caught:
        trajectories.import_trajectory(ctx, data, "plan.xlsx")
    assert problems(caught) == [
        ("formula-without-value", 3, "Target"),
        ("formula-without-value", 4, "Target"),
        ("formula-without-value", 4, "Actual"),
    ]
    assert caught.value.problems[0].file == "plan.xlsx [Sheet]"


# -- 4. a figure marked negative twice ----------------------------------------------------------


@pytest.mark.parametrize("value", ["(-200)", "--200", "-£-200", "(-£200)", "£--200", "(−200)"])
def test_a_figure_marked_negative_twice_is_refused_as_unclear(value):
    with pytest.raises(Invalid) as caught:
        parse_money(value, "expected saving", negative=True)
    assert caught.value.code == "not-money"
    assert "marked negative twice" in str(caught.value) and "-£200 or (£200)" in str(caught.value)


@pytest.mark.parametrize(
    ("value", "amount"), [("(200)", "-200.00"), ("(£200)", "-200.00"), ("£-200", "-200.00")]
)
def test_a_figure_marked_negative_once_is_negative(value, amount):
    assert parse_money(value, "expected saving", negative=True) == D(amount)


def test_a_doubled_sign_is_refused_on_the_command_line_and_nothing_is_recorded(council, cli):
    code, _, err = cli("impact", "set", "A1", "--year", "2025-26", "--expected=(-200)")
    assert code != 0 and "marked negative twice" in err
    with admin(council, write=False) as ctx:
        assert impact.saving_history(ctx, "A1") == []


# -- 5. floating noise around a whole penny -----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "scale", "amount"),
    [
        (110.00000000000001, 1, "110.00"),  # =100*1.1 as Excel saves it
        (0.30000000000000004, 1, "0.30"),  # =0.1+0.2
        (4.0000000000000007e-4, 1000, "0.40"),  # £000
        (1177.1840000000002, 1000, "1177184.00"),
        (36787.33, 1, "36787.33"),
    ],
)
def test_a_spreadsheet_number_within_floating_noise_of_a_penny_is_that_penny(value, scale, amount):
    assert parse_money(value, "expected saving", True, scale) == D(amount)


def test_a_real_fraction_of_a_penny_is_still_refused_and_said_in_pounds():
    with pytest.raises(Invalid) as caught:
        parse_money(1234.567, "expected saving", True)
    assert caught.value.code == "not-pence"
    with pytest.raises(Invalid) as caught:
        parse_money(1.234567, "expected saving", True, 1000)
    assert "1.234567 (in thousands of pounds: £1,234.567) has a fraction of a penny" in str(
        caught.value
    )


def test_a_workbook_of_formula_results_imports(council):
    data = workbook(
        [
            ["Activity", "Year", "Expected saving"],
            ["A1", "2024-25", 110.00000000000001],
            ["A2", "2024-25", 0.30000000000000004],
        ]
    )
    with admin(council) as ctx:
        assert impact.import_savings(ctx, data, "s.xlsx").written == 2
        found = impact.impact(ctx)
    assert found.total.expected == D("110.30")


# -- 6. a locked assessment's figures are the lock's everywhere ---------------------------------


def test_a_locked_assessment_shows_the_lock_figures_on_every_front_end(council, cli):
    from api_support import app_for, token
    from fastapi.testclient import TestClient

    with admin(council) as ctx:
        trajectories.import_trajectory(ctx, TRAJECTORY.encode(), "t.csv")
        impact.set_saving(ctx, "A1", "2024-25", expected="£1,000,000", actual="£900,000")
        ratings.lock_assessment(ctx, ASSESSMENT)
    with admin(council) as ctx:  # after the lock: the next quarter's figures
        impact.set_saving(ctx, "A1", "2024-25", expected="£9,000,000")
        impact.set_saving(ctx, "A2", "2025-26", expected="£5")
    paper = report_data(council).impact
    assert paper is not None
    with admin(council, write=False) as ctx:
        shown = impact.impact(ctx)
    assert shown.as_dict() == paper.as_dict()
    assert shown.total.expected == D("1000000.00")
    [flag] = [f for f in shown.flags if f.code == "as-at-lock"]
    assert flag.message.startswith(f"'{ASSESSMENT}' was locked (reported) on ")
    code, out, err = cli("impact", "--json")
    assert code == 0, err
    assert json.loads(out) == paper.as_dict()
    secret = token(council, "Bristol", "adviser", "viewer")
    with TestClient(app_for(council)) as client:
        headers = {"Authorization": f"Bearer {secret}"}
        api = client.get("/api/impact", headers=headers).json()
        assert api["total"] == paper.as_dict()["total"]
        assert api["years"] == paper.as_dict()["years"]
        assert api["flags"] == paper.as_dict()["flags"]
        lock_day = paper.day
        dated = client.get(f"/api/impact?on={lock_day}", headers=headers).json()
        assert dated["total"] == api["total"]  # later that day too: cut at the lock


# -- 8. the page says what its figures mean; the chart reflows ------------------------------------


def test_the_impact_page_explains_its_columns_and_the_chart_fits_a_narrow_screen(site):
    with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        trajectories.import_trajectory(ctx, TRAJECTORY.encode(), "t.csv")
        impact.set_saving(ctx, "B-1", "2024-25", expected="£100")
    shown = site.client("ed").get("/impact")
    assert shown.status_code == 200
    key = by_id(shown, "impact-key")
    assert key is not None
    meaning = {text(row[0]): text(row[1]) for row in key.iter("div") if len(row) == 2}
    assert meaning["Mitigated"].startswith("Unmitigated minus expected savings")
    assert meaning["Planned gap"].startswith("Mitigated minus target. Positive: savings still to")
    assert "Negative: the plan does better than the target" in meaning["Planned gap"]
    assert meaning["Outturn gap"].startswith("Actual outturn minus target")
    # a blank actual means nothing reported, but for the whole plan's row, which is always blank
    assert "A blank means nothing reported yet, not £0" in meaning["Actual savings"]
    assert "on the 'Total, all years' row it is always blank" in meaning["Actual savings"]
    years = by_id(shown, "impact-years")
    whole = [r for r in years.iter("tr") if text(r[0]) == "Total, all years"]
    assert len(whole) == 1 and text(whole[0][-1]) == ""
    assert "brought forward from before that year is left out" in meaning["Cumulative"]
    assert meaning["To date"].startswith(
        "The financial years (April to March) that have started by"
    )
    to_date = text(by_id(shown, "impact-to-date"))
    assert "“To date” means the financial years (April to March) that have started by" in to_date
    assert "leave out any deficit brought forward from before it" in to_date
    figure = by_id(shown, "impact-chart")
    assert figure is not None and "app-chart-figure" in figure.get("class", "")
    svg = next(e for e in figure.iter() if e.tag.endswith("svg"))
    # sized by the page (max-width 100%, height auto, with its viewBox): never wider than it
    assert svg.get("class") == "app-chart" and svg.get("viewBox")
    assert page(shown).find(".//figure[@class='app-chart']") is None


# -- 9, 10. a savings re-import ------------------------------------------------------------------


def test_a_reimport_with_the_same_expected_saving_keeps_its_working(council):
    with admin(council) as ctx:
        impact.set_saving(ctx, "A1", "2024-25", cohort="32", unit="£36,787")
        data = workbook([["Activity", "Year", "Expected (£000)"], ["A1", "2024-25", 1177.184]])
        done = impact.import_savings(ctx, data, "s.xlsx")
        [entry] = impact.saving_history(ctx, "A1")
    assert (done.written, done.unchanged) == (0, 1)
    assert entry.working == "32 x £36,787.00"


def test_a_savings_reimport_says_which_figures_changed(council, cli, tmp_path):
    (tmp_path / "s.csv").write_text(
        'activity,year,expected,actual\nA1,2024-25,"£1,500,000",\nA2,2024-25,"£10",£10\n'
    )
    (tmp_path / "s2.csv").write_text(
        'activity,year,expected,actual\nA1,2024-25,"£1,600,000",\nA2,2025-26,£20,\n'
    )
    assert cli("impact", "import", str(tmp_path / "s.csv"))[0] == 0
    code, out, err = cli("impact", "import", str(tmp_path / "s2.csv"))
    assert code == 0, err
    assert "  A1 2024-25: expected £1,500,000.00 -> £1,600,000.00\n" in out
    assert "  A2 2025-26 new: expected £20.00\n" in out
    assert "for activities and years the file does not list are kept as they were" in out


# -- 11. polish ---------------------------------------------------------------------------------


def test_the_behind_plan_threshold_is_said_as_given(council, cli):
    with admin(council) as ctx:
        impact.set_saving(ctx, "A1", "2024-25", expected="£100", actual="£80")
    code, out, err = cli("impact", "--behind", "10.5")
    assert code == 0, err
    assert "£20.00 short, more than 10.5%" in out


@pytest.mark.parametrize(("value", "written"), [("1,200k", "£1,200k"), ("5k", "£5k")])
def test_a_unit_without_a_pound_sign_says_to_write_one(value, written):
    with pytest.raises(Invalid, match=f"after a pound sign \\(write it like {written}\\)"):
        parse_money(value, "expected saving", True)


def test_every_report_format_says_what_the_impact_columns_mean(council, tmp_path):
    """A finance reader's finding 8, the reports' part: the web page's key to the columns, with
    the day 'to date' is counted to and the deficit brought forward left out, in every format;
    Excel's flags sheet no longer lists the section's note as a flag."""
    from docx import Document
    from openpyxl import load_workbook
    from support import write_reports

    with admin(council) as ctx:
        ctx.clock = clock(JANUARY)
        trajectories.import_trajectory(ctx, TRAJECTORY.encode(), "t.csv")
        impact.set_saving(ctx, "A1", "2024-25", expected="£1,000,000", actual="£900,000")
        impact.set_saving(ctx, "A1", "2039-40", expected="£5")  # outside the trajectory: a flag
    day = date(2026, 3, 20)
    paths = {p.suffix: p for p in write_reports(council, "all", tmp_path, on=day)}
    brought = "Any deficit brought forward from before that year is left out"
    to_date = "started by 20 March 2026"

    md = paths[".md"].read_text("utf-8")
    assert "**What the columns mean**" in md and "- **Planned gap**: Mitigated minus target" in md
    assert brought in md and to_date in md

    html = paths[".html"].read_text("utf-8")
    assert '<dl id="impact-key">' in html and "<dt>Outturn gap</dt>" in html
    assert brought in html and to_date in html
    # the flags under their own heading, as in Word and Excel, not read as more of the key
    assert '<p><strong>Flags</strong></p>\n<ul id="impact-flags">' in html
    assert "**Flags**\n\n- " in md

    doc = Document(str(paths[".docx"]))
    said = [p.text for p in doc.paragraphs]
    assert "What the columns mean" in said
    assert any(t.startswith("Cumulative: ") and brought in t for t in said)

    wb = load_workbook(paths[".xlsx"], read_only=True)
    column = [r[0] for r in wb["Impact flags"].iter_rows(values_only=True)]
    wb.close()
    flags = column[: column.index(None)]  # the flags, up to the blank row after them
    assert flags[0] == "Flags" and "What the columns mean" in column
    from valvecheck.domain.money import ROUNDING_NOTE

    assert ROUNDING_NOTE not in flags and ROUNDING_NOTE in column
    assert any((c or "").startswith("To date: ") and to_date in c for c in column)
