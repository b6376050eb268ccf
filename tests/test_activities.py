"""Activities: import (good and bad files), links with history, alignment figures in the summary."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import DATA
from openpyxl import Workbook
from support import write_file as _write

from valvecheck.domain.activity import Activity, Status, parse_date
from valvecheck.errors import InputError

SMALL = DATA / "activities-small.csv"


def _xlsx(tmp_path: Path, rows: list[list[object]], name: str = "activities.xlsx") -> Path:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def _count(cli) -> int:  # type: ignore[no-untyped-def]
    code, out, err = cli("activities", "list")
    assert code == 0, err
    return len([line for line in out.splitlines()[2:] if line.strip()])


# -- the domain ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "status"),
    [
        ("planned", Status.PLANNED),
        ("Not started", Status.PLANNED),
        ("In progress", Status.IN_PROGRESS),
        ("in-progress", Status.IN_PROGRESS),
        ("ONGOING", Status.IN_PROGRESS),
        ("Done", Status.DONE),
        ("Complete", Status.DONE),
        ("completed", Status.DONE),
        ("Stalled", Status.STALLED),
        ("on hold", Status.STALLED),
        ("Paused", Status.STALLED),
        ("Delayed", Status.AT_RISK),
        ("At risk", Status.AT_RISK),
        ("off-track", Status.AT_RISK),
        ("Amber", Status.AT_RISK),
        ("Red", Status.AT_RISK),
        ("Green", Status.IN_PROGRESS),
    ],
)
def test_status_words(written: str, status: Status) -> None:
    assert Status.parse(written) is status


def test_work_delayed_or_at_risk_is_not_stalled_and_not_flagged_by_the_alignment_check():
    """A tracker's "Delayed" or "Amber" is work going on in trouble: it keeps its own word, and
    the summary's "stalled or past their end date" does not list it (third review)."""
    today = date(2026, 12, 1)
    late = Activity("K-4", "Free school", status=Status.parse("Delayed"), end=date(2027, 9, 1))
    held = Activity("K-5", "Hub", status=Status.parse("On hold"), end=date(2027, 9, 1))
    assert late.status.label == "At risk" and not late.at_risk(today)
    assert held.at_risk(today)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2025-09-01", date(2025, 9, 1)),
        ("01/09/2025", date(2025, 9, 1)),
        ("1/9/25", date(2025, 9, 1)),
        ("1 September 2025", date(2025, 9, 1)),
        ("1 Sept 2025", date(2025, 9, 1)),
        ("1 Sep 2025", date(2025, 9, 1)),
        ("1 sept. 2025", date(2025, 9, 1)),
        ("1st September 2025", date(2025, 9, 1)),
        ("22nd Feb 2026", date(2026, 2, 22)),
        ("3rd March 2026", date(2026, 3, 3)),
        ("Monday 1st September 2025", date(2025, 9, 1)),
        ("Mon, 1 Sept 2025", date(2025, 9, 1)),
        ("01-Sep-2025", date(2025, 9, 1)),
        ("1-Sept-25", date(2025, 9, 1)),
        ("1 Sep 25", date(2025, 9, 1)),
        ("September 1, 2025", date(2025, 9, 1)),
        ("Sept 2025", date(2025, 9, 1)),
        ("September 2025", date(2025, 9, 1)),
        ("Feb 2028", date(2028, 2, 1)),
        ("01/09/2025 00:00:00", date(2025, 9, 1)),
        ("01.09.2025", date(2025, 9, 1)),
        ("2025/09/01", date(2025, 9, 1)),
        ("12/01/2026", date(2026, 1, 12)),  # day first, as in England
        (datetime(2025, 9, 1, 0, 0), date(2025, 9, 1)),
        ("", None),
        (None, None),
    ],
)
def test_dates_read_day_first(written: object, expected: date | None) -> None:
    assert parse_date(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("September 2025", date(2025, 9, 30)),
        ("Feb 2028", date(2028, 2, 29)),
        ("Dec 2025", date(2025, 12, 31)),
        ("1 Sept 2025", date(2025, 9, 1)),
    ],
)
def test_a_month_as_an_end_date_is_its_last_day(written: str, expected: date) -> None:
    assert parse_date(written, end=True) == expected


