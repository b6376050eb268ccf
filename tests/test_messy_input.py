"""The files councils really have, from a data officer's review: hidden sheets and rows, formulas
with no saved result, Word tracked changes, content controls, fields and nested tables, duplicate
columns, old or encrypted Office files under a new name, UTF-16 text, a BOM before a stray byte,
and a second header row. Every file is made here."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from docx import Document
from docx.oxml import parse_xml
from openpyxl import Workbook
from web_support import by_id, page, post, site, site_template, text  # noqa: F401 (fixtures)

from valvecheck.importers import limits
from valvecheck.importers.activities import read_activities
from valvecheck.importers.catalogue import read_catalogue

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CAT_HEADER = ["LA", "Recommendation", "Theme", "Sub-Theme"]


def _book(sheets: list[tuple[str, list[list[object]], bool]], hidden_rows: tuple[int, ...] = ()):
    """An .xlsx: (title, rows, hidden) per sheet; ``hidden_rows`` hidden on every sheet."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, rows, hidden in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for r in hidden_rows:
            sheet.row_dimensions[r].hidden = True
        if hidden:
            sheet.sheet_state = "hidden"
    book.active = next(i for i, (_, _, hidden) in enumerate(sheets) if not hidden)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _codes(problems) -> list[tuple[str, int | None, str | None]]:  # type: ignore[no-untyped-def]
    return [(p.code, p.line, p.column) for p in problems]


# -- 1. hidden sheets are never read -------------------------------------------------------------


def test_the_activities_import_reads_the_visible_sheet_not_a_hidden_one_before_it():
    data = _book(
        [
            ("Old 2023", [["id", "title", "owner"], ["HS1", "OLD title from 2023", "Old"]], True),
            (
                "Programme 2025",
                [["id", "title", "owner"], ["HS1", "Current", "Ann"], ["HS2", "New"]],
                False,
            ),
        ]
    )
    parsed = read_activities(data, "tracker.xlsx")
    assert not parsed.problems
    assert [(a.id, a.title) for a in parsed.rows] == [("HS1", "Current"), ("HS2", "New")]
    assert parsed.notes == ["left out the hidden sheet 'Old 2023'"]


def test_a_workbook_of_several_sheets_says_which_it_read():
    """From a QA pass: with a cover sheet before the tracker, nothing said which sheet the
    activities came from; a workbook of one sheet needs no word."""
    tracker = [["id", "title"], ["T1", "Panel"]]
    data = _book([("Cover", [["Our SEND programme 2025-26"]], False), ("Tracker", tracker, False)])
    assert read_activities(data, "two.xlsx").notes == ["read the sheet 'Tracker'"]
    assert read_activities(_book([("Tracker", tracker, False)]), "one.xlsx").notes == []


def test_the_activities_command_says_which_hidden_sheet_and_rows_it_left_out_or_read(tmp_path, cli):
    assert cli("init")[0] == 0
    visible = [["id", "title"], ["HS1", "Current"], ["HS2", "Closed, filtered out"]]
    path = tmp_path / "tracker.xlsx"
    path.write_bytes(
        _book(
            [("Old 2023", [["id", "title"], ["HS1", "Old"]], True), ("2025", visible, False)],
            hidden_rows=(3,),
        )
    )
    code, out, err = cli("activities", "import", str(path))
    assert code == 0, err
    said = " ".join(out.split())
    assert "left out the hidden sheet 'Old 2023'" in said and "hidden row" in said


def test_the_catalogue_import_leaves_out_hidden_sheets_and_says_so(tmp_path, empty_ws, cli):
    good = [CAT_HEADER, ["Leeds", "Open 40 resource base places by March 2026", "Inclusion", ""]]
    draft = [CAT_HEADER, ["Leeds", "DRAFT - rejected: close all special schools", "", ""]]
    path = tmp_path / "cat.xlsx"
    path.write_bytes(_book([("Agreement", good, False), ("Rejected drafts", draft, True)]))
    parsed = read_catalogue(path.read_bytes(), str(path))
    assert [r.recommendation for r in parsed.rows] == [good[1][1]]
    code, out, err = cli(
        "import", "catalogue", str(path), "--agreement-year", "2024-25", "--council", "Leeds"
    )
    assert code == 0, err
    assert "left out the hidden sheet 'Rejected drafts'" in out
    assert "DRAFT" not in cli("measures", "--authority", "Leeds")[1]


