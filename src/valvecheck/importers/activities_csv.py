"""Activities from a CSV file: one row per activity, columns found by their header names."""

from __future__ import annotations

import csv
import io

from valvecheck.domain.problems import Problem
from valvecheck.importers.activity_rows import ActivityTable, read_table
from valvecheck.importers.text import decode


def read_activities_csv(data: bytes, file: str) -> ActivityTable:
    """Read a CSV of activities (comma, semicolon or tab separated; UTF-8 or Windows-1252)."""
    text, problems = decode(data, file)
    if text is None:
        return ActivityTable(problems=problems)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text.split("\n", 1)[0], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as exc:
        return ActivityTable(
            problems=[Problem("bad-csv", f"the file is not valid CSV: {exc}", file)]
        )
    numbered = [(i, row) for i, row in enumerate(lines, start=1) if any(c.strip() for c in row)]
    if not numbered:
        return ActivityTable(problems=[Problem("empty-file", "the file is empty", file)])
    (header_line, header), *rows = numbered
    return read_table(header, rows, file, header_line)
