"""A catalogue as CSV (comma, semicolon or tab separated): one header row, one row per measure.

Title lines above the header are read as prose. The locator is the spreadsheet's row number.
"""

from __future__ import annotations

from valvecheck.domain.problems import Problem
from valvecheck.importers import limits
from valvecheck.importers.catalogue_table import Block, CellRow, Extracted
from valvecheck.importers.delimited import BadRecord, guess_delimiter, records
from valvecheck.importers.text import decode


def read_csv(data: bytes, file: str) -> Extracted:
    text, problems = decode(data, file)
    if text is None:
        return Extracted(problems=problems)
    delimiter = guess_delimiter(text)
    block = Block(file, delimiter=delimiter)
    try:
        for start, cells in records(text, delimiter):
            # a row too wide for a table is refused before anything is done with its cells
            kept = limits.within_columns(cells, file, start)
            block.rows.append(CellRow(tuple(str(c) for c in kept), start, f"row {start}"))
    except BadRecord as exc:
        return Extracted(
            problems=[Problem("bad-csv", f"the CSV cannot be read here: {exc}", file, exc.line)]
        )
    except limits.Refused as exc:
        return Extracted(problems=[exc.at(file)])
    return Extracted([block])
