"""Activities from a CSV file: one row per activity, columns found by their header names."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import islice

from valvecheck.domain.problems import Problem
from valvecheck.importers import limits
from valvecheck.importers.activity_rows import (
    HEADER_SEARCH,
    ActivityTable,
    columns_checked,
    names_required,
    read_table,
)
from valvecheck.importers.delimited import DELIMITERS, BadRecord, guess_delimiter, records
from valvecheck.importers.text import decode


def read_activities_csv(
    data: bytes, file: str, column_map: Mapping[str, str] | None = None
) -> ActivityTable:
    """Read a CSV of activities (comma, semicolon or tab separated; UTF-8 or Windows-1252).

    The header may have a title and notes above it, which are skipped. Rows are read one at a
    time; a row's number is its row in a spreadsheet (a cell broken over lines is one row).
    """
    text, problems = decode(data, file)
    if text is None:
        return ActivityTable(problems=problems)
    column_map = column_map or {}
    delimiter = delimiter_for(text, column_map)
    try:
        return read_table(filled_rows(text, delimiter), file, column_map, delimiter=delimiter)
    except BadRecord as exc:
        return ActivityTable(
            problems=[Problem("bad-csv", f"the file is not valid CSV: {exc}", file, exc.line)]
        )


def filled_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    for number, (_, cells) in enumerate(records(text, delimiter), start=1):
        if any(c.strip() for c in cells):
            yield number, cells


def delimiter_for(text: str, column_map: Mapping[str, str]) -> str:
    """The separator giving a header that names the id and title (a title line above the header,
    "Programme tracker, updated 3 March", can make another look likelier); failing that, the one
    the first records split most alike under."""
    for delimiter in DELIMITERS:
        try:
            # a row too wide for a table is not a header (and costs nothing to pass over)
            first = list(islice(columns_checked(filled_rows(text, delimiter), ""), HEADER_SEARCH))
        except (BadRecord, limits.Refused):
            continue
        if any(names_required(row, column_map) for _, row in first):
            return delimiter
    return guess_delimiter(text)
