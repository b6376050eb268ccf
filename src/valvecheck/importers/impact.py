"""Savings, weights and the deficit trajectory from CSV or Excel: columns found by header name.

Three tables, read the same way (the header is found among the first rows; a title above it is
skipped; a column map names headings the built-in names miss; other columns are not read, and the
result names them, as the activities import's does):

- savings: activity, year, expected, actual, cohort, unit (and optional note and counts);
- the deficit trajectory: year, unmitigated, target, actual;
- weights: activity, measure, weight.

Amounts may be written ``£1,234.50``; every problem names the file, row and column with a stable
code, and a file with any problem yields nothing. Whether an activity or a measure exists is the
service's question (it needs the workspace): rows carry their row number and the headings so the
service can say where.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from difflib import SequenceMatcher
from pathlib import PurePath
from typing import NamedTuple

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from valvecheck.domain.activity import id_key
from valvecheck.domain.impact import COUNTS, Saving, TrajectoryYear, expected_from
from valvecheck.domain.impact_units import is_units_row, unit_words, units_in, without_units
from valvecheck.domain.money import (
    Invalid,
    cell_text,
    check_weights,
    is_blank,
    missing_years,
    not_started,
    parse_count,
    parse_money,
    parse_weight,
    parse_year,
)
from valvecheck.domain.names import fold
from valvecheck.domain.problems import Parsed, Problem
from valvecheck.importers import limits
from valvecheck.importers.activity_rows import HEADING_LENGTH, header_key
from valvecheck.importers.column_map import not_read, parse_column_map
from valvecheck.importers.container import misnamed
from valvecheck.importers.delimited import BadRecord, guess_delimiter, records, too_wide
from valvecheck.importers.text import decode
from valvecheck.importers.workbook import (
    Formulas,
    formula_problem,
    has_own_value,
    merged_cells,
    open_workbook,
    shared_text_problem,
    sheet_rows,
)

HEADER_SEARCH = 10
Rows = list[tuple[int, list[object]]]

SAVINGS: dict[str, tuple[str, ...]] = {
    "activity": ("activity", "activity id", "activity ref", "id", "ref", "reference", "project"),
    "year": ("year", "financial year", "fy", "period"),
    # a saving column named by its stage (forecast, projected, ...) or by nothing at all
    # ('Savings (£)') is the expected saving: the actual one is always named as such. A "target
    # saving" is not read as one: beside a forecast it is another figure (a review found a file
    # with both reading its target as the expected saving)
    "expected": (
        "expected",
        "expected saving",
        "expected savings",
        "planned saving",
        "plan",
        "planned savings",
        "forecast saving",
        "forecast savings",
        "projected saving",
        "projected savings",
        "estimated saving",
        "estimated savings",
        "budgeted saving",
        "budgeted savings",
        "saving",
        "savings",
    ),
    "actual": (
        "actual",
        "actual saving",
        "actual savings",
        "achieved",
        "saving achieved",
        "savings achieved",
        "achieved saving",
        "achieved savings",
    ),
    "cohort": ("cohort", "children", "learners", "young people", "number of children"),
    "unit": ("unit", "unit saving", "average saving", "saving per child", "saving each"),
    "note": ("note", "notes", "comment", "comments"),
    "ehcps": ("ehcps", "ehcp", "ehcp count"),
    "independent": ("independent", "independent special", "independent non maintained special"),
    "maintained_special": ("maintained special",),
    "resource_base": ("resource base", "resource bases"),
    "mainstream": ("mainstream",),
    "alternative": ("alternative provision", "ap"),
    "post16": ("post 16", "post16"),
}
TRAJECTORY: dict[str, tuple[str, ...]] = {
    "year": SAVINGS["year"],
    "unmitigated": ("unmitigated", "do nothing", "unmitigated deficit", "unmitigated in year"),
    "target": ("target", "plan target", "agreement target", "target deficit"),
    "actual": ("actual", "outturn", "actual outturn", "actual deficit"),
}
WEIGHTS: dict[str, tuple[str, ...]] = {
    "activity": SAVINGS["activity"][:-1],
    "measure": ("measure", "measure id", "recommendation"),
    "weight": ("weight", "share", "proportion"),
}
# The figures of a trajectory year other than its unmitigated deficit, which every row needs
# (its column, one, several)
FIGURES = {
    "target": ("target", "a target", "targets"),
    "actual": ("actual outturn", "an outturn", "outturns"),
}


def _map_names(names: dict[str, tuple[str, ...]]) -> tuple[dict[str, str], tuple[str, ...]]:
    """What a column map accepts as a column's name (the column or any of its header names,
    folded) and the columns to list when one is not known."""
    known = {fold(a): f for f, aliases in names.items() for a in aliases}
    known |= {fold(f.replace("_", " ")): f for f in names}
    return known, tuple(f.replace("_", "-") for f in names)


def parse_savings_map(text: str | None) -> dict[str, str]:
    """'expected=Forecast 2025-26,activity=Scheme' -> {heading (folded): column}."""
    return parse_column_map(text, *_map_names(SAVINGS))


def parse_trajectory_map(text: str | None) -> dict[str, str]:
    """'target=Plan deficit,actual=Provisional outturn' -> {heading (folded): column}."""
    return parse_column_map(text, *_map_names(TRAJECTORY))


@dataclass(frozen=True)
class Where:
    """Where a row came from, for problems the service finds (an unknown activity)."""

    file: str
    line: int
    columns: dict[str, str]  # field -> its heading as written


@dataclass
class SavingsTable(Parsed[Saving]):
    fields: frozenset[str] = frozenset()  # the fields the file has columns for
    notes: list[str] = field(default_factory=list)  # what the import should say it did
    unread: tuple[str, ...] = ()  # the header's columns not read, as written
    where: list[Where] = field(default_factory=list)
    # the activity every row names, bad rows' too: the service says which do not exist, with
    # the file's other problems
    named: list[tuple[str, Where]] = field(default_factory=list)


@dataclass
class TrajectoryTable(Parsed[TrajectoryYear]):
    where: list[Where] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    file: str = ""  # as problems name it ("plan.xlsx [Trajectory]")
    line: int = 0  # the header's row
    headings: dict[str, str] = field(default_factory=dict)  # field -> its heading as written
    unread: tuple[str, ...] = ()  # the header's columns not read, as written


@dataclass
class WeightsTable(Parsed[tuple[str, str, Decimal]]):
    """(activity, measure, weight) rows; the weights of each activity add up to 1."""

    where: list[Where] = field(default_factory=list)
    named: list[tuple[str, Where]] = field(default_factory=list)  # as SavingsTable's
    notes: list[str] = field(default_factory=list)


# -- cells from either format ------------------------------------------------------------------


class Cells(NamedTuple):
    """A file's cells: its name for problems, its non-empty rows, the problems met reading it,
    whether an empty cell holds a formula with no saved result, and (delimited text) the
    separator, under which a row with more cells than the header is refused."""

    name: str
    rows: Rows
    problems: list[Problem]
    unsaved: Callable[[int, int], bool]
    delimiter: str | None = None
    sheets: tuple[str, ...] = ()  # a workbook's sheets looked at, when none had the header


def read_cells(
    data: bytes, file: str, header: Callable[[Sequence[object]], bool] | None = None
) -> Cells:
    """The file's name for problems, its non-empty rows, problems, unsaved(row, index), and
    the separator of a delimited text file (None for a workbook). A workbook's table is on its
    first sheet with a ``header`` row among its first rows (a cover or notes sheet before it is
    passed over, as the activities import does); failing that, its first filled-in sheet."""
    never: Callable[[int, int], bool] = lambda row, index: False  # noqa: E731
    suffix = PurePath(file).suffix.lower()
    if suffix in (".xls", ".doc", ".docx", ".pdf", ".ods"):
        return Cells(file, [], [_wrong_format(file)], never)
    if problems := limits.check(data, file):
        return Cells(file, [], problems, never)
    if (problem := misnamed(data, file)) is not None:
        return Cells(file, [], [problem], never)
    if suffix in (".xlsx", ".xlsm") or data[:2] == b"PK":
        return _workbook(data, file, header or (lambda cells: True))
    text, problems = decode(data, file)
    if text is None:
        return Cells(file, [], problems, never)
    delimiter = guess_delimiter(text)
    try:
        # a row too wide for a table is refused before anything is done with its cells
        rows: Rows = [
            (line, list(limits.within_columns(cells, file, line)))
            for line, cells in records(text, delimiter)
            if any(c.strip() for c in cells)
        ]
    except BadRecord as exc:
        return Cells(
            file,
            [],
            [Problem("bad-csv", f"the file is not valid CSV: {exc}", file, exc.line)],
            never,
        )
    except limits.Refused as exc:
        return Cells(file, [], [exc.at(file)], never)
    if (problem := limits.too_many_rows(len(rows), file)) is not None:
        return Cells(file, [], [problem], never)
    return Cells(file, rows, [], never, delimiter)


def _wrong_format(file: str) -> Problem:
    return Problem(
        "not-csv-or-xlsx",
        "this is read from CSV or an Excel workbook (.xlsx): save the table as one of those",
        file,
    )


def _workbook(data: bytes, file: str, header: Callable[[Sequence[object]], bool]) -> Cells:
    """The workbook's table, its sheets streamed (read-only) as activities are: opened whole,
    openpyxl laid out every merged cell as it loaded the file (a 1 KB file merging a whole sheet
    is billions of cells); a row filled past ``limits.MAX_COLUMNS`` or merges past
    ``limits.MAX_MERGED_CELLS`` refuse the file."""
    never: Callable[[int, int], bool] = lambda row, index: False  # noqa: E731
    if (problem := shared_text_problem(data, file)) is not None:
        return Cells(file, [], [problem], never)
    try:
        book = open_workbook(data, read_only=True)
    except Exception:  # openpyxl raises many types for a file that is not a workbook
        return Cells(file, [], [_wrong_format(file)], never)
    try:
        return _sheets(book, data, file, header)
    except limits.Refused as exc:
        return Cells(file, [], [exc.at(file)], never)
    except (SyntaxError, ValueError, LookupError):  # a damaged sheet (SyntaxError: its XML)
        return Cells(file, [], [_wrong_format(file)], never)
    finally:
        book.close()


def _sheets(
    book: Workbook, data: bytes, file: str, header: Callable[[Sequence[object]], bool]
) -> Cells:
    never: Callable[[int, int], bool] = lambda row, index: False  # noqa: E731
    formulas = Formulas(data)
    filled: list[tuple[str, Rows]] = []
    merged = 0
    for sheet in book.worksheets:
        if not isinstance(sheet, ReadOnlyWorksheet):
            continue
        sheet.reset_dimensions()  # a sheet's stated size may be wrong: read all its rows
        try:
            covered = merged_cells(sheet, limits.MAX_MERGED_CELLS - merged)
            merged += len(covered)
            rows = []
            for i, r in sheet_rows(sheet, covered):
                if has_own_value(i, r, covered):
                    rows.append((i, r))
                    if len(rows) > limits.MAX_ROWS:
                        break
        except limits.Refused as exc:
            raise limits.Refused(exc.at(f"{file} [{sheet.title}]")) from None
        if not rows:
            continue
        if (problem := limits.too_many_rows(len(rows), file)) is not None:
            return Cells(file, [], [problem], never)
        filled.append((sheet.title, rows))
        if any(header(cells) for _, cells in rows[:HEADER_SEARCH]):
            break
    else:
        if not filled:
            return Cells(
                file, [], [Problem("empty-file", "the workbook has no filled-in rows", file)], never
            )
        # no sheet has the header: the first one's problems say what is missing
        title, rows = filled[0]
        sheets = tuple(t for t, _ in filled) if len(filled) > 1 else ()
        return Cells(f"{file} [{title}]", rows, [], _unsaved(formulas, title), sheets=sheets)
    title, rows = filled[-1]
    return Cells(f"{file} [{title}]", rows, [], _unsaved(formulas, title))


def _unsaved(formulas: Formulas, title: str) -> Callable[[int, int], bool]:
    def unsaved(row: int, index: int) -> bool:
        return formulas.unsaved(title, (row, index + 1))

    return unsaved


# -- the header --------------------------------------------------------------------------------


def _key(cell: object) -> str:
    """A heading compared as people mean it: 'Expected saving (£000)' is 'expected saving'
    (the unit is read on its own, ``_scales``)."""
    return header_key(without_units(str(cell or "")).replace("£", ""))


_GLOSSED = re.compile(r"^(.*?)\s*\((.*)\)\s*$")


def _columns(
    cells: Sequence[object],
    names: dict[str, tuple[str, ...]],
    mapped: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """{field: index} of the columns a header row names: a heading the column map names is
    that column, and wins over the built-in names (as in the activities import)."""
    known = {header_key(a): f for f, aliases in names.items() for a in aliases}
    mapped = mapped or {}
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        if (f := mapped.get(fold(str(cell or "")))) is not None and f not in found:
            found[f] = i
    for i, cell in enumerate(cells):
        if fold(str(cell or "")) in mapped:
            continue
        f = known.get(_key(cell)) or _glossed(str(cell or ""), known)
        if f is not None and f not in found:
            found[f] = i
    return found


def _unread(
    cells: Sequence[object],
    where: Mapping[str, int],
    names: dict[str, tuple[str, ...]],
    mapped: Mapping[str, str] | None,
) -> tuple[tuple[str, ...], list[tuple[str, str]]]:
    """The header's headings no column was read from, as written; and of them, those naming
    a column a second time, with the column (only the first of two 'expected' is read)."""
    unread: list[str] = []
    again: list[tuple[str, str]] = []
    for i, c in enumerate(cells):
        if is_blank(c) or i in where.values() or len(str(c)) > HEADING_LENGTH:
            continue
        named = [f for f in _columns([c], names, mapped) if f in where]
        if named:
            again.append((str(c).strip(), named[0]))
        else:
            unread.append(str(c).strip())
    return tuple(unread), again


def _map_hint(unread: Sequence[str], f: str, holds: str, names: dict[str, tuple[str, ...]]) -> str:
    """A problem's hint at the columns not read: "column not read: 'Yr': if it is the year, a
    column map such as year=Yr says so"."""
    return (
        f"{not_read(unread, False)}: if {'it' if len(unread) == 1 else 'one of them'} {holds}, "
        f"a column map such as {f}={_likeliest(f, names, unread)} says so"
    )


