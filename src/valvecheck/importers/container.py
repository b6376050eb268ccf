"""Checks on a file before a format library opens it: size, password protection, broken zips.

Word and Excel files are zip archives; a password-protected one is instead an OLE compound file
(the same container as an old .doc or .xls), so it is recognised by its first bytes rather than
by a library's error message. The size limit is ``text.MAX_BYTES`` (read at call time, so a test
or a deployment can lower it).
"""

from __future__ import annotations

import io
import zipfile

from valvecheck.domain.problems import Problem
from valvecheck.importers import text

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
UNPACKED_RATIO = 10  # a zip may unpack to this many times the size limit, no more


def limit_mb() -> str:
    return f"{text.MAX_BYTES / (1024 * 1024):g} MB"


def too_large(size: int, file: str) -> Problem | None:
    if size > text.MAX_BYTES:
        return Problem(
            "file-too-large", f"the file is {size:,} bytes, over the {limit_mb()} limit", file
        )
    return None


def check_zip(data: bytes, file: str, kind: str, save_as: str) -> list[Problem]:
    """Problems that stop an Office Open XML file (``kind``: 'Word document') being read."""
    if (problem := too_large(len(data), file)) is not None:
        return [problem]
    if not data:
        return [Problem("empty-file", "the file is empty", file)]
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
            unpacked = sum(info.file_size for info in archive.infolist())
            broken = archive.testzip()
    except (zipfile.BadZipFile, EOFError, ValueError):
        return [Problem("corrupt-file", f"this is not a {kind} (the file is damaged)", file)]
    if broken is not None:
        return [Problem("corrupt-file", f"the {kind} is damaged (part '{broken}')", file)]
    if unpacked > UNPACKED_RATIO * text.MAX_BYTES:
        return [
            Problem(
                "file-too-large",
                f"the {kind} unpacks to {unpacked:,} bytes, over {UNPACKED_RATIO} x {limit_mb()}",
                file,
            )
        ]
    return []
