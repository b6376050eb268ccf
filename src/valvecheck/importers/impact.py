"""Savings, weights and the deficit trajectory from CSV or Excel: columns found by header name.

Three tables, read the same way (the header is found among the first rows; a title above it is
skipped; unknown columns are ignored):

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import NamedTuple

from openpyxl.worksheet.worksheet import Worksheet

from valvecheck.domain.activity import id_key
from valvecheck.domain.impact import COUNTS, Saving, TrajectoryYear, expected_from
from valvecheck.domain.money import (
    Invalid,
    check_weights,
    is_blank,
    parse_count,
    parse_money,
    parse_weight,
    parse_year,
)
from valvecheck.domain.problems import Parsed, Problem
from valvecheck.importers import limits
from valvecheck.importers.activity_rows import header_key
from valvecheck.importers.container import misnamed
from valvecheck.importers.delimited import BadRecord, guess_delimiter, records, too_wide
from valvecheck.importers.text import decode
from valvecheck.importers.workbook import (
    Formulas,
    formula_problem,
    has_own_value,
    merged_cells,
    open_workbook,
    sheet_rows,
)

HEADER_SEARCH = 10
Rows = list[tuple[int, list[object]]]

SAVINGS: dict[str, tuple[str, ...]] = {
    "activity": ("activity", "activity id", "activity ref", "id", "ref", "reference", "project"),
    "year": ("year", "financial year", "fy", "period"),
    "expected": ("expected", "expected saving", "expected savings", "planned saving", "plan"),
    "actual": ("actual", "actual saving", "actual savings", "achieved", "saving achieved"),
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


@dataclass(frozen=True)
class Where:
    """Where a row came from, for problems the service finds (an unknown activity)."""

    file: str
    line: int
    columns: dict[str, str]  # field -> its heading as written


@dataclass
class SavingsTable(Parsed[Saving]):
    fields: frozenset[str] = frozenset()  # the fields the file has columns for
    where: list[Where] = field(default_factory=list)
    # the activity every row names, bad rows' too: the service says which do not exist, with
    # the file's other problems
    named: list[tuple[str, Where]] = field(default_factory=list)


@dataclass
class TrajectoryTable(Parsed[TrajectoryYear]):
    where: list[Where] = field(default_factory=list)


@dataclass
class WeightsTable(Parsed[tuple[str, str, Decimal]]):
    """(activity, measure, weight) rows; the weights of each activity add up to 1."""

    where: list[Where] = field(default_factory=list)
    named: list[tuple[str, Where]] = field(default_factory=list)  # as SavingsTable's


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


def read_cells(data: bytes, file: str) -> Cells:
    """The file's name for problems, its non-empty rows, problems, unsaved(row, index), and
    the separator of a delimited text file (None for a workbook)."""
    never: Callable[[int, int], bool] = lambda row, index: False  # noqa: E731
    suffix = PurePath(file).suffix.lower()
    if suffix in (".xls", ".doc", ".docx", ".pdf", ".ods"):
        return Cells(file, [], [_wrong_format(file)], never)
    if problems := limits.check(data, file):
        return Cells(file, [], problems, never)
    if (problem := misnamed(data, file)) is not None:
        return Cells(file, [], [problem], never)
    if suffix in (".xlsx", ".xlsm") or data[:2] == b"PK":
        return _workbook(data, file)
    text, problems = decode(data, file)
    if text is None:
        return Cells(file, [], problems, never)
    delimiter = guess_delimiter(text)
    try:
        rows: Rows = [
            (line, list(cells))
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
    if (problem := limits.too_many_rows(len(rows), file)) is not None:
        return Cells(file, [], [problem], never)
    return Cells(file, rows, [], never, delimiter)


def _wrong_format(file: str) -> Problem:
    return Problem(
        "not-csv-or-xlsx",
        "this is read from CSV or an Excel workbook (.xlsx): save the table as one of those",
        file,
    )


def _workbook(data: bytes, file: str) -> Cells:
    never: Callable[[int, int], bool] = lambda row, index: False  # noqa: E731
    try:
        book = open_workbook(data)
    except Exception:  # openpyxl raises many types for a file that is not a workbook
        return Cells(file, [], [_wrong_format(file)], never)
    formulas = Formulas(data)
    for sheet in book.worksheets:
        if not isinstance(sheet, Worksheet):
            continue
        covered = merged_cells(sheet)
        rows = [(i, r) for i, r in sheet_rows(sheet, covered) if has_own_value(i, r, covered)]
        if rows:
            title = sheet.title

            def unsaved(row: int, index: int, title: str = title) -> bool:
                return formulas.unsaved(title, (row, index + 1))

            if (problem := limits.too_many_rows(len(rows), file)) is not None:
                return Cells(file, [], [problem], never)
            return Cells(f"{file} [{title}]", rows, [], unsaved)
    return Cells(
        file, [], [Problem("empty-file", "the workbook has no filled-in rows", file)], never
    )


# -- the header --------------------------------------------------------------------------------


def _key(cell: object) -> str:
    """A heading compared as people mean it: 'Expected saving (£)' is 'expected saving'."""
    return header_key(str(cell or "").replace("(£)", "").replace("£", ""))


_GLOSSED = re.compile(r"^(.*?)\s*\((.*)\)\s*$")


def _columns(cells: Sequence[object], names: dict[str, tuple[str, ...]]) -> dict[str, int]:
    known = {header_key(a): f for f, aliases in names.items() for a in aliases}
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        f = known.get(_key(cell)) or _glossed(str(cell or ""), known)
        if f is not None and f not in found:
            found[f] = i
    return found


def _glossed(heading: str, known: dict[str, str]) -> str | None:
    """A heading glossed in brackets by another name of the same column ("Unmitigated (do
    nothing)"). A gloss that is anything else, a unit above all ("Target (£m)"), is no match:
    the amounts would be read in the wrong unit."""
    parts = _GLOSSED.match(heading)
    if parts is None:
        return None
    first, second = (known.get(_key(p)) for p in parts.groups())
    return first if first is not None and first == second else None


def _table(
    cells: Cells, names: dict[str, tuple[str, ...]], required: Sequence[str], what: str
) -> tuple[int, dict[str, int], dict[str, str], Rows, list[Problem], list[Problem]]:
    """Find the header among the first rows: (its row, {field: index}, {field: heading}, the
    rows below it, the header's problems, the problems of rows wider than the header, which
    are left out of the rows below)."""
    rows, file = cells.rows, cells.name
    if not rows:
        return 0, {}, {}, [], [Problem("empty-file", "the file is empty", file)], []
    best = max(rows[:HEADER_SEARCH], key=lambda r: len(_columns(r[1], names)))
    for row in rows[:HEADER_SEARCH]:
        if all(f in _columns(row[1], names) for f in required):
            best = row
            break
    line, header = best
    where = _columns(header, names)
    headings = {f: str(header[i]).strip() for f, i in where.items()}
    missing = [f for f in required if f not in where]
    problems = [
        Problem(
            "missing-column",
            f"there is no {f} column: a {what} file needs the columns "
            f"{', '.join(required)} (headings such as {', '.join(repr(a) for a in names[f][:3])})",
            file,
            line,
            f,
        )
        for f in missing
    ]
    below = [r for r in rows if r[0] > line]
    if not problems and not below:
        problems.append(Problem("no-rows", "the file has a header but no rows below it", file))
    wide: list[Problem] = []
    if cells.delimiter is not None:
        for number, row_cells in below:
            if p := too_wide(row_cells, len(header), line, file, number, cells.delimiter):
                wide.append(p)
        at = {p.line for p in wide}
        below = [r for r in below if r[0] not in at]
    return line, where, headings, below, problems, wide


def _cell(cells: Sequence[object], where: dict[str, int], f: str) -> object:
    i = where.get(f)
    if i is None or i >= len(cells):
        return None
    value = cells[i]
    return None if is_blank(value) else value


# -- savings -----------------------------------------------------------------------------------


def read_savings(data: bytes, file: str) -> SavingsTable:
    """Expected and actual savings per activity and year; nothing if any row is bad."""
    cells_read = read_cells(data, file)
    name, unsaved = cells_read.name, cells_read.unsaved
    out = SavingsTable(problems=cells_read.problems)
    if out.problems:
        return out
    line, where, headings, body, out.problems, wide = _table(
        cells_read, SAVINGS, ("activity", "year"), "savings"
    )
    if not out.problems and not {"expected", "actual", "cohort"} & set(where):
        out.problems.append(
            Problem(
                "missing-column",
                "there is no expected, actual or cohort column: the file records no saving",
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
                return parse_money(v, what, negative)
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
        if len(out.problems) == problem_count:
            try:
                expected = expected_from(expected, cohort, unit)
            except Invalid as exc:
                bad(exc.code, str(exc), "expected" if exc.code.startswith("expected") else "cohort")
        if len(out.problems) == problem_count and expected is None and actual is None:
            bad(
                "missing-value",
                "the row gives neither an expected nor an actual saving",
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


def read_trajectory(data: bytes, file: str) -> TrajectoryTable:
    """The deficit trajectory by financial year; nothing if any row is bad."""
    cells_read = read_cells(data, file)
    name, unsaved = cells_read.name, cells_read.unsaved
    out = TrajectoryTable(problems=cells_read.problems)
    if out.problems:
        return out
    _, where, headings, body, out.problems, wide = _table(
        cells_read, TRAJECTORY, ("year", "unmitigated"), "trajectory"
    )
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
                if f == "unmitigated":
                    if unsaved(number, where[f]):
                        out.problems.append(formula_problem(name, number, headings[f]))
                    else:
                        bad("missing-value", "the unmitigated deficit is empty", f)
                amounts[f] = None
                continue
            try:
                # an in-year surplus is a negative deficit: it means something here
                amounts[f] = parse_money(v, what, negative=True)
            except Invalid as exc:
                bad(exc.code, str(exc), f)
        if year in seen:
            bad("duplicate-entry", f"{year} already has a row (row {seen[year]})", "year")
        elif year:
            seen[year] = number
        if len(out.problems) == before:
            unmitigated = amounts["unmitigated"]
            assert unmitigated is not None
            out.rows.append(TrajectoryYear(year, unmitigated, amounts["target"], amounts["actual"]))
            out.where.append(Where(name, number, headings))
    if out.problems:
        out.rows, out.where = [], []
        out.problems.sort(key=lambda p: p.line or 0)
    return out


# -- weights -----------------------------------------------------------------------------------


def read_weights(data: bytes, file: str) -> WeightsTable:
    """Each activity's weights by measure; each activity's must add up to 1."""
    cells_read = read_cells(data, file)
    name = cells_read.name
    out = WeightsTable(problems=cells_read.problems)
    if out.problems:
        return out
    _, where, headings, body, out.problems, wide = _table(
        cells_read, WEIGHTS, ("activity", "measure", "weight"), "weights"
    )
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
