"""The QA pass on the impact imports: a column not read is named, never silently dropped; a
trajectory file is refused rather than withdraw figures for want of a column not read; common
saving headings are understood; a green measure costing money is called a net cost."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from support import admin

from valvecheck.domain.impact import MeasureInfo, Saving, roll_up
from valvecheck.errors import ImportRejected, InputError
from valvecheck.services import activities, impact, links, weights
from valvecheck.services import trajectory as trajectories

D = Decimal
HELD = (
    "year,unmitigated,target,actual\n2024-25,9000000,8000000,8500000\n2025-26,10000000,7500000,\n"
)
NOT_READ_HINT = (
    "(a column map names the detail a column holds when its heading is not one Valvecheck knows)"
)


@pytest.fixture
def council(ws):
    """The seed workspace with two activities, A2 linked to two measures."""
    with admin(ws) as ctx:
        activities.import_activities(ctx, b"id,title\nA1,Post-16 places\nA2,Inclusion\n", "a.csv")
        links.link(ctx, "A2", "bury-1")
        links.link(ctx, "A2", "bury-2")
    return ws


@pytest.fixture
def held(council):
    """A trajectory held: targets for both years, an outturn for 2024-25."""
    with admin(council) as ctx:
        trajectories.import_trajectory(ctx, HELD.encode(), "plan.csv")
    return council


def _trajectory(ws) -> list[tuple[str, Decimal, Decimal | None, Decimal | None]]:
    with admin(ws, write=False) as ctx:
        return [(y.year, y.unmitigated, y.target, y.actual) for y in trajectories.trajectory(ctx)]


HELD_FIGURES = [
    ("2024-25", D("9000000.00"), D("8000000.00"), D("8500000.00")),
    ("2025-26", D("10000000.00"), D("7500000.00"), None),
]


# -- 1. a trajectory file with a heading not read ----------------------------------------------


def test_a_misspelt_target_heading_is_refused_and_every_target_kept(held):
    """The QA's ttypo.csv: 'targt' for the target wiped every target and said 'Imported'."""
    data = b"year,unmitigated,targt,actual\n2024-25,9000000,8000000,\n2025-26,10000000,7000000,\n"
    with pytest.raises(ImportRejected) as caught, admin(held) as ctx:
        trajectories.import_trajectory(ctx, data, "ttypo.csv")
    # the outturn held for 2024-25 has no figure in the file either: both are said
    got = [(p.code, p.file, p.line, p.column) for p in caught.value.problems]
    assert got == [
        ("column-not-read", "ttypo.csv", 1, "target"),
        ("column-not-read", "ttypo.csv", 1, "actual"),
    ]
    target = caught.value.problems[0].message
    assert "the file has no target column" in target
    assert "targets for 2024-25 and 2025-26" in target
    assert "a column not read ('targt')" in target
    assert "a column map such as target=targt" in target
    assert "'actual'" in caught.value.problems[1].message  # the empty outturn column, named
    assert _trajectory(held) == HELD_FIGURES


def test_the_cli_refuses_it_naming_file_header_row_and_column(held, cli, tmp_path: Path):
    path = tmp_path / "ttypo.csv"
    path.write_text("year,unmitigated,targt,actual\n2024-25,9000000,8000000,8500000\n")
    code, out, err = cli("trajectory", "import", str(path))
    assert code == 1 and "Imported" not in out
    assert f"{path}, line 1, column target:" in err
    assert "'targt'" in err and "[column-not-read]" in err
    assert _trajectory(held) == HELD_FIGURES


def test_the_column_map_names_the_misspelt_heading(held, cli, tmp_path: Path):
    path = tmp_path / "ttypo.csv"
    path.write_text(
        "year,unmitigated,targt,actual\n2024-25,9000000,8000000,8500000\n"
        "2025-26,10000000,7000000,\n"
    )
    code, out, err = cli("trajectory", "import", str(path), "--column-map", "target=Targt")
    assert code == 0, err
    assert "2025-26 target £7,500,000.00 -> £7,000,000.00" in out
    assert "not read" not in out
    assert _trajectory(held)[1][2] == D("7000000.00")
    code, _, err = cli("trajectory", "import", str(path), "--column-map", "targ=targt")
    assert code == 1 and "--column-map:" in err and "year, unmitigated, target, actual" in err


