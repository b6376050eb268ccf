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
from valvecheck.importers import column_map, limits
from valvecheck.importers.appendix import AppendixHints, AppendixRow, check_row, note_prose
from valvecheck.importers.delimited import too_wide
from valvecheck.importers.workbook import formula_problem, hidden_rows_note

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
    # a PDF page whose last table runs to the foot of the page: its last row may go on over the
    # break, the next page's first row being the rest of it
    full: bool = False
    # delimited text split by this separator: a row with more cells than the header is refused
    delimiter: str | None = None


@dataclass
class Extracted:
    """What a format module read: blocks of rows, the problems it met, the document's own title."""

    blocks: list[Block] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    title: str = ""
    # (block.where, row, cell index) -> whether that empty cell is a formula with no saved result
    unsaved: Callable[[str, CellRow, int], bool] | None = None
    # what the file held that was left out (a hidden sheet), said with the result
    notes: list[str] = field(default_factory=list)
    # (block.where, line) of rows hidden in the file: read, and the result says which
    hidden: set[tuple[str, int]] = field(default_factory=set)
    # (block.where, line, cell index) of cells with tracked changes not accepted or rejected
    tracked: set[tuple[str, int, int]] = field(default_factory=set)


def parse_column_map(text: str | None) -> dict[str, str]:
    """'Recommendation=Measure text,LA=Council' -> {heading as written (folded): column}."""
    return column_map.parse_column_map(text, _CANONICAL, COLUMNS)


def _key(heading: str) -> str:
    """A heading compared without its spaces: a PDF breaks a narrow column's heading inside a
    word ("Recommendatio n"), and no two headings differ only by spacing."""
    return fold(heading).replace(" ", "")


_KEYS = {_key(name): column for name, column in _CANONICAL.items()}


def _header(cells: tuple[str, ...], column_map: dict[str, str]) -> dict[str, int]:
    """The columns this row names: {column: index}. A map entry beats the built-in names."""
    mapped = {_key(heading): column for heading, column in column_map.items()}
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = mapped.get(_key(cell))
        if name and name not in found:
            found[name] = i
    for i, cell in enumerate(cells):
        name = _KEYS.get(_key(cell))
        if name and name not in found and i not in found.values() and _key(cell) not in mapped:
            found[name] = i
    return found


def _duplicates(
    cells: tuple[str, ...],
    found: dict[str, int],
    column_map: dict[str, str],
    where: str,
    line: int | None,
) -> list[Problem]:
    """A header naming a column twice (two "Recommendation" columns): the second would be
    dropped without a word, so it is refused, as the activities import refuses it. A column
    map entry beats the built-in names: a cell they name as a mapped column is just another
    column."""
    mapped = {_key(heading): column for heading, column in column_map.items()}
    out: list[Problem] = []
    for i, cell in enumerate(cells):
        if not cell or i in found.values():
            continue
        name = mapped.get(_key(cell))
        if name is None and (name := _KEYS.get(_key(cell))) in mapped.values():
            continue
        if name is None or name not in found:
            continue
        first = cells[found[name]]
        if _key(first) == _key(cell):
            message = f"two columns are both headed '{cell}': rename or remove one"
        else:
            message = (
                f"two columns both give the {name}: '{first}' and '{cell}' (a column map such "
                f"as {name}={cell} says which)"
            )
        out.append(Problem("duplicate-column", message, where, line, cell))
    return out


@dataclass
class _Data:
    """A data row read but not yet checked: a row broken over a page may still be joined to it."""

    cells: list[str]
    row: CellRow
    block: int
    # the header it was read under (column -> index) and its headings as written: each sheet of
    # a workbook, each table of a document, may order its columns its own way
    header: dict[str, int]
    written: dict[str, str]


_ENDS = re.compile(r"[.!?:;][\"')\]’”]*$")


def _glue(before: str, after: str) -> str:
    """Two parts of a cell's text broken over a page: 'cost-' + 'effective' is one word."""
    if not before or not after:
        return before or after
    if re.search(r"\w-$", before) and after[0].isalnum():
        return before + after
    return f"{before} {after}"


def _carries_on(cells: tuple[str, ...], before: list[str], rec: int) -> bool | None:
    """Whether the first row of a page carries on the last row of a full page before it (a row
    broken over the page break): True when its recommendation is missing or starts in lower case,
    False when it starts a sentence after one that ended, None when the words cannot say."""
    text = cells[rec] if rec < len(cells) else ""
    if not text or text[0].islower():
        return True
    if (text[0].isupper() or text[0].isdigit()) and _ENDS.search(before[rec]):
        return False
    return None


