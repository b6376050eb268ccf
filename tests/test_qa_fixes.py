"""Defects a QA pass found using the product as a council team would, each pinned by a test that
failed before its fix: one section per defect, numbered as the QA pass numbered them.
"""

from __future__ import annotations

import io
from pathlib import Path

from support import workbook as _xlsx

from valvecheck.importers.activities import read_activities

DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


# -- 2: a blank row under a theme merged down is skipped, as in CSV ----------------------------


def _tracker_with_spacer() -> bytes:
    """A tracker: title and notes above the header, a theme merged down A5:A9 over its
    activities, and row 7 left empty as a spacer."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (
        ["High needs programme tracker"],
        ["Updated monthly"],
        [],
        ["Theme", "Activity ID", "Title"],
        ["Inclusion", "A-1", "Outreach"],
        [None, "A-2", "Hubs"],
        [None, None, None],
        [None, "A-3", "Panel"],
        [None, "A-4", "Training"],
    ):
        sheet.append(row)
    sheet.merge_cells("A5:A9")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_spacer_row_under_a_merged_theme_is_skipped_not_refused() -> None:
    parsed = read_activities(_tracker_with_spacer(), "tracker.xlsx")
    assert parsed.problems == []
    assert [(a.id, a.theme) for a in parsed.rows] == [
        ("A-1", "Inclusion"),
        ("A-2", "Inclusion"),
        ("A-3", "Inclusion"),  # the merge still reaches the rows below the spacer
        ("A-4", "Inclusion"),
    ]
    assert parsed.lines == [5, 6, 8, 9]


def test_a_row_with_only_a_value_of_its_own_still_counts() -> None:
    """The fix skips rows filled only by a merge from above, not rows with a value of their
    own: a row whose own theme cell is its only value is still an activity with no id."""
    data = _xlsx([["Theme", "ID", "Title"], ["Inclusion", "A-1", "Outreach"], ["SEMH", None, None]])
    parsed = read_activities(data, "t.xlsx")
    assert [(p.code, p.line) for p in parsed.problems] == [
        ("missing-value", 3),
        ("missing-value", 3),
    ]