# (what, the file, whether a trajectory is held first, refused on which columns)
TRAJECTORY_FILES = [
    (
        "a misspelt outturn heading, targets given",
        "year,unmitigated,target,Outturn (provisional)\n2024-25,9000000,8000000,8400000\n"
        "2025-26,10000000,7500000,\n",
        True,
        ["actual"],
    ),
    (
        "an empty target column beside a column not read",
        "year,unmitigated,target,actual,Revised target\n2024-25,9000000,,8500000,7900000\n"
        "2025-26,10000000,,,7400000\n",
        True,
        ["target"],
    ),
    (
        "a column not read, every figure held given",
        "year,unmitigated,target,actual,Commentary\n2024-25,9000000,8000000,8500000,ok\n"
        "2025-26,10000000,7500000,,late\n",
        True,
        [],
    ),
    (
        "a column not read, nothing held to withdraw",
        "year,unmitigated,targt\n2024-25,9000000,8000000\n",
        False,
        [],
    ),
    (
        "every column read: taken at its word, the targets and outturn go",
        "year,unmitigated\n2024-25,9000000\n2025-26,10000000\n",
        True,
        [],
    ),
]


@pytest.mark.parametrize(
    ("what", "content", "first", "refused"), TRAJECTORY_FILES, ids=[t[0] for t in TRAJECTORY_FILES]
)
def test_which_trajectory_files_are_refused(council, what, content, first, refused):
    if first:
        with admin(council) as ctx:
            trajectories.import_trajectory(ctx, HELD.encode(), "plan.csv")
    before = _trajectory(council)
    try:
        with admin(council) as ctx:
            done = trajectories.import_trajectory(ctx, content.encode(), "t.csv")
    except ImportRejected as exc:
        assert [(p.code, p.line, p.column) for p in exc.problems] == [
            ("column-not-read", 1, c) for c in refused
        ]
        assert _trajectory(council) == before
        return
    assert refused == []
    header = content.split("\n", 1)[0].split(",")
    unread = [h for h in header if h in ("targt", "Commentary")]
    said = [n for n in done.notes if "not read" in n]
    assert said == ([f"column not read: '{unread[0]}' {NOT_READ_HINT}"] if unread else [])


def test_the_cli_names_the_columns_not_read_when_the_trajectory_is_imported(
    council, cli, tmp_path: Path
):
    path = tmp_path / "plan.csv"
    path.write_text("year,unmitigated,target,Commentary,RAG\n2024-25,9000000,8000000,ok,G\n")
    code, out, err = cli("trajectory", "import", str(path))
    assert code == 0, err
    assert "columns not read: 'Commentary', 'RAG'" in out


# -- 2. savings: columns not read, common headings, a column map -------------------------------


def test_a_misspelt_expected_heading_is_named_in_the_result(council, cli, tmp_path: Path):
    """The QA's typo.csv: the £800 in 'expcted saving' went without a word."""
    path = tmp_path / "typo.csv"
    path.write_text("activity,year,actual,expcted saving\nA1,2025-26,500,800\n")
    code, out, err = cli("impact", "import", str(path))
    assert code == 0, err
    assert f"column not read: 'expcted saving' {NOT_READ_HINT}" in out
    with admin(council) as ctx:
        done = impact.import_savings(ctx, path.read_bytes(), "typo.csv")
    assert any("'expcted saving'" in n for n in done.notes)


@pytest.mark.parametrize(
    "heading",
    [
        "Forecast saving",
        "Projected saving",
        "Estimated saving",
        "Savings (£)",
        "Budgeted savings",
        "Saving",
        "Planned saving (£)",
    ],
)
def test_common_saving_headings_are_the_expected_saving(council, heading):
    data = f'activity,year,"{heading}",Actual saving\nA1,2025-26,"£1,234",\nA2,2024-25,900,800\n'
    with admin(council) as ctx:
        done = impact.import_savings(ctx, data.encode(), "s.csv")
        a1 = impact.saving_history(ctx, "A1")
        a2 = impact.saving_history(ctx, "A2")
    assert not any("not read" in n for n in done.notes)
    assert (a1[0].expected, a1[0].actual) == (D("1234.00"), None)
    assert (a2[0].expected, a2[0].actual) == (D("900.00"), D("800.00"))


def test_a_row_with_neither_saving_names_the_columns_not_read(council, cli, tmp_path: Path):
    path = tmp_path / "s.csv"
    path.write_text("activity,year,expected,Projekted saving\nA1,2025-26,,1234\n")
    code, _, err = cli("impact", "import", str(path))
    assert code == 1
    assert "line 2, column expected: the row gives neither an expected nor an actual saving" in err
    assert "column not read: 'Projekted saving'" in err
    assert "a column map such as expected=Projekted saving says so" in err
    assert "[missing-value]" in err