def _likeliest(f: str, names: dict[str, tuple[str, ...]], headings: Sequence[str]) -> str:
    """The heading most like one of the column's names: the example of a column map to give."""
    return max(
        headings,
        key=lambda h: max(SequenceMatcher(None, _key(h), a).ratio() for a in (f, *names[f])),
    )


def _glossed(heading: str, known: dict[str, str]) -> str | None:
    """A heading glossed in brackets by another name of the same column ("Unmitigated (do
    nothing)"). A gloss that is anything else is no match (a unit is read by ``_scales``)."""
    parts = _GLOSSED.match(heading)
    if parts is None:
        return None
    first, second = (known.get(_key(p)) for p in parts.groups())
    return first if first is not None and first == second else None


@dataclass
class _Found:
    """A table found in a file: its header row, {field: index}, {field: heading as written},
    the rows below it (totals and a units row left out), problems, each money field's scale
    (1000: figures in £000) and what the import should say it did."""

    line: int = 0
    where: dict[str, int] = field(default_factory=dict)
    headings: dict[str, str] = field(default_factory=dict)
    unread: tuple[str, ...] = ()  # the header's columns no field is read from
    below: Rows = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    wide: list[Problem] = field(default_factory=list)
    scales: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


_TOTAL = re.compile(r"^(grand\s+|sub\s*-?\s*)?totals?:?$", re.IGNORECASE)


