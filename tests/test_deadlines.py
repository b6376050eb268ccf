"""Deadlines read from measure text: every phrase in the seed, unreadable phrasing, and the CLI."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from valvecheck.analysis.deadlines import (
    Deadline,
    due_date,
    is_overdue,
    read_deadlines,
    year_bounds,
)
from valvecheck.catalogue.loader import load_catalogue

D = date.fromisoformat
FIN, ACA = "financial", "academic"


def dl(kind, start, end, phrase, basis=None, stated=False) -> Deadline:
    return Deadline(
        kind, D(start) if start else None, D(end) if end else None, phrase, basis, stated
    )


# Every one of the seed's 27 measures, read by hand, with the default (financial) year basis.
SEED = {
    "bury-1": [
        dl("due-by", None, "2022-03-31", "by March 2022"),
        dl("during", "2021-04-01", "2022-03-31", "throughout 2021-22", FIN),
    ],
    "bury-2": [],
    "bury-3": [dl("due-by", None, "2022-03-31", "by March 2022")],
    "bury-4": [],  # "throughout the authority" is a place, not a time
    "bury-5": [dl("due-by", None, "2021-12-31", "by December 2021")],
    "hammersmith-fulham-1": [dl("due-by", None, "2021-09-30", "by September 2021")],
    "hammersmith-fulham-2": [],
    "hammersmith-fulham-3": [dl("starts", "2021-04-01", None, "from 2021-22", FIN)],
    "hammersmith-fulham-4": [],
    "hammersmith-fulham-5": [dl("starts", "2021-04-01", None, "from 2021-22", FIN)],
    "hammersmith-fulham-6": [],
    "kingston-richmond-1": [],
    "kingston-richmond-2": [],
    "kingston-richmond-3": [dl("during", "2021-04-01", "2022-03-31", "during 2021-22", FIN)],
    "kingston-richmond-4": [],
    "kingston-richmond-5": [],
    "kingston-richmond-6": [],
    "kingston-richmond-7": [],  # "post-16" is not a year
    "kingston-richmond-8": [],  # "in each financial year covered by this agreement": no year given
    "stoke-on-trent-1": [
        dl(
            "ongoing",
            "2021-04-01",
            None,
            "beginning in 2021-22 and continuing throughout the period of the agreement",
            FIN,
        )
    ],
    "stoke-on-trent-2": [
        dl("due-by", None, "2023-03-31", "no later than the end of 2022-23", FIN),
    ],
    "stoke-on-trent-3": [dl("due-by", None, "2021-09-30", "by September 2021")],
    "stoke-on-trent-4": [dl("starts", "2021-09-01", None, "from September 2021")],
    "stoke-on-trent-5": [dl("during", "2021-01-01", "2021-12-31", "in 2021")],
    "stoke-on-trent-6": [],
    "stoke-on-trent-7": [
        dl("ongoing", "2021-01-01", None, "from 2021 onwards"),
        dl("during", "2021-09-01", "2022-08-31", "during the 2021/22 academic year", ACA, True),
    ],
    "stoke-on-trent-8": [],
}

# The same phrases where the academic-year basis changes the dates (the text's own words still win).
SEED_ACADEMIC = {
    "bury-1": [
        dl("due-by", None, "2022-03-31", "by March 2022"),
        dl("during", "2021-09-01", "2022-08-31", "throughout 2021-22", ACA),
    ],
    "hammersmith-fulham-3": [dl("starts", "2021-09-01", None, "from 2021-22", ACA)],
    "hammersmith-fulham-5": [dl("starts", "2021-09-01", None, "from 2021-22", ACA)],
    "kingston-richmond-3": [dl("during", "2021-09-01", "2022-08-31", "during 2021-22", ACA)],
    "stoke-on-trent-1": [
        dl(
            "ongoing",
            "2021-09-01",
            None,
            "beginning in 2021-22 and continuing throughout the period of the agreement",
            ACA,
        )
    ],
    "stoke-on-trent-2": [
        dl("due-by", None, "2023-08-31", "no later than the end of 2022-23", ACA),
    ],
    "stoke-on-trent-7": SEED["stoke-on-trent-7"],
}

DUE = {
    "bury-1": ("2022-03-31", "2022-08-31"),  # the latest end: "throughout 2021-22" under academic
    "bury-3": ("2022-03-31", "2022-03-31"),
    "bury-5": ("2021-12-31", "2021-12-31"),
    "hammersmith-fulham-1": ("2021-09-30", "2021-09-30"),
    "kingston-richmond-3": ("2022-03-31", "2022-08-31"),
    "stoke-on-trent-2": ("2023-03-31", "2023-08-31"),
    "stoke-on-trent-3": ("2021-09-30", "2021-09-30"),
    "stoke-on-trent-5": ("2021-12-31", "2021-12-31"),
    "stoke-on-trent-7": ("2022-08-31", "2022-08-31"),
}

TEXT = {m.id: m.text for m in load_catalogue().measures}


def test_the_table_covers_every_seed_measure():
    assert set(SEED) == set(TEXT) and len(TEXT) == 27


@pytest.mark.parametrize("measure_id", list(SEED))
def test_every_seed_deadline_phrase(measure_id):
    assert read_deadlines(TEXT[measure_id], FIN) == SEED[measure_id]


@pytest.mark.parametrize("measure_id", list(SEED))
def test_every_seed_deadline_phrase_on_the_academic_basis(measure_id):
    expected = SEED_ACADEMIC.get(measure_id, SEED[measure_id])
    assert read_deadlines(TEXT[measure_id], ACA) == expected


@pytest.mark.parametrize("measure_id", list(SEED))
def test_due_date_is_the_latest_end(measure_id):
    financial, academic = DUE.get(measure_id, (None, None))
    for basis, expected in ((FIN, financial), (ACA, academic)):
        due = due_date(read_deadlines(TEXT[measure_id], basis))
        assert due == (D(expected) if expected else None), basis


@pytest.mark.parametrize(
    "text",
    [
        "Contribute to the reduction of the cumulative deficit in each financial year covered by this agreement.",
        "Complete the review by Spring 2022.",
        "Publish the plan by March.",
        "Deliver savings by the end of the agreement.",
        "Savings across 2021-23.",  # not one year
        "by 30 February 2022",  # no such day
        "by financial year 2021-22 academic year",  # says both
        "within 12 months",
        "in 2021 schools",  # a count, not a year
        "£2021 of savings by then",
        "Reform the post-16 offer and Key Stage 2 assessment.",
        "in the 2022 academic year",  # which academic year? a guess either way
        # ranges: the second end is not understood, so the start alone would be a wrong reading
        "from April to March 2024",  # which April? no first year
        "from April 2022 to March",  # which March?
        "between April 2022 and March",
        "from 2021-22 to 2024-26",
        "from April 2022 to March 2024-25",
        "from March 2024 to April 2022",  # backwards
        "from 2022 to March 2022",  # ends inside its own start
        "from AY 2021/22 to FY 2023/24",  # says both
        "from 2021-22 to 2023",  # a calendar year, or 2022-23 written short?
        "in 2021-22 and 2023-24",  # two periods, not one
        "over 2022-23",
        "",
    ],
)
def test_unreadable_phrasing_leaves_the_deadline_empty(text):
    assert read_deadlines(text) == []
    assert due_date(read_deadlines(text)) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("by 31 March 2022", dl("due-by", None, "2022-03-31", "by 31 March 2022")),
        ("by the end of March 2022", dl("due-by", None, "2022-03-31", "by the end of March 2022")),
        ("by February 2024", dl("due-by", None, "2024-02-29", "by February 2024")),
        ("by 2023", dl("due-by", None, "2023-12-31", "by 2023")),
        ("no later than Sept. 2021", dl("due-by", None, "2021-09-30", "no later than Sept. 2021")),
        ("from 2021-2022", dl("starts", "2021-04-01", None, "from 2021-2022", FIN)),
        ("in 2021/22", dl("during", "2021-04-01", "2022-03-31", "in 2021/22", FIN)),
        (
            "during academic year 2021/22",
            dl("during", "2021-09-01", "2022-08-31", "during academic year 2021/22", ACA, True),
        ),
        (
            "by the end of the 2022-23 financial year",
            dl(
                "due-by",
                None,
                "2023-03-31",
                "by the end of the 2022-23 financial year",
                FIN,
                True,
            ),
        ),
        ("by AY 2022/23", dl("due-by", None, "2023-08-31", "by AY 2022/23", ACA, True)),
        ("commencing in April 2022", dl("starts", "2022-04-01", None, "commencing in April 2022")),
    ],
)
def test_other_readable_phrasing(text, expected):
    assert read_deadlines(text, FIN) == [expected]


# A period written as a range is read as during, from the start of the first time to the end of the
# second, on the year basis the text states anywhere in the phrase, else the setting's.
@pytest.mark.parametrize(
    ("text", "basis", "start", "end", "phrase", "year_basis", "stated"),
    [
        ("from April 2022 to March 2024", FIN, "2022-04-01", "2024-03-31", None, None, False),
        ("from April 2022 to March 2024", ACA, "2022-04-01", "2024-03-31", None, None, False),
        (
            "between September 2021 and July 2022",
            FIN,
            "2021-09-01",
            "2022-07-31",
            None,
            None,
            False,
        ),
        ("from 2021-22 to 2023-24", FIN, "2021-04-01", "2024-03-31", None, FIN, False),
        ("from 2021-22 to 2023-24", ACA, "2021-09-01", "2024-08-31", None, ACA, False),
        ("April 2022 - March 2024", FIN, "2022-04-01", "2024-03-31", None, None, False),
        ("April 2022–March 2024", FIN, "2022-04-01", "2024-03-31", None, None, False),
        ("over 2022-23 and 2023-24", FIN, "2022-04-01", "2024-03-31", None, FIN, False),
        ("over 2022-23 and 2023-24", ACA, "2022-09-01", "2024-08-31", None, ACA, False),
        ("across 2021 and 2022", FIN, "2021-01-01", "2022-12-31", None, None, False),
        ("from 2021 to 2023", ACA, "2021-01-01", "2023-12-31", None, None, False),
        ("from 1 April 2022 to 31 March 2024", FIN, "2022-04-01", "2024-03-31", None, None, False),
        ("from April 2022 to 2023-24", ACA, "2022-04-01", "2024-08-31", None, ACA, False),
        (
            "from academic year 2021/22 to 2023/24",
            FIN,
            "2021-09-01",
            "2024-08-31",
            None,
            ACA,
            True,
        ),
        (
            "between 2021-22 and 2022-23 financial year",
            ACA,
            "2021-04-01",
            "2023-03-31",
            None,
            FIN,
            True,
        ),
        (
            "Run it with effect from April 2022 until the end of March 2024.",
            FIN,
            "2022-04-01",
            "2024-03-31",
            "from April 2022 until the end of March 2024",
            None,
            False,
        ),
    ],
)
def test_a_range_is_read_as_during_and_due_at_its_end(
    text, basis, start, end, phrase, year_basis, stated
):
    expected = dl("during", start, end, phrase or text, year_basis, stated)
    assert read_deadlines(text, basis) == [expected]
    assert due_date(read_deadlines(text, basis)) == D(end)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a split year written with a dash is still one year, not a range of two calendar years
        ("from 2021 - 2022", dl("starts", "2021-04-01", None, "from 2021 - 2022", FIN)),
        # "to" and something that is not a time: the start alone, as before
        (
            "from April 2022 to the end of the agreement",
            dl("starts", "2022-04-01", None, "from April 2022"),
        ),
        (
            "extend the offer from April 2022 to 2 more schools",
            dl("starts", "2022-04-01", None, "from April 2022"),
        ),
    ],
)
def test_near_ranges_keep_their_single_reading(text, expected):
    assert read_deadlines(text, FIN) == [expected]


def test_an_explicit_year_basis_beats_the_setting():
    [d] = read_deadlines("during the 2021/22 academic year", FIN)
    assert (d.start, d.end, d.basis, d.basis_stated) == (
        D("2021-09-01"),
        D("2022-08-31"),
        ACA,
        True,
    )
    assert "as the text says" in d.assumption
    [d] = read_deadlines("from 2021-22", ACA)
    assert d.assumption == "academic year, 1 September - 31 August (assumed)"


def test_year_bounds_and_bad_basis():
    assert year_bounds(2021, "financial") == (D("2021-04-01"), D("2022-03-31"))
    assert year_bounds(2021, "academic") == (D("2021-09-01"), D("2022-08-31"))
    with pytest.raises(ValueError):
        read_deadlines("by March 2022", "calendar")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("due", "green", "today", "expected"),
    [
        ("2022-03-31", False, "2022-04-01", True),
        ("2022-03-31", False, "2022-03-31", False),  # due today is not yet overdue
        ("2022-03-31", True, "2030-01-01", False),
        (None, False, "2030-01-01", False),
    ],
)
def test_is_overdue(due, green, today, expected):
    assert is_overdue(D(due) if due else None, green, D(today)) is expected


# Through the CLI, on the seed workspace.


def ids_of(out: str) -> list[str]:
    lines = out.splitlines()
    header = lines.index(next(x for x in lines if x.startswith("ID\t")))
    return [x.split("\t")[0] for x in lines[header + 1 :]]


def rows_of(out: str) -> dict[str, dict[str, str]]:
    lines = [x for x in out.splitlines() if not x.startswith("#")]
    return {r["ID"]: r for r in csv.DictReader(io.StringIO("\n".join(lines)), delimiter="\t")}


@pytest.fixture
def seeded(cli):
    assert cli("init")[0] == 0
    return cli


def test_measures_due_before(seeded):
    code, out, err = seeded("measures", "--due-before", "2021-10-01")
    assert code == 0, err
    assert ids_of(out) == ["hammersmith-fulham-1", "stoke-on-trent-3"]
    code, out, _ = seeded("measures", "--due-before", "2022-04-01")
    assert ids_of(out) == [
        "bury-1",
        "bury-3",
        "bury-5",
        "hammersmith-fulham-1",
        "kingston-richmond-3",
        "stoke-on-trent-3",
        "stoke-on-trent-5",
    ]


def test_year_basis_setting_changes_due_dates(seeded, monkeypatch):
    monkeypatch.setenv("VALVECHECK_YEAR_BASIS", "academic")
    code, out, err = seeded("measures", "--due-before", "2022-04-01")
    assert code == 0, err
    assert "bury-1" not in ids_of(out) and "kingston-richmond-3" not in ids_of(out)
    assert "bury-3" in ids_of(out)
    monkeypatch.setenv("VALVECHECK_YEAR_BASIS", "lunar")
    code, _, err = seeded("measures", "--due-before", "2022-04-01")
    assert code == 1 and "VALVECHECK_YEAR_BASIS" in err


def test_due_and_overdue_columns(seeded):
    assert seeded("rate", "hammersmith-fulham-1", "green", "--rationale", "SLCN offer live")[0] == 0
    code, out, err = seeded("measures", "--today", "2022-01-01")
    assert code == 0, err
    rows = rows_of(out)
    assert len(rows) == 27
    assert rows["bury-5"]["Due"] == "2021-12-31" and rows["bury-5"]["Overdue"] == "overdue"
    assert rows["hammersmith-fulham-1"]["Overdue"] == ""  # passed, but green
    assert rows["bury-1"]["Due"] == "2022-03-31" and rows["bury-1"]["Overdue"] == ""  # not yet
    assert rows["stoke-on-trent-4"]["Due"] == ""  # only a start date
    code, out, _ = seeded("measures", "--overdue", "--today", "2022-01-01")
    assert ids_of(out) == ["bury-5", "stoke-on-trent-3", "stoke-on-trent-5"]


def test_green_measure_past_its_date_is_not_overdue(seeded):
    # kingston-richmond-3 is green in the seed and due 31 March 2022 (financial year).
    code, out, _ = seeded("measures", "--overdue", "--today", "2022-04-01")
    assert code == 0
    assert "kingston-richmond-3" not in ids_of(out)
    assert "bury-1" in ids_of(out)


def test_show_lists_each_phrase_with_the_assumption(seeded):
    code, out, err = seeded("show", "bury-1")
    assert code == 0, err
    assert 'Deadline: "by March 2022" -> due-by 2022-03-31' in out
    assert (
        'Deadline: "throughout 2021-22" -> during 2021-04-01 to 2022-03-31; '
        "financial year, 1 April - 31 March (assumed)" in out
    )
    # Bury's date binds Bury: the seed's council (Bristol) is told whose deadline passed.
    assert "Due: 2022-03-31 - Bury's deadline passed (not green)" in out
    assert "OVERDUE" not in out
    assert "read as financial years (VALVECHECK_YEAR_BASIS)" in out
    code, out, _ = seeded("show", "stoke-on-trent-7")
    assert "academic year, 1 September - 31 August (as the text says)" in out
    assert "read as" not in out  # nothing was assumed
    code, out, _ = seeded("show", "kingston-richmond-8")
    assert "Deadline" not in out and "Due:" not in out


def test_export_carries_due_and_overdue(seeded):
    code, out, err = seeded("export", "--format", "json")
    assert code == 0, err
    records = {r["id"]: r for r in json.loads(out)["measures"]}
    assert records["bury-5"]["due"] == "2021-12-31" and records["bury-5"]["overdue"] is True
    assert records["kingston-richmond-3"]["overdue"] is False  # green
    assert records["bury-2"]["due"] is None and records["bury-2"]["overdue"] is False
    code, out, _ = seeded("export", "--format", "csv")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["stoke-on-trent-2"]["due"] == "2023-03-31"
    assert rows["bury-2"]["due"] == ""


# A list of three or more consecutive years is one period, from the first's start to the last's end;
# a list with a gap is several periods, and like "in 2021-22 and 2023-24" yields nothing rather than
# its first year alone.
@pytest.mark.parametrize(
    ("text", "basis", "start", "end", "phrase", "year_basis"),
    [
        ("over 2021-22, 2022-23 and 2023-24", FIN, "2021-04-01", "2024-03-31", None, FIN),
        ("over 2021-22, 2022-23 and 2023-24", ACA, "2021-09-01", "2024-08-31", None, ACA),
        ("in 2021/22, 2022/23, 2023/24 and 2024/25", FIN, "2021-04-01", "2025-03-31", None, FIN),
        ("across 2021, 2022, and 2023", FIN, "2021-01-01", "2023-12-31", None, None),
        (
            "Reduce the deficit throughout 2022-23, 2023-24 and 2024-25.",
            FIN,
            "2022-04-01",
            "2025-03-31",
            "throughout 2022-23, 2023-24 and 2024-25",
            FIN,
        ),
    ],
)
def test_a_list_of_consecutive_years_is_one_period(text, basis, start, end, phrase, year_basis):
    expected = dl("during", start, end, phrase or text, year_basis)
    assert read_deadlines(text, basis) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "in 2021-22, 2023-24 and 2024-25",  # a gap: several periods
        "over 2021-22, 2022-23 and 2024",  # a split year and a calendar year
        "during 2023-24, 2022-23 and 2021-22",  # backwards
    ],
)
def test_a_list_of_years_that_is_not_one_period_yields_nothing(text):
    assert read_deadlines(text) == []