def test_the_web_preview_of_activities_says_which_hidden_sheet_was_left_out(site):
    data = _book(
        [
            ("Old 2023", [["id", "title"], ["HS1", "OLD title"]], True),
            ("Programme 2025", [["id", "title"], ["HS1", "Current"]], False),
        ]
    )
    client = site.client("les")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    preview = post(
        client, "/imports", {"kind": "activities"}, files={"file": ("t.xlsx", data, xlsx)}
    )
    assert preview.status_code == 200, preview.text
    assert "Left out the hidden sheet 'Old 2023'." in text(by_id(preview, "import-notes"))
    confirm = page(preview).find(".//main//form[@method='post']").get("action")
    done = post(client, confirm, token_from="/imports")
    banner = text(page(client.get(done.headers["location"])).find(".//main"))
    assert "left out the hidden sheet 'Old 2023'" in banner


def test_the_web_preview_of_a_catalogue_names_the_hidden_rows_it_read(site):
    rows: list[list[object]] = [CAT_HEADER]
    rows += [["Leeds", f"Measure {n} done by March 2026", "Inclusion", ""] for n in (1, 2, 3)]
    data = _book([("Agreement", rows, False)], hidden_rows=(3, 4))
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    preview = post(
        site.client("ann"),  # an admin of Bristol, the council that keeps the shared catalogue
        "/imports",
        {"kind": "catalogue", "agreement_year": "2024-25"},
        files={"file": ("cat.xlsx", data, xlsx)},
    )
    assert preview.status_code == 200, preview.text
    said = text(by_id(preview, "import-notes"))
    assert "2 hidden rows were read: lines 3, 4 of sheet 'Agreement'." in said


# -- 2. a formula with no saved result, in any column read ---------------------------------------


def test_a_formula_with_no_saved_result_in_an_optional_column_is_not_read_as_empty():
    rows: list[list[object]] = [
        ["id", "title", "description", "owner", "status", "start", "end"],
        ["Y1", "Title one", "Words", "Ann", "in progress", "2025-09-01", "2026-03-31"],
        ["Y2", "Title two", '=C2&" more"', "=D2", "=E2", "=DATE(2025,9,1)", "=DATE(2026,3,31)"],
    ]
    parsed = read_activities(_book([("Programme", rows, False)]), "t.xlsx")
    assert _codes(parsed.problems) == [
        ("formula-without-value", 3, column)
        for column in ("description", "owner", "status", "start", "end")
    ]


def test_a_catalogue_theme_that_is_a_formula_with_no_saved_result_is_refused():
    rows: list[list[object]] = [
        CAT_HEADER,
        ["Leeds", "Open 40 resource base places by March 2026", "Inclusion", "Mainstream"],
        ["Leeds", "Open a special free school by 2027", "=C2", "=D2"],
    ]
    parsed = read_catalogue(_book([("Agreement", rows, False)]), "cat.xlsx")
    assert _codes(parsed.problems) == [
        ("formula-without-value", 3, "Theme"),
        ("formula-without-value", 3, "Sub-Theme"),
    ]


# -- 3, 4. Word: tracked changes, content controls, fields, nested tables ------------------------


