"""Savings from CSV or Excel: activity, year, expected, actual, cohort, unit (and optional note
and counts beside the money), read as every table of figures is (``importers.figure_table``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from valvecheck.domain.activity import id_key
from valvecheck.domain.impact import COUNTS, Saving, expected_from
from valvecheck.domain.money import Invalid, not_started, parse_count, parse_money, parse_year
from valvecheck.domain.problems import Parsed, Problem
from valvecheck.importers.column_map import parse_column_map
from valvecheck.importers.figure_table import (
    Where,
    cell_at,
    find_table,
    has_header,
    map_hint,
    map_names,
    not_started_said,
    read_cells,
)
from valvecheck.importers.workbook import formula_problem

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


def parse_savings_map(text: str | None) -> dict[str, str]:
    """'expected=Forecast 2025-26,activity=Scheme' -> {heading (folded): column}."""
    return parse_column_map(text, *map_names(SAVINGS))


@dataclass
class SavingsTable(Parsed[Saving]):
    fields: frozenset[str] = frozenset()  # the fields the file has columns for
    notes: list[str] = field(default_factory=list)  # what the import should say it did
    unread: tuple[str, ...] = ()  # the header's columns not read, as written
    where: list[Where] = field(default_factory=list)
    # the activity every row names, bad rows' too: the service says which do not exist, with
    # the file's other problems
    named: list[tuple[str, Where]] = field(default_factory=list)


def _unread_said(unread: Sequence[str]) -> str:
    """A problem's end when the file has columns not read: one may hold the figure looked for."""
    if not unread:
        return ""
    return f" ({map_hint(unread, 'expected', 'holds the expected saving', SAVINGS)})"


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
    cells_read = read_cells(data, file, has_header(SAVINGS, ("activity", "year"), mapped))
    name, unsaved = cells_read.name, cells_read.unsaved
    out = SavingsTable(problems=cells_read.problems)
    if out.problems:
        return out
    found = find_table(
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
            v = cell_at(cells, where, f)
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
            bad("actual-not-started", not_started_said(year, "an actual saving", today), "actual")
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