def read_table(
    extracted: Extracted, file: str, column_map: dict[str, str] | None = None
) -> tuple[Parsed[AppendixRow], AppendixHints]:
    """Find the table's header and read its rows, reporting every problem found."""
    column_map = column_map or {}
    parsed: Parsed[AppendixRow] = Parsed(problems=list(extracted.problems))
    header: dict[str, int] | None = None
    written: dict[str, str] = {}  # column -> heading as written, for problems
    width = header_line = 0
    best: tuple[int, Block, CellRow, dict[str, int]] | None = None
    title = council = ""
    prose: set[str] = set()  # text seen as prose: a title row repeated at each page is prose too
    data: list[_Data] = []
    under_header = False  # the row read is the first under a header row
    for b, block in enumerate(extracted.blocks):
        has_header = False
        refused = False  # this block's header was not recognised: none of its rows are data
        carry = block.continues
        rows = [(tuple(clean_text(c) for c in row.cells), row) for row in block.rows]
        # a row deleted as a tracked change has no text, but is not settled: kept, and refused
        rows = [(c, row) for c, row in rows if any(c) or _is_tracked(extracted, block, row)]
        above = next(  # rows above the block's own header row are its title, never data
            (i for i, (cells, _) in enumerate(rows) if _names_required(cells, column_map)), 0
        )
        first = True
        for i, (cells, row) in enumerate(rows):
            filled = [c for c in cells if c]
            if len(filled) == 1 and (
                len(cells) == 1 or header is None or filled[0] in prose or i < above
            ):
                # prose: the title, "APPENDIX A" at a page break, a paragraph, a title row
                title, council = note_prose(filled[0], title, council, before_table=header is None)
                prose.add(filled[0])
                continue
            found = _header(cells, column_map)
            if all(c in found for c in REQUIRED):
                header, has_header, width, refused = found, True, len(cells), False
                under_header = True
                header_line = row.line or 0
                written = {c: cells[i] for c, i in found.items()}
                for twice in _duplicates(cells, found, column_map, block.where, row.line):
                    if twice not in parsed.problems:  # a header repeated at each page
                        parsed.problems.append(twice)
                continue
            if header is None or (block.own_header and not has_header):
                if found and (best is None or len(found) > best[0]):
                    best = (len(found), block, row, found)
                continue
            if not has_header and (len(found) >= 2 or (first and found and len(cells) == width)):
                # a header, but not one naming the columns needed: not the table before going on
                parsed.problems.extend(_missing(cells, found, block.where, row.line, column_map))
                refused = True
                continue
            if refused or (not has_header and len(cells) != width):
                continue  # another table that is not a continuation of this one
            if under_header and _second_header(cells, header):
                parsed.problems.append(
                    Problem(
                        "second-header-row",
                        f"line {row.line} looks like a second header row (names under a heading "
                        "merged across them): put each column's name in one header row",
                        block.where,
                        row.line,
                    )
                )
                under_header = False
                continue
            under_header = False
            la = header.get("LA", len(cells))
            rec = header["Recommendation"]
            if first and carry and data and data[-1].block == b - 1:
                before = data[-1]
                joined = extracted.blocks[b - 1].full and _carries_on(cells, before.cells, rec)
                if joined is None:
                    parsed.problems.append(_broken(block.where, row, b, extracted))
                    first = False
                    continue
                if joined:
                    before.cells = [
                        _glue(before.cells[j] if j < len(before.cells) else "", cell)
                        for j, cell in enumerate(cells)
                    ]
                    first = False
                    continue
            first = False
            if block.delimiter is not None and (
                wide := too_wide(
                    cells, width, header_line, block.where, row.line or 0, block.delimiter
                )
            ):
                parsed.problems.append(wide)
                continue
            if la < len(cells):
                carry = carry and not cells[la]
                if carry and data:
                    cells = (*cells[:la], data[-1].cells[la], *cells[la + 1 :])
            data.append(_Data(list(cells), row, b, header, written))
            if (problem := limits.too_many_catalogue_rows(len(data), file)) is not None:
                parsed.problems.append(problem)
                return parsed, AppendixHints(title=title, council=council)

    assert header is not None or not data
    hidden: dict[str, list[int]] = {}
    for row_no, d in enumerate(data, start=1):
        where = extracted.blocks[d.block].where
        checked = _row(
            tuple(d.cells),
            d.header,
            d.written,
            d.row,
            row_no,
            where,
            parsed.problems,
            extracted.unsaved,
            extracted.tracked,
        )
        if checked is not None:
            parsed.rows.append(checked)
            if d.row.line is not None and (where, d.row.line) in extracted.hidden:
                hidden.setdefault(where, []).append(d.row.line)
    if header is None and not parsed.problems:
        parsed.problems.extend(_no_header(best, file, column_map))
    elif header is not None and not parsed.rows and not parsed.problems:
        parsed.problems.append(Problem("no-rows", "the table has a header but no rows", file))
    notes = [*extracted.notes]
    for where, lines in hidden.items():
        sheet = where.rsplit(", sheet ", 1)[-1] if ", sheet " in where else ""
        notes.append(hidden_rows_note(lines, sheet) or "")
    return parsed, AppendixHints(title=title, council=council, notes=tuple(notes))


