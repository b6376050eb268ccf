"""Reading delimited text (CSV, semicolon or tab separated) the csv module's standard way.

The separator is the one under which the file's first records split most consistently; quoting is
always the standard one (a quote inside a quoted cell is doubled). ``csv.Sniffer`` is not used: it
guesses the quoting too from a sample, and a file whose first 8 KB hold no doubled quote was then
misread after it.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from itertools import islice

DELIMITERS = ",;\t"
SAMPLE_RECORDS = 200


class BadRecord(csv.Error):
    """A record the csv module cannot read, and the line it starts on."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(the line a record starts on, its cells), one record at a time; raises BadRecord."""
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise BadRecord(str(exc), start) from None
        yield start, cells
        start = reader.line_num + 1


def consistency(text: str, delimiter: str) -> int:
    """How many of the first records split into the same number (more than one) of cells."""
    try:
        counts = Counter(
            len(cells)
            for _, cells in islice(records(text, delimiter), SAMPLE_RECORDS)
            if any(c.strip() for c in cells)
        )
    except csv.Error:
        return -1
    return max((n for width, n in counts.items() if width > 1), default=0)


def guess_delimiter(text: str, candidates: str = DELIMITERS) -> str:
    """The separator under which the first records are most alike; a comma when none splits them."""
    best, score = candidates[0], 0
    for delimiter in candidates:
        if (found := consistency(text, delimiter)) > score:
            best, score = delimiter, found
    return best
