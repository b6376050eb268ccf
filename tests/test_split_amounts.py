"""An amount written without quotes in a CSV file, £250,000, splits at its comma into '£250' and
'000'. A row with more cells than its header was always refused; a row ending in an empty cell
(or a file leaving its last column out) has room for the split, and £250,000 was read as £250
without a word. Every CSV importer now refuses the split, naming the file and line."""

from __future__ import annotations

from datetime import date

import pytest

from valvecheck.importers.activities import read_activities
from valvecheck.importers.catalogue import read_catalogue
from valvecheck.importers.savings import read_savings
from valvecheck.importers.trajectory import read_trajectory

TODAY = date(2026, 12, 7)


def _refused(problems, line: int) -> None:  # type: ignore[no-untyped-def]
    (problem,) = [p for p in problems if p.code == "bad-csv"]
    assert problem.line == line and "double quotes" in problem.message, problem
    # a row wider than its header says so, as it always did; one that is not, what split
    wider = "cells but the header (line 1) has" in problem.message
    assert wider or "look like one amount split at its comma" in problem.message, problem


@pytest.mark.parametrize(
    "text",
    [
        "Activity,Year,Expected saving,Actual saving\nL-02,2026-27,£250,000,\n",  # room at the end
        "Activity,Year,Expected saving,Actual saving\nL-02,2026-27,£250,000\n",  # exactly as wide
        "Activity,Year,Expected saving,Actual saving\nL-02,2026-27,£1,250,000.00,\n",
    ],
)
def test_a_savings_row_with_an_amount_split_at_its_comma_is_refused(text):
    parsed = read_savings(text.encode(), "s.csv", TODAY)
    assert parsed.rows == []
    _refused(parsed.problems, 2)


def test_a_trajectory_row_split_at_its_commas_is_refused():
    text = "Year,Unmitigated,Target,Actual\n2025-26,£24,500,000,\n"
    parsed = read_trajectory(text.encode(), "t.csv", TODAY)
    assert parsed.rows == []
    _refused(parsed.problems, 2)


def test_a_catalogue_measure_split_at_its_amount_is_refused():
    text = (
        "LA,Recommendation,Theme,Sub-Theme\n"
        "Rotherham,Save £250,000 on home to school transport by 2026-27,Finance,\n"
    )
    parsed = read_catalogue(text.encode(), "roth.csv")
    assert parsed.rows == []
    _refused(parsed.problems, 2)


def test_an_activity_split_at_its_amount_is_refused():
    for text in (
        "id,title,description\nSEN-1,Hubs,A £250,000 fund\n",  # wider than the header
        "id,title,description,owner\nSEN-1,Hubs,A £250,000 fund\n",  # the owner left out
    ):
        _refused(read_activities(text.encode(), "a.csv").problems, 2)


@pytest.mark.parametrize(
    "row",
    [
        'L-02,2026-27,"£250,000",',  # quoted: one cell
        "L-02,2026-27,250000,",  # no separator
        "L-02,2026-27,£250,2026",  # '2026' is not a thousands group of three digits
        "L-02,2026-27,£250,1234.50",
    ],
)
def test_amounts_that_did_not_split_are_read(row):
    text = f"Activity,Year,Expected saving,Actual saving\n{row}\n"
    parsed = read_savings(text.encode(), "s.csv", TODAY)
    assert not [p for p in parsed.problems if p.code == "bad-csv"], parsed.problems
