"""The one limits check every reader passes first: size, a zip's unpacked size and ratio, rows;
and the limits on what a table may hold, checked as it is read: columns, text, merged cells.

Word and Excel files are zip archives. A zip bomb (a small file that unpacks to gigabytes) is
refused from the zip's own directory, before any part is unpacked. A table is refused as soon as
a row is wider than a table is (``MAX_COLUMNS``), before any work is done on its cells, so what
a file costs to read follows its size. The limits are read at call time, so a test or a
deployment can lower them.

A refused file lists at most ``MAX_PROBLEMS`` problems, in file order, and says how many more
there are (``capped``).
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from collections.abc import Sequence

from valvecheck.domain.problems import Problem, in_file_order
from valvecheck.errors import InputError

MAX_BYTES = 20 * 1024 * 1024  # the file as uploaded
UNPACKED_RATIO = 10  # a zip may unpack to this many times MAX_BYTES, no more
MAX_PART_RATIO = 500  # nor may one part of it be compressed more than this (a zip bomb)
MAX_ROWS = 250_000  # rows of a table
# Rows of a catalogue file. After an import the whole catalogue's measures are grouped (common
# measures), which grows faster than the rows: on a 2-core machine 1,000 rows import in 12 s,
# 5,000 in 20 s (0.9 GB), 10,000 in well over a minute (1.6 GB), 50,000 not in 10 minutes. Real
# catalogues are a few thousand measures, so a file beyond this is refused before it is read on.
MAX_CATALOGUE_ROWS = 5_000
# Cells of a row, to its last filled one: a table's columns. A tracker has a dozen or two; a row
# of millions (a 5 MB header line of "x,x,x,...") took a minute of a worker to read.
MAX_COLUMNS = 200
# Characters in the cells a table's columns give, all rows: what a 20 MB CSV holds, and more. A
# workbook compresses text, so a 5 MB one held 180 MB of titles and took a worker 1.4 GB.
MAX_TEXT = 50_000_000
# Cells a workbook's merges may cover (each merge at least one): a theme merged down over its
# activities covers one a row. A merge is laid out cell by cell, and 'A1:XFD1048576' is
# 17 billion cells in a file of 1 KB.
MAX_MERGED_CELLS = 250_000
# A workbook's shared text, unpacked: openpyxl reads it whole on opening the workbook.
MAX_SHARED_TEXT_BYTES = 50 * 1024 * 1024
MAX_PROBLEMS = 100  # problems listed when a file is refused: the first, in file order


class Refused(InputError):
    """A file refused while it is read (a row too wide, merges too large): its one problem.

    An InputError, so that a reader that does not catch it still answers with its message."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem

    def at(self, file: str) -> Problem:
        """The problem, naming the file (the reader that found it may not know its name)."""
        return dataclasses.replace(self.problem, file=self.problem.file or file)


@dataclasses.dataclass(frozen=True)
class MoreProblems(Problem):
    """The problems of a refused file past the first ``MAX_PROBLEMS``: how many, unlisted."""

    more: int = 0


def capped(problems: Sequence[Problem], more: int = 0) -> list[Problem]:
    """The first ``MAX_PROBLEMS`` problems in file order and, when there are more (``more``
    already left out besides), one saying how many: a file of 250,000 bad rows is refused with
    a page a person can read, not 250,000 rows of it."""
    listed = [p for p in problems if not isinstance(p, MoreProblems)]
    more += sum(p.more for p in problems if isinstance(p, MoreProblems))
    ordered = in_file_order(listed)
    more += max(0, len(ordered) - MAX_PROBLEMS)
    ordered = ordered[:MAX_PROBLEMS]
    if more:
        file = next((p.file for p in ordered if p.file), "")
        ordered.append(
            MoreProblems(
                "more-problems",
                f"{more:,} more {'problem is' if more == 1 else 'problems are'} not listed here, "
                f"only the first {len(ordered):,}: put them right and import the file again to "
                "see the rest",
                file,
                more=more,
            )
        )
    return ordered