def _table(
    cells: Cells,
    names: dict[str, tuple[str, ...]],
    required: Sequence[str],
    what: str,
    money: Sequence[str] = (),
    mapped: Mapping[str, str] | None = None,
) -> _Found:
    """Find the header among the first rows, the unit of each ``money`` column, and the rows
    below (a totals row and a units row under the header are left out, and said so).
    ``mapped``: a parsed column map ({heading (folded): field}); ``None``: the import takes
    none, and its note of the columns not read does not offer one."""
    rows, file = cells.rows, cells.name
    out = _Found()
    if not rows:
        out.problems.append(Problem("empty-file", "the file is empty", file))
        return out
    best = max(rows[:HEADER_SEARCH], key=lambda r: len(_columns(r[1], names, mapped)))
    for row in rows[:HEADER_SEARCH]:
        if all(f in _columns(row[1], names, mapped) for f in required):
            best = row
            break
    line, header = best
    out.line = line
    out.where = where = _columns(header, names, mapped)
    out.headings = {f: str(header[i]).strip() for f, i in where.items()}
    out.unread, again = _unread(header, where, names, mapped)
    for heading, f in again:
        # said, as a column not read is: two figures for one column cannot both be read
        out.notes.append(
            f"'{heading}' is a second {f.replace('_', ' ')} column: "
            f"'{out.headings[f]}' is the one read"
        )
    present = {fold(str(c or "")) for c in header}
    for heading, f in (mapped or {}).items():
        if heading not in present:
            shown = ", ".join(f"'{str(c).strip()}'" for c in header if not is_blank(c))
            out.problems.append(
                Problem(
                    "missing-column",
                    f"the column map says the {f.replace('_', '-')} column is headed "
                    f"'{heading}', but no column is (the header's columns are: {shown})",
                    file,
                    line,
                    f,
                )
            )
    missing = [f for f in required if f not in where and f not in (mapped or {}).values()]
    across = next((y for _, r in rows[:HEADER_SEARCH] if (y := _years_across(r))), [])
    for f in missing:
        message = (
            f"there is no {f} column: a {what} file needs the columns "
            f"{', '.join(required)} (headings such as {', '.join(repr(a) for a in names[f][:3])})"
        )
        code = "missing-column"
        if f == "year" and across:
            code = "years-across-columns"
            message = (
                f"the financial years are across the columns ({', '.join(across)}): a {what} "
                f"file needs one row per {'activity and ' if 'activity' in required else ''}"
                f"year, with the columns {', '.join(required)}"
                f"{' and expected and/or actual' if what == 'savings' else ''}"
            )
        if cells.sheets:
            sheets = ", ".join(f"'{t}'" for t in cells.sheets)
            message += f"; no sheet of the workbook ({sheets}) has such a header"
        elif out.unread and mapped is not None and code == "missing-column":
            message += f"; {_map_hint(out.unread, f, f'is the {f}', names)}"
        out.problems.append(Problem(code, message, file, line, f))
    below = [r for r in rows if r[0] > line]
    if below and is_units_row(below[0][1]):
        units_row = below.pop(0)
        out.notes.append(f"the units row under the header (row {units_row[0]}) was left out")
    else:
        units_row = None
    totals = [r for r in below if _is_total(r[1])]
    if totals:
        numbers = ", ".join(str(n) for n, _ in totals)
        out.notes.append(
            f"the total{'s' if len(totals) > 1 else ''} (row {numbers}) "
            f"{'were' if len(totals) > 1 else 'was'} left out"
        )
        below = [r for r in below if not _is_total(r[1])]
    if not out.problems and not below:
        out.problems.append(Problem("no-rows", "the file has a header but no rows below it", file))
    if cells.delimiter is not None:
        for number, row_cells in below:
            if p := too_wide(row_cells, len(header), line, file, number, cells.delimiter):
                out.wide.append(p)
        at = {p.line for p in out.wide}
        below = [r for r in below if r[0] not in at]
    out.below = below
    if not out.problems:
        _scales(out, [r for r in rows if r[0] < line], units_row, money, file)
    if out.unread:
        out.notes.append(not_read(out.unread, mapped is not None))
    return out


