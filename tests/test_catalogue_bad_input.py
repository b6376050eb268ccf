"""import catalogue refuses bad files with a clear problem naming the file, and writes nothing."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from catalogue_files import build_csv, build_docx, seed_rows, to_pdf
from conftest import SEED, need
from docx import Document
from PIL import Image, ImageDraw

from valvecheck.importers import limits
from valvecheck.importers.catalogue_table import Block, CellRow, Extracted, read_table

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def docx_without_table(folder: Path) -> Path:
    document = Document()
    document.add_paragraph("APPENDIX A")
    document.add_paragraph("LA Recommendation Theme Sub-Theme RAG (the table was pasted as text)")
    document.save(folder / "no-table.docx")
    return folder / "no-table.docx"


def scanned_pdf(folder: Path) -> Path:
    """A PDF that is only a picture of a table: no text layer."""
    image = Image.new("RGB", (800, 400), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 780, 380), outline="black")
    draw.text((40, 40), "LA  Recommendation  Theme  Sub-Theme  RAG", fill="black")
    image.save(folder / "scan.pdf")
    return folder / "scan.pdf"


def csv_without_recommendation(folder: Path) -> Path:
    path = build_csv(SEED, folder / "no-recommendation.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] = "LA,Wording,Theme,Sub-Theme,RAG"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write(name: str, data: bytes):  # type: ignore[no-untyped-def]
    def make(folder: Path) -> Path:
        (folder / name).write_bytes(data)
        return folder / name

    return make


def damaged_zip(name: str):  # type: ignore[no-untyped-def]
    """A real zip whose single part is cut short: what a broken download looks like."""

    def make(folder: Path) -> Path:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<Types>" + "x" * 5000 + "</Types>")
        data = buffer.getvalue()
        cut = data[:40] + b"\x00" * 30 + data[70:]
        (folder / name).write_bytes(cut)
        return folder / name

    return make


def too_large(folder: Path) -> Path:
    return build_csv(SEED, folder / "big.csv")


CASES = [
    # (make the file, problem code, line, column)
    (docx_without_table, "no-table", None, None),
    (scanned_pdf, "no-text-layer", None, None),
    (csv_without_recommendation, "missing-column", 1, "Recommendation"),
    (damaged_zip("broken.docx"), "corrupt-file", None, None),
    (damaged_zip("broken.xlsx"), "corrupt-file", None, None),
    (write("not-a-zip.docx", b"this is not a zip file" * 10), "corrupt-file", None, None),
    (write("garbage.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 8), "corrupt-file", None, None),
    (write("locked.docx", OLE + b"\x00" * 2000), "encrypted-file", None, None),
    (write("locked.xlsx", OLE + b"\x00" * 2000), "encrypted-file", None, None),
    (write("empty.csv", b""), "empty-file", None, None),
    (too_large, "file-too-large", None, None),
]


@pytest.mark.parametrize(
    ("make", "code", "line", "column"),
    CASES,
    ids=[
        "docx-no-table",
        "pdf-no-text-layer",
        "csv-no-recommendation",
        "docx-damaged-zip",
        "xlsx-damaged-zip",
        "docx-not-a-zip",
        "pdf-garbage",
        "docx-password",
        "xlsx-password",
        "csv-empty",
        "csv-over-size-limit",
    ],
)
def test_bad_file_is_refused_and_nothing_written(
    make, code, line, column, ws, cli, tmp_path, monkeypatch
):
    if make is too_large:
        monkeypatch.setattr(limits, "MAX_BYTES", 1000)
    path = make(tmp_path)
    before = cli("export", "--format", "json")[1]
    exit_code, out, err = cli("import", "catalogue", str(path))
    assert exit_code == 1
    where = (
        str(path) + (f", line {line}" if line else "") + (f", column {column}" if column else "")
    )
    assert f"  {where}" in err and f"[{code}]" in err, err
    assert cli("export", "--format", "json")[1] == before


def test_password_protected_pdf(ws, cli, tmp_path):
    """A real encrypted PDF, made by LibreOffice with an open password."""
    need(shutil.which("libreoffice") is not None, "libreoffice is not installed")
    doc = build_docx(SEED, tmp_path / "locked.docx")
    password = (
        'pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
        '"DocumentOpenPassword":{"type":"string","value":"secret"}}'
    )
    pdf = to_pdf(doc, tmp_path, tmp_path / "lo-profile", export=password)
    before = cli("export", "--format", "json")[1]
    exit_code, _, err = cli("import", "catalogue", str(pdf))
    assert exit_code == 1
    assert f"{pdf}: the PDF is password-protected" in err and "[encrypted-file]" in err
    assert cli("export", "--format", "json")[1] == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["notes.odt"], "cannot import '.odt' files"),
        (["missing.csv"], "no such file"),
        (["x.csv", "--agreement-year", "next year"], "is not a year such as 2020-21"),
        (["x.csv", "--source", "intranet"], "is not a web address"),
        (["x.csv", "--column-map", "Wording"], "should be COLUMN=HEADING"),
    ],
)
def test_bad_arguments_are_one_clear_line(args, message, ws, cli, tmp_path):
    for name in ("notes.odt", "x.csv"):
        (tmp_path / name).write_text("LA,Recommendation\nBury,Do it\n", encoding="utf-8")
    args = [str(tmp_path / args[0]), *args[1:]]
    before = cli("export", "--format", "json")[1]
    exit_code, _, err = cli("import", "catalogue", *args)
    assert exit_code == 1 and message in err and err.count("\n") == 1, err
    assert cli("export", "--format", "json")[1] == before


def test_pdf_problem_names_the_page(ws, cli, tmp_path):
    need(shutil.which("libreoffice") is not None, "libreoffice is not installed")
    doc = build_docx(SEED, tmp_path / "purple.docx")
    # a RAG word nobody uses, in the table on the last page
    document = Document(str(doc))
    document.tables[-1].rows[-1].cells[4].text = "Purple"
    document.save(doc)
    pdf = to_pdf(doc, tmp_path, tmp_path / "lo-profile")
    exit_code, _, err = cli("import", "catalogue", str(pdf))
    assert exit_code == 1
    assert f"{pdf}, page " in err and ", column RAG:" in err and "[unknown-rag]" in err, err


def test_an_empty_la_in_the_middle_of_a_pdf_page_is_still_refused(ws, cli, tmp_path):
    need(shutil.which("libreoffice") is not None, "libreoffice is not installed")
    doc = build_docx(SEED, tmp_path / "no-la.docx", one_table=True)
    # Stoke-on-Trent's rows start part-way down a page, under Kingston's, and run onto the next
    document = Document(str(doc))
    for row in document.tables[0].rows:
        if row.cells[0].text.strip() == "Stoke-on-Trent":
            row.cells[0].text = ""
    document.save(doc)
    pdf = to_pdf(doc, tmp_path, tmp_path / "lo-profile")
    before = cli("export", "--format", "json")[1]
    exit_code, _, err = cli("import", "catalogue", str(pdf))
    assert exit_code == 1
    stoke = [r for r in seed_rows(SEED) if r[0] == "Stoke-on-Trent"]
    assert err.count("column LA: the LA cell is empty [missing-value]") == len(stoke), err
    assert cli("export", "--format", "json")[1] == before


def _page(continues: bool, *las: str) -> Block:
    rows = [CellRow(("LA", "Recommendation"), 1)]
    rows += [CellRow((la, f"Measure {i}"), i) for i, la in enumerate(las, start=2)]
    return Block("f.pdf, page", rows, continues=continues)


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        # rows at the top of a page carried over from the last page: the LA carries on
        ([_page(False, "Bury", "Bury"), _page(True, "", "", "Stoke")], "Bury Bury Bury Bury Stoke"),
        # ... until a row on that page names its LA; an empty LA after it is missing
        ([_page(False, "Bury"), _page(True, "", "Stoke", "")], "Bury Bury Stoke -"),
        # a new table on the next page (a title above it, other columns) carries nothing
        ([_page(False, "Bury"), _page(False, "", "Stoke")], "Bury - Stoke"),
        # nor does the first page, nor a page whose previous page ended with an empty LA
        ([_page(True, "", "Bury")], "- Bury"),
        ([_page(False, "Bury", ""), _page(True, "")], "Bury - -"),
    ],
)
def test_an_empty_la_is_carried_only_at_the_top_of_a_continued_page(pages, expected):
    parsed, _ = read_table(Extracted(pages), "f.pdf")
    assert {(p.code, p.column) for p in parsed.problems} <= {("missing-value", "LA")}
    accepted = {r.row: r.la for r in parsed.rows}
    total = len(parsed.rows) + len(parsed.problems)
    assert " ".join(accepted.get(n, "-") for n in range(1, total + 1)) == expected
