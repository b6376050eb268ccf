"""Activities from an Excel workbook: the first sheet with a header row, columns found by name."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from valvecheck.domain.problems import Problem
from valvecheck.importers.activity_rows import ActivityTable, read_table

MAX_BYTES = 20 * 1024 * 1024


def read_activities_xlsx(data: bytes, file: str) -> ActivityTable:
    """Read the first non-empty sheet; row 1 of the used range is the header."""
    if not data.strip():
        return ActivityTable(problems=[Problem("empty-file", "the file is empty", file)])
    if len(data) > MAX_BYTES:
        return ActivityTable(problems=[Problem("file-too-large", "the file is over 20 MB", file)])
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        return ActivityTable(
            problems=[
                Problem(
                    "not-a-workbook",
                    "this is not an Excel workbook (.xlsx); save it as .xlsx or as CSV",
                    file,
                )
            ]
        )
    try:
        for sheet in book.worksheets:
            numbered = [
                (i, list(row))
                for i, row in enumerate(sheet.iter_rows(values_only=True), start=1)
                if any(c is not None and str(c).strip() for c in row)
            ]
            if numbered:
                (header_line, header), *rows = numbered
                return read_table(header, rows, f"{file} [{sheet.title}]", header_line)
    finally:
        book.close()
    return ActivityTable(
        problems=[Problem("empty-file", "the workbook has no filled-in rows", file)]
    )