@pytest.mark.parametrize(
    "written",
    [
        "31/02/2025",
        "next spring",
        "2025-13-01",
        "31 Sept 2025",
        "1 Septober 2025",
        "Sep-25",  # September 2025 or the 25th? Ambiguous: refused
        "09/2025",
        "2025",
        "Q3 2025",
        "1 2 3 September 2025",
        "13/13/2025",
    ],
)
def test_bad_dates_refused(written: str) -> None:
    with pytest.raises(InputError):
        parse_date(written)


# -- importing -------------------------------------------------------------------------------------


def test_import_dev_csv_extra_columns_ignored(ws, cli) -> None:  # type: ignore[no-untyped-def]

    dev = DATA / "activities-dev.csv"
    code, out, err = cli("activities", "import", str(dev))
    assert code == 0, err
    assert "40 new" in out
    assert _count(cli) == 40
    code, out, err = cli("activities", "show", "dev-16")
    assert code == 0, err
    assert "Council contribution to DSG deficit" in out
    assert "kingston-richmond-8" in out  # its top suggestion is shown


def test_import_xlsx_with_synonym_headers_and_reimport_updates(ws, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = _xlsx(
        tmp_path,
        [
            ["Reference", "Activity name", "Lead", "STATUS", "Start", "Due date", "Notes"],
            ["w-1", "SENCO network", "Sam", "On hold", datetime(2025, 9, 1), "31/07/2026", "x"],
            ["w-2", "Portage", "", "", None, None, None],
        ],
    )
    code, out, err = cli("activities", "import", str(path))
    assert code == 0, err
    assert "2 new, 0 updated" in out
    code, out, _ = cli("activities", "list")
    assert "w-1\tSENCO network\t\tSam\tStalled\t2025-09-01\t2026-07-31" in out
    path = _xlsx(tmp_path, [["id", "title", "status"], ["w-1", "SENCO network", "done"]])
    code, out, err = cli("activities", "import", str(path))
    assert "0 new, 1 updated" in out, err
    code, out, _ = cli("activities", "list")
    assert "Done" in out


GOOD_HEADER = "activity_id,title,status,start_date,end_date\n"

BAD_FILES = [
    # (name, file name, content, code, line, column)
    (
        "missing title column",
        "a.csv",
        "activity_id,description\nx,y\n",
        "missing-column",
        1,
        "title",
    ),
    ("missing id column", "a.csv", "title\nSomething\n", "missing-column", 1, "id"),
    (
        "duplicate ids",
        "a.csv",
        GOOD_HEADER + "a,One,,,\nb,Two,,,\na,Three,,,\n",
        "duplicate-id",
        4,
        "activity_id",
    ),
    (
        "ids differing only in case",
        "a.csv",
        GOOD_HEADER + "B1,One,,,\nb1,Two,,,\n",
        "duplicate-id",
        3,
        "activity_id",
    ),
    (
        "bad date",
        "a.csv",
        GOOD_HEADER + "a,One,,2025-01-01,31/02/2025\n",
        "bad-date",
        2,
        "end_date",
    ),
    (
        "end before start",
        "a.csv",
        GOOD_HEADER + "a,One,,2025-06-01,2025-01-01\n",
        "end-before-start",
        2,
        "end_date",
    ),
    ("unknown status", "a.csv", GOOD_HEADER + "a,One,sleeping,,\n", "unknown-status", 2, "status"),
    (
        "unknown month",
        "a.csv",
        GOOD_HEADER + "a,One,,1 Smarch 2025,\n",
        "bad-date",
        2,
        "start_date",
    ),
    ("blank title", "a.csv", GOOD_HEADER + "a,One,,,\nb,,,,\n", "missing-value", 3, "title"),
    ("empty file", "a.csv", "", "empty-file", None, None),
    ("header only", "a.csv", GOOD_HEADER, "no-rows", None, None),
    ("binary", "a.csv", b"\x00\x01\x02binary\x00" * 10, "not-text", None, None),
    ("xlsx that is text", "a.xlsx", "activity_id,title\na,One\n", "not-a-workbook", None, None),
    ("xlsx that is a zip", "a.xlsx", b"PK\x03\x04" + b"\x00" * 40, "not-a-workbook", None, None),
    ("empty xlsx", "a.xlsx", b"", "empty-file", None, None),
]


@pytest.mark.parametrize(
    ("name", "file", "content", "code", "line", "column"),
    BAD_FILES,
    ids=[case[0] for case in BAD_FILES],
)
def test_bad_activity_files_are_refused_whole(  # type: ignore[no-untyped-def]
    ws, cli, tmp_path, name, file, content, code, line, column
) -> None:
    path = _write(tmp_path, file, content)
    exit_code, out, err = cli("activities", "import", str(path))
    assert exit_code == 1
    assert "nothing was imported" in err
    assert f"[{code}]" in err
    if line is not None:
        assert f"line {line}, column {column}:" in err
    assert _count(cli) == 0


def test_bad_xlsx_rows_reported_with_row_and_column(ws, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = _xlsx(
        tmp_path,
        [
            ["ID", "Title", "End date"],
            ["a", "Fine", "2025-01-01"],
            ["a", "Duplicate", "soon"],
        ],
    )
    exit_code, _, err = cli("activities", "import", str(path))
    assert exit_code == 1
    assert "line 3, column ID: activity id 'a' is already used on row 2 [duplicate-id]" in err
    assert "line 3, column End date:" in err and "[bad-date]" in err
    assert _count(cli) == 0


# -- links and their history ---------------------------------------------------------------------


def test_link_unlink_history(ws, cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("activities", "import", str(SMALL))[0] == 0
    code, out, err = cli(
        "link", "a-1", "hammersmith-fulham-6", "--rationale", "it is the CMS", "--by", "Ann"
    )
    assert code == 0, err
    assert "Linked a-1 to hammersmith-fulham-6 (by Ann)" in out
    code, _, err = cli("link", "a-1", "hammersmith-fulham-6", "--rationale", "again")
    assert code == 4 and "already linked" in err  # a conflict
    code, out, err = cli(
        "unlink", "a-1", "hammersmith-fulham-6", "--rationale", "scope changed", "--by", "Bo"
    )
    assert code == 0, err
    code, _, err = cli("unlink", "a-1", "hammersmith-fulham-6")
    assert code == 4 and "not linked" in err
    assert cli("link", "a-1", "hammersmith-fulham-6", "--rationale", "back", "--by", "Cy")[0] == 0
    code, out, _ = cli("activities", "show", "a-1")
    history = [
        line.split("\t") for line in out.splitlines() if "\ta-1\thammersmith-fulham-6\t" in line
    ]
    assert [(h[1], h[2], h[5]) for h in history] == [
        ("Ann", "link", "it is the CMS"),
        ("Bo", "unlink", "scope changed"),
        ("Cy", "link", "back"),
    ]
    assert "Linked to: hammersmith-fulham-6" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("link", "nope", "bury-1"), "there is no activity 'nope'"),
        (("link", "a-1", "bury-99"), "there is no measure 'bury-99'"),
        (("activities", "show", "nope"), "there is no activity 'nope'"),
    ],
)
def test_link_unknown_ids(ws, cli, args, message) -> None:  # type: ignore[no-untyped-def]
    assert cli("activities", "import", str(SMALL))[0] == 0
    code, _, err = cli(*args)
    assert code == 1 and message in err