def _is_total(cells: Sequence[object]) -> bool:
    first = next((str(c).strip() for c in cells if not is_blank(c)), "")
    return bool(_TOTAL.match(first))


def _years_across(header: Sequence[object]) -> list[str]:
    """The headings of a header that are financial years (two or more: years across)."""
    found = []
    for cell in header:
        try:
            found.append(parse_year(cell))
        except Invalid:
            continue
    return found if len(found) >= 2 else []


def _scales(
    out: _Found,
    above: Rows,
    units_row: tuple[int, list[object]] | None,
    money: Sequence[str],
    file: str,
) -> None:
    """Each money column's scale: its heading's unit, else the units row's, else the title's
    (the rows above the header), else pounds. A title naming two units, or a column whose unit
    is not the title's, is refused rather than guessed at."""
    title: set[int] = set()
    for _, cells in above:
        for c in cells:
            title |= units_in(cell_text(c))
    title_scale = next(iter(title)) if len(title) == 1 else None
    if len(title) > 1:
        out.problems.append(
            Problem(
                "unit-unclear",
                "the rows above the header name more than one unit ("
                + ", ".join(unit_words(u).split(",")[0] for u in sorted(title))
                + "): give the unit once, or in each column's heading",
                file,
                above[0][0] if above else out.line,
            )
        )
        return
    for f in money:
        if f not in out.where:
            continue
        heading = out.headings[f]
        own = units_in(heading)
        if not own and units_row is not None and out.where[f] < len(units_row[1]):
            own = units_in(cell_text(units_row[1][out.where[f]]))
        if len(own) > 1 or (own and title_scale is not None and own != {title_scale}):
            named = sorted(own | ({title_scale} if title_scale else set()))
            out.problems.append(
                Problem(
                    "unit-unclear",
                    f"'{heading}' is in "
                    + " or ".join(unit_words(u).split(",")[0] for u in named)
                    + ": the figures cannot be read in one unit; give one unit",
                    file,
                    out.line,
                    heading,
                )
            )
            continue
        out.scales[f] = next(iter(own)) if own else (title_scale or 1)
    used = {out.scales[f] for f in out.scales}
    if used - {1}:
        if len(used) == 1:
            out.notes.insert(0, f"amounts in {unit_words(used.pop())}")
        else:
            out.notes.insert(
                0,
                "amounts in "
                + "; ".join(
                    f"'{out.headings[f]}' in {unit_words(k)}" for f, k in out.scales.items()
                ),
            )