def _docx(extra) -> bytes:  # type: ignore[no-untyped-def]
    """A Word table: the header, then three measures; ``extra(table)`` edits it."""
    document = Document()
    document.add_paragraph("Leeds Safety Valve agreement")
    table = document.add_table(rows=0, cols=4)
    for values in [
        CAT_HEADER,
        ["Leeds", "Reduce placements by 10% by March 2026.", "Inclusion", "Mainstream"],
        ["Leeds", "", "Inclusion", "Mainstream"],
        ["Leeds", "Train every SENCO by March 2027.", "Inclusion", "Mainstream"],
    ]:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
    extra(table)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _append(table, *xml: str) -> None:  # type: ignore[no-untyped-def]
    paragraph = table.rows[2].cells[1].paragraphs[0]
    for part in xml:
        paragraph._p.append(parse_xml(part))


def _run(words: str) -> str:
    return f'<w:r {W}><w:t xml:space="preserve">{words}</w:t></w:r>'


def test_word_tracked_changes_in_a_cell_are_refused_naming_table_row_and_column():
    deleted = f'<w:del {W} w:id="1" w:author="DfE"><w:r><w:delText>20% </w:delText></w:r></w:del>'
    inserted = f'<w:ins {W} w:id="2" w:author="DfE">{_run("35% ")}</w:ins>'

    def tracked(table) -> None:  # type: ignore[no-untyped-def]
        _append(
            table, _run("Reduce independent placements by "), deleted, inserted, _run("by 2027.")
        )

    parsed = read_catalogue(_docx(tracked), "cat.docx")
    assert _codes(parsed.problems) == [("tracked-changes", 3, "Recommendation")]
    assert parsed.problems[0].file == "cat.docx, table 1"
    assert "accept or reject the tracked changes in table 1, row 3" in parsed.problems[0].message


def test_a_row_deleted_as_a_tracked_change_is_refused_not_dropped():
    def deleted_row(table) -> None:  # type: ignore[no-untyped-def]
        tr = table.rows[3]._tr
        tr.get_or_add_trPr().append(parse_xml(f'<w:del {W} w:id="9" w:author="DfE"/>'))

    parsed = read_catalogue(_docx(deleted_row), "cat.docx")
    assert ("tracked-changes", 4, "LA") in _codes(parsed.problems)


def test_content_controls_and_fields_in_a_word_cell_are_read():
    control = f"<w:sdt {W}><w:sdtPr/><w:sdtContent>{_run('150-place special free school')}</w:sdtContent></w:sdt>"
    simple = f'<w:fldSimple {W} w:instr=" DOCPROPERTY Area ">{_run("North Leeds")}</w:fldSimple>'
    complex_field = [
        f'<w:r {W}><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {W}><w:instrText xml:space="preserve"> DOCPROPERTY Due </w:instrText></w:r>',
        f'<w:r {W}><w:fldChar w:fldCharType="separate"/></w:r>',
        _run("September 2026"),
        f'<w:r {W}><w:fldChar w:fldCharType="end"/></w:r>',
    ]

    def filled(table) -> None:  # type: ignore[no-untyped-def]
        _append(table, _run("Open a "), control, _run(" in "), simple, _run(" by "), *complex_field)

    parsed = read_catalogue(_docx(filled), "cat.docx")
    assert not parsed.problems
    assert parsed.rows[1].recommendation == (
        "Open a 150-place special free school in North Leeds by September 2026"
    )


def test_a_table_nested_in_a_word_cell_is_read_in_its_place():
    def nested(table) -> None:  # type: ignore[no-untyped-def]
        cell = table.rows[2].cells[1]
        cell.paragraphs[0].text = "Deliver the following by March 2026:"
        inner = cell.add_table(rows=2, cols=2)
        for r, (letter, words) in enumerate(
            [("a)", "40 new resource base places"), ("b)", "a new special free school")]
        ):
            inner.cell(r, 0).text, inner.cell(r, 1).text = letter, words

    parsed = read_catalogue(_docx(nested), "cat.docx")
    assert not parsed.problems
    assert parsed.rows[1].recommendation == (
        "Deliver the following by March 2026: a) 40 new resource base places "
        "b) a new special free school"
    )


