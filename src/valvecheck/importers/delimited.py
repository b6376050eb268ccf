"""Reading delimited text (CSV, semicolon or tab separated) the csv module's standard way.

The separator is the one under which the file's first records split most consistently; quoting is
always the standard one (a quote inside a quoted cell is doubled). ``csv.Sniffer`` is not used: it
guesses the quoting too from a sample, and a file whose first 8 KB hold no doubled quote was then
misread after it.

Two mistakes the csv module reads without complaint are refused here, the same way for every
importer: a quote that is never closed (the csv module would make the rest of the file one cell),
and, once the importer has found its header, a row with more cells than the header (a value such
as £250,000 written without quotes around it splits in two, and the columns after it shift).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import islice

from valvecheck.domain.problems import Problem

DELIMITERS = ",;\t"
SAMPLE_RECORDS = 200


class BadRecord(csv.Error):
    """A record the csv module cannot read, and the line it starts on."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


class UnclosedQuote(BadRecord):
    """A quoted cell that runs to the end of the file."""


class _Lines:
    """The text's lines for the csv reader, counting how much of the text they have given."""

    def __init__(self, text: str) -> None:
        self._lines = io.StringIO(text, newline="")
        self.offset = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._lines.readline()
        if not line:
            raise StopIteration
        self.offset += len(line)
        return line


def records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(the line a record starts on, its cells), one record at a time; raises BadRecord, also
    for a quote that is never closed."""
    lines = _Lines(text)
    reader = csv.reader(lines, csv.excel, delimiter=delimiter)
    start, last = 1, 0  # the line and offset the record being read starts at
    while True:
        at = lines.offset
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise BadRecord(str(exc), start) from None
        last = at
        if lines.offset >= len(text) and (opened := unclosed_quote(text, delimiter, last)) >= 0:
            line = start + _line_breaks(text, last, opened)
            raise UnclosedQuote(
                f'the quote (") that opens a cell on line {line} is never closed, so the rest of '
                "the file would be read as that one cell; close it, or double a quote inside a "
                'quoted cell ("")',
                line,
            )
        yield start, cells
        start = reader.line_num + 1


_BREAK = re.compile(r"\r\n|\r|\n")


def _line_breaks(text: str, start: int, end: int) -> int:
    return len(_BREAK.findall(text, start, end))


def unclosed_quote(text: str, delimiter: str, start: int = 0) -> int:
    """Where a quoted cell that runs to the end of the text opens (its offset), or -1.

    Reads the way the csv module does (the excel dialect, not strict): a quote opens a quoted cell
    only as a cell's first character; inside one a doubled quote is a quote, and a single one
    ends the quoting. ``start`` must be where a record starts.
    """
    end_of_cell = re.compile(f"[{re.escape(delimiter)}\r\n]")
    # a quote opening a cell: the next cell that starts with one is found in one search, not
    # cell by cell (a record of millions of cells is read as fast as the csv module reads it)
    opening = re.compile(f'[{re.escape(delimiter)}\r\n]"')
    pos, n = start, len(text)
    while pos < n:
        if text[pos] != '"':  # an unquoted cell: on to the next cell that is quoted
            found = opening.search(text, pos)
            if found is None:
                return -1
            pos = found.end() - 1
        # a cell's first character is a quote: the cell is quoted
        opened, pos = pos, pos + 1
        while True:
            quote = text.find('"', pos)
            if quote < 0:
                return opened
            if text.startswith('"', quote + 1):
                pos = quote + 2
                continue
            pos = quote + 1
            break
        found = end_of_cell.search(text, pos)
        if found is None:
            return -1
        pos = found.end()
    return -1


def consistency(text: str, delimiter: str) -> int:
    """How many of the first records split into the same number (more than one) of cells."""
    counts: Counter[int] = Counter()
    try:
        for _, cells in islice(records(text, delimiter), SAMPLE_RECORDS):
            if any(c.strip() for c in cells):
                counts[len(cells)] += 1
    except UnclosedQuote:
        pass  # the records before it still say how the file splits; reading it will refuse it
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


SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


# '£250' (or 'Save £250', '-£1', '(£12'): pounds, then one to three digits at the cell's end; and
# '000' (or '000.00', '000 on transport', '500)'): three digits starting the next
_AMOUNT_START = re.compile(r"£\s?\d{1,3}$")
_THOUSANDS_ON = re.compile(r"\d{3}(?![\d,])")


def _split_amount(cells: Sequence[object]) -> int | None:
    """The first cell of an amount split at its thousands comma, if the row has one."""
    texts = [str(c or "").strip() for c in cells]
    for i, (cell, after) in enumerate(zip(texts, texts[1:], strict=False)):
        if _AMOUNT_START.search(cell) and _THOUSANDS_ON.match(after):
            return i
    return None


def too_wide(
    cells: Sequence[object],
    header_width: int,
    header_line: int,
    file: str,
    line: int,
    delimiter: str,
) -> Problem | None:
    """A row with more cells than its header (beyond empty trailing ones): refused, because a
    value holding the separator, unquoted, has split in two and shifted the cells after it. So is
    a row, however wide, with an amount split at its thousands comma ('£250' then '000'): a
    row ending in an empty cell, or a file whose last column is left out, has room for the
    split, and £250,000 would be read as £250."""
    extra = cells[header_width:]
    if not any(str(c or "").strip() for c in extra):
        if delimiter == "," and (split := _split_amount(cells)) is not None:
            return Problem(
                "bad-csv",
                f"'{cells[split]}' and '{cells[split + 1]}' (cells {split + 1} and {split + 2}) "
                "look like one amount split at its comma: a value with a comma in it (such as "
                "£250,000) must be put in double quotes",
                file,
                line,
            )
        return None
    name = SEPARATOR_NAMES.get(delimiter, repr(delimiter))
    example = " (such as £250,000)" if delimiter == "," else ""
    return Problem(
        "bad-csv",
        f"this row has {len(cells)} cells but the header (line {header_line}) has "
        f"{header_width}: a value with a {name} in it{example} must be put in double quotes",
        file,
        line,
    )
