"""Activities from a CSV file: one row per activity, columns found by their header names."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

from valvecheck.domain.problems import Problem
from valvecheck.importers.activity_rows import (
    HEADER_SEARCH,
    ActivityTable,
    names_required,
    read_table,
)
from valvecheck.importers.text import decode

DELIMITERS = ",;\t"


def read_activities_csv(
    data: bytes, file: str, column_map: Mapping[str, str] | None = None
) -> ActivityTable:
    """Read a CSV of activities (comma, semicolon or tab separated; UTF-8 or Windows-1252).

    The header may have a title and notes above it, which are skipped.
    """
    text, problems = decode(data, file)
    if text is None:
        return ActivityTable(problems=problems)
    column_map = column_map or {}
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text.split("\n", 1)[0], delimiters=DELIMITERS
        )
    except csv.Error:
        dialect = csv.excel
    try:
        delimiter = _delimiter(text, dialect, column_map)
        lines = list(csv.reader(io.StringIO(text, newline=""), dialect, delimiter=delimiter))
    except csv.Error as exc:
        return ActivityTable(
            problems=[Problem("bad-csv", f"the file is not valid CSV: {exc}", file)]
        )
    numbered = [(i, row) for i, row in enumerate(lines, start=1) if any(c.strip() for c in row)]
    if not numbered:
        return ActivityTable(problems=[Problem("empty-file", "the file is empty", file)])
    return read_table(numbered, file, column_map)


def _delimiter(
    text: str, dialect: type[csv.Dialect] | csv.Dialect, column_map: Mapping[str, str]
) -> str:
    """The guessed separator, unless only another one gives a header naming the id and title: a
    title line above the header ("Programme tracker, updated 3 March") can mislead the guess."""
    for delimiter in dict.fromkeys((dialect.delimiter, *DELIMITERS)):
        reader = csv.reader(io.StringIO(text, newline=""), dialect, delimiter=delimiter)
        first = []
        for row in reader:
            if any(c.strip() for c in row):
                first.append(row)
            if len(first) == HEADER_SEARCH:
                break
        if any(names_required(row, column_map) for row in first):
            return delimiter
    return dialect.delimiter