# -- alignment in the summary --------------------------------------------------------------------


def test_alignment_figures_hand_computed(ws, cli) -> None:  # type: ignore[no-untyped-def]
    """The seed rates hf-4, kr-1, kr-4, kr-7 amber; hf-6, kr-2, kr-3 green; hf-5, kr-5, kr-6 red."""
    assert cli("activities", "import", str(SMALL))[0] == 0
    for activity, measure in [
        ("a-1", "hammersmith-fulham-6"),  # green, in progress, ends 2099
        ("a-2", "kingston-richmond-6"),  # red; the activity is on hold (stalled)
        ("a-3", "kingston-richmond-2"),  # green; the activity ended 31/01/2020, planned: overdue
        ("a-3", "stoke-on-trent-1"),  # unrated
        ("a-4", "kingston-richmond-3"),  # green; ended 2020 but done: not overdue
        ("a-5", "bury-1"),  # linked then unlinked: does not count
    ]:
        assert cli("link", activity, measure, "--rationale", "test")[0] == 0
    assert cli("unlink", "a-5", "bury-1")[0] == 0
    code, out, err = cli("summary", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["measures"], data["agreements"]) == (27, 4)  # the existing keys stay
    assert (data["activities"], data["activities_aligned"], data["measures_with_activity"]) == (
        5,
        4,
        5,
    )
    assert data["alignment_checks"] == {
        "green_or_amber_without_activity": [
            "hammersmith-fulham-4",
            "kingston-richmond-1",
            "kingston-richmond-4",
            "kingston-richmond-7",
        ],
        "red_or_unrated_with_activity": ["kingston-richmond-6", "stoke-on-trent-1"],
        "linked_activities_stalled_or_overdue": ["a-2", "a-3"],
    }
    code, out, _ = cli("summary")
    assert "Activities: 5, of which 4 linked to a measure; 5 of 27 measures" in out
    assert "Linked activities stalled or past their end date: a-2, a-3" in out


