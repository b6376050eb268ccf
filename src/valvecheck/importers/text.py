"""Turning uploaded bytes into text, or a clear problem when they are not text."""

from __future__ import annotations

from valvecheck.domain.problems import Problem
from valvecheck.importers import limits


def decode(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """Decode a text file (UTF-8 with or without BOM, else Windows-1252)."""
    if problems := limits.check(data, file):
        return None, problems
    if b"\x00" in data[:8192]:
        return None, [
            Problem("not-text", "this is not a text file (it looks like a binary file)", file)
        ]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        bad = exc.start
    # A file that is UTF-8 apart from a stray byte would be garbled throughout if read as
    # Windows-1252 ('â€˜' for a curly quote): name the byte instead.
    if data.decode("utf-8", errors="ignore") != data.decode("ascii", errors="ignore"):
        line = data.count(b"\n", 0, bad) + 1
        column = bad - (data.rfind(b"\n", 0, bad) + 1) + 1
        return None, [
            Problem(
                "mixed-encoding",
                f"the file is UTF-8 except for the byte 0x{data[bad]:02X} at character {column} "
                "of this line: save it again as UTF-8 (or all as Windows-1252)",
                file,
                line,
                str(column),
            )
        ]
    text = data.decode("cp1252", errors="replace")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    if controls > max(2, len(text) // 100):
        return None, [
            Problem("not-text", "this is not a text file (it looks like a binary file)", file)
        ]
    return text, []
