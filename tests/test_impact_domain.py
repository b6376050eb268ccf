"""The pure impact rules: money, financial years, weights, apportioning, the roll-up. No fixtures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from valvecheck.domain.impact import (
    MeasureInfo,
    Saving,
    TrajectoryYear,
    expected_from,
    roll_up,
)
from valvecheck.domain.money import (
    Invalid,
    apportion,
    check_weights,
    money_text,
    parse_count,
    parse_money,
    parse_weight,
    parse_year,
)

D = Decimal
DAY = date(2026, 6, 1)  # the figures are for this day: 2024-25 and 2025-26 have ended


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-26", "2025-26"),
        ("2025/26", "2025-26"),
        ("2025-2026", "2025-26"),
        (" FY 2025/26 ", "2025-26"),
        ("2010-11", "2010-11"),
        ("2025 – 26", "2025-26"),
    ],
)
def test_financial_years(text, expected):
    assert parse_year(text) == expected


@pytest.mark.parametrize(
    "text", ["2025", "2025-27", "April 2025", "", None, 2025, "2025-25", "25-27", "24-2025"]
)
def test_not_financial_years(text):
    with pytest.raises(Invalid) as caught:
        parse_year(text)
    assert caught.value.code == "not-a-financial-year"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("£1,234.50", "1234.50"),
        ("1234.5", "1234.50"),
        ("£ 36,787", "36787.00"),
        ("-£200", "-200.00"),
        ("£-200", "-200.00"),
        ("(1,200.00)", "-1200.00"),
        (36787.33, "36787.33"),
        (12, "12.00"),
        (D("0.10"), "0.10"),
        (".5", "0.50"),
    ],
)
def test_money_is_read_exactly(value, expected):
    amount = parse_money(value, "saving", negative=True)
    assert amount == D(expected) and isinstance(amount, Decimal)
    assert str(amount) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("lots", "not-money"),
        ("£1,23.00", "not-money"),
        ("12,34", "not-money"),
        ("1m", "not-money"),
        ("£1.2bn", "not-money"),
        ("1.005", "not-pence"),
        (0.001, "not-pence"),
        ("NaN", "not-money"),
        (True, "not-money"),
        ("", "not-money"),
        ("1e3", "not-money"),
        ("£2,000,000,000,000", "not-money"),
    ],
)
def test_not_money(value, code):
    with pytest.raises(Invalid) as caught:
        parse_money(value, "expected saving", negative=True)
    assert caught.value.code == code
    assert "expected saving" in str(caught.value)


def test_negative_money_only_where_it_means_something():
    assert parse_money("-£5", "expected saving", negative=True) == D("-5.00")
    with pytest.raises(Invalid, match="the unit saving cannot be negative") as caught:
        parse_money("-£5", "unit saving", negative=False)
    assert caught.value.code == "negative-not-allowed"


def test_money_text_is_the_one_display():
    assert money_text(D("-10000")) == "-£10,000.00"
    assert money_text(D("1177184")) == "£1,177,184.00"
    assert money_text(None, "none") == "none"


@pytest.mark.parametrize(
    ("value", "code"),
    [("-1", "negative-not-allowed"), ("2.5", "not-a-count"), ("x", "not-a-count")],
)
def test_counts(value, code):
    assert parse_count("1,200", "cohort") == 1200
    with pytest.raises(Invalid) as caught:
        parse_count(value, "cohort")
    assert caught.value.code == code


def test_weights():
    assert parse_weight("50%") == D("0.5")
    assert parse_weight(0.3) == D("0.3")
    assert parse_weight("0") == 0 and parse_weight("0%") == 0  # an enabling measure's share
    for bad, code in (
        ("-0.1", "weight-out-of-range"),
        ("1.5", "weight-out-of-range"),
        ("x", "not-a-weight"),
    ):
        with pytest.raises(Invalid) as caught:
            parse_weight(bad)
        assert caught.value.code == code
    check_weights([D("0.5"), D("0.3"), D("0.2")], "A2")
    with pytest.raises(Invalid, match="add up to 0.99, not 1") as caught:
        check_weights([D("0.33"), D("0.33"), D("0.33")], "A2")
    assert caught.value.code == "weights-not-one"


def test_cohort_times_unit():
    assert expected_from(None, 32, D("36787.00")) == D("1177184.00")
    assert expected_from(D("1177184.00"), 32, D("36787.00")) == D("1177184.00")
    with pytest.raises(Invalid, match="32 x £36,787.00 = £1,177,184.00"):
        expected_from(D("1000000.00"), 32, D("36787.00"))
    with pytest.raises(Invalid) as caught:
        expected_from(None, 32, None)
    assert caught.value.code == "cohort-without-unit"


def test_apportion_hands_out_the_odd_pennies_to_the_largest_remainders():
    # £100 in three equal shares: 33.333... each; one penny left goes to the first
    assert apportion(D("100.00"), [Fraction(1, 3)] * 3) == [D("33.34"), D("33.33"), D("33.33")]
    # £0.05 by 0.5/0.3/0.2: 2.5p, 1.5p, 1p -> 2p, 1p, 1p and one penny left; the first two
    # lost .5p each (a tie): the first gets it
    assert apportion(D("0.05"), [Fraction(1, 2), Fraction(3, 10), Fraction(1, 5)]) == [
        D("0.03"),
        D("0.01"),
        D("0.01"),
    ]
    assert apportion(D("-0.01"), [Fraction(1, 2)] * 2) == [D("-0.01"), D("0.00")]


@given(
    pence=st.integers(min_value=-(10**12), max_value=10**12),
    parts=st.lists(st.integers(min_value=1, max_value=1000), min_size=1, max_size=8),
)
def test_apportioned_shares_always_add_up_and_are_within_a_penny(pence, parts):
    amount = D(pence) / 100
    total = sum(parts)
    weights = [Fraction(p, total) for p in parts]
    shares = apportion(amount, weights)
    assert sum(shares) == amount
    for share, w in zip(shares, weights, strict=True):
        assert abs(Fraction(share) - Fraction(amount) * w) < Fraction(1, 100)


def _info(mid: str, themes: tuple[str, ...], rag: str = "amber") -> MeasureInfo:
    return MeasureInfo(mid, themes, rag)


def test_a_measure_in_two_themes_shares_its_amount_between_them():
    found = roll_up(
        assessment="a",
        day=DAY,
        trajectory=[],
        savings=[Saving("X", "2025-26", D("100.01"))],
        links={"X": ["m1"]},
        weights={},
        measures=[_info("m1", ("Theme A", "Theme B"))],
        titles={"X": "x"},
    )
    assert [(t.theme, t.amounts.expected) for t in found.by_theme] == [
        ("Theme A", D("50.01")),
        ("Theme B", D("50.00")),
    ]


def test_weights_that_no_longer_match_the_links_fall_back_to_equal_shares_with_a_flag():
    found = roll_up(
        assessment="a",
        day=date(2025, 12, 1),  # 2025-26 in progress: no actual due yet
        trajectory=[],
        savings=[Saving("X", "2025-26", D("90.00"))],
        links={"X": ["m1", "m2"]},
        weights={"X": {"m1": D("0.5"), "m3": D("0.5")}},
        measures=[_info("m1", ("T",)), _info("m2", ("T",))],
        titles={"X": "x"},
    )
    assert [m.amounts.expected for m in found.by_measure] == [D("45.00"), D("45.00")]
    assert [f.code for f in found.flags] == ["weights-ignored"]


def test_years_with_missing_figures_stop_the_cumulative_balance():
    found = roll_up(
        assessment="a",
        day=date(2025, 12, 1),  # in 2025-26
        trajectory=[
            TrajectoryYear("2025-26", D("100.00"), D("80.00")),
            TrajectoryYear("2026-27", D("120.00")),  # no target yet
            TrajectoryYear("2027-28", D("130.00"), D("50.00")),
        ],
        savings=[Saving("X", "2025-26", D("10.00"), D("12.00"))],
        links={},
        weights={},
        measures=[],
        titles={"X": "x"},
    )
    y = found.years
    assert (y[0].mitigated, y[0].gap, y[0].cumulative_gap) == (D("90.00"), D("10.00"), D("10.00"))
    assert (y[1].gap, y[1].cumulative_target, y[1].cumulative_mitigated) == (
        None,
        None,
        D("210.00"),
    )
    assert (y[2].gap, y[2].cumulative_gap) == (D("80.00"), None)
    assert found.to_date == "2025-26"
    assert found.unallocated.expected == D("10.00") and found.by_measure == []


def test_behind_plan_uses_the_threshold():
    def flags(actual: str, threshold: str) -> list[str]:
        return [
            f.code
            for f in roll_up(
                assessment="a",
                day=DAY,
                trajectory=[],
                savings=[Saving("X", "2025-26", D("100.00"), D(actual))],
                links={},
                weights={},
                measures=[],
                titles={"X": "x"},
                threshold=D(threshold),
            ).flags
        ]

    assert flags("90.00", "0.10") == []  # exactly 10% short: not more than the threshold
    assert flags("89.99", "0.10") == ["behind-plan"]
    assert flags("89.99", "0.20") == []


def _rolled(savings: list[Saving]) -> object:
    return roll_up(
        assessment="a",
        day=DAY,
        trajectory=[],
        savings=savings,
        links={"SEN-01": ["m1"], "SEN-04": ["m1"]},
        weights={},
        measures=[MeasureInfo("m1")],
        titles={"SEN-01": "", "SEN-04": ""},
    )


def test_no_actual_recorded_is_none_and_is_not_read_as_saving_nothing():
    # 2025-26 has ended (DAY): SEN-01's actual saving for it is due
    found = _rolled(
        [
            Saving("SEN-01", "2025-26", D("250000.00")),
            Saving("SEN-04", "2025-26", None, D("1234.50")),
        ]
    )
    sen01 = next(a for a in found.by_activity if a.activity == "SEN-01")
    assert sen01.amounts.actual is None and sen01.as_dict()["actual"] is None
    assert not sen01.behind
    assert [(f.code, f.subject, f.message) for f in found.flags] == [
        (
            "no-actual-yet",
            "SEN-01",
            "SEN-01 has no actual saving recorded yet for 2025-26, against £250,000.00 expected: "
            "record what it saved once it is known",
        )
    ]
    # the measure both deliver carries SEN-04's actual only; a measure with none has none
    assert found.by_measure[0].amounts.actual == D("1234.50")
    assert _rolled([Saving("SEN-01", "2025-26", D("1.00"))]).total.actual is None


def test_behind_plan_is_judged_on_the_years_with_an_actual_recorded():
    found = _rolled(
        [
            Saving("SEN-01", "2024-25", D("100.00"), D("50.00")),  # half: behind
            Saving("SEN-01", "2025-26", D("900.00")),  # no actual yet: not "saved £0"
            Saving("SEN-04", "2025-26", D("10.00"), D("10.00")),
        ]
    )
    assert [(f.code, f.message) for f in found.flags] == [
        (
            "behind-plan",
            "SEN-01 has saved £50.00 in 2024-25 against £100.00 expected: £50.00 short, more "
            "than 10%",
        ),
        (
            "no-actual-yet",
            "SEN-01 has no actual saving recorded yet for 2025-26, against £900.00 expected: "
            "record what it saved once it is known",
        ),
    ]