def test_summary_without_activities_counts_zero(ws, cli) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(cli("summary", "--json")[1])
    assert (data["activities"], data["activities_aligned"], data["measures_with_activity"]) == (
        0,
        0,
        0,
    )
    # every green or amber measure lacks an activity when there are none
    rated = {"green", "amber"}
    code, out, _ = cli("export", "--format", "json")
    covered = [m["id"] for m in json.loads(out)["measures"] if m["rag"] in rated]
    assert data["alignment_checks"]["green_or_amber_without_activity"] == covered


FULL = "ID,Title,Owner,Status,Start,End\nb-1,SENCO network,Sam,On hold,01/09/2025,31/07/2026\n"


KEPT = "Sam\tStalled\t2025-09-01\t2026-07-31"
REIMPORTS = [
    # (name, second file, updated, title then owner, status, start, end as listed)
    ("only id and title", "ID,Title\nb-1,SENCO network\n", 0, "SENCO network\t\t" + KEPT),
    ("new title only", "ID,Title\nb-1,SENCO forum\n", 1, "SENCO forum\t\t" + KEPT),
    (
        "status only",
        "ID,Title,Status\nb-1,SENCO network,done\n",
        1,
        "SENCO network\t\tSam\tDone\t2025-09-01\t2026-07-31",
    ),
    (
        "empty cells clear",
        "ID,Title,Owner,End\nb-1,SENCO network,,\n",
        1,
        "SENCO network\t\t\tStalled\t2025-09-01\t",
    ),
    (
        "all empty",
        "ID,Title,Owner,Status,Start,End\nb-1,SENCO network,,,,\n",
        1,
        "SENCO network\t\t\t\t\t",
    ),
]


