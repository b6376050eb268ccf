"""The one limits check every reader passes first: size, a zip's unpacked size and ratio, rows.

Word and Excel files are zip archives. A zip bomb (a small file that unpacks to gigabytes) is
refused from the zip's own directory, before any part is unpacked. The limits are read at call
time, so a test or a deployment can lower them.
"""

from __future__ import annotations

import io
import zipfile

from valvecheck.domain.problems import Problem

MAX_BYTES = 20 * 1024 * 1024  # the file as uploaded
UNPACKED_RATIO = 10  # a zip may unpack to this many times MAX_BYTES, no more
MAX_PART_RATIO = 500  # nor may one part of it be compressed more than this (a zip bomb)
MAX_ROWS = 250_000  # rows of a table
# Rows of a catalogue file. After an import the whole catalogue's measures are grouped (common
# measures), which grows faster than the rows: on a 2-core machine 1,000 rows import in 12 s,
# 5,000 in 20 s (0.9 GB), 10,000 in well over a minute (1.6 GB), 50,000 not in 10 minutes. Real
# catalogues are a few thousand measures, so a file beyond this is refused before it is read on.
MAX_CATALOGUE_ROWS = 5_000


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
