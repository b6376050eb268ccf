"""Checks on an Office file before a format library opens it: password protection, broken zips.

Word and Excel files are zip archives; a password-protected one is instead an OLE compound file
(the same container as an old .doc or .xls), so it is recognised by its first bytes rather than
by a library's error message, and told from an old .xls or .doc by its streams (``ole.kind``). Size and zip-bomb limits are ``limits.check``'s, which every reader
passes first. ``misnamed`` is the one check, shared by every importer, for a workbook (or another
document) whose name says it is text: an .xlsx renamed .csv.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from valvecheck.domain.problems import Problem
from valvecheck.importers import limits, ole

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
# An Office Open XML or OpenDocument file by its parts: what it is, and the name it should have.
_ZIP_KINDS = (
    ("xl/workbook.xml", "an Excel workbook", ".xlsx"),
    ("word/document.xml", "a Word document", ".docx"),
    ("ppt/presentation.xml", "a PowerPoint file", ".pptx"),
)


def article(noun: str) -> str:
    """'an Excel workbook', 'a Word document'."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def too_large(size: int, file: str) -> Problem | None:
    return limits.too_large(size, file)


def check_zip(data: bytes, file: str, kind: str, save_as: str) -> list[Problem]:
    """Problems that stop an Office Open XML file (``kind``: 'Word document') being read."""
    if problems := limits.check(data, file):
        return problems
    if data.startswith(OLE_MAGIC):
        return [old_format(data, file, kind, save_as)]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            broken = archive.testzip()
    except (zipfile.BadZipFile, EOFError, ValueError, RuntimeError):
        return [Problem("corrupt-file", f"this is not {article(kind)} (the file is damaged)", file)]
    if broken is not None:
        return [Problem("corrupt-file", f"the {kind} is damaged (part '{broken}')", file)]
    found = content_kind(data)
    if found is not None and found[1] != save_as and found[1] in _DOCUMENTS:
        # a Word document named .xlsx: said as what it is, not as a workbook openpyxl can't read
        return [
            Problem(
                "misnamed-file",
                f"this file is named {PurePath(file).suffix} but its content is {found[0]}: give "
                f"it the name it should have ({found[1]}) and import it again",
                file,
            )
        ]
    return []


_DOCUMENTS = (".xlsx", ".docx", ".pptx", ".ods")


def old_format(data: bytes, file: str, kind: str, save_as: str) -> Problem:
    """An OLE file named as an Office Open XML one (``kind``: 'Word document'), told apart by
    its streams: password-protected, an old .xls, an old .doc, or (a directory that cannot be
    read) one of those."""
    found = ole.kind(data)
    suffix = PurePath(file).suffix or "this"
    if found == "encrypted":
        return Problem(
            "encrypted-file",
            f"this {kind} is password-protected; open it, remove the password and save it as "
            f"{save_as}",
            file,
        )
    if found == "excel":
        return Problem(
            "old-excel-format",
            f"this is an old Excel file (.xls, Excel 97-2003) named {suffix}, which cannot be "
            "read; open it in Excel and save it as .xlsx (Excel Workbook) or as CSV",
            file,
        )
    if found == "word":
        return Problem(
            "old-word-format",
            f"this is an old Word document (.doc, Word 97-2003) named {suffix}, which cannot be "
            "read; open it in Word and save it as .docx (Word Document)",
            file,
        )
    return Problem(
        "encrypted-file",
        f"this {kind} is password-protected or in the old binary format; open it, remove the "
        f"password and save it as {save_as}",
        file,
    )


def content_kind(data: bytes) -> tuple[str, str] | None:
    """What a file is by its content when it is not text: (what it is, the suffix it should
    have), e.g. ('an Excel workbook', '.xlsx'); None for anything else (text, or unknown)."""
    if data.lstrip()[:5] == b"%PDF-":
        return "a PDF", ".pdf"
    if data.startswith(OLE_MAGIC):
        return "an old-format (or password-protected) Office file", ".xls or .doc"
    if not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = set(archive.namelist())
            mimetype = archive.read("mimetype")[:80] if "mimetype" in parts else b""
    except (zipfile.BadZipFile, EOFError, ValueError, RuntimeError, KeyError):
        return "a damaged zip archive (perhaps a workbook or Word document)", ".xlsx or .docx"
    for part, kind, suffix in _ZIP_KINDS:
        if part in parts:
            return kind, suffix
    if b"opendocument.spreadsheet" in mimetype:
        return "an OpenDocument spreadsheet", ".ods"
    return "a zip archive", ".zip"


def misnamed(data: bytes, file: str) -> Problem | None:
    """A file named as text (.csv, .tsv, .txt) whose content is a workbook, a Word document, a
    PDF ...: refused, saying what it is by its content, whichever importer reads it."""
    suffix = PurePath(file).suffix.lower()
    if suffix not in TEXT_SUFFIXES or (found := content_kind(data)) is None:
        return None
    kind, proper = found
    return Problem(
        "misnamed-file",
        f"this file is named {suffix} but its content is {kind}, not text: give it the name "
        f"it should have ({proper}), or open it and save it as CSV",
        file,
    )
