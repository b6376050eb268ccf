"""activities import of real council trackers: a title above the header, --column-map, merged
cells and formulas with no saved result (and the same formula check for import catalogue)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from valvecheck.domain.activity import Activity
from valvecheck.errors import InputError
from valvecheck.importers.activities import read_activities
from valvecheck.importers.activity_rows import ActivityTable, parse_column_map

TITLE = "SEND Transformation Programme – tracker, updated 3 March"


def _csv(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


def _xlsx(path: Path, rows: list[list[object]], merges: tuple[str, ...] = ()) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(r, c, value)
    for merge in merges:
        sheet.merge_cells(merge)
    book.save(path)
    return path


def _read(path: Path, column_map: str | None = None) -> ActivityTable:
    return read_activities(path.read_bytes(), str(path), parse_column_map(column_map))


def _by_id(parsed: ActivityTable) -> dict[str, Activity]:
    assert not parsed.problems, parsed.problems
    return {a.id: a for a in parsed.rows}


def _problems(parsed: ActivityTable) -> list[tuple[str, int | None, str | None]]:
    return [(p.code, p.line, p.column) for p in parsed.problems]


# -- 1. the header below a title ---------------------------------------------------------------

HEADER = ["ID", "Title", "Owner"]
GOOD = [["a-1", "SENCO network", "Sam"], ["a-2", "Outreach", "Jo"]]
BAD = [["a-1", "SENCO network", "Sam"], ["a-2", "", "Jo"]]  # title empty on the 2nd data row

# (case, writer, rows above the header): the header is then on row len(above) + 1
TITLED = [
    ("csv title, blank, header", "csv,", [[TITLE], []]),
    ("csv title with commas over a semicolon header", "csv;", [[TITLE], []]),
    ("csv title over a tab-separated header", "csv\t", [["Tracker"]]),
    ("csv title as Excel saves it", "csv,", [[TITLE, "", ""], ["", "", ""]]),
    ("xlsx title, blank, header", "xlsx", [[TITLE], []]),
    ("xlsx title and notes", "xlsx", [[TITLE], ["Owner: SEND team", "Version 4"], []]),
    ("xlsx eight rows of prose", "xlsx", [[f"note {i}"] for i in range(8)]),
]


def _table(tmp_path: Path, writer: str, rows: list[list[str]]) -> Path:
    if writer == "xlsx":
        return _xlsx(tmp_path / "tracker.xlsx", list(rows))
    return _csv(tmp_path / "tracker.csv", rows, writer[3:])


@pytest.mark.parametrize(("case", "writer", "above"), TITLED, ids=[c[0] for c in TITLED])
def test_header_found_below_a_title(tmp_path, case, writer, above) -> None:  # type: ignore[no-untyped-def]
    parsed = _read(_table(tmp_path, writer, [*above, HEADER, *GOOD]))
    found = _by_id(parsed)
    assert {k: (a.title, a.owner) for k, a in found.items()} == {
        "a-1": ("SENCO network", "Sam"),
        "a-2": ("Outreach", "Jo"),
    }
    assert parsed.lines == [len(above) + 2, len(above) + 3]


@pytest.mark.parametrize(("case", "writer", "above"), TITLED, ids=[c[0] for c in TITLED])
def test_problems_below_a_title_keep_the_files_row_numbers(tmp_path, case, writer, above) -> None:  # type: ignore[no-untyped-def]
    parsed = _read(_table(tmp_path, writer, [*above, HEADER, *BAD]))
    assert _problems(parsed) == [("missing-value", len(above) + 3, "Title")]


NO_HEADER = [
    # (case, rows, the row blamed for the missing title column)
    ("header too far down", [*([f"note {i}"] for i in range(10)), HEADER, *GOOD], 1),
    ("a header without a title column", [[TITLE], ["Ref", "Summary"], *GOOD], 2),
]


@pytest.mark.parametrize(("case", "rows", "line"), NO_HEADER, ids=[c[0] for c in NO_HEADER])
def test_no_header_row_says_which_column_is_missing(tmp_path, case, rows, line) -> None:  # type: ignore[no-untyped-def]
    parsed = _read(_xlsx(tmp_path / "t.xlsx", rows))
    assert ("missing-column", line, "title") in _problems(parsed)


def test_cli_imports_a_titled_tracker(ws, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = _xlsx(tmp_path / "tracker.xlsx", [[TITLE], [], HEADER, *GOOD])
    code, out, err = cli("activities", "import", str(path))
    assert code == 0, err
    assert "Imported 2 activities" in out


# -- 2. --column-map and the trackers' usual headings -------------------------------------------

MAPPED = [
    # (case, header, column map, the fields read from the row ["P-7", "Outreach", "Sam", "31/03/2026"])
    (
        "usual tracker headings, no map needed",
        ["Project Ref", "Project Name", "Project Lead", "Target Date"],
        None,
    ),
    (
        "the QA's map",
        ["Project Ref", "Project Name", "Project Lead", "Target Date"],
        "id=Project Ref,title=Project Name,owner=Project Lead,end=Target Date",
    ),
    (
        "headings no built-in name knows",
        ["Scheme No.", "Scheme", "Accountable", "Go-live"],
        "id=Scheme No.,title=scheme,owner=ACCOUNTABLE,end=go live",
    ),
    (
        "a field named by one of its header names",
        ["Scheme No", "Scheme", "Accountable", "Go-live"],
        "reference=Scheme No,name=Scheme,lead=Accountable,due date=Go-live",
    ),
    (
        "the map beats a built-in name",
        ["Scheme No", "Scheme", "Accountable", "Go-live", "ID"],
        "id=Scheme No,title=Scheme,owner=Accountable,end=Go-live",
    ),
]


@pytest.mark.parametrize(("case", "header", "mapping"), MAPPED, ids=[c[0] for c in MAPPED])
@pytest.mark.parametrize("writer", ["csv,", "xlsx"])
def test_column_map_and_tracker_headings(tmp_path, case, header, mapping, writer) -> None:  # type: ignore[no-untyped-def]
    row = ["P-7", "Outreach", "Sam", "31/03/2026", "x-99"][: len(header)]
    parsed = _read(_table(tmp_path, writer, [header, row]), mapping)
    (activity,) = _by_id(parsed).values()
    assert (activity.id, activity.title, activity.owner, activity.end) == (
        "P-7",
        "Outreach",
        "Sam",
        date(2026, 3, 31),
    )


def test_cli_column_map(ws, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = _csv(
        tmp_path / "t.csv", [["Scheme No", "Scheme", "Go-live"], ["P-7", "Outreach", "2026-03-31"]]
    )
    code, _, err = cli("activities", "import", str(path))
    assert code == 1 and "[missing-column]" in err and "a column map such as id=Scheme No" in err
    code, out, err = cli(
        "activities", "import", str(path), "--column-map", "id=Scheme No,title=Scheme,end=Go-live"
    )
    assert code == 0, err
    code, out, _ = cli("activities", "list")
    assert "P-7\tOutreach" in out and "2026-03-31" in out


@pytest.mark.parametrize(
    ("mapping", "words"),
    [
        ("identifier=Scheme No", "'identifier=Scheme No' should be COLUMN=HEADING"),
        ("id", "'id' should be COLUMN=HEADING"),
        ("id=", "'id=' should be COLUMN=HEADING"),
        # from a QA pass: pairs separated with ';' were read as one heading, "Ref;title=Name"
        ("id=Ref;title=Name", r"separate them with ',', as in id=Ref,title=Name"),
        ("id=Ref title=Project Name", r"as in id=Ref,title=Project Name"),
    ],
)
def test_bad_column_map_refused(mapping, words) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=words):
        parse_column_map(mapping)


@pytest.mark.parametrize(
    ("mapping", "code", "column", "words"),
    [
        ("id=Scheme Number", "missing-column", "id", "the column map says the id column is headed"),
        ("end=Go live date", "missing-column", "end", "the column map says the end column"),
        ("title=Scheme,title=Name", "duplicate-column", "Name", "a column map such as title=Name"),
    ],
)
def test_column_map_problems(tmp_path, mapping, code, column, words) -> None:  # type: ignore[no-untyped-def]
    path = _csv(tmp_path / "t.csv", [["ID", "Scheme", "Name"], ["P-7", "Outreach", "x"]])
    parsed = _read(path, mapping)
    assert [(p.code, p.line, p.column) for p in parsed.problems] == [(code, 1, column)]
    assert words in parsed.problems[0].message and "--" not in parsed.problems[0].message


# -- 3. merged cells in a workbook ---------------------------------------------------------------

MERGES = [
    # (case, merges, {id: (theme, owner, description)})
    (
        "a theme merged down two rows",
        ("D2:D3",),
        {
            "a-1": ("Inclusion", "Sam", "d1"),
            "a-2": ("Inclusion", "", "d2"),
            "a-3": ("", "Jo", "d3"),
        },
    ),
    (
        "an owner merged down three rows",
        ("E2:E4",),
        {"a-1": ("Inclusion", "Sam", "d1"), "a-2": ("", "Sam", "d2"), "a-3": ("", "Sam", "d3")},
    ),
    (
        "theme and owner merged as one block",
        ("D2:E3",),
        {"a-1": ("Inclusion", "", "d1"), "a-2": ("Inclusion", "", "d2"), "a-3": ("", "Jo", "d3")},
    ),
    (
        "a description merged across into the theme",
        ("C2:D2",),
        {"a-1": ("", "Sam", "d1"), "a-2": ("", "", "d2"), "a-3": ("", "Jo", "d3")},
    ),
]


@pytest.mark.parametrize(("case", "merges", "expected"), MERGES, ids=[c[0] for c in MERGES])
def test_merged_cells_read_as_a_person_reads_them(tmp_path, case, merges, expected) -> None:  # type: ignore[no-untyped-def]
    rows: list[list[object]] = [
        ["ID", "Title", "Description", "Theme", "Owner"],
        ["a-1", "One", "d1", "Inclusion", "Sam"],
        ["a-2", "Two", "d2", None, None],
        ["a-3", "Three", "d3", None, "Jo"],
    ]
    parsed = _read(_xlsx(tmp_path / "m.xlsx", rows, merges))
    got = {k: (a.theme, a.owner, a.description) for k, a in _by_id(parsed).items()}
    assert got == expected


def test_merged_title_below_a_tracker_title(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The tracker's own title merged across the sheet, and a theme merged down D5:D6."""
    rows: list[list[object]] = [
        [TITLE, None, None, None],
        [],
        ["ID", "Title", "Owner", "Theme"],
        ["a-1", "One", "Sam", "Early help"],
        ["a-2", "Two", "Jo", "Inclusion"],
        ["a-3", "Three", "Al", None],
    ]
    parsed = _read(_xlsx(tmp_path / "m.xlsx", rows, ("A1:D1", "D5:D6")))
    assert {k: a.theme for k, a in _by_id(parsed).items()} == {
        "a-1": "Early help",
        "a-2": "Inclusion",
        "a-3": "Inclusion",
    }


