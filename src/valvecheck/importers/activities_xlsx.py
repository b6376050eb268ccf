"""Activities from an Excel workbook: the sheet holding the table, columns found by name.

The table is on the first visible sheet whose header, among its first rows, names an id and a title
column, so a cover or notes sheet before it is passed over (as ``import catalogue`` reads every
sheet with a header row); a hidden sheet (last year's tracker, kept out of sight) is never read,
and the result says it was left out. Hidden rows are read, and the result says which. Rows above the header (a tracker's title, notes) are skipped; a value
merged down repeats in each row it covers; an empty id or title that is a formula with no saved
result says so. Sheets are streamed (read-only), so a long tracker is never held in memory whole.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import chain, islice
from pathlib import PurePath

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from valvecheck.domain.problems import Problem
from valvecheck.importers import limits
from valvecheck.importers.activity_rows import (
    HEADER_SEARCH,
    ActivityTable,
    names_required,
    read_table,
)
from valvecheck.importers.container import content_kind
from valvecheck.importers.workbook import (
    Cell,
    Formulas,
    has_own_value,
    hidden_rows,
    hidden_rows_note,
    hidden_sheets_note,
    merged_cells,
    open_workbook,
    shared_text_problem,
    sheet_rows,
    visible,
)

Rows = Iterator[tuple[int, Sequence[object]]]


@dataclasses.dataclass
class _Sheet:
    """A sheet with filled-in rows: its merged cells and its rows, the first few already read."""

    sheet: ReadOnlyWorksheet
    covered: dict[Cell, Cell | None]
    rows: Rows
    has_header: bool


def read_activities_xlsx(
    data: bytes, file: str, column_map: Mapping[str, str] | None = None
) -> ActivityTable:
    """Read the first sheet whose header names an id and a title column (found among its first
    rows); failing that, the first sheet with filled-in rows, so its problems say what is missing."""
    if problems := limits.check(data, file):
        return ActivityTable(problems=problems)
    if (problem := shared_text_problem(data, file)) is not None:
        return ActivityTable(problems=[problem])
    try:
        book = open_workbook(data, read_only=True)
    except Exception:  # openpyxl raises many types for a file that is not a workbook
        return ActivityTable(problems=[_not_a_workbook(data, file)])
    formulas = Formulas(data)
    try:
        return _read(book, formulas, file, column_map or {})
    except limits.Refused as exc:
        return ActivityTable(problems=[exc.at(file)])
    except (SyntaxError, ValueError, LookupError) as exc:  # a damaged sheet (SyntaxError: its XML)
        return ActivityTable(
            problems=[
                Problem(
                    "not-a-workbook",
                    f"the workbook cannot be read ({exc}); open it in Excel, save it as .xlsx "
                    "and import it again",
                    file,
                )
            ]
        )
    finally:
        book.close()


def _read(
    book: Workbook, formulas: Formulas, file: str, column_map: Mapping[str, str]
) -> ActivityTable:
    filled = _filled_sheets(book, column_map, file)
    hidden = [s.title for s in book.worksheets if not visible(s)]
    found = next((s for s in filled if s.has_header), None) or next(iter(filled), None)
    if found is None:
        return ActivityTable(
            problems=[Problem("empty-file", "the workbook has no filled-in rows", file)]
        )
    title = found.sheet.title
    unsaved = _unsaved(formulas, title, found.covered)
    parsed = read_table(found.rows, f"{file} [{title}]", column_map, unsaved)
    if not found.has_header and len(filled) > 1:
        parsed.problems[:] = [_no_sheet_has_header(p, filled) for p in parsed.problems]
    rows_read = sorted(hidden_rows(found.sheet, parsed.lines))
    others = [s.title for s in book.worksheets if visible(s) and s.title != title]
    read = f"read the sheet '{title}'" if others else None  # which one, where there is a choice
    notes = (read, hidden_sheets_note(hidden), hidden_rows_note(rows_read))
    parsed.notes.extend(n for n in notes if n)
    return parsed


def _filled_sheets(book: Workbook, column_map: Mapping[str, str], file: str) -> list[_Sheet]:
    """The visible sheets with filled-in rows, in workbook order, up to the first whose header
    names an id and a title column (the rest are not read). Their merges may cover
    ``limits.MAX_MERGED_CELLS`` cells in all; a sheet past that, or a row too wide for a table,
    is refused (``limits.Refused``, naming the sheet)."""
    out: list[_Sheet] = []
    merged = 0
    for sheet in book.worksheets:
        if not isinstance(sheet, ReadOnlyWorksheet) or not visible(sheet):
            continue
        sheet.reset_dimensions()  # a sheet's stated size may be wrong: read all its rows
        try:
            covered = merged_cells(sheet, limits.MAX_MERGED_CELLS - merged)
            merged += len(covered)
            rows = _filled(sheet, covered)
            head = list(islice(rows, HEADER_SEARCH))
        except limits.Refused as exc:
            raise limits.Refused(exc.at(f"{file} [{sheet.title}]")) from None
        if not head:
            continue
        has_header = any(names_required(cells, column_map) for _, cells in head)
        out.append(_Sheet(sheet, covered, chain(head, rows), has_header))
        if has_header:
            break
    return out


def _no_sheet_has_header(problem: Problem, filled: list[_Sheet]) -> Problem:
    """A missing id or title column, said of the whole workbook: no sheet has the header."""
    if problem.code != "missing-column":
        return problem
    names = ", ".join(f"'{s.sheet.title}'" for s in filled)
    return dataclasses.replace(
        problem,
        message=f"{problem.message}; no sheet of the workbook ({names}) has an id and a title "
        f"column in its first {HEADER_SEARCH} filled-in rows",
    )


# What a file named .xlsx may really be, by its content (``container.content_kind``'s suffix):
# another kind of document is named as such, as when it has its own name.
_DOCUMENTS = (".docx", ".pptx", ".pdf", ".ods")


def _not_a_workbook(data: bytes, file: str) -> Problem:
    """A file named as a workbook that openpyxl cannot open: a Word document, a PDF ... is said
    to be one (``not-csv-or-xlsx``); anything else (text, a damaged file) is ``not-a-workbook``."""
    found = content_kind(data)
    if found is not None and found[1] in _DOCUMENTS:
        return Problem(
            "not-csv-or-xlsx",
            f"activities are read from CSV or XLSX, and this is {found[0]} (named "
            f"{PurePath(file).suffix}); put them in a table with a header row and save it as "
            ".xlsx or .csv",
            file,
        )
    return Problem(
        "not-a-workbook",
        "this is not an Excel workbook (.xlsx); save it as .xlsx or as CSV",
        file,
    )


def _filled(
    sheet: ReadOnlyWorksheet, covered: dict[Cell, Cell | None]
) -> Iterator[tuple[int, list[object]]]:
    for i, row in sheet_rows(sheet, covered):
        if has_own_value(i, row, covered):
            yield i, row


def _unsaved(
    formulas: Formulas, sheet: str, covered: dict[Cell, Cell | None]
) -> Callable[[int, int], bool]:
    """Whether the empty cell at (row, index) of a sheet, or the cell merged over it, is a
    formula with no saved result."""

    def unsaved(row: int, index: int) -> bool:
        cell = (row, index + 1)
        return formulas.unsaved(sheet, covered.get(cell) or cell)

    return unsaved
