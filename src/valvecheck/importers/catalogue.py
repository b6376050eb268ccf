"""The one entry point for a catalogue file: its bytes and name in, checked rows plus problems out.

The format is chosen from the name's suffix, or, for a name without a known one (an upload), from
the first bytes: a PDF, a Word document or Excel workbook (zip archives, told apart by their
parts), else text, read as the seed's tab-separated appendix when its header says so and as CSV
otherwise. Every format passes ``limits.check`` first.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath

from valvecheck.domain.problems import Problem
from valvecheck.importers import limits
from valvecheck.importers.appendix import AppendixHints, AppendixRow, read_appendix
from valvecheck.importers.catalogue_csv import read_csv
from valvecheck.importers.catalogue_docx import read_docx
from valvecheck.importers.catalogue_pdf import read_pdf
from valvecheck.importers.catalogue_table import Extracted, read_table
from valvecheck.importers.catalogue_xlsx import read_xlsx
from valvecheck.importers.container import misnamed

READERS: dict[str, Callable[[bytes, str], Extracted]] = {
    ".csv": read_csv,
    ".tsv": read_csv,
    ".xlsx": read_xlsx,
    ".xlsm": read_xlsx,
    ".docx": read_docx,
    ".pdf": read_pdf,
}
APPENDIX = ".txt"  # the seed's own form: the appendix saved as tab-separated text
FORMATS = (*READERS, f"{APPENDIX} (the seed's tab-separated appendix)")


@dataclass
class CatalogueFile:
    """A catalogue file read: its rows, the problems found, and what the document says of itself."""

    rows: list[AppendixRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    hints: AppendixHints = field(default_factory=AppendixHints)
    title: str = ""  # the document's own title (its properties), when it has one

    @property
    def source_title(self) -> str:
        return self.hints.title or self.title


def format_of(data: bytes, name: str) -> str | None:
    """The suffix whose reader fits: the name's own when known, else one told from the bytes."""
    suffix = PurePath(name).suffix.lower()
    if suffix in READERS or suffix == APPENDIX:
        return suffix
    if suffix:
        return None
    if data.lstrip()[:5] == b"%PDF-":
        return ".pdf"
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                parts = set(archive.namelist())
        except (zipfile.BadZipFile, EOFError, ValueError):
            return None
        if "word/document.xml" in parts:
            return ".docx"
        if "xl/workbook.xml" in parts:
            return ".xlsx"
        return None
    head = data[:4096].decode("utf-8", errors="ignore").lower()
    return APPENDIX if "la\trecommendation" in head else ".csv"


def read_catalogue(
    data: bytes, name: str, column_map: Mapping[str, str] | None = None
) -> CatalogueFile:
    """Read a catalogue table from a file's bytes; ``name`` is the file's name, used in problems.

    ``column_map`` is a parsed column map ({heading (folded): column}); the seed's text form has
    fixed columns and takes none.
    """
    if problems := limits.check(data, name):
        return CatalogueFile(problems=problems)
    if (problem := misnamed(data, name)) is not None:
        return CatalogueFile(problems=[problem])
    kind = format_of(data, name)
    if kind is None:
        shown = PurePath(name).suffix or "these"
        return CatalogueFile(
            problems=[
                Problem(
                    "unknown-format",
                    f"cannot import '{shown}' files; use one of: {', '.join(FORMATS)}",
                    name,
                )
            ]
        )
    if kind == APPENDIX:
        parsed, hints = read_appendix(data, name)
        return CatalogueFile(parsed.rows, parsed.problems, hints)
    extracted = READERS[kind](data, name)
    parsed, hints = read_table(extracted, name, dict(column_map or {}))
    return CatalogueFile(parsed.rows, parsed.problems, hints, extracted.title)