@pytest.mark.parametrize(
    ("name", "again", "updated", "listed"), REIMPORTS, ids=[r[0] for r in REIMPORTS]
)
def test_reimport_changes_only_the_columns_in_the_file(  # type: ignore[no-untyped-def]
    ws, cli, tmp_path, name, again, updated, listed
) -> None:
    assert cli("activities", "import", str(_write(tmp_path, "full.csv", FULL)))[0] == 0
    code, out, err = cli("activities", "import", str(_write(tmp_path, "again.csv", again)))
    assert code == 0, err
    assert f"0 new, {updated} updated" in out
    code, out, _ = cli("activities", "list")
    assert f"b-1\t{listed}\t" in out


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
WRONG_FORMATS = [
    # (file name, content, code, words in the message)
    ("acts.xls", OLE, "old-excel-format", "save it as .xlsx"),
    ("ACTS.XLS", b"ID\tTitle\n", "old-excel-format", "save it as .xlsx"),
    ("acts.csv", OLE, "old-excel-format", "save it as .xlsx"),
    ("acts.xlsx", OLE, "encrypted-file", "password"),
    ("acts.docx", b"PK\x03\x04" + b"\x00" * 40, "not-csv-or-xlsx", "read from CSV or XLSX"),
    ("acts.doc", OLE, "not-csv-or-xlsx", "activities are read from CSV or XLSX"),
    ("acts.pdf", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n", "not-csv-or-xlsx", "read from CSV or XLSX"),
    ("acts.csv", b"%PDF-1.7\n1 0 obj\n", "not-csv-or-xlsx", "activities are read from CSV"),
    ("acts.ods", b"PK\x03\x04" + b"\x00" * 40, "not-csv-or-xlsx", "save it as .xlsx"),
]


@pytest.mark.parametrize(("file", "content", "code", "words"), WRONG_FORMATS)
def test_wrong_formats_say_what_to_save_as(ws, cli, tmp_path, file, content, code, words) -> None:  # type: ignore[no-untyped-def]
    exit_code, _, err = cli("activities", "import", str(_write(tmp_path, file, content)))
    assert exit_code == 1
    assert f"[{code}]" in err and words in err
    assert _count(cli) == 0


def test_import_reads_dates_as_an_officer_types_them(ws, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = _write(
        tmp_path,
        "a.csv",
        "ID,Title,Start,End\nd-1,Portage,1 Sept 2025,31st March 2026\nd-2,AP,01/09/2025,Sept 2026\n",
    )
    code, _, err = cli("activities", "import", str(path))
    assert code == 0, err
    _, out, _ = cli("activities", "list")
    assert "d-1\tPortage\t\t\t\t2025-09-01\t2026-03-31" in out
    assert "d-2\tAP\t\t\t\t2025-09-01\t2026-09-30" in out  # a month ends on its last day


@pytest.mark.parametrize(
    "args",
    [
        ("link", "A-1", "hammersmith-fulham-6", "--by", "Ann"),
        ("unlink", "A-1", "hammersmith-fulham-6", "--by", "Ann"),
        ("activities", "show", "A-1"),
        ("suggest", "--activity", "A-1"),
        ("suggest", "--activity", "A-1", "--accept"),
    ],
)
def test_activity_ids_found_whatever_the_case(ws, cli, args) -> None:  # type: ignore[no-untyped-def]
    assert cli("activities", "import", str(SMALL))[0] == 0
    if args[0] == "unlink":
        assert cli("link", "a-1", "hammersmith-fulham-6")[0] == 0
    code, out, err = cli(*args)
    assert code == 0, err
    assert "A-1" not in out  # the id is shown as it was first written
    assert "a-1" in out or "Linked 0" in out


def test_reimport_matches_ids_whatever_the_case(ws, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert cli("activities", "import", str(SMALL))[0] == 0
    before = _count(cli)
    again = _write(tmp_path, "again.csv", "ID,Title\nA-1,Renamed in capitals\n")
    code, out, err = cli("activities", "import", str(again))
    assert code == 0, err
    assert "0 new, 1 updated" in out
    assert _count(cli) == before
    _, out, _ = cli("activities", "show", "a-1")
    assert out.startswith("a-1  Renamed in capitals")


@pytest.mark.parametrize(
    ("theme", "sub_theme", "shown", "listed"),
    [
        ("Inclusion", "Outreach", "Theme: Inclusion > Outreach", "Inclusion > Outreach"),
        ("Inclusion", "", "Theme: Inclusion", "Inclusion"),
        ("", "Outreach", "Sub-theme: Outreach", "(no theme) > Outreach"),
    ],
)
def test_theme_and_sub_theme_shown_for_what_they_are(  # type: ignore[no-untyped-def]
    ws, cli, tmp_path, theme, sub_theme, shown, listed
) -> None:
    path = _write(
        tmp_path, "t.csv", f"ID,Title,Theme,Sub-theme\nt-1,Outreach team,{theme},{sub_theme}\n"
    )
    assert cli("activities", "import", str(path))[0] == 0
    _, out, _ = cli("activities", "show", "t-1")
    assert shown in out.splitlines()
    assert not any(
        line.startswith(("Theme:", "Sub-theme:")) and line != shown for line in out.splitlines()
    )
    _, out, _ = cli("activities", "list")
    assert f"t-1\tOutreach team\t{listed}\t" in out


@pytest.mark.parametrize(
    ("again", "column"),
    [
        ("ID,Title,End\nb-1,SENCO network,01/01/2025\n", "End"),  # before the kept start
        ("ID,Title,Start\nb-1,SENCO network,01/01/2027\n", "Start"),  # after the kept end
    ],
)
def test_reimport_of_one_date_checked_against_the_kept_other(
    ws, cli, tmp_path, again, column
) -> None:  # type: ignore[no-untyped-def]
    assert cli("activities", "import", str(_write(tmp_path, "full.csv", FULL)))[0] == 0
    code, _, err = cli("activities", "import", str(_write(tmp_path, "again.csv", again)))
    assert code == 1
    assert f"line 2, column {column}:" in err and "[end-before-start]" in err
    _, out, _ = cli("activities", "list")
    assert "2025-09-01\t2026-07-31" in out  # nothing was written


# -- a tracker's table on a later sheet; every problem in one go; dates quoted as written -----


def _workbook(tmp_path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / "tracker.xlsx"
    book.save(path)
    return path


def test_the_table_is_found_on_a_sheet_after_a_notes_sheet(ws, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = _workbook(
        tmp_path,
        {
            "Notes": [["Programme tracker: see the Programme sheet"]],
            "Programme": [["ID", "Title", "End date"], ["p-1", "SENCO network", "2026-07-31"]],
        },
    )
    code, out, err = cli("activities", "import", str(path))
    assert code == 0, err
    assert "1 new" in out
    _, out, _ = cli("activities", "show", "p-1")
    assert "SENCO network" in out


def test_a_workbook_with_no_header_on_any_sheet_says_so(ws, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = _workbook(
        tmp_path,
        {"Notes": [["Programme tracker"]], "Programme": [["Scheme", "Lead"], ["Hubs", "Sam"]]},
    )
    code, _, err = cli("activities", "import", str(path))
    assert code == 1
    flat = " ".join(err.split())
    assert f"{path} [Notes], line 1, column id: there is no id column" in flat
    assert "no sheet of the workbook ('Notes', 'Programme') has an id and a title column" in flat
    assert _count(cli) == 0


def test_unknown_measures_are_listed_with_the_files_other_problems(ws, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = _write(
        tmp_path,
        "bad.csv",
        "ID,Title,Start,End,Measures\n"
        "a-1,Outreach,2025-01-01,2024-01-01,bury-99\n"
        "a-2,,,,bury 44\n"
        "a-3,Hubs,soon,,bury-4\n",
    )
    code, _, err = cli("activities", "import", str(path))
    assert code == 1
    lines = [line for line in err.splitlines() if line.strip().startswith(str(path))]
    codes = [line.rsplit("[", 1)[-1].rstrip("]") for line in lines]
    assert codes == [
        "end-before-start",
        "unknown-measure",
        "missing-value",
        "unknown-measure",
        "bad-date",
    ], err
    assert "line 2, column Measures: there is no measure 'bury-99'" in err
    # named as the file wrote it, with the nearest id ('Bury 4' itself would be bury-4)
    assert "line 3, column Measures: there is no measure 'bury 44' (did you mean bury-4?" in err
    assert _count(cli) == 0


def test_an_unknown_measure_on_a_workbooks_sheet_names_the_sheet(ws, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """As the workbook's other problems do: "tracker.xlsx [Programme], line 3"; a cell naming
    one measure is not told to separate ids."""
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["Read me first"])
    sheet = book.create_sheet("Programme")
    sheet.append(["ID", "Title", "Start", "Measures"])
    sheet.append(["a-1", "Outreach", "2025-01-01", "bury-4"])
    sheet.append(["a-2", "Hubs", "soon", "bury 44"])
    path = tmp_path / "tracker.xlsx"
    book.save(path)
    code, _, err = cli("activities", "import", str(path))
    assert code == 1
    flat = " ".join(err.split())
    assert f"{path} [Programme], line 3, column Start" in flat  # the date, as before
    assert (
        f"{path} [Programme], line 3, column Measures: there is no measure 'bury 44' "
        "(did you mean bury-4?) [unknown-measure]"
    ) in flat, err
    assert _count(cli) == 0


@pytest.mark.parametrize(
    ("start", "end", "said"),
    [
        ("2025-01-01", "2024-01-01", "the end date 2024-01-01 is before the start date 2025-01-01"),
        ("1 March 2025", "Jan 2025", "the end date Jan 2025 is before the start date 1 March 2025"),
    ],
)
def test_end_before_start_quotes_the_dates_as_the_file_wrote_them(  # type: ignore[no-untyped-def]
    ws, cli, tmp_path, start, end, said
) -> None:
    path = _write(tmp_path, "a.csv", f"ID,Title,Start,End\na-1,Outreach,{start},{end}\n")
    code, _, err = cli("activities", "import", str(path))
    assert code == 1
    assert said in " ".join(err.split())


def test_end_before_start_quotes_a_date_cell_as_an_english_date(ws, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = _xlsx(
        tmp_path, [["ID", "Title", "Start", "End"], ["a-1", "Hubs", date(2025, 1, 1), "2024-01-01"]]
    )
    code, _, err = cli("activities", "import", str(path))
    assert code == 1
    assert "the end date 2024-01-01 is before the start date 01/01/2025" in " ".join(err.split())


def test_a_kept_date_is_checked_and_the_files_own_is_quoted_as_written(ws, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert cli("activities", "import", str(_write(tmp_path, "full.csv", FULL)))[0] == 0
    again = _write(tmp_path, "again.csv", "ID,Title,End\nb-1,SENCO network,2025-01-01\n")
    code, _, err = cli("activities", "import", str(again))
    assert code == 1
    assert (
        "the end date 2025-01-01 would be before the start date 01/09/2025 (the start date is "
        "kept from the workspace)"
    ) in " ".join(err.split())