def _has_header(
    names: dict[str, tuple[str, ...]],
    required: Sequence[str],
    mapped: Mapping[str, str] | None = None,
) -> Callable[[Sequence[object]], bool]:
    def has(cells: Sequence[object]) -> bool:
        found = _columns(cells, names, mapped)
        return all(f in found for f in required)

    return has


def _cell(cells: Sequence[object], where: dict[str, int], f: str) -> object:
    i = where.get(f)
    if i is None or i >= len(cells):
        return None
    value = cells[i]
    return None if is_blank(value) else value


# -- savings -----------------------------------------------------------------------------------


def _not_started(year: str, what: str, today: date) -> str:
    return (
        f"{year} has not started yet (on {today.day} {today:%B %Y}): {what} for it cannot be "
        "known; check the year"
    )


def _unread_said(unread: Sequence[str]) -> str:
    """A problem's end when the file has columns not read: one may hold the figure looked for."""
    if not unread:
        return ""
    return f" ({_map_hint(unread, 'expected', 'holds the expected saving', SAVINGS)})"


def read_savings(
    data: bytes,
    file: str,
    today: date | None = None,
    column_map: Mapping[str, str] | None = None,
) -> SavingsTable:
    """Expected and actual savings per activity and year; nothing if any row is bad.
    ``today``: an actual saving for a year that has not started by then is refused.
    ``column_map``: a parsed column map (``parse_savings_map``). The columns not read are
    named in the notes, and in a row's problem when it gives neither saving."""
    mapped = dict(column_map or {})
    cells_read = read_cells(data, file, _has_header(SAVINGS, ("activity", "year"), mapped))
    name, unsaved = cells_read.name, cells_read.unsaved
    out = SavingsTable(problems=cells_read.problems)
    if out.problems:
        return out
    found = _table(
        cells_read,
        SAVINGS,
        ("activity", "year"),
        "savings",
        ("expected", "actual", "unit"),
        mapped,
    )
    line, where, headings, body = found.line, found.where, found.headings, found.below
    out.problems, wide, out.notes = found.problems, found.wide, found.notes
    out.unread = found.unread
    if not out.problems and not {"expected", "actual", "cohort"} & set(where):
        out.problems.append(
            Problem(
                "missing-column",
                "there is no expected, actual or cohort column: the file records no saving"
                + _unread_said(found.unread),
                name,
                line,
                "expected",
            )
        )
    if out.problems:
        return out
    out.problems.extend(wide)
    out.fields = frozenset(where)
    seen: dict[tuple[str, str], int] = {}
    for number, cells in body:
        problem_count = len(out.problems)

        def bad(code: str, message: str, f: str, number: int = number) -> None:
            out.problems.append(Problem(code, message, name, number, headings.get(f, f)))

        def value(f: str, number: int = number, cells: list[object] = cells) -> object:
            v = _cell(cells, where, f)
            if v is None and f in where and unsaved(number, where[f]):
                out.problems.append(formula_problem(name, number, headings[f]))
            return v

        activity = " ".join(str(value("activity") or "").split())
        if not activity:
            bad("missing-value", "the activity cell is empty", "activity")
        else:
            out.named.append((activity, Where(name, number, headings)))
        year = ""
        try:
            year = parse_year(value("year"))
        except Invalid as exc:
            bad(exc.code, str(exc), "year")

        def money(f: str, what: str, negative: bool) -> Decimal | None:
            v = value(f)
            if v is None:
                return None
            try:
                return parse_money(v, what, negative, found.scales.get(f, 1))
            except Invalid as exc:
                bad(exc.code, str(exc), f)
                return None

        def count(f: str, what: str) -> int | None:
            v = value(f)
            if v is None:
                return None
            try:
                return parse_count(v, what)
            except Invalid as exc:
                bad(exc.code, str(exc), f)
                return None

        # a negative saving is a net cost in that year (invest to save); a unit is not
        expected = money("expected", "expected saving", True)
        actual = money("actual", "actual saving", True)
        unit = money("unit", "unit saving", False)
        cohort = count("cohort", "cohort")
        counts = {k: c for k, label in COUNTS if k in where and (c := count(k, label)) is not None}
        if actual is not None and year and today is not None and not_started(year, today):
            bad("actual-not-started", _not_started(year, "an actual saving", today), "actual")
        if len(out.problems) == problem_count:
            try:
                expected = expected_from(expected, cohort, unit)
            except Invalid as exc:
                bad(exc.code, str(exc), "expected" if exc.code.startswith("expected") else "cohort")
        if len(out.problems) == problem_count and expected is None and actual is None:
            bad(
                "missing-value",
                "the row gives neither an expected nor an actual saving"
                + _unread_said(found.unread),
                "expected",
            )
        if activity and year:
            key = (id_key(activity), year)
            if key in seen:
                bad(
                    "duplicate-entry",
                    f"{activity} already has a row for {year} (row {seen[key]}): one row per "
                    "activity and year",
                    "year",
                )
            else:
                seen[key] = number
        if len(out.problems) == problem_count:
            note = " ".join(str(value("note") or "").split())
            out.rows.append(
                Saving(activity, year, expected, actual, cohort, unit, counts, note, source="file")
            )
            out.where.append(Where(name, number, headings))
    if out.problems:
        out.rows, out.where = [], []
        out.problems.sort(key=lambda p: p.line or 0)
    return out


