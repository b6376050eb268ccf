"""Checks on an Office file before a format library opens it: password protection, broken zips.

Word and Excel files are zip archives; a password-protected one is instead an OLE compound file
(the same container as an old .doc or .xls), so it is recognised by its first bytes rather than
by a library's error message. Size and zip-bomb limits are ``limits.check``'s, which every reader
passes first. ``misnamed`` is the one check, shared by every importer, for a workbook (or another
document) whose name says it is text: an .xlsx renamed .csv.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from valvecheck.domain.problems import Problem
from valvecheck.importers import limits

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
        return [
            Problem(
                "encrypted-file",
                f"this {kind} is password-protected or in the old binary format; open it, "
                f"remove the password and save it as {save_as}",
                file,
            )
        ]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            broken = archive.testzip()
    except (zipfile.BadZipFile, EOFError, ValueError, RuntimeError):
        return [Problem("corrupt-file", f"this is not {article(kind)} (the file is damaged)", file)]
    if broken is not None:
        return [Problem("corrupt-file", f"the {kind} is damaged (part '{broken}')", file)]
    return []


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
