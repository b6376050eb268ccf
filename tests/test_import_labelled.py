"""The labelled activities eval-suggest reads: found like an activities file (the header below a
title, semicolons), a workbook answered with how to save it as CSV, and refusals that say the file
was not evaluated rather than that nothing was imported."""

from __future__ import annotations

import io

import pytest
from conftest import DATA
from support import workbook

from valvecheck.catalogue.loader import load_catalogue
from valvecheck.importers.labelled_csv import read_labelled_csv

KNOWN = {m.id for m in load_catalogue().measures}
ROWS = [
    ["activity_id", "title", "description", "expected_measures"],
    [
        "a-1",
        "SENCO network",
        "Termly SENCO meetings; an induction for new SENCOs",
        "bury-4;stoke-on-trent-5",
    ],
    ["a-2", "Panel review", "Reviewing the EHCP panel", ""],
]
EXPECTED = [("a-1", ("bury-4", "stoke-on-trent-5")), ("a-2", ())]


def _csv(rows: list[list[str]], delimiter: str = ",", above: tuple[str, ...] = ()) -> bytes:
    import csv

    out = io.StringIO()
    for line in above:
        out.write(line + "\n")
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


@pytest.mark.parametrize(
    ("delimiter", "above"),
    [
        (",", ()),
        (";", ()),
        (",", ("Labelled activities for the autumn evaluation", "")),
        (";", ("Labelled activities; checked by the programme lead", "Version 2")),
    ],
)
def test_labelled_activities_are_found_as_an_activities_file_is(delimiter, above):
    parsed = read_labelled_csv(_csv(ROWS, delimiter, above), "labelled.csv", KNOWN)
    assert not parsed.problems, parsed.problems
    assert [(r.id, r.expected) for r in parsed.rows] == EXPECTED
    assert parsed.rows[0].description == ROWS[1][2]


def test_an_unknown_measure_is_named_on_its_own_row_below_a_title():
    rows = [*ROWS[:2], ["a-2", "Panel review", "Reviewing the panel", "bury-99"]]
    parsed = read_labelled_csv(_csv(rows, ";", ("A title",)), "labelled.csv", KNOWN)
    assert [(p.code, p.line, p.column) for p in parsed.problems] == [
        ("unknown-measure", 4, "expected_measures")
    ]


def test_a_workbook_is_answered_with_save_it_as_csv():
    data = workbook(ROWS)
    for name in ("labelled.xlsx", "labelled"):
        parsed = read_labelled_csv(data, name, KNOWN)
        assert [(p.code, p.file) for p in parsed.problems] == [("not-csv", name)]
        message = parsed.problems[0].message
        assert "save it as CSV" in message and "not a text file" not in message


def test_a_refused_file_is_not_evaluated_nor_said_to_be_imported(cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv([ROWS[0], ["a", "T", "D", "bury-99"]]))
    code, _, err = cli("eval-suggest", str(bad))
    assert code == 1 and "[unknown-measure]" in err
    assert "imported" not in err and "not evaluated" in err


def test_the_bundled_dev_set_still_reads():
    parsed = read_labelled_csv((DATA / "activities-dev.csv").read_bytes(), "dev.csv", KNOWN)
    assert not parsed.problems and len(parsed.rows) > 20