# -- the trajectory ----------------------------------------------------------------------------


def read_trajectory(
    data: bytes,
    file: str,
    today: date | None = None,
    column_map: Mapping[str, str] | None = None,
) -> TrajectoryTable:
    """The deficit trajectory by financial year; nothing if any row is bad. ``today``: an
    outturn for a year that has not started by then is refused. ``column_map``: a parsed
    column map (``parse_trajectory_map``). The columns not read are named in the notes; whether
    the figures held would go for want of them is ``figures_unread``'s question."""
    mapped = dict(column_map or {})
    cells_read = read_cells(data, file, _has_header(TRAJECTORY, ("year", "unmitigated"), mapped))
    name, unsaved = cells_read.name, cells_read.unsaved
    out = TrajectoryTable(problems=cells_read.problems, file=name)
    if out.problems:
        return out
    found = _table(
        cells_read,
        TRAJECTORY,
        ("year", "unmitigated"),
        "trajectory",
        ("unmitigated", "target", "actual"),
        mapped,
    )
    where, headings, body = found.where, found.headings, found.below
    out.problems, wide, out.notes = found.problems, found.wide, found.notes
    out.line, out.headings, out.unread = found.line, headings, found.unread
    if out.problems:
        return out
    out.problems.extend(wide)
    seen: dict[str, int] = {}
    for number, cells in body:
        before = len(out.problems)

        def bad(code: str, message: str, f: str, number: int = number) -> None:
            out.problems.append(Problem(code, message, name, number, headings.get(f, f)))

        year = ""
        try:
            year = parse_year(_cell(cells, where, "year"))
        except Invalid as exc:
            bad(exc.code, str(exc), "year")
        amounts: dict[str, Decimal | None] = {}
        for f, what in (
            ("unmitigated", "unmitigated deficit"),
            ("target", "target"),
            ("actual", "actual outturn"),
        ):
            v = _cell(cells, where, f)
            if v is None:
                # a formula with no saved result is never read as blank: a target or an
                # outturn would silently go
                if f in where and unsaved(number, where[f]):
                    out.problems.append(formula_problem(name, number, headings[f]))
                elif f == "unmitigated":
                    bad("missing-value", "the unmitigated deficit is empty", f)
                amounts[f] = None
                continue
            try:
                # an in-year surplus is a negative deficit: it means something here
                amounts[f] = parse_money(v, what, True, found.scales.get(f, 1))
            except Invalid as exc:
                bad(exc.code, str(exc), f)
        outturn = amounts.get("actual")
        if outturn is not None and year and today is not None and not_started(year, today):
            bad("actual-not-started", _not_started(year, "an actual outturn", today), "actual")
        if year in seen:
            bad("duplicate-entry", f"{year} already has a row (row {seen[year]})", "year")
        elif year:
            seen[year] = number
        if len(out.problems) == before:
            unmitigated = amounts["unmitigated"]
            assert unmitigated is not None
            out.rows.append(TrajectoryYear(year, unmitigated, amounts["target"], amounts["actual"]))
            out.where.append(Where(name, number, headings))
    if not out.problems and (gaps := missing_years([y.year for y in out.rows])):
        out.problems.append(
            Problem(
                "year-missing",
                f"the trajectory has no row for {' and '.join(gaps)}: its years must follow "
                "each other, or the cumulative figures would leave "
                f"{'that year' if len(gaps) == 1 else 'those years'} out",
                name,
                None,
                headings.get("year", "year"),
            )
        )
    if out.problems:
        out.rows, out.where = [], []
        out.problems.sort(key=lambda p: p.line or 0)
    return out


