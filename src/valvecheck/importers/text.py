"""Turning uploaded bytes into text, or a clear problem when they are not text."""

from __future__ import annotations

from valvecheck.domain.problems import Problem
from valvecheck.importers import limits

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"


def decode(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """Decode a text file: UTF-8 with or without BOM, UTF-16 with a BOM (Excel's "Unicode
    Text"), else Windows-1252."""
    if problems := limits.check(data, file):
        return None, problems
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            return None, [
                Problem(
                    "not-text",
                    "this file starts as UTF-16 text but is damaged; save it again as CSV UTF-8",
                    file,
                )
            ]
    if b"\x00" in data[:8192]:
        return None, [
            Problem("not-text", "this is not a text file (it looks like a binary file)", file)
        ]
    body = data[len(_UTF8_BOM) :] if data.startswith(_UTF8_BOM) else data
    try:
        return body.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        bad = exc.start
    # A file that is UTF-8 apart from a stray byte would be garbled throughout if read as
    # Windows-1252 ('â€˜' for a curly quote): name the byte instead. Its place is counted in the
    # text after any BOM, in characters, as an editor shows it.
    # (a BOM says the file is UTF-8 as surely as any UTF-8 character in it)
    utf8 = body.decode("utf-8", errors="ignore") != body.decode("ascii", errors="ignore")
    if utf8 or body is not data:
        line = body.count(b"\n", 0, bad) + 1
        start = body.rfind(b"\n", 0, bad) + 1
        column = len(body[start:bad].decode("utf-8", errors="replace")) + 1
        return None, [
            Problem(
                "mixed-encoding",
                f"the file is UTF-8 except for the byte 0x{body[bad]:02X} at character {column} "
                "of this line: save it again as UTF-8 (or all as Windows-1252)",
                file,
                line,
                str(column),
            )
        ]
    text = body.decode("cp1252", errors="replace")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    if controls > max(2, len(text) // 100):
        return None, [
            Problem("not-text", "this is not a text file (it looks like a binary file)", file)
        ]
    return text, []
