"""Checks on an Office file before a format library opens it: password protection, broken zips.

Word and Excel files are zip archives; a password-protected one is instead an OLE compound file
(the same container as an old .doc or .xls), so it is recognised by its first bytes rather than
by a library's error message. Size and zip-bomb limits are ``limits.check``'s, which every reader
passes first.
"""

from __future__ import annotations

import io
import zipfile

from valvecheck.domain.problems import Problem
from valvecheck.importers import limits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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
