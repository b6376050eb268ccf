"""The one entry point for an activities file: its bytes and name in, activities plus problems out.

CSV or Excel by the name's suffix, or by the first bytes (a workbook is a zip archive). A file of
another kind (a Word document, a PDF, an old .xls) is named, with what to save it as instead, and
so is a workbook named .csv (``container.misnamed``, the check every importer shares). Every
format passes ``limits.check`` first.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath

from valvecheck.domain.problems import Problem
from valvecheck.importers import limits
from valvecheck.importers.activities_csv import read_activities_csv
from valvecheck.importers.activities_xlsx import read_activities_xlsx
from valvecheck.importers.activity_rows import ActivityTable
from valvecheck.importers.container import OLE_MAGIC, misnamed, old_format

XLSX_SUFFIXES = (".xlsx", ".xlsm")
# Files people may pick by mistake, by suffix: what they are, to say so.
OTHER_FORMATS = {
    ".doc": "a Word document",
    ".docx": "a Word document",
    ".odt": "a text document",
    ".rtf": "a text document",
    ".pdf": "a PDF",
    ".ppt": "a PowerPoint file",
    ".pptx": "a PowerPoint file",
    ".ods": "an OpenDocument spreadsheet",
    ".numbers": "a Numbers spreadsheet",
}


def format_problem(data: bytes, file: str) -> Problem | None:
    """A file that is not CSV or XLSX, by its name or first bytes: what to save it as instead."""
    suffix = PurePath(file).suffix.lower()
    kind = OTHER_FORMATS.get(suffix) or ("a PDF" if data.startswith(b"%PDF") else None)
    if kind:
        return Problem(
            "not-csv-or-xlsx",
            f"activities are read from CSV or XLSX, and this is {kind}; put them in a table with "
            "a header row and save it as .xlsx or .csv",
            file,
        )
    if suffix in XLSX_SUFFIXES and data.startswith(OLE_MAGIC):
        # password-protected, or an old .xls or .doc renamed: the OLE directory says which
        problem = old_format(data, file, "workbook", ".xlsx")
        if problem.code != "old-word-format":
            return problem
        return Problem(
            "not-csv-or-xlsx",
            "activities are read from CSV or XLSX, and this is an old Word document (.doc); put "
            "them in a table with a header row and save it as .xlsx or .csv",
            file,
        )
    if suffix == ".xls" or data.startswith(OLE_MAGIC):
        return Problem(
            "old-excel-format",
            "this is an old Excel file (.xls), which cannot be read; open it in Excel and save it "
            "as .xlsx (Excel Workbook) or as CSV",
            file,
        )
    return None


def is_workbook(data: bytes, name: str) -> bool:
    return name.lower().endswith(XLSX_SUFFIXES) or data[:2] == b"PK"


def read_activities(
    data: bytes, name: str, column_map: Mapping[str, str] | None = None
) -> ActivityTable:
    """Read activities from a file's bytes; ``name`` is the file's name, used in problems.

    ``column_map`` is a parsed column map ({heading (folded): field}).
    """
    if problem := format_problem(data, name):
        return ActivityTable(problems=[problem])
    if problems := limits.check(data, name):
        return ActivityTable(problems=problems)
    if (problem := misnamed(data, name)) is not None:
        return ActivityTable(problems=[problem])
    if is_workbook(data, name):
        return read_activities_xlsx(data, name, column_map)
    return read_activities_csv(data, name, column_map)
