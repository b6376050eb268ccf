"""The deficit trajectory from CSV or Excel: year, unmitigated, target, actual, read as every
table of figures is (``importers.figure_table``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from valvecheck.domain.impact import TrajectoryYear
from valvecheck.domain.money import Invalid, missing_years, not_started, parse_money, parse_year
from valvecheck.domain.problems import Parsed, Problem
from valvecheck.importers.column_map import parse_column_map
from valvecheck.importers.figure_table import (
    Where,
    cell_at,
    find_table,
    has_header,
    likeliest,
    map_names,
    not_started_said,
    read_cells,
)
from valvecheck.importers.savings import SAVINGS
from valvecheck.importers.workbook import formula_problem

TRAJECTORY: dict[str, tuple[str, ...]] = {
    "year": SAVINGS["year"],
    "unmitigated": ("unmitigated", "do nothing", "unmitigated deficit", "unmitigated in year"),
    "target": ("target", "plan target", "agreement target", "target deficit"),
    "actual": ("actual", "outturn", "actual outturn", "actual deficit"),
}
# The figures of a trajectory year other than its unmitigated deficit, which every row needs
# (its column, one, several)
FIGURES = {
    "target": ("target", "a target", "targets"),
    "actual": ("actual outturn", "an outturn", "outturns"),
}


def parse_trajectory_map(text: str | None) -> dict[str, str]:
    """'target=Plan deficit,actual=Provisional outturn' -> {heading (folded): column}."""
    return parse_column_map(text, *map_names(TRAJECTORY))


@dataclass
class TrajectoryTable(Parsed[TrajectoryYear]):
    where: list[Where] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    file: str = ""  # as problems name it ("plan.xlsx [Trajectory]")
    line: int = 0  # the header's row
    headings: dict[str, str] = field(default_factory=dict)  # field -> its heading as written
    unread: tuple[str, ...] = ()  # the header's columns not read, as written


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
    cells_read = read_cells(data, file, has_header(TRAJECTORY, ("year", "unmitigated"), mapped))
    name, unsaved = cells_read.name, cells_read.unsaved
    out = TrajectoryTable(problems=cells_read.problems, file=name)
    if out.problems:
        return out
    found = find_table(
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
            year = parse_year(cell_at(cells, where, "year"))
        except Invalid as exc:
            bad(exc.code, str(exc), "year")
        amounts: dict[str, Decimal | None] = {}
        for f, what in (
            ("unmitigated", "unmitigated deficit"),
            ("target", "target"),
            ("actual", "actual outturn"),
        ):
            v = cell_at(cells, where, f)
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
            bad("actual-not-started", not_started_said(year, "an actual outturn", today), "actual")
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
                f"as {f}={likeliest(f, TRAJECTORY, parsed.unread)} says so; to keep them, "
                f"give them in the file's {f} column; to withdraw them, take the "
                f"{'columns' if several else 'column'} not read out of the file",
                parsed.file,
                parsed.line,
                parsed.headings.get(f, f),
            )
        )
    return problems
