"""The one path every catalogue table takes: cells in, checked rows plus problems out.

A format module (CSV, XLSX, DOCX, PDF) only turns its file into blocks of cell rows (a table, a
sheet, a page) with the prose around them, having already resolved its own merged cells. This
module finds the header (through an optional column map), skips the header where it repeats at
page breaks, and checks every row with the appendix's own rules (``appendix.check_row``), so the
seed's columns and quirks are read the same way whatever the file was.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from valvecheck.domain.names import agreement_year, clean_text, fold
from valvecheck.domain.problems import Parsed, Problem
from valvecheck.errors import InputError
from valvecheck.importers import column_map
from valvecheck.importers.appendix import AppendixHints, AppendixRow, check_row, note_prose
from valvecheck.importers.workbook import formula_problem

TABLE = ("LA", "Recommendation", "Theme", "Sub-Theme", "RAG")  # the seed's columns, in check order
COLUMNS = (*TABLE, "Year", "Source")
REQUIRED = ("LA", "Recommendation")

# Other headings councils use for the same columns (folded). A column map overrides these.
SYNONYMS = {
    "local authority": "LA",
    "authority": "LA",
    "authorities": "LA",
    "council": "LA",
    "measure": "Recommendation",
    "measures": "Recommendation",
    "condition": "Recommendation",
    "subtheme": "Sub-Theme",
    "rag rating": "RAG",
    "rating": "RAG",
    "agreement year": "Year",
    "source url": "Source",
    "url": "Source",
}
_CANONICAL = {fold(c): c for c in COLUMNS} | SYNONYMS


@dataclass(frozen=True)
class CellRow:
    """One row of cells as the file holds them, and where it is.

    ``place`` is the measure's locator, with ``{row}`` standing for the row's number among the
    table's data rows (headers repeated at page breaks not counted): "page 2, row {row}".
    """

    cells: tuple[str, ...]
    line: int | None = None  # row number for problems: the file line, sheet row or table row
    place: str = "table row {row}"


@dataclass
class Block:
    """A table, a sheet or a page, in document order. ``where`` names it in problems."""

    where: str
    rows: list[CellRow] = field(default_factory=list)
    own_header: bool = False  # a sheet: no rows are data until its own header row
    # a PDF page whose table carries on the previous page's (same columns): an empty LA at its top,
    # before any row naming one, is an LA cell merged down over the page break
    continues: bool = False


@dataclass
class Extracted:
    """What a format module read: blocks of rows, the problems it met, the document's own title."""

    blocks: list[Block] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    title: str = ""
    # (block.where, row, cell index) -> whether that empty cell is a formula with no saved result
    unsaved: Callable[[str, CellRow, int], bool] | None = None


def parse_column_map(text: str | None) -> dict[str, str]:
    """'Recommendation=Measure text,LA=Council' -> {heading as written (folded): column}."""
    return column_map.parse_column_map(text, _CANONICAL, COLUMNS)


def _header(cells: tuple[str, ...], column_map: dict[str, str]) -> dict[str, int]:
    """The columns this row names: {column: index}. A map entry beats the built-in names."""
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = column_map.get(fold(cell))
        if name and name not in found:
            found[name] = i
    for i, cell in enumerate(cells):
        name = _CANONICAL.get(fold(cell))
        if name and name not in found and i not in found.values() and fold(cell) not in column_map:
            found[name] = i
    return found