def figures_unread(parsed: TrajectoryTable, held: Sequence[TrajectoryYear]) -> list[Problem]:
    """Why a trajectory file would withdraw figures held because a column was not read (an
    import replaces the whole trajectory: a target column headed 'targt' would otherwise take
    every target away with nothing said).

    The rule: a file that has a column not read, and gives no target (or no outturn) for any
    year while the trajectory held has one, is refused: that column may be the figures
    misspelt. A file whose columns are all read is taken at its word (without a target column
    the targets go, and the result lists each), as is one giving a figure of the kind.
    """
    if not parsed.unread:
        return []
    problems = []
    for f, (column, one, many) in FIGURES.items():
        if any(getattr(y, f) is not None for y in parsed.rows):
            continue
        years = [y.year for y in held if getattr(y, f) is not None]
        if not years:
            continue
        given = (
            f"the {column} column ('{parsed.headings[f]}') is empty"
            if f in parsed.headings
            else f"the file has no {column} column"
        )
        columns = ", ".join(f"'{h}'" for h in parsed.unread)
        several = len(parsed.unread) > 1
        years_text = f"{', '.join(years[:-1])} and {years[-1]}" if len(years) > 1 else years[0]
        problems.append(
            Problem(
                "column-not-read",
                f"{given}, but the trajectory holds {one if len(years) == 1 else many} for "
                f"{years_text}, and the file has {'columns' if several else 'a column'} not "
                f"read ({columns}): importing it would withdraw "
                f"{'that figure' if len(years) == 1 else f'those {many}'}. If "
                f"{'one of them' if several else columns} holds the {many}, a column map such "
                f"as {f}={_likeliest(f, TRAJECTORY, parsed.unread)} says so; to keep them, "
                f"give them in the file's {f} column; to withdraw them, take the "
                f"{'columns' if several else 'column'} not read out of the file",
                parsed.file,
                parsed.line,
                parsed.headings.get(f, f),
            )
        )
    return problems


