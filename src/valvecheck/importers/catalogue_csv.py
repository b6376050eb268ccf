"""A catalogue as CSV (comma, semicolon or tab separated): one header row, one row per measure.

Title lines above the header are read as prose. The locator is the spreadsheet's row number.
"""

from __future__ import annotations

import csv
import io

from valvecheck.domain.problems import Problem
from valvecheck.importers.catalogue_table import Block, CellRow, Extracted
from valvecheck.importers.text import decode


def read_csv(data: bytes, file: str) -> Extracted:
    text, problems = decode(data, file)
    if text is None:
        return Extracted(problems=problems)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:8192], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    block = Block(file)
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    start = 1
    try:
        for cells in reader:
            block.rows.append(CellRow(tuple(cells), start, f"row {start}"))
            start = reader.line_num + 1
    except csv.Error as exc:
        return Extracted(
            problems=[Problem("bad-csv", f"the CSV cannot be read here: {exc}", file, start)]
        )
    return Extracted([block])