def test_a_file_with_no_saving_column_names_the_columns_not_read(council):
    data = b"activity,year,Forecast 2025-26\nA1,2025-26,1000\n"
    with pytest.raises(ImportRejected) as caught, admin(council) as ctx:
        impact.import_savings(ctx, data, "s.csv")
    (problem,) = caught.value.problems
    assert (problem.code, problem.line, problem.column) == ("missing-column", 1, "expected")
    assert "there is no expected, actual or cohort column" in problem.message
    assert "column not read: 'Forecast 2025-26'" in problem.message


def test_the_savings_column_map(council, cli, tmp_path: Path):
    path = tmp_path / "s.csv"
    path.write_text("Scheme No,year,Forecast 2025-26,Expected\nA1,2025-26,1000,5\n")
    code, out, err = cli(
        "impact",
        "import",
        str(path),
        "--column-map",
        "activity=Scheme No,expected=Forecast 2025-26",
    )
    assert code == 0, err
    # the mapped heading wins over the built-in one, which is then said to be a second
    assert "A1 2025-26 new: expected £1,000.00" in out
    assert "'Expected' is a second expected column: 'Forecast 2025-26' is the one read" in out
    code, _, err = cli("impact", "import", str(path), "--column-map", "expected=Forecast 2026-27")
    assert code == 1
    assert "the column map says the expected column is headed 'forecast 2026 27'" in err
    code, _, err = cli("impact", "import", str(path), "--column-map", "money=Forecast")
    assert code == 1 and "--column-map:" in err and "activity, year, expected" in err
    with admin(council) as ctx, pytest.raises(InputError):
        impact.import_savings(ctx, path.read_bytes(), "s.csv", column_map="nonsense")


def test_a_second_column_for_the_same_figure_is_named(council):
    data = b"activity,year,expected,expected\nA2,2025-26,710,920\n"
    with admin(council) as ctx:
        done = impact.import_savings(ctx, data, "dupcol.csv")
    assert "'expected' is a second expected column: 'expected' is the one read" in (done.notes)


def test_the_weights_import_names_its_columns_not_read_without_a_column_map(council):
    data = b"activity,measure,weight,Comment\nA2,bury-1,0.5,x\nA2,bury-2,0.5,\n"
    with admin(council) as ctx:
        done = weights.import_weights(ctx, data, "w.csv")
    assert "column not read: 'Comment'" in done.notes  # the import takes no column map


# -- 3. a green measure whose activities net to a cost ------------------------------------------


def _flags(savings: list[Saving]) -> list[tuple[str, str, str]]:
    found = roll_up(
        assessment="a",
        day=date(2026, 12, 7),
        trajectory=[],
        savings=savings,
        links={"NYK+19": ["m1"]},
        weights={},
        measures=[MeasureInfo("m1", ("T",), "green")],
        titles={"NYK+19": ""},
    )
    return [(f.code, f.subject, f.message) for f in found.flags if f.subject == "m1"]


def test_a_green_measure_with_a_net_cost_is_flagged_as_one():
    """The QA's NYK+19: -£480,000 in 2025-26 and +£120,000 in 2026-27 is a figure recorded."""
    savings = [
        Saving("NYK+19", "2025-26", D("-480000.00"), D("-480000.00")),
        Saving("NYK+19", "2026-27", D("120000.00")),
    ]
    ((code, subject, message),) = _flags(savings)
    assert (code, subject) == ("green-net-cost", "m1")
    assert "a net cost of £360,000.00 rather than a saving" in message
    assert "no expected saving recorded" not in message


def test_a_green_measure_with_nothing_recorded_keeps_its_flag():
    assert [c for c, _, _ in _flags([])] == ["green-without-saving"]
    assert _flags([Saving("NYK+19", "2026-27", D("1.00"))]) == []


def test_a_target_saving_beside_a_forecast_is_not_read_as_the_expected_saving(council):
    """From a review: with both, the target (the first) was read as the expected saving."""
    data = "activity,year,Target saving,Forecast saving\nA1,2025-26,100000,80000\n"
    with admin(council) as ctx:
        done = impact.import_savings(ctx, data.encode(), "s.csv")
        [entry] = impact.saving_history(ctx, "A1")
    assert entry.expected == Decimal("80000")
    assert any("Target saving" in n for n in done.notes)  # named as a column not read