# -- 7. duplicate columns in a catalogue ---------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "second"),
    [
        ("LA,Recommendation,Recommendation,Theme", "Recommendation"),
        ("LA,Recommendation,Measure,Theme", "Measure"),
    ],
)
def test_a_catalogue_naming_a_column_twice_is_refused(header, second):
    data = f"{header}\nLeeds,First text,Second text,Inclusion\n".encode()
    parsed = read_catalogue(data, "cat.csv")
    assert _codes(parsed.problems) == [("duplicate-column", 1, second)]
    # the rows are still read, so the refusal lists every problem in the file at once


# -- 8. old and encrypted Office files under a new name ------------------------------------------


def _ole(*streams: str) -> bytes:
    """A minimal OLE compound file whose directory holds ``streams`` (no stream data)."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIII", header, 0x2C, 1, 1, 0, 4096)  # 1 FAT sector; directory at 1
    struct.pack_into("<IIII", header, 0x3C, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([0xFFFFFFFF] * 108))
    fat = struct.pack("<128I", 0xFFFFFFFD, 0xFFFFFFFE, *([0xFFFFFFFF] * 126))
    directory = bytearray(512)
    for i, (name, kind) in enumerate([("Root Entry", 5), *((s, 2) for s in streams)][:4]):
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        directory[i * 128 : i * 128 + len(encoded)] = encoded
        struct.pack_into("<HB", directory, i * 128 + 64, len(encoded), kind)
    return bytes(header) + fat + bytes(directory)


OLD_XLS = _ole("Workbook", "\x05SummaryInformation")
LOCKED = _ole("EncryptionInfo", "EncryptedPackage")


@pytest.mark.parametrize("read", [read_activities, read_catalogue])
@pytest.mark.parametrize(
    ("data", "code", "said"),
    [
        (OLD_XLS, "old-excel-format", "old Excel file (.xls"),
        (LOCKED, "encrypted-file", "is password-protected;"),
    ],
)
def test_an_old_xls_named_xlsx_is_not_called_password_protected(read, data, code, said):
    [problem] = read(data, "tracker.xlsx").problems
    assert problem.code == code
    assert said in problem.message
    if code == "old-excel-format":
        assert "password" not in problem.message


def test_a_word_document_named_xlsx_is_said_to_be_one_in_the_catalogue_import():
    document = Document()
    document.add_paragraph("not a workbook")
    out = io.BytesIO()
    document.save(out)
    [problem] = read_catalogue(out.getvalue(), "cat.xlsx").problems
    assert problem.code == "misnamed-file"
    assert "a Word document" in problem.message and ".docx" in problem.message


# -- 9, 10. UTF-16 text, and a BOM before a stray byte -------------------------------------------


def test_utf16_text_with_a_bom_is_read():
    activities = "id,title\nU1,Title £ utf16\n".encode("utf-16")
    parsed = read_activities(activities, "act.csv")
    assert [(a.id, a.title) for a in parsed.rows] == [("U1", "Title £ utf16")]
    catalogue = "LA\tRecommendation\tTheme\nLeeds\tOpen £1m hub by 2026\tInclusion\n"
    found = read_catalogue(catalogue.encode("utf-16"), "cat.csv")
    assert [r.recommendation for r in found.rows] == ["Open £1m hub by 2026"]


@pytest.mark.parametrize("bom", [b"\xef\xbb\xbf", b""])
def test_a_stray_byte_after_a_utf8_bom_is_named_where_it_is(bom):
    data = bom + b'id,title,description\nE1,SENCO network,"Top-up \x93bands\x94 \xc2\xa3"\n'
    [problem] = read_activities(data, "act.csv").problems
    assert (problem.code, problem.line, problem.column) == ("mixed-encoding", 2, "26")
    assert "byte 0x93 at character 26" in problem.message


# -- 11. a second header row ---------------------------------------------------------------------


def test_a_second_header_row_under_a_merged_heading_is_named_as_such():
    rows: list[list[object]] = [
        ["id", "title", "owner", "Dates", None],
        [None, None, None, "start", "end"],
        ["M1", "Merged one", "Ann", "2025-09-01", "2026-03-31"],
    ]
    parsed = read_activities(_book([("Tracker", rows, False)]), "t.xlsx")
    assert _codes(parsed.problems) == [("second-header-row", 2, None)]
    assert "line 2 looks like a second header row" in parsed.problems[0].message


# -- 12. hidden rows are read, and said ----------------------------------------------------------


def test_hidden_rows_read_are_named_in_the_activities_result():
    rows: list[list[object]] = [["id", "title"], ["H1", "One"], ["H2", "Closed"], ["H3", "Three"]]
    rows += [["H4", "Gone"]]
    parsed = read_activities(_book([("P", rows, False)], hidden_rows=(3, 5)), "t.xlsx")
    assert [a.id for a in parsed.rows] == ["H1", "H2", "H3", "H4"]
    assert parsed.notes == ["2 hidden rows were read: lines 3, 5"]


def test_hidden_rows_read_are_named_in_the_catalogue_result(tmp_path, empty_ws, cli):
    rows: list[list[object]] = [CAT_HEADER]
    rows += [["Leeds", f"Measure {n} done by March 2026", "Inclusion", ""] for n in (1, 2, 3)]
    path = tmp_path / "cat.xlsx"
    path.write_bytes(_book([("Agreement", rows, False)], hidden_rows=(3,)))
    code, out, err = cli(
        "import", "catalogue", str(path), "--agreement-year", "2024-25", "--council", "Leeds"
    )
    assert code == 0, err
    assert "1 hidden row was read: line 3 of sheet 'Agreement'" in out


# -- 6. a catalogue file too large to group is refused up front ----------------------------------


@pytest.mark.parametrize("name", ["cat.csv", "cat.txt"])
def test_a_catalogue_file_over_the_catalogue_row_limit_is_refused_before_it_is_read_on(
    monkeypatch, name
):
    monkeypatch.setattr(limits, "MAX_CATALOGUE_ROWS", 3)
    header = "LA\tRecommendation\tTheme\tSub-Theme\tRAG"
    rows = [f"Leeds\tMeasure {n} by March 2026\tInclusion\t\t" for n in range(1, 5)]
    data = "\n".join([header, *rows]).encode()
    problems = read_catalogue(data, name).problems
    assert _codes(problems) == [("too-many-rows", None, None)]
    assert "more than 3 rows, the limit for a catalogue file" in problems[0].message
    assert not read_catalogue("\n".join([header, *rows[:3]]).encode(), name).problems


def test_the_catalogue_row_limit_is_the_one_the_docs_state():
    docs = (Path(__file__).parents[1] / "docs" / "cli.md").read_text(encoding="utf-8")
    assert f"catalogue file of over\n{limits.MAX_CATALOGUE_ROWS:,} rows" in docs


# -- 13. smaller points --------------------------------------------------------------------------


def test_an_excel_date_serial_in_a_general_cell_is_named_as_one():
    rows: list[list[object]] = [["id", "title", "start"], ["D1", "Dated", 45901]]
    [problem] = read_activities(_book([("P", rows, False)]), "t.xlsx").problems
    assert problem.code == "bad-date"
    assert "looks like an Excel date serial (= 01/09/2025)" in problem.message
    assert "format the column as Date" in problem.message


def test_ids_differing_only_by_a_zero_width_character_are_duplicates():
    data = "id,title\nK1,One\n\u200bK1,Two\n".encode()
    assert _codes(read_activities(data, "t.csv").problems) == [("duplicate-id", 3, "id")]


def test_a_long_numeric_id_is_read_as_its_digits():
    rows: list[list[object]] = [["id", "title"], [1e20, "Big"], [7.0, "Seven"]]
    parsed = read_activities(_book([("P", rows, False)]), "t.xlsx")
    assert [a.id for a in parsed.rows] == ["100000000000000000000", "7"]


def test_a_missing_header_says_how_many_rows_were_looked_at():
    data = "\n".join([*(f"note {n}" for n in range(12)), "id,title", "A1,One"]).encode()
    problems = read_activities(data, "t.csv").problems
    assert problems and "looked for in the first 10 filled-in rows" in problems[0].message


def test_a_web_refusal_does_not_repeat_the_file_name(site):
    client = site.client("ann")  # an admin of Bristol, the council that keeps the catalogue
    refused = post(
        client,
        "/imports",
        {"kind": "catalogue", "agreement_year": "2024-25"},
        files={"file": ("act_base.ods", b"PK\x03\x04 not really", "application/octet-stream")},
    )
    assert refused.status_code == 422
    said = text(page(refused).find(".//main"))
    assert "cannot import '.ods' files" in said
    assert "act_base.ods act_base.ods" not in said
    assert "act_base.ods: cannot import" not in said


def test_the_activities_preview_shows_status_labels_not_stored_values(site):
    client = site.client("les")
    first = b"id,title,status\nS1,Status one,in progress\n"
    done = post(
        client, "/imports", {"kind": "activities"}, files={"file": ("a.csv", first, "text/csv")}
    )
    confirm = page(done).find(".//main//form[@method='post']").get("action")
    assert post(client, confirm, token_from="/imports").status_code == 303
    second = b"id,title,status\nS1,Status one,at risk\n"
    preview = post(
        client, "/imports", {"kind": "activities"}, files={"file": ("a.csv", second, "text/csv")}
    )
    said = text(by_id(preview, "changes"))
    assert "In progress" in said and "At risk" in said
    assert "in_progress" not in said and "at_risk" not in said


def test_a_second_header_row_in_a_catalogue_is_named_as_such():
    rows: list[list[object]] = [
        ["LA", "Recommendation", "Themes", None],
        [None, None, "Theme", "Sub-Theme"],
        ["Leeds", "Open 40 places by March 2026", "Inclusion", "Mainstream"],
    ]
    problems = read_catalogue(_book([("Agreement", rows, False)]), "cat.xlsx").problems
    assert _codes(problems) == [("second-header-row", 2, None)]


# -- each sheet of a workbook read under its own header ---------------------------------------------


def test_each_sheet_of_a_catalogue_workbook_is_read_under_its_own_header():
    # a later sheet with its columns in another order (or fewer of them) never re-reads the rows
    # of the sheets before it: Sheffield's measure was an authority called by its text
    data = _book(
        [
            (
                "2023-24",
                [
                    ["LA", "Recommendation", "Theme"],
                    ["Sheffield", "Open two special schools", "Places"],
                ],
                False,
            ),
            (
                "2024-25",
                [["Recommendation", "LA", "Theme"], ["Review banding", "Kirklees", "Funding"]],
                False,
            ),
            ("2025-26", [["LA", "Recommendation"], ["Wakefield", "Expand outreach"]], False),
        ]
    )
    parsed = read_catalogue(data, "cat.xlsx")
    assert parsed.problems == []
    assert [(r.la, r.recommendation, r.theme) for r in parsed.rows] == [
        ("Sheffield", "Open two special schools", "Places"),
        ("Kirklees", "Review banding", "Funding"),
        ("Wakefield", "Expand outreach", ""),
    ]


def test_every_problem_of_every_sheet_is_listed_under_its_own_header():
    data = _book(
        [
            (
                "A",
                [["LA", "Recommendation", "RAG"], ["Sheffield", "Open schools", "Purple"]],
                False,
            ),
            (
                "B",
                [["Recommendation", "LA", "RAG"], ["Review banding", "Kirklees", "Mauve"]],
                False,
            ),
        ]
    )
    parsed = read_catalogue(data, "cat.xlsx")
    assert [(p.code, p.line, p.file) for p in parsed.problems] == [
        ("unknown-rag", 2, "cat.xlsx, sheet A"),
        ("unknown-rag", 2, "cat.xlsx, sheet B"),
    ]