def _second_header(cells: tuple[str, ...], header: dict[str, int]) -> bool:
    """Whether the row under the header is a second one: no LA or Recommendation of its own, and
    every cell it fills names a column ('Theme', 'Sub-Theme' under a merged 'Themes')."""
    filled = [c for c in cells if c]
    own = [cells[header[c]] for c in REQUIRED if header[c] < len(cells)]
    return bool(filled) and not any(own) and all(_key(c) in _KEYS for c in filled)


def _names_required(cells: tuple[str, ...], column_map: dict[str, str]) -> bool:
    return all(c in _header(cells, column_map) for c in REQUIRED)


def _broken(where: str, row: CellRow, b: int, extracted: Extracted) -> Problem:
    before = extracted.blocks[b - 1].where.rsplit(", ", 1)[-1]
    return Problem(
        "row-over-page-break",
        f"the first row here may carry on the last row of {before} (a row broken over the page "
        "break) or be a row of its own, and its words do not say which; in the original "
        "document, stop rows breaking across pages and make the PDF again, or import the "
        "original document",
        where,
        row.line,
        "Recommendation",
    )


def _row(
    cells: tuple[str, ...],
    header: dict[str, int],
    written: dict[str, str],
    row: CellRow,
    row_no: int,
    where: str,
    problems: list[Problem],
    unsaved: Callable[[str, CellRow, int], bool] | None = None,
    tracked: set[tuple[str, int, int]] | frozenset[tuple[str, int, int]] = frozenset(),
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
        found = _formulas(found, header, row, unsaved, where, line)
    changed = [
        c for c, i in sorted(header.items(), key=lambda x: x[1]) if (where, line, i) in tracked
    ]
    if changed:  # the text is not settled: what else it says is moot
        found = [_tracked(where, line, changed[0])]
    # name the column as the file's own heading says it
    problems.extend(replace(p, column=written.get(p.column or "", p.column)) for p in found)
    if checked is None or found:
        return None
    return replace(
        checked,
        locator=row.place.format(row=row_no),
        year=year.replace("/", "-"),
        source_url=source,
        where=where,
        heading=written.get("Recommendation", "Recommendation"),
    )


def _is_tracked(extracted: Extracted, block: Block, row: CellRow) -> bool:
    return any((block.where, row.line, i) in extracted.tracked for i in range(len(row.cells)))


def _tracked(where: str, line: int, column: str) -> Problem:
    table = where.rsplit(", ", 1)[-1]
    return Problem(
        "tracked-changes",
        "this cell has tracked changes (text inserted or deleted) not yet accepted or rejected, "
        f"so its text is not settled: accept or reject the tracked changes in {table}, row "
        f"{line}, and import again",
        where,
        line,
        column,
    )


def _formulas(
    found: list[Problem],
    header: dict[str, int],
    row: CellRow,
    unsaved: Callable[[str, CellRow, int], bool],
    where: str,
    line: int,
) -> list[Problem]:
    """Every empty cell of a column read that is a formula with no saved result says so: an
    empty required cell's ``missing-value`` becomes it, and an optional one (a theme) is not
    read as empty."""
    formulas = [
        column
        for column, i in sorted(header.items(), key=lambda item: item[1])
        if not (row.cells[i].strip() if i < len(row.cells) else "") and unsaved(where, row, i)
    ]
    out = [p for p in found if not (p.code == "missing-value" and p.column in formulas)]
    out += [formula_problem(where, line, column) for column in formulas]
    return out


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
    cells = tuple(clean_text(c) for c in row.cells)
    return _missing(cells, found, block.where, row.line, column_map or {})


def _missing(
    cells: tuple[str, ...],
    found: dict[str, int],
    where: str,
    line: int | None,
    column_map: dict[str, str],
) -> list[Problem]:
    """A header row that lacks a needed column: name its headings, and the column map that
    would say which of them it is."""
    headings = ", ".join(c for c in cells if c)
    mapped = {column: heading for heading, column in column_map.items()}
    unknown = [c for i, c in enumerate(cells) if c and i not in found.values()]

    def message(column: str) -> str:
        if column in mapped:
            return (
                f"the column map says the {column} column is headed '{mapped[column]}', but no "
                f"column is (the table's columns are: {headings})"
            )
        example = unknown[0] if unknown else "<its heading>"
        return (
            f"there is no {column} column (the table's columns are: {headings}); if one of "
            f"them is the {column}, a column map such as {column}={example} would say so"
        )

    return [
        Problem("missing-column", message(column), where, line, column)
        for column in REQUIRED
        if column not in found
    ]
