"""The eighth security review's findings (one Valvecheck shared by several councils on
PostgreSQL), each with the test that fails without its fix. Reproductions: /tmp/sec/ (the
reviewer's scripts); numbers refer to the review's findings."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

import io
import zipfile
from dataclasses import asdict

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_support import (
    asgi_post,
    csrf_of,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
)

from valvecheck import api
from valvecheck.errors import Conflict, ImportRejected
from valvecheck.importers import activity_rows, limits
from valvecheck.importers.activities import read_activities
from valvecheck.importers.workbook import open_workbook, sheet_rows
from valvecheck.services import activities, people, tokens
from valvecheck.services.workspace import init_workspace, unit_of_work
from valvecheck.store.db import Workspace
from valvecheck.store.models import CouncilRow, PersonRow
from valvecheck.web import create_app
from valvecheck.web.session import COOKIE

PASSWORD = "correct horse battery"

# -- workbooks written by hand: what a hostile file holds -----------------------------------------

NS = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def xlsx(sheet_xml: str, shared: list[str] | None = None) -> bytes:
    """A one-sheet workbook whose sheet's XML is ``sheet_xml`` (from <sheetData> on), with
    ``shared`` as its shared strings (a part of its own, as Excel writes them)."""
    out = io.BytesIO()
    strings = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sharedStrings+xml"/>'
        if shared is not None
        else ""
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats'
            '-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml'
            '.worksheet+xml"/>' + strings + "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships"><sheets><sheet name="Tracker" sheetId="1" r:id="rId1"/></sheets>'
            "</workbook>",
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )
        z.writestr("xl/worksheets/sheet1.xml", NS + sheet_xml + "</worksheet>")
        if shared is not None:
            z.writestr(
                "xl/sharedStrings.xml",
                '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                + "".join(f"<si><t>{s}</t></si>" for s in shared)
                + "</sst>",
            )
    return out.getvalue()


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def row(number: int, *cells: str) -> str:
    return f'<row r="{number}">' + "".join(cells) + "</row>"


HEADER = row(1, cell("A1", "id"), cell("B1", "title"))


def activity(number: int) -> str:
    return row(number, cell(f"A{number}", f"X-{number}"), cell(f"B{number}", "Outreach"))


def codes(problems) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.code for p in problems]


# -- 1. a table's columns are limited: a header of millions of cells is refused at once ----------


def test_a_csv_header_of_thousands_of_columns_is_refused_naming_the_file_and_the_limit():
    data = b"id,title" + b",x" * 5_000 + b"\nX-1,Outreach\n"
    problems = read_activities(data, "wide.csv").problems
    assert codes(problems) == ["too-many-columns"]
    assert problems[0].file == "wide.csv" and problems[0].line == 1
    assert (
        "5,002 columns" in problems[0].message and f"{limits.MAX_COLUMNS:,}" in problems[0].message
    )


def test_a_wide_header_is_refused_before_its_cells_are_matched(monkeypatch):
    matched: list[int] = []
    real = activity_rows._match

    def counting(cells, column_map):  # type: ignore[no-untyped-def]
        matched.append(len(cells))
        return real(cells, column_map)

    monkeypatch.setattr(activity_rows, "_match", counting)
    read_activities(b"id,title" + b",x" * 50_000 + b"\n", "wide.csv")
    assert not matched or max(matched) <= limits.MAX_COLUMNS  # no row of 50,000 cells matched


def test_a_catalogue_csv_header_of_thousands_of_columns_is_refused():
    from valvecheck.importers.catalogue import read_catalogue

    problems = read_catalogue(b"la,measure" + b",x" * 5_000 + b"\n", "c.csv").problems
    assert codes(problems) == ["too-many-columns"] and problems[0].file == "c.csv"


def test_a_csv_row_wider_than_a_table_is_refused():
    data = b"id,title\nX-1,Outreach" + b",x" * 5_000 + b"\n"
    problems = read_activities(data, "wide.csv").problems
    assert codes(problems) == ["too-many-columns"] and problems[0].line == 2


def test_empty_cells_past_the_last_column_are_not_counted():
    # a CSV saved from a spreadsheet with formatted empty columns: many trailing separators
    data = b"id,title" + b"," * 1_000 + b"\nX-1,Outreach" + b"," * 1_000 + b"\n"
    parsed = read_activities(data, "tracker.csv")
    assert parsed.problems == [] and [a.id for a in parsed.rows] == ["X-1"]


def test_a_workbook_row_filled_past_the_column_limit_is_refused():
    far = '<c r="ZZZ2"><v>1</v></c>'
    data = xlsx(
        "<sheetData>"
        + HEADER
        + row(2, cell("A2", "X-1"), cell("B2", "Outreach"), far)
        + "</sheetData>"
    )
    problems = read_activities(data, "wide.xlsx").problems
    assert codes(problems) == ["too-many-columns"]
    assert problems[0].file == "wide.xlsx [Tracker]" and problems[0].line == 2


def test_a_workbook_header_of_many_columns_is_refused():
    cells = "".join(cell(f"{a}{b}1", "x") for a in "CDEFGHIJ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    data = xlsx(
        "<sheetData>"
        + row(1, cell("A1", "id"), cell("B1", "title"), cells)
        + activity(2)
        + "</sheetData>"
    )
    problems = read_activities(data, "wide.xlsx").problems
    assert codes(problems) == ["too-many-columns"] and problems[0].line == 1


def test_a_row_numbered_far_down_is_one_row_not_every_row_before_it():
    # <row r="2000000000"> made openpyxl's reader give two billion empty rows, one at a time
    data = xlsx("<sheetData>" + HEADER + activity(2) + activity(50_000) + "</sheetData>")
    book = open_workbook(data, read_only=True)
    sheet = book.worksheets[0]
    sheet.reset_dimensions()
    assert [n for n, _ in sheet_rows(sheet)] == [1, 2, 50_000]
    book.close()
    far = xlsx("<sheetData>" + HEADER + activity(2) + activity(2_000_000_000) + "</sheetData>")
    parsed = read_activities(far, "far.xlsx")
    assert parsed.problems == [] and parsed.lines == [2, 2_000_000_000]


# -- 4. a hostile workbook's memory: merges, text, shared text, formulas -------------------------


def merged_over(merged: str) -> bytes:
    """A one-row activities workbook with one merge over ``merged`` ('C3:XFD1048576')."""
    return xlsx(
        "<sheetData>"
        + HEADER
        + activity(2)
        + f'</sheetData><mergeCells count="1"><mergeCell ref="{merged}"/></mergeCells>'
    )


def test_a_merge_covering_more_cells_than_a_table_needs_is_refused():
    # 'C3:XFD1048576' in a file of 1.5 KB was laid out cell by cell: billions of entries
    for merged in ("C3:Z20000", "C3:XFD1048576"):
        data = merged_over(merged)
        problems = read_activities(data, "merged.xlsx").problems
        assert codes(problems) == ["file-too-large"], merged
        assert "merged cells of sheet 'Tracker'" in problems[0].message
        assert problems[0].file == "merged.xlsx [Tracker]"


def test_a_workbook_of_many_small_merges_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_MERGED_CELLS", 50)
    merges = "".join(f'<mergeCell ref="C{n}:D{n}"/>' for n in range(3, 100))
    data = xlsx(
        "<sheetData>" + HEADER + activity(2) + f"</sheetData><mergeCells>{merges}</mergeCells>"
    )
    assert codes(read_activities(data, "merged.xlsx").problems) == ["file-too-large"]


def test_a_merge_a_tracker_has_is_still_read():
    data = xlsx(
        "<sheetData>"
        + row(1, cell("A1", "id"), cell("B1", "title"), cell("C1", "theme"))
        + row(2, cell("A2", "X-1"), cell("B2", "Outreach"), cell("C2", "Inclusion"))
        + row(3, cell("A3", "X-2"), cell("B3", "Hubs"))
        + '</sheetData><mergeCells count="1"><mergeCell ref="C2:C3"/></mergeCells>'
    )
    parsed = read_activities(data, "tracker.xlsx")
    assert parsed.problems == [] and [a.theme for a in parsed.rows] == ["Inclusion"] * 2


def test_more_text_than_a_table_may_hold_is_refused(monkeypatch):
    # a 4.7 MB workbook held 180 MB of titles (200,000 rows of 1,000 characters)
    monkeypatch.setattr(limits, "MAX_TEXT", 5_000)
    rows = "".join(
        row(n, cell(f"A{n}", f"X-{n}"), cell(f"B{n}", "t" * 1_000)) for n in range(2, 12)
    )
    problems = read_activities(xlsx("<sheetData>" + HEADER + rows + "</sheetData>"), "t.xlsx")
    assert codes(problems.problems) == ["file-too-large"]
    assert "more than 5,000 characters" in problems.problems[0].message
    csv = b"id,title\n" + b"".join(b"X-%d,%s\n" % (n, b"t" * 1_000) for n in range(10))
    assert codes(read_activities(csv, "t.csv").problems) == ["file-too-large"]


def test_a_workbook_whose_shared_text_unpacks_past_the_limit_is_refused(monkeypatch):
    # openpyxl reads a workbook's shared text whole when it opens it
    shared = ["id", "title", "X-1", "Outreach " * 100]
    ref = '<c r="{}" t="s"><v>{}</v></c>'
    data = xlsx(
        "<sheetData>"
        + row(1, ref.format("A1", 0), ref.format("B1", 1))
        + row(2, ref.format("A2", 2), ref.format("B2", 3))
        + "</sheetData>",
        shared,
    )
    parsed = read_activities(data, "t.xlsx")
    assert parsed.problems == [] and parsed.rows[0].title.startswith("Outreach Outreach")
    monkeypatch.setattr(limits, "MAX_SHARED_TEXT_BYTES", 500)
    problems = read_activities(data, "t.xlsx").problems
    assert codes(problems) == ["file-too-large"] and "text unpacks to" in problems[0].message


def test_a_sheet_of_more_unsaved_formulas_than_rows_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 5)
    formulas = "".join(f'<c r="{c}2"><f>1+1</f></c>' for c in "CDEFGH")
    data = xlsx(
        "<sheetData>"
        + HEADER
        + row(2, cell("A2", "X-1"), '<c r="B2"><f>A1</f></c>', formulas)
        + "</sheetData>"
    )
    problems = read_activities(data, "f.xlsx").problems
    assert codes(problems) == ["formula-without-value"]
    assert "more than 5 formulas with no saved result" in problems[0].message


def test_an_empty_cell_with_an_unsaved_formula_is_still_named():
    data = xlsx(
        "<sheetData>"
        + HEADER
        + row(2, cell("A2", "X-1"), '<c r="B2"><f>A1</f></c>')
        + row(3, cell("A3", "X-2"), '<c r="B3" t="str"><f>A1</f><v>Saved</v></c>')
        + "</sheetData>"
    )
    parsed = read_activities(data, "f.xlsx")
    assert [(p.code, p.line) for p in parsed.problems] == [("formula-without-value", 2)]


# -- 3. a file refused for many problems lists the first hundred and says how many more ----------

DUPLICATES = b"id,title\n" + b"A-1,Outreach\n" * 300  # 299 duplicate ids


def test_the_problems_listed_are_the_first_hundred_and_a_count_of_the_rest():
    problems = read_activities(DUPLICATES, "dup.csv").problems
    assert len(problems) == limits.MAX_PROBLEMS + 1
    more = [p for p in problems if isinstance(p, limits.MoreProblems)]
    assert [p.more for p in more] == [199] and limits.total(problems) == 299
    assert "199 more problems are not listed here, only the first 100" in more[0].message
    lines = [p.line for p in problems if p.line is not None]
    assert lines == list(range(3, 103))  # the first, in file order


def test_a_capped_list_capped_again_counts_the_same():
    again = limits.capped(read_activities(DUPLICATES, "dup.csv").problems)
    assert limits.total(again) == 299 and len(again) == limits.MAX_PROBLEMS + 1


def test_the_api_lists_the_first_hundred_problems_and_says_how_many_in_all(tmp_path):
    ws = Workspace(str(tmp_path / "v.db"))
    init_workspace(ws, empty=True, council="Bristol")
    with unit_of_work(ws, write=True, by="admin") as ctx:
        secret = tokens.create_token(ctx, "editor", "editor").secret
    app = api_app(ws)
    with TestClient(app) as client:
        answer = client.post(
            "/api/activities/import",
            headers={"Authorization": f"Bearer {secret}"},
            files={"file": ("dup.csv", DUPLICATES, "text/csv")},
            data={"preview": "true"},
        )
    ws.dispose()
    assert answer.status_code == 422
    body = answer.json()
    assert len(body["problems"]) == limits.MAX_PROBLEMS + 1
    assert [p["code"] for p in body["problems"]].count("more-problems") == 1
    assert "(and 298 more problems)" in body["detail"]


def test_the_web_preview_says_how_many_problems_are_not_listed(site):
    client = site.client("ed")
    answer = client.post(
        "/imports",
        data={"kind": "activities", "csrf_token": csrf_of(client, "/imports")},
        files={"file": ("dup.csv", DUPLICATES, "text/csv")},
    )
    assert answer.status_code == 422
    assert "199 more problems are not listed here" in answer.text
    assert answer.text.count("is already used on row 2") == limits.MAX_PROBLEMS


def test_the_command_line_lists_the_first_hundred_problems(cli, tmp_path):
    code, _, _ = cli("--council", "Bristol", "init", "--empty")
    assert code == 0
    path = tmp_path / "dup.csv"
    path.write_bytes(DUPLICATES)
    code, _, err = cli("--council", "Bristol", "activities", "import", str(path))
    assert code == 1
    assert "199 more problems are not listed here" in err
    assert err.count("is already used on row 2") == limits.MAX_PROBLEMS


# -- 2. a sign-in name is one namespace, whatever its case, across councils ----------------------


@pytest.fixture
def two_councils(pg_url):  # type: ignore[no-untyped-def]
    """Bristol (Ann.Lee, an editor) and Leeds (lee, its admin) on PostgreSQL, connected as an
    ordinary role (row-level security applies)."""
    ws = Workspace(pg_url)
    init_workspace(ws, empty=True, council="Bristol")
    with unit_of_work(ws, write=True, by="setup") as ctx:
        people.add_council(ctx, "Leeds")
        people.add_person(ctx, "Ann.Lee", "editor", "Bristol", PASSWORD)
        people.add_person(ctx, "lee", "admin", "Leeds", PASSWORD)
    yield ws
    ws.dispose()


@pytest.mark.parametrize("name", ["ann.lee", "ANN.LEE", "Ann.Lee", " ann.LEE "])
def test_another_council_cannot_take_a_name_differing_only_in_case(two_councils, name):
    ws = two_councils
    taken = pytest.raises(Conflict, match="is taken \\(names differing only in case")
    with taken, unit_of_work(ws, write=True, as_person="lee") as ctx:
        people.add_person(ctx, name, "viewer", password="leeds-chosen-pw1")
    with ws.session(write=False, all_councils=True) as db:
        assert [p.name for p in db.scalars(select(PersonRow).order_by(PersonRow.id))] == [
            "Ann.Lee",
            "lee",
        ]
    # and Ann still signs in typing her name as she likes
    with ws.session(write=True, all_councils=True) as db:
        assert people.sign_in(db, "ann.lee", PASSWORD).name == "Ann.Lee"


def test_the_refusal_says_no_more_than_for_a_name_in_ones_own_council(two_councils):
    ws = two_councils
    messages = []
    for name in ("ANN.LEE", "LEE"):  # Bristol's person, then Leeds' own admin
        with pytest.raises(Conflict) as refused, unit_of_work(ws, as_person="lee") as ctx:
            people.add_person(ctx, name, "viewer")
        messages.append(str(refused.value).replace(name, "NAME"))
    assert messages[0] == messages[1] and "Bristol" not in messages[0]


def test_checking_the_name_leaves_the_council_scope_as_it_was(two_councils):
    ws = two_councils
    with unit_of_work(ws, write=True, as_person="lee") as ctx:
        people.add_person(ctx, "new.person", "viewer")
        seen = set(ctx.session.scalars(select(PersonRow.council_id)))
        councils = {c.name: c.id for c in ctx.session.scalars(select(CouncilRow))}
    assert seen == {councils["Leeds"]}  # row-level security still shows Leeds' people only


def test_the_local_administrator_is_refused_such_a_name_too(two_councils):
    local = unit_of_work(two_councils, write=True, council="Bristol", by="admin")
    with pytest.raises(Conflict, match="is taken"), local as ctx:
        people.add_person(ctx, "LEE", "viewer", "Bristol")


# -- 6. the API refuses a caller without credentials before reading what they send ----------------

MB = 1024 * 1024


def api_app(ws: Workspace):  # type: ignore[no-untyped-def]
    from fastapi import FastAPI

    app = FastAPI()
    api.install(app, ws)
    return app


def upload(megabytes: int):  # type: ignore[no-untyped-def]
    yield b'--XB\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
    for _ in range(megabytes):
        yield b"x" * MB
    yield b"\r\n--XB--\r\n"


NOBODY = [(), ((b"authorization", b"Bearer vc_nope"),), ((b"authorization", b"Basic eDp5"),)]


@pytest.mark.parametrize("headers", NOBODY)
def test_the_api_refuses_an_upload_from_nobody_without_reading_it(site, headers):
    for app in (create_app(site.settings, site.ws), api_app(site.ws)):
        assert asgi_post(app, "/api/activities/import", upload(5), headers) == (401, 0)


def test_a_session_without_its_csrf_token_is_refused_before_its_upload_is_read(site):
    app = create_app(site.settings, site.ws)
    fresh = app.state.sessions.fresh(site.people["ed"], "ed")
    cookie = f"{COOKIE}={app.state.sessions._signer.dumps(asdict(fresh))}".encode()
    status, reads = asgi_post(app, "/api/activities/import", upload(5), [(b"cookie", cookie)])
    assert (status, reads) == (403, 0)


def test_an_upload_with_a_token_is_still_imported(site):
    with unit_of_work(site.ws, write=True, council="Bristol", by="admin") as ctx:
        secret = tokens.create_token(ctx, "uploads", "editor").secret
    with TestClient(create_app(site.settings, site.ws)) as client:
        answer = client.post(
            "/api/activities/import",
            headers={"Authorization": f"Bearer {secret}"},
            files={"file": ("a.csv", b"id,title\nB-9,New hubs\n", "text/csv")},
        )
    assert answer.status_code == 200, answer.text
    with unit_of_work(site.ws, council="Bristol") as ctx:
        assert "B-9" in [v.activity.id for v in activities.list_activities(ctx)]


def test_a_refused_import_through_the_service_is_capped_too(tmp_path):
    ws = Workspace(str(tmp_path / "v.db"))
    init_workspace(ws, empty=True, council="Bristol")
    with pytest.raises(ImportRejected) as refused, unit_of_work(ws, write=True) as ctx:
        activities.import_activities(ctx, DUPLICATES, "dup.csv")
    ws.dispose()
    assert limits.total(refused.value.problems) == 299
    assert len(refused.value.problems) == limits.MAX_PROBLEMS + 1


def test_a_catalogue_workbook_with_a_merge_over_the_whole_sheet_is_refused():
    # opened whole, openpyxl laid out every merged cell as it loaded the file
    from valvecheck.importers.catalogue import read_catalogue

    for merged in ("C3:Z20000", "C3:XFD1048576"):  # the first fails fast without the fix
        data = merged_over(merged)
        problems = read_catalogue(data, "catalogue.xlsx").problems
        assert codes(problems) == ["file-too-large"], merged
        assert problems[0].file == "catalogue.xlsx, sheet Tracker"


# -- 5. the upload staging folder is this account's own ------------------------------------------


def test_a_staging_folder_others_may_use_is_never_used(tmp_path, monkeypatch):
    import os
    import stat
    import tempfile

    from valvecheck.errors import WorkspaceError
    from valvecheck.web import imports

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    token = imports._stage("activities", "a.csv", 1, {}, b"id,title\nX-1,Private\n")
    staged = list(tmp_path.glob("valvecheck-uploads*/*"))
    assert {stat.S_IMODE(p.stat().st_mode) for p in staged} == {0o600}
    assert {stat.S_IMODE(p.parent.stat().st_mode) for p in staged} == {0o700}
    assert imports._staged(token, 1).data == b"id,title\nX-1,Private\n"
    # another account (or anyone) made the folder first, open to all: it is not used
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(other))
    for name in ("valvecheck-uploads", f"valvecheck-uploads-{os.getuid()}"):
        (other / name).mkdir()
        (other / name).chmod(0o777)
    with pytest.raises(WorkspaceError, match="not this account's own"):
        imports._stage("activities", "a.csv", 1, {}, b"id,title\nX-1,Private\n")
    assert not list(other.glob("*/*"))