# -- 4. formulas with no saved result ------------------------------------------------------------

FORMULAS = [
    # (case, rows; the problem expected at row 3)
    ("a title formula", [["a-1", "One"], ["a-2", '=A3&" plan"']], "formula-without-value", "Title"),
    ("an id formula", [["a-1", "One"], ['="a-"&2', "Two"]], "formula-without-value", "ID"),
    ("a title merely empty", [["a-1", "One"], ["a-2", None]], "missing-value", "Title"),
    (
        "a title merged down from a formula",
        [['="x"', '="One"'], ["a-2", None]],
        "formula-without-value",
        "Title",
    ),
]


@pytest.mark.parametrize(("case", "rows", "code", "column"), FORMULAS, ids=[c[0] for c in FORMULAS])
def test_formula_without_saved_value_says_so(tmp_path, case, rows, code, column) -> None:  # type: ignore[no-untyped-def]
    merges = ("B2:B3",) if "merged" in case else ()
    parsed = _read(_xlsx(tmp_path / "f.xlsx", [["ID", "Title"], *rows], merges))
    found = [p for p in parsed.problems if p.line == 3]
    assert [(p.code, p.column) for p in found] == [(code, column)]
    if code == "formula-without-value":
        assert "open the file in Excel and save it" in found[0].message