def total(problems: Sequence[Problem]) -> int:
    """How many problems a (``capped``) list stands for: those listed and those it counts."""
    return sum(p.more if isinstance(p, MoreProblems) else 1 for p in problems)


def limit_mb() -> str:
    return f"{MAX_BYTES / (1024 * 1024):g} MB"


def too_large(size: int, file: str) -> Problem | None:
    if size > MAX_BYTES:
        return Problem(
            "file-too-large", f"the file is {size:,} bytes, over the {limit_mb()} limit", file
        )
    return None


def check(data: bytes, file: str) -> list[Problem]:
    """What stops any file being read at all: empty, too large, or a zip that unpacks too far."""
    if not data.strip():
        return [Problem("empty-file", "the file is empty", file)]
    if (problem := too_large(len(data), file)) is not None:
        return [problem]
    if data.startswith(b"PK"):
        return unpacked(data, file)
    return []


def unpacked(data: bytes, file: str) -> list[Problem]:
    """A zip whose parts would unpack beyond the limits; a zip that cannot be opened is left to
    its reader, which says what it expected."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        return []
    total = sum(info.file_size for info in parts)
    if total > UNPACKED_RATIO * MAX_BYTES:
        return [
            Problem(
                "file-too-large",
                f"the file unpacks to {total:,} bytes, over {UNPACKED_RATIO} x {limit_mb()}",
                file,
            )
        ]
    for info in parts:
        if info.file_size > 1024 * 1024 and info.file_size > MAX_PART_RATIO * max(
            info.compress_size, 1
        ):
            return [
                Problem(
                    "file-too-large",
                    f"the part '{info.filename}' unpacks to {info.file_size:,} bytes from "
                    f"{info.compress_size:,}: the file looks built to exhaust memory",
                    file,
                )
            ]
    return []


def too_many_rows(count: int, file: str) -> Problem | None:
    if count > MAX_ROWS:
        return Problem("too-many-rows", f"the file has more than {MAX_ROWS:,} rows; split it", file)
    return None


def too_many_columns(count: int, file: str, line: int | None) -> Problem:
    return Problem(
        "too-many-columns",
        f"this row has {count:,} columns, more than the {MAX_COLUMNS:,} a table may have: keep "
        "only the table's own columns (or, in a CSV file, put a value holding the separator in "
        "double quotes)",
        file,
        line,
    )


def within_columns(cells: Sequence[object], file: str, line: int | None) -> Sequence[object]:
    """A row of a table, to its last filled cell; refused (``Refused``) when that is beyond
    ``MAX_COLUMNS``. Checked before any work on the cells, so a row of millions costs little."""
    if len(cells) <= MAX_COLUMNS:
        return cells
    last = len(cells)
    while last > MAX_COLUMNS and not _filled(cells[last - 1]):
        last -= 1
    if last > MAX_COLUMNS:
        raise Refused(too_many_columns(last, file, line))
    return cells[:last]


def _filled(value: object) -> bool:
    return value is not None and bool(str(value).strip())


def too_much_text(count: int, file: str, line: int | None) -> Problem | None:
    if count > MAX_TEXT:
        return Problem(
            "file-too-large",
            f"the file's cells hold more than {MAX_TEXT:,} characters of text (the limit is "
            f"reached by row {line}); split it",
            file,
            line,
        )
    return None


def too_many_catalogue_rows(count: int, file: str) -> Problem | None:
    """A catalogue file with more rows than a catalogue has (``MAX_CATALOGUE_ROWS``)."""
    limit = min(MAX_ROWS, MAX_CATALOGUE_ROWS)
    if count > limit:
        return Problem(
            "too-many-rows",
            f"the file has more than {limit:,} rows, the limit for a catalogue file (a "
            "catalogue of every agreement is a few thousand measures); split it",
            file,
        )
    return None
