"""The finance lead's review: units, cumulative figures, behind plan on net costs, weights as
they stood, withdrawing a figure, finance-shaped workbooks, and the tables a committee reads."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from docx import Document
from openpyxl import Workbook
from support import admin

from valvecheck.domain.impact import Saving, TrajectoryYear, roll_up
from valvecheck.errors import ImportRejected, InputError
from valvecheck.services import activities, impact, links, ratings, weights
from valvecheck.services import trajectory as trajectories

ACTIVITIES = b"id,title\nA1,Post-16 places\nA2,Inclusion\n"
TRAJECTORY = (
    "year,unmitigated,target,actual\n"
    "2024-25,£20000000,£18000000,£19000000\n"
    "2025-26,£22000000,£17000000,\n"
    "2026-27,£24000000,£15000000,\n"
)


def book(*sheets: tuple[str, list[list[object]]]) -> bytes:
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for title, rows in sheets:
        sheet = wb.create_sheet(title)
        for r in rows:
            sheet.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def council(ws):
    with admin(ws) as ctx:
        activities.import_activities(ctx, ACTIVITIES, "activities.csv")
        links.link(ctx, "A1", "bury-1")
        links.link(ctx, "A2", "bury-2")
    return ws


def figures(ws, **kw):
    with admin(ws, write=False) as ctx:
        return impact.impact(ctx, **kw)


# -- 1 and 12: units ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected", "said"),
    [
        (
            "High needs savings plan - all figures in £000\nactivity,year,expected,actual\n"
            "A1,2025-26,250,200\n",
            ("250000.00", "200000.00"),
            "amounts in £000, read as thousands of pounds",
        ),
        (
            "activity,year,Expected saving (£000),Actual saving (£'000)\nA1,2025-26,250,200\n",
            ("250000.00", "200000.00"),
            "amounts in £000, read as thousands of pounds",
        ),
        (
            "activity,year,Expected (£ thousands),Actual (£k)\nA1,2025-26,1.5,2\n",
            ("1500.00", "2000.00"),
            "amounts in £000, read as thousands of pounds",
        ),
        (
            "Savings (£m)\nactivity,year,expected,actual\nA1,2025-26,1.25,0.5\n",
            ("1250000.00", "500000.00"),
            "amounts in £m, read as millions of pounds",
        ),
        (
            'activity,year,expected,actual\nA1,2025-26,£1.2m,"£5k"\n',
            ("1200000.00", "5000.00"),
            None,
        ),
    ],
)
def test_amounts_in_thousands_or_millions_are_read_as_such_and_said(
    council, content, expected, said
):
    with admin(council) as ctx:
        done = impact.import_savings(ctx, content.encode(), "savings.csv")
        saving = impact.saving_history(ctx, "A1")[-1]
    assert (str(saving.expected), str(saving.actual)) == expected
    assert (said in done.notes) if said else done.notes == ()


def test_a_trajectory_titled_in_thousands_is_read_in_thousands(council, cli, tmp_path):
    data = book(
        (
            "Trajectory",
            [
                ["DSG high needs trajectory (£000)"],
                ["Year", "Unmitigated", "Target"],
                ["2024-25", 18500, 17000],
                ["2025-26", 22300, 20000],
            ],
        )
    )
    path = tmp_path / "traj.xlsx"
    path.write_bytes(data)
    code, out, err = cli("trajectory", "import", str(path), db=None)
    assert code == 0, err
    assert "amounts in £000, read as thousands of pounds" in out
    with admin(council, write=False) as ctx:
        years = trajectories.trajectory(ctx)
    assert [(y.year, y.unmitigated, y.target) for y in years] == [
        ("2024-25", D("18500000.00"), D("17000000.00")),
        ("2025-26", D("22300000.00"), D("20000000.00")),
    ]


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("Plan in £000\nNotes in £m\nyear,unmitigated\n2024-25,1\n", "£000"),
        ("All figures £000\nyear,Unmitigated (£m)\n2024-25,1\n", "Unmitigated (£m)"),
        ('year,unmitigated\n2024-25,"£5k"\n', None),
    ],
)
def test_units_that_disagree_are_refused_naming_the_unit(council, content, named):
    if named is None:  # a figure with its own unit under a column in thousands
        content = "figures in £000\n" + content
        named = "£5k"
    with admin(council) as ctx, pytest.raises(ImportRejected) as caught:
        trajectories.import_trajectory(ctx, content.encode(), "t.csv")
    assert any(named in p.message for p in caught.value.problems), caught.value.problems


# -- 2 and 3: cumulative figures ---------------------------------------------------------------


def test_a_saving_before_the_trajectory_leaves_the_cumulative_figures_and_is_flagged(council):
    with admin(council) as ctx:
        trajectories.import_trajectory(ctx, TRAJECTORY.encode(), "t.csv")
        impact.set_saving(ctx, "A1", "2023-24", expected="£200,000", actual="£150,000")
        impact.set_saving(ctx, "A1", "2024-25", expected="£1,000,000")
    found = figures(council)
    cumulative = {y.year: y.cumulative_mitigated for y in found.years}
    assert cumulative == {
        "2023-24": None,  # outside the trajectory: not summed
        "2024-25": D("19000000.00"),
        "2025-26": D("41000000.00"),
        "2026-27": D("65000000.00"),
    }
    flag = next(f for f in found.flags if f.code == "outside-trajectory")
    assert "2023-24" in flag.message and "2024-25 to 2026-27" in flag.message


def test_a_trajectory_with_a_missing_year_is_refused_naming_file_and_year(council):
    gaps = "year,unmitigated\n2024-25,1\n2025-26,2\n2027-28,4\n"
    with admin(council) as ctx, pytest.raises(ImportRejected) as caught:
        trajectories.import_trajectory(ctx, gaps.encode(), "gaps.csv")
    [problem] = caught.value.problems
    assert (problem.code, problem.file) == ("year-missing", "gaps.csv")
    assert "2026-27" in problem.message
    with admin(council) as ctx:
        trajectories.import_trajectory(ctx, b"year,unmitigated\n2024-25,1\n", "t.csv")
        with pytest.raises(InputError, match="2025-26"):
            trajectories.set_trajectory(ctx, "2026-27", unmitigated="£3")


def test_cumulative_figures_that_would_leave_a_year_out_are_blank_and_flagged():
    found = roll_up(
        assessment="A",
        day=date(2026, 6, 1),
        trajectory=[
            TrajectoryYear("2024-25", D(10), D(8)),
            TrajectoryYear("2025-26", D(10), None),
            TrajectoryYear("2026-27", D(10), D(8)),
        ],
        savings=[],
        links={},
        weights={},
        measures=[],
        titles={},
    )
    assert [(y.cumulative_mitigated, y.cumulative_target) for y in found.years] == [
        (D(10), D(8)),
        (D(20), None),
        (D(30), None),
    ]
    assert [f.code for f in found.flags] == ["cumulative-incomplete"]
    gapped = roll_up(
        assessment="A",
        day=date(2026, 6, 1),
        trajectory=[TrajectoryYear("2024-25", D(10), D(8)), TrajectoryYear("2026-27", D(10), D(8))],
        savings=[Saving("A1", "2025-26", D(1))],
        links={},
        weights={},
        measures=[],
        titles={"A1": ""},
    )
    assert [y.cumulative_mitigated for y in gapped.years] == [D(10), None, None]
    assert "2025-26" in next(f for f in gapped.flags if f.code == "cumulative-incomplete").message


# -- 4: behind plan on a net cost --------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "actual", "behind"),
    [
        ("-150000", "-300000", True),  # cost twice the planned net cost
        ("0", "-50000", True),  # a cost where none was planned
        ("-150000", "-155000", False),  # within 10%
        ("-150000", "-100000", False),  # cost less than planned
        ("100000", "-10000", True),  # a saving planned, a cost made
    ],
)
def test_a_net_cost_line_over_its_plan_is_behind(expected, actual, behind):
    found = roll_up(
        assessment="A",
        day=date(2026, 6, 1),
        trajectory=[],
        savings=[Saving("A2", "2024-25", D(expected), D(actual))],
        links={},
        weights={},
        measures=[],
        titles={"A2": ""},
    )
    flags = [f for f in found.flags if f.code == "behind-plan"]
    assert bool(flags) is behind
    assert found.by_activity[0].behind is behind
    if behind and actual.startswith("-"):
        assert f"net cost of £{-D(actual):,.2f}" in flags[0].message


# -- 5: weights as they stood ------------------------------------------------------------------


def test_a_measure_the_activity_only_enables_may_take_no_share(council):
    with admin(council) as ctx:
        links.link(ctx, "A1", "bury-3")
        impact.set_saving(ctx, "A1", "2025-26", expected="£100")
        weights.set_weights(ctx, "A1", "bury-1=1,bury-3=0")
        with pytest.raises(InputError, match="add up to 0, not 1"):
            weights.set_weights(ctx, "A1", "bury-1=0,bury-3=0")
    shares = {m.measure: m.amounts.expected for m in figures(council).by_measure}
    assert shares == {"bury-1": D("100.00"), "bury-3": D("0.00")}


def test_weights_keep_their_history_and_impact_until_a_moment_uses_those_then(council):
    with admin(council) as ctx:
        links.link(ctx, "A1", "bury-3")
    with admin(council) as ctx:
        ctx.clock = lambda: datetime(2030, 1, 10, 10, tzinfo=UTC)
        impact.set_saving(ctx, "A1", "2025-26", expected="£100")
        weights.set_weights(ctx, "A1", "bury-1=0.75,bury-3=0.25")
    with admin(council) as ctx:
        ctx.clock = lambda: datetime(2030, 2, 10, 10, tzinfo=UTC)
        weights.set_weights(ctx, "A1", "bury-1=0.5,bury-3=0.5")
        impact.set_saving(ctx, "A1", "2025-26", expected="£200")
    with admin(council) as ctx:
        ctx.clock = lambda: datetime(2030, 3, 10, 10, tzinfo=UTC)
        weights.set_weights(ctx, "A1", "equal")

    def shares(**kw):
        return {m.measure: m.amounts.expected for m in figures(council, **kw).by_measure}

    assert shares(until=datetime(2030, 1, 20, tzinfo=UTC)) == {
        "bury-1": D("75.00"),
        "bury-3": D("25.00"),
    }
    assert shares(until=datetime(2030, 2, 20, tzinfo=UTC)) == {
        "bury-1": D("100.00"),
        "bury-3": D("100.00"),
    }
    # the moment itself is left out: what was recorded at it came after
    assert shares(until=datetime(2030, 2, 10, 10, tzinfo=UTC)) == {
        "bury-1": D("75.00"),
        "bury-3": D("25.00"),
    }
    assert shares() == {"bury-1": D("100.00"), "bury-3": D("100.00")}  # equal again
    assert not [
        f
        for f in figures(council, until=datetime(2030, 1, 20, tzinfo=UTC)).flags
        if f.code == "recorded-later"
    ]


# -- 6, 8, 9: finance-shaped files -------------------------------------------------------------


def test_the_first_sheet_with_the_header_is_read_and_the_sheets_looked_at_named(council):
    data = book(
        ("Cover", [["High needs savings tracker"], ["Prepared by finance"]]),
        ("Savings", [["Activity", "Year", "Expected"], ["A1", "2025-26", 100]]),
    )
    with admin(council) as ctx:
        assert impact.import_savings(ctx, data, "sav.xlsx").written == 1
    data = book(("Cover", [["Title"]]), ("Notes", [["Some notes"]]))
    with admin(council) as ctx, pytest.raises(ImportRejected) as caught:
        trajectories.import_trajectory(ctx, data, "traj.xlsx")
    assert "'Cover', 'Notes'" in caught.value.problems[0].message


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        ("savings", "Activity,2024-25,2025-26,2026-27,Total\nA1,1,2,3,6\n"),
        ("trajectory", "Line,2024-25,2025-26\nDo nothing,1,2\nTarget,1,1\n"),
    ],
)
def test_years_across_the_columns_are_recognised_and_the_layout_needed_said(council, kind, content):
    run = impact.import_savings if kind == "savings" else trajectories.import_trajectory
    with admin(council) as ctx, pytest.raises(ImportRejected) as caught:
        run(ctx, content.encode(), "wide.csv")
    [problem] = caught.value.problems
    assert problem.code == "years-across-columns"
    assert "across the columns (2024-25, 2025-26" in problem.message
    assert "one row per" in problem.message


def test_a_units_row_and_a_total_row_are_left_out_and_said(council):
    data = book(
        (
            "Trajectory",
            [
                ["Year", "Unmitigated", "Target"],
                ["", "£", "£"],
                ["24/25", 100, 90],
                ["FY25/26", 110, 95],
                ["26-27", 120, 100],
                ["Total", "=SUM(B3:B5)", "=SUM(C3:C5)"],
            ],
        )
    )
    with admin(council) as ctx:
        done = trajectories.import_trajectory(ctx, data, "t.xlsx")
        years = trajectories.trajectory(ctx)
    assert [y.year for y in years] == ["2024-25", "2025-26", "2026-27"]
    assert done.notes == (
        "the units row under the header (row 2) was left out",
        "the total (row 6) was left out",
    )
    sav = "activity,year,expected\nA1,2025-26,100\nGrand total,,100\n"
    with admin(council) as ctx:
        assert impact.import_savings(ctx, sav.encode(), "s.csv").notes == (
            "the total (row 3) was left out",
        )


def test_a_date_in_the_year_column_is_quoted_as_excel_shows_it(council):
    data = book(("Plan", [["Activity", "Year", "Expected"], ["A1", datetime(2025, 4, 1), 5]]))
    with admin(council) as ctx, pytest.raises(ImportRejected) as caught:
        impact.import_savings(ctx, data, "s.xlsx")
    assert "'01/04/2025' is not a financial year" in caught.value.problems[0].message


# -- 7: withdrawing a figure -------------------------------------------------------------------


def test_a_recorded_figure_can_be_withdrawn_and_the_history_keeps_it(council):
    with admin(council) as ctx:
        impact.set_saving(ctx, "A1", "2024-25", expected="£100", actual="£90")
        impact.set_saving(ctx, "A1", "2024-25", actual="none")
        history = impact.saving_history(ctx, "A1")
        with pytest.raises(InputError, match="no actual saving recorded"):
            impact.set_saving(ctx, "A2", "2024-25", actual="none")
    assert [(s.version, s.expected, s.actual) for s in history] == [
        (1, D("100.00"), D("90.00")),
        (2, D("100.00"), None),
    ]
    found = figures(council)
    assert found.total.actual is None
    with admin(council) as ctx:
        impact.set_saving(ctx, "A1", "2024-25", expected="none")
    assert figures(council).by_activity == []  # nothing recorded any more
    with admin(council) as ctx:
        trajectories.import_trajectory(ctx, TRAJECTORY.encode(), "t.csv")
        trajectories.set_trajectory(ctx, "2024-25", actual="none")
        assert trajectories.trajectory(ctx)[0].actual is None


def test_withdrawing_on_the_command_line(council, cli):
    assert cli("impact", "set", "A1", "--year", "2024-25", "--expected", "£5")[0] == 0
    code, out, err = cli("impact", "set", "A1", "--year", "2024-25", "--expected", "none")
    assert code == 0, err
    # nothing left recorded: it says which figure went (it said "expected none")
    assert out.strip() == "A1 2024-25: expected saving withdrawn (its history keeps it) (entry 2)."


# -- reports 4: the trajectory goes forward ----------------------------------------------------


def test_a_new_assessment_carries_the_trajectory_forward(council):
    with admin(council) as ctx:
        trajectories.import_trajectory(ctx, TRAJECTORY.encode(), "t.csv")
        started = ratings.new_assessment(
            ctx, "Q2", carry_from="Bristol: mitigation validation exercise"
        )
        empty = ratings.new_assessment(ctx, "Blank")
        assert started.trajectory_years == 3 and empty.trajectory_years == 0
        assert [y.year for y in trajectories.trajectory(ctx, "Q2")] == [
            "2024-25",
            "2025-26",
            "2026-27",
        ]
        with pytest.raises(InputError, match="'Blank' has no trajectory recorded: import"):
            trajectories.set_trajectory(ctx, "2026-27", actual="£1", assessment="Blank")


def test_starting_an_assessment_says_its_trajectory_came_too(council, cli):
    with admin(council) as ctx:
        trajectories.import_trajectory(ctx, TRAJECTORY.encode(), "t.csv")
    code, out, err = cli(
        "assessments", "new", "Q2", "--from", "Bristol: mitigation validation exercise"
    )
    assert code == 0, err
    assert "10 ratings carried forward; its trajectory too (3 years)" in out
    code, out, err = cli("assessments", "new", "Blank")
    assert code == 0, err
    assert "(0 ratings carried forward)" in out


def test_no_trajectory_is_said_instead_of_empty_columns(council, cli, tmp_path):
    with admin(council) as ctx:
        impact.set_saving(ctx, "A1", "2024-25", expected="£100")
    code, out, err = cli("impact")
    assert code == 0, err
    assert "No trajectory recorded for this assessment" in out
    assert "Unmitigated" not in out
    assert cli("report", "--format", "md", "--out", str(tmp_path))[0] == 0
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "No trajectory recorded for this assessment" in md and "Cumulative" not in md


# -- 10, 11: the tables ------------------------------------------------------------------------


def test_savings_by_activity_and_year_and_the_authority_beside_each_measure(council, cli):
    with admin(council) as ctx:
        trajectories.import_trajectory(ctx, TRAJECTORY.encode(), "t.csv")
        impact.set_saving(ctx, "A1", "2024-25", expected="£100", actual="£80")
        impact.set_saving(ctx, "A1", "2025-26", expected="£150")
        impact.set_saving(ctx, "A2", "2024-25", expected="£50", actual="£60")
    code, out, err = cli("impact")
    assert code == 0, err
    assert "\nA1\tPost-16 places\t2024-25\t£100.00\t£80.00\t-£20.00\n" in out
    assert "\nA1\tPost-16 places\t2025-26\t£150.00\t\t\n" in out
    assert "\nA2\tInclusion\t2024-25\t£50.00\t£60.00\t£10.00\n" in out
    assert "\nbury-1\tBury\t" in out
    # the outturn against the target for a closed year, beside the planned gap
    assert "\tPlanned gap\tActual outturn\tOutturn gap\t" in out
    assert "\t£19,000,000.00\t£1,000,000.00\t" in out


def test_word_impact_tables_align_money_right_and_keep_captions_with_their_table(council, tmp_path):
    from support import write_reports

    with admin(council) as ctx:
        trajectories.import_trajectory(ctx, TRAJECTORY.encode(), "t.csv")
        impact.set_saving(ctx, "A1", "2024-25", expected="£100", actual="£10")
    [path] = write_reports(council, "docx", tmp_path)
    doc = Document(str(path))
    captions = [p for p in doc.paragraphs if p.text.startswith("Trajectory and savings by year")]
    assert captions and all(c.paragraph_format.keep_with_next for c in captions)
    assert captions[0].paragraph_format.space_before is not None
    assert any(p.text == "Flags" for p in doc.paragraphs)
    years = next(t for t in doc.tables if t.rows[0].cells[0].text == "Year")
    money = years.rows[1].cells[1].paragraphs[0]
    assert money.alignment is not None and int(money.alignment) == 2  # right
    cumulative = next(t for t in doc.tables if t.rows[0].cells[1].text == "Cumulative mitigated")
    assert cumulative.columns[0].width < cumulative.columns[1].width