def test_cli_formula_without_value(ws, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = _xlsx(tmp_path / "f.xlsx", [["ID", "Title"], ["a-1", "=UPPER(A2)"]])
    code, _, err = cli("activities", "import", str(path))
    assert code == 1
    assert "line 2, column Title: this cell holds a formula with no saved result" in err
    assert "[formula-without-value]" in err


CATALOGUE = [
    ("LA", "Recommendation", "Theme", "Sub-Theme", "RAG"),
    ("Bury", "Develop the local offer for SEMH", "Sufficiency", "", ""),
]


@pytest.mark.parametrize(
    ("cell", "value", "code", "column"),
    [
        ("B3", '=B2&" and post-16"', "formula-without-value", "Recommendation"),
        ("A3", "=A2", "formula-without-value", "LA"),
        ("B3", None, "missing-value", "Recommendation"),
    ],
)
def test_catalogue_formula_without_saved_value(
    ws, cli, tmp_path, cell, value, code, column
) -> None:  # type: ignore[no-untyped-def]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in CATALOGUE:
        sheet.append(list(row))
    sheet.append(["Bury", "Review the top-up bands", "Funding", "", ""])
    sheet[cell] = value
    path = tmp_path / "catalogue.xlsx"
    book.save(path)
    before = cli("export", "--format", "json")[1]
    exit_code, _, err = cli("import", "catalogue", str(path))
    assert exit_code == 1
    assert f"line 3, column {column}:" in err and f"[{code}]" in err, err
    assert cli("export", "--format", "json")[1] == before


def test_an_id_title_or_owner_longer_than_kept_is_refused_naming_row_and_column(
    ws, cli, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """The store keeps an id and an owner to 200 characters, and a title is read to 1,000: a
    longer one is refused with its row and column (PostgreSQL failed the whole import with a
    database error), nothing saved."""
    rows = [
        ["ID", "Title", "Owner"],
        ["A" * 201, "Long id", "Sam"],
        ["B2", "Long owner", "x" * 300],
        ["B3", "Long title " * 100, "Sam"],
    ]
    path = _xlsx(tmp_path / "long.xlsx", rows)
    # the id and owner by the file alone; the title against the workspace (one kept from
    # before the limit may be read again unchanged)
    assert _problems(_read(path)) == [("too-long", 2, "ID"), ("too-long", 3, "Owner")]
    code, out, err = cli("activities", "import", str(path))
    assert code != 0
    assert "line 2, column ID: the id can be at most 200 characters; this one is 201" in err
    assert "line 3, column Owner: the owner can be at most 200 characters; this one is 300" in err
    assert (
        "line 4, column Title: the title can be at most 1,000 characters; this one is 1,099" in err
    )
    code, out, err = cli("activities", "list")
    assert "Long" not in out
    fine = _xlsx(
        tmp_path / "fine.xlsx", [["ID", "Title", "Owner"], ["A" * 200, "Longest id", "y" * 200]]
    )
    assert cli("activities", "import", str(fine))[0] == 0


def test_a_trackers_rag_is_its_status_and_columns_not_read_are_named(ws, cli, tmp_path):
    """From a QA pass: a tracker headed Project Ref / Project / Lead / RAG / Target Date
    imported with no status and said nothing of the RAG column. A RAG column is the status where
    the file has no status column (beside one, it is just another column), and the columns not
    read are named."""
    rows = [
        ["Project Ref", "Project", "Lead", "RAG", "Budget", "Target Date"],
        ["T-1", "Inclusion hubs", "Sam", "Amber", "£10k", "31/03/2027"],
        ["T-2", "Resource bases", "Ann", "Green", "", "31/03/2027"],
    ]
    parsed = _read(_xlsx(tmp_path / "tracker.xlsx", rows))
    assert parsed.problems == []
    assert [a.status.value if a.status else None for a in parsed.rows] == ["at_risk", "in_progress"]
    assert parsed.notes == [
        "column not read: 'Budget' (a column map names the detail a column holds when its "
        "heading is not one Valvecheck knows)",
        "the 'RAG' column is read as the status (the file has no status column)",
    ]
    # a RAG as trackers write it (a letter, BRAG's blue), or one the status words lack, never
    # refuses the file, as a status column's would: unknown, and said (review of this change)
    letters = [["Ref", "Project", "RAG"], ["T-3", "A", "G"], ["T-4", "B", "Blue"]]
    letters += [["T-5", "C", "Amber/Green"], ["T-6", "D", "R"]]
    parsed = _read(_xlsx(tmp_path / "letters.xlsx", letters))
    assert parsed.problems == []
    read = [a.status.value if a.status else None for a in parsed.rows]
    assert read == ["in_progress", "done", None, "at_risk"]
    assert parsed.notes[-1].endswith("; 'Amber/Green' left the status unknown")
    both = [["ID", "Title", "Status", "RAG"], ["T-3", "Panel", "Planned", "Red"]]
    parsed = _read(_xlsx(tmp_path / "both.xlsx", both))
    assert parsed.problems == [] and parsed.rows[0].status.value == "planned"
    assert parsed.notes and "'RAG'" in parsed.notes[0]
    code, out, _ = cli("activities", "import", str(tmp_path / "tracker.xlsx"))
    assert code == 0 and "column not read: 'Budget'" in out