def read_table(
    extracted: Extracted, file: str, column_map: dict[str, str] | None = None
) -> tuple[Parsed[AppendixRow], AppendixHints]:
    """Find the table's header and read its rows, reporting every problem found."""
    column_map = column_map or {}
    parsed: Parsed[AppendixRow] = Parsed(problems=list(extracted.problems))
    header: dict[str, int] | None = None
    written: dict[str, str] = {}  # column -> heading as written, for problems
    width = 0
    best: tuple[int, Block, CellRow, dict[str, int]] | None = None
    title = council = ""
    row_no = 0
    last_la = ""
    for block in extracted.blocks:
        has_header = False
        carry = block.continues
        for row in block.rows:
            cells = tuple(clean_text(c) for c in row.cells)
            if not any(cells):
                continue
            if len([c for c in cells if c]) == 1 and (len(cells) == 1 or header is None):
                # prose: the title, "APPENDIX A" at a page break, a paragraph
                text = next(c for c in cells if c)
                title, council = note_prose(text, title, council, before_table=header is None)
                continue
            found = _header(cells, column_map)
            if all(c in found for c in REQUIRED):
                header, has_header, width = found, True, len(cells)
                written = {c: cells[i] for c, i in found.items()}
                continue
            if header is None or (block.own_header and not has_header):
                if found and (best is None or len(found) > best[0]):
                    best = (len(found), block, row, found)
                continue
            if not has_header and len(cells) != width:
                continue  # another table that is not a continuation of this one
            row_no += 1
            la = header.get("LA", len(cells))
            if la < len(cells):
                carry = carry and not cells[la]
                if carry:
                    cells = (*cells[:la], last_la, *cells[la + 1 :])
                last_la = cells[la]
            checked = _row(
                cells, header, written, row, row_no, block.where, parsed.problems, extracted.unsaved
            )
            if checked is not None:
                parsed.rows.append(checked)

    if header is None and not parsed.problems:
        parsed.problems.extend(_no_header(best, file, column_map))
    elif header is not None and not parsed.rows and not parsed.problems:
        parsed.problems.append(Problem("no-rows", "the table has a header but no rows", file))
    return parsed, AppendixHints(title=title, council=council)


def _row(
    cells: tuple[str, ...],
    header: dict[str, int],
    written: dict[str, str],
    row: CellRow,
    row_no: int,
    where: str,
    problems: list[Problem],
    unsaved: Callable[[str, CellRow, int], bool] | None = None,
) -> AppendixRow | None:
    def cell(column: str) -> str:
        i = header.get(column)
        return cells[i] if i is not None and i < len(cells) else ""

    found: list[Problem] = []
    line = row.line if row.line is not None else row_no
    checked = check_row([cell(c) for c in TABLE], line, row_no, where, found)
    year, source = cell("Year"), cell("Source")
    try:
        year = agreement_year(year)
    except InputError as exc:
        found.append(Problem("bad-year", str(exc), where, line, "Year"))
    if source and not re.match(r"^https?://\S+$", source):
        found.append(
            Problem(
                "bad-url", f"'{source}' is not a web address (https://...)", where, line, "Source"
            )
        )
    if unsaved is not None:
        found = [_formula(p, header, row, unsaved) for p in found]
    # name the column as the file's own heading says it
    problems.extend(replace(p, column=written.get(p.column or "", p.column)) for p in found)
    if checked is None or found:
        return None
    return replace(
        checked,
        locator=row.place.format(row=row_no),
        year=year.replace("/", "-"),
        source_url=source,
    )


def _formula(
    p: Problem, header: dict[str, int], row: CellRow, unsaved: Callable[[str, CellRow, int], bool]
) -> Problem:
    """An empty required cell that is a formula with no saved result: say that instead."""
    column = header.get(p.column or "")
    if p.code == "missing-value" and column is not None and unsaved(p.file or "", row, column):
        return formula_problem(p.file or "", p.line, p.column)
    return p


def _no_header(
    best: tuple[int, Block, CellRow, dict[str, int]] | None,
    file: str,
    column_map: dict[str, str] | None = None,
) -> list[Problem]:
    needed = " and ".join(REQUIRED)
    if best is None:
        return [
            Problem(
                "no-table",
                f"no table with the columns {needed} was found "
                "(the first row of the table must name its columns)",
                file,
            )
        ]
    _, block, row, found = best
    headings = ", ".join(c for c in (clean_text(c) for c in row.cells) if c)
    mapped = {column: heading for heading, column in (column_map or {}).items()}

    def message(column: str) -> str:
        if column in mapped:
            return (
                f"--column-map says the {column} column is headed '{mapped[column]}', but no "
                f"column is (the table's columns are: {headings})"
            )
        return (
            f"there is no {column} column (the table's columns are: {headings}); "
            f"if it has another heading, give --column-map '{column}=<that heading>'"
        )

    return [
        Problem("missing-column", message(column), block.where, row.line, column)
        for column in REQUIRED
        if column not in found
    ]