# -- weights -----------------------------------------------------------------------------------


def read_weights(data: bytes, file: str) -> WeightsTable:
    """Each activity's weights by measure; each activity's must add up to 1."""
    required = ("activity", "measure", "weight")
    cells_read = read_cells(data, file, _has_header(WEIGHTS, required))
    name = cells_read.name
    out = WeightsTable(problems=cells_read.problems)
    if out.problems:
        return out
    found = _table(cells_read, WEIGHTS, required, "weights")
    where, headings, body = found.where, found.headings, found.below
    out.problems, wide, out.notes = found.problems, found.wide, found.notes
    if out.problems:
        return out
    out.problems.extend(wide)
    groups: dict[str, list[tuple[int, str, Decimal]]] = {}
    written: dict[str, str] = {}
    for number, cells in body:
        before = len(out.problems)

        def bad(code: str, message: str, f: str, number: int = number) -> None:
            out.problems.append(Problem(code, message, name, number, headings.get(f, f)))

        activity = " ".join(str(_cell(cells, where, "activity") or "").split())
        measure = str(_cell(cells, where, "measure") or "").strip().lower()
        for f, v in (("activity", activity), ("measure", measure)):
            if not v:
                bad("missing-value", f"the {f} cell is empty", f)
        if activity:
            out.named.append((activity, Where(name, number, headings)))
        weight = Decimal(0)
        try:
            weight = parse_weight(_cell(cells, where, "weight"))
        except Invalid as exc:
            bad(exc.code, str(exc), "weight")
        group = groups.setdefault(id_key(activity), [])
        if any(m == measure for _, m, _ in group):
            bad("duplicate-entry", f"{activity} has a second weight for {measure}", "measure")
        if len(out.problems) == before:
            written.setdefault(id_key(activity), activity)
            group.append((number, measure, weight))
            out.rows.append((activity, measure, weight))
            out.where.append(Where(name, number, headings))
    for key, group in groups.items():
        if not group:
            continue
        try:
            check_weights([w for _, _, w in group], written[key])
        except Invalid as exc:
            rows_text = ", ".join(str(n) for n, _, _ in group)
            out.problems.append(
                Problem(
                    exc.code, f"{exc} (rows {rows_text})", name, group[-1][0], headings["weight"]
                )
            )
    if out.problems:
        out.rows, out.where = [], []
        out.problems.sort(key=lambda p: p.line or 0)
    return out
