"""Impact input refused with file, row and column, and nothing written; what is accepted, kept
with its history."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from support import admin

from valvecheck.domain.people import Role
from valvecheck.errors import Forbidden, ImportRejected, InputError
from valvecheck.services import activities, impact, links, weights
from valvecheck.services import trajectory as trajectories
from valvecheck.services.context import Actor, Context
from valvecheck.services.workspace import unit_of_work
from valvecheck.store.models import ImpactEntryRow, ImpactWeightRow, TrajectoryRow

ACTIVITIES = "id,title\nA1,Post-16 places\nA2,Inclusion\n"


@pytest.fixture
def council(ws):
    """The seed workspace with two activities, A2 linked to two measures."""
    with admin(ws) as ctx:
        activities.import_activities(ctx, ACTIVITIES.encode(), "activities.csv")
        links.link(ctx, "A2", "bury-1")
        links.link(ctx, "A2", "bury-2")
    return ws


def counts(ws) -> tuple[int, int, int]:
    with ws.session(all_councils=True) as s:
        return tuple(  # type: ignore[return-value]
            s.scalar(select(func.count()).select_from(t))
            for t in (ImpactEntryRow, ImpactWeightRow, TrajectoryRow)
        )


def xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Plan"
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


SAVINGS_HEADER = "activity,year,expected,actual,cohort,unit\n"

# (what, importer, file name, content, [(code, row, column)])
BAD = [
    (
        "text in a money column",
        "savings",
        "s.csv",
        SAVINGS_HEADER + "A1,2025-26,£100,,,\nA2,2025-26,lots,,,\n",
        [("not-money", 3, "expected")],
    ),
    (
        "a year that is not a financial year",
        "savings",
        "s.csv",
        SAVINGS_HEADER + "A1,2025,£100,,,\n",
        [("not-a-financial-year", 2, "year")],
    ),
    (
        "a year whose second half does not follow",
        "savings",
        "s.csv",
        SAVINGS_HEADER + "A1,2025-27,£100,,,\n",
        [("not-a-financial-year", 2, "year")],
    ),
    (
        "the same activity and year twice (case apart)",
        "savings",
        "s.csv",
        SAVINGS_HEADER + "A1,2025-26,£100,,,\na1,2025/26,£200,,,\n",
        [("duplicate-entry", 3, "year")],
    ),
    (
        "an unknown activity",
        "savings",
        "s.csv",
        SAVINGS_HEADER + "A1,2025-26,£100,,,\nZ9,2025-26,£100,,,\n",
        [("unknown-activity", 3, "activity")],
    ),
    (
        "a fraction of a penny",
        "savings",
        "s.csv",
        SAVINGS_HEADER + "A1,2025-26,100.005,,,\n",
        [("not-pence", 2, "expected")],
    ),
    (
        "a negative cohort",
        "savings",
        "s.csv",
        SAVINGS_HEADER + "A1,2025-26,,,-3,£10\n",
        [("negative-not-allowed", 2, "cohort")],
    ),
    (
        "a negative unit saving",
        "savings",
        "s.csv",
        SAVINGS_HEADER + "A1,2025-26,,,3,-£10\n",
        [("negative-not-allowed", 2, "unit")],
    ),
    (
        "an expected saving that is not cohort x unit",
        "savings",
        "s.csv",
        SAVINGS_HEADER + "A1,2025-26,£31,,3,£10\n",
        [("expected-not-cohort-times-unit", 2, "expected")],
    ),
    (
        "every problem in the file, not just the first",
        "savings",
        "s.csv",
        SAVINGS_HEADER + "A1,2025-26,x,,,\nA2,2026,£1,,,\nA2,2026-27,£1,y,,\n",
        [
            ("not-money", 2, "expected"),
            ("not-a-financial-year", 3, "year"),
            ("not-money", 4, "actual"),
        ],
    ),
    (
        "text in a money column of a workbook",
        "savings",
        "s.xlsx",
        [["activity", "year", "expected"], ["A1", "2025-26", 1000], ["A2", "2025-26", "about 5k"]],
        [("not-money", 3, "expected")],
    ),
    (
        "a date where a workbook wants a financial year",
        "savings",
        "s.xlsx",
        [["activity", "year", "expected"], ["A1", 2025, 1000]],
        [("not-a-financial-year", 2, "year")],
    ),
    (
        "weights not summing to 1",
        "weights",
        "w.csv",
        "activity,measure,weight\nA2,bury-1,0.5\nA2,bury-2,0.4\n",
        [("weights-not-one", 3, "weight")],
    ),
    (
        "weights for an unknown activity",
        "weights",
        "w.csv",
        "activity,measure,weight\nZ9,bury-1,1\n",
        [("unknown-activity", 2, "activity")],
    ),
    (
        "a weight for a measure the activity is not linked to",
        "weights",
        "w.csv",
        "activity,measure,weight\nA2,bury-1,0.5\nA2,bury-3,0.5\n",
        [("not-linked", 3, "measure")],
    ),
    (
        "text in a money column of the trajectory",
        "trajectory",
        "t.csv",
        "year,unmitigated,target,actual\n2025-26,about £1 million,,\n",
        [("not-money", 2, "unmitigated")],
    ),
    (
        "a trajectory year that is not a financial year",
        "trajectory",
        "t.csv",
        "year,unmitigated,target,actual\n2025-26,£1,,\nMarch 2027,£1,,\n",
        [("not-a-financial-year", 3, "year")],
    ),
    (
        "a trajectory year twice",
        "trajectory",
        "t.csv",
        "year,unmitigated,target,actual\n2025-26,£1,,\n2025/26,£2,,\n",
        [("duplicate-entry", 3, "year")],
    ),
]


def _run(ws, importer: str, name: str, data: bytes) -> None:
    with admin(ws) as ctx:
        if importer == "savings":
            impact.import_savings(ctx, data, name)
        elif importer == "weights":
            weights.import_weights(ctx, data, name)
        else:
            trajectories.import_trajectory(ctx, data, name)


@pytest.mark.parametrize(
    ("what", "importer", "name", "content", "expected"), BAD, ids=[b[0] for b in BAD]
)
def test_bad_input_is_refused_with_file_row_and_column_and_nothing_written(
    council, what, importer, name, content, expected
):
    before = counts(council)
    data = xlsx(content) if name.endswith(".xlsx") else content.encode()
    with pytest.raises(ImportRejected) as caught:
        _run(council, importer, name, data)
    got = [(p.code, p.line, p.column) for p in caught.value.problems]
    assert got == expected
    for p in caught.value.problems:
        assert p.file.startswith(name)
        assert p.message and "--" not in p.message and "valvecheck" not in p.message
    assert counts(council) == before


def test_a_good_row_beside_a_bad_one_is_not_written(council):
    data = (SAVINGS_HEADER + "A1,2025-26,£100,,,\nA2,2025-26,oops,,,\n").encode()
    with pytest.raises(ImportRejected):
        _run(council, "savings", "s.csv", data)
    assert counts(council) == (0, 0, 0)


def test_cli_lists_every_problem_and_exits_non_zero(council, cli, tmp_path):
    path = tmp_path / "savings.csv"
    path.write_text(SAVINGS_HEADER + "A1,2025,£100,,,\nA1,2025-26,ten,,,\n", encoding="utf-8")
    code, out, err = cli("impact", "import", str(path))
    assert code == 1
    assert "line 2, column year" in err and "[not-a-financial-year]" in err
    assert "line 3, column expected" in err and "[not-money]" in err


def test_savings_accepted_with_pound_signs_separators_and_a_title_above(council):
    data = (
        "Savings tracker, March\n\nActivity,Financial year,Expected saving (£),Actual,Cohort,"
        'Unit\nA1,2025/26,,"£1,100,000",32,"£36,787"\nA2,FY 2024-2025,"(20,000)",,,\n'
    ).encode()
    with admin(council) as ctx:
        done = impact.import_savings(ctx, data, "s.csv")
        a1 = impact.saving_history(ctx, "a1")
        a2 = impact.saving_history(ctx, "A2")
    assert (done.rows, done.written) == (2, 2)
    assert (a1[0].year, a1[0].expected, a1[0].cohort, a1[0].unit, a1[0].actual) == (
        "2025-26",
        Decimal("1177184.00"),
        32,
        Decimal("36787.00"),
        Decimal("1100000.00"),
    )
    assert a1[0].working == "32 x £36,787.00"
    # a negative saving is a net cost in that year: meaningful, so accepted
    assert (a2[0].year, a2[0].expected) == ("2024-25", Decimal("-20000.00"))


def test_an_xlsx_number_cell_is_read_exactly(council):
    data = xlsx([["activity", "year", "expected"], ["A1", "2025-26", 36787.33]])
    with admin(council) as ctx:
        impact.import_savings(ctx, data, "s.xlsx")
        (entry,) = impact.saving_history(ctx, "A1")
    assert entry.expected == Decimal("36787.33")


def test_each_change_is_a_new_entry_with_who_and_when_and_the_rest_carried(council):
    with admin(council, by="Ann") as ctx:
        impact.set_saving(ctx, "A1", "2025-26", cohort=32, unit="£36,787")
    with admin(council, by="Bo") as ctx:
        done = impact.set_saving(ctx, "A1", "2025-26", actual="£1,100,000")
        again = impact.set_saving(ctx, "A1", "2025-26", actual="1100000.00")
    assert done.changed and not again.changed
    with admin(council, write=False) as ctx:
        history = impact.saving_history(ctx, "A1")
    assert [(e.version, e.by, e.expected, e.actual, e.cohort) for e in history] == [
        (1, "Ann", Decimal("1177184.00"), None, 32),
        (2, "Bo", Decimal("1177184.00"), Decimal("1100000.00"), 32),
    ]
    assert all(e.at is not None for e in history)


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"expected": "twelve"}, "expected", "not an amount in pounds"),
        ({"expected": "£10", "cohort": 2, "unit": "£6"}, "expected", "cohort times the unit"),
        ({"cohort": 2}, "cohort", "go together"),
        ({"unit": "-£5", "cohort": 2}, "unit", "cannot be negative"),
        ({"expected": "£10", "counts": {"ehcps": "-1"}}, "counts", "cannot be negative"),
    ],
)
def test_set_refuses_bad_values_with_the_field(council, kwargs, field, words):
    with pytest.raises(InputError) as caught, admin(council) as ctx:
        impact.set_saving(ctx, "A1", "2025-26", **kwargs)
    assert words in str(caught.value)
    assert caught.value.field == field
    assert counts(council) == (0, 0, 0)


def test_a_year_that_is_not_a_financial_year_is_refused_by_set(council):
    with pytest.raises(InputError, match="not a financial year"), admin(council) as ctx:
        impact.set_saving(ctx, "A1", "2025", expected="£1")


def test_weights_set_checked_against_links_and_sum(council):
    with admin(council) as ctx:
        with pytest.raises(InputError, match="add up to 0.9"):
            weights.set_weights(ctx, "A2", "bury-1=0.5,bury-2=0.4")
        with pytest.raises(InputError, match="leave out bury-2"):
            weights.set_weights(ctx, "A2", "bury-1=1")
        done = weights.set_weights(ctx, "A2", "bury-1=75%,bury-2=0.25")
        assert done.weights == (("bury-1", Decimal("0.75")), ("bury-2", Decimal("0.25")))
        impact.set_saving(ctx, "A2", "2025-26", expected="£100.01")
        found = impact.impact(ctx)
    assert [(m.measure, m.amounts.expected) for m in found.by_measure] == [
        ("bury-1", Decimal("75.01")),  # 100.01 x 0.75 = 75.0075 -> 75.00 + the odd penny
        ("bury-2", Decimal("25.00")),  # 100.01 x 0.25 = 25.0025 -> 25.00
    ]


def test_trajectory_set_and_a_locked_assessment(council):
    from valvecheck.errors import Conflict
    from valvecheck.services import ratings

    with admin(council) as ctx:
        trajectories.set_trajectory(ctx, "2025-26", unmitigated="£1,000", target="-£50")
        done = trajectories.set_trajectory(ctx, "2025/26", actual="£900")
    assert (done.year.unmitigated, done.year.target, done.year.actual) == (
        Decimal("1000.00"),
        Decimal("-50.00"),  # a surplus target: negative means something here
        Decimal("900.00"),
    )
    with admin(council) as ctx:
        ratings.lock_assessment(ctx)
    with pytest.raises(Conflict, match="locked"), admin(council) as ctx:
        trajectories.set_trajectory(ctx, "2026-27", unmitigated="£1")


def test_a_viewer_may_read_but_not_record(council):
    with council.session(all_councils=True) as s:
        from valvecheck.store.models import CouncilRow

        cid = s.scalar(select(CouncilRow.id))
        viewer = Actor("Vi", Role.VIEWER, cid)
        ctx = Context(s, viewer)
        impact.impact(ctx)
        with pytest.raises(Forbidden, match="may not record savings"):
            impact.set_saving(ctx, "A1", "2025-26", expected="£1")


def test_another_councils_impact_never_shows(council):
    from valvecheck.services import people

    with admin(council) as ctx:
        impact.set_saving(ctx, "A1", "2025-26", expected="£1,000")
        trajectories.set_trajectory(ctx, "2025-26", unmitigated="£5,000")
        people.add_council(ctx, "Elsewhere")
    with unit_of_work(council, council="Bristol") as ctx:
        own = impact.impact(ctx)
    assert own.total.expected == Decimal("1000.00") and len(own.years) == 1
    with council.session(all_councils=True) as s:
        from valvecheck.store.models import CouncilRow

        other = s.scalar(select(CouncilRow.id).where(CouncilRow.name == "Elsewhere"))
        ctx = Context(s, Actor("Ed", Role.EDITOR, other, "Elsewhere"))
        found = impact.impact(ctx)
        assert found.empty and found.total.expected == 0
        with pytest.raises(Exception, match="no activity 'A1'"):
            impact.saving_history(ctx, "A1")


def test_the_cli_commands(council, cli, tmp_path: Path):
    code, out, err = cli(
        "impact", "set", "A1", "--year", "2025-26", "--cohort", "32", "--unit", "£36,787"
    )
    assert code == 0, err
    assert "A1 2025-26: expected £1,177,184.00 (32 x £36,787.00) (entry 1)." in out
    code, out, err = cli("impact", "set", "A1", "--year", "2024-25", "--expected", "-£5,000")
    assert code == 0, err and "expected -£5,000.00" in out
    code, out, err = cli("impact", "set", "A1", "--year", "2025-26", "--expected", "ten")
    assert code == 1 and "--expected:" in err
    code, out, err = cli("impact", "weights", "A2", "bury-1=0.5,bury-2=0.5")
    assert code == 0 and "bury-1 0.5, bury-2 0.5" in out
    code, out, err = cli("trajectory", "set", "--year", "2025-26", "--unmitigated", "£2,000,000")
    assert code == 0, err
    code, out, err = cli("trajectory", "--json")
    assert '"unmitigated": "2000000.00"' in out
    code, out, err = cli("impact", "history", "A1")
    assert code == 0 and "32 x £36,787.00" in out


@pytest.mark.postgres
def test_row_level_security_keeps_each_councils_impact_to_itself(pg_url):
    """With both councils' savings, weights and trajectories stored, a query with no council
    filter at all, run as Leeds, returns only Leeds' rows (PostgreSQL row-level security)."""
    from api_support import two_councils
    from sqlalchemy import text

    ws = two_councils(pg_url)
    try:
        with unit_of_work(ws, write=True, council="Bristol", by="b") as ctx:
            activities.import_activities(ctx, b"id,title\nB-1,Bristol hubs\n", "b.csv")
            links.link(ctx, "B-1", "bury-1")
            impact.set_saving(ctx, "B-1", "2025-26", expected="£1,000")
            weights.set_weights(ctx, "B-1", "bury-1=1")
            trajectories.set_trajectory(ctx, "2025-26", unmitigated="£9,000")
        with unit_of_work(ws, write=True, council="Leeds", by="l") as ctx:
            impact.set_saving(ctx, "L-1", "2025-26", expected="£2,000")
            weights.set_weights(ctx, "L-1", "bury-2=1")
            trajectories.set_trajectory(ctx, "2025-26", unmitigated="£8,000")
        with ws.engine.connect() as conn:
            ids = {n: i for n, i in conn.execute(text("SELECT name, id FROM council"))}
        tables = ("impact_entry", "impact_weight", "trajectory")
        with ws.session(write=False, all_councils=True) as s:  # maintenance: every council
            for table in tables:
                seen = set(s.scalars(text(f"SELECT council_id FROM {table}")))
                assert seen == {ids["Bristol"], ids["Leeds"]}, table
        with unit_of_work(ws, as_person="lee") as ctx:
            for table in tables:
                # deliberately no council filter
                seen = set(ctx.session.scalars(text(f"SELECT council_id FROM {table}")))
                assert seen == {ids["Leeds"]}, table
            assert impact.impact(ctx).total.expected == Decimal("2000.00")
    finally:
        ws.dispose()


def test_a_heading_glossed_by_another_name_of_its_column_is_read_but_a_unit_is_not():
    from valvecheck.importers.trajectory import read_trajectory

    glossed = read_trajectory(
        b'Year,Unmitigated (do nothing),Target\n2025-26,"1,000,000",500000\n', "t.csv"
    )
    assert not glossed.problems and glossed.rows[0].unmitigated == 1_000_000
    in_millions = read_trajectory(
        b"Year,Unmitigated (do nothing),Target (m)\n2025-26,1,0.5\n", "t.csv"
    )
    assert not in_millions.problems
    assert in_millions.rows[0].target is None  # "(m)" is a unit: never read as pounds
