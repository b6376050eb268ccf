"""Weights from CSV or Excel: activity, measure, weight (each activity's add up to 1), read as
every table of figures is (``importers.figure_table``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from valvecheck.domain.activity import id_key
from valvecheck.domain.money import Invalid, check_weights, parse_weight
from valvecheck.domain.problems import Parsed, Problem
from valvecheck.importers.figure_table import Where, cell_at, find_table, has_header, read_cells
from valvecheck.importers.savings import SAVINGS

WEIGHTS: dict[str, tuple[str, ...]] = {
    "activity": SAVINGS["activity"][:-1],
    "measure": ("measure", "measure id", "recommendation"),
    "weight": ("weight", "share", "proportion"),
}


@dataclass
class WeightsTable(Parsed[tuple[str, str, Decimal]]):
    """(activity, measure, weight) rows; the weights of each activity add up to 1."""

    where: list[Where] = field(default_factory=list)
    named: list[tuple[str, Where]] = field(default_factory=list)  # as SavingsTable's
    notes: list[str] = field(default_factory=list)


def read_weights(data: bytes, file: str) -> WeightsTable:
    """Each activity's weights by measure; each activity's must add up to 1."""
    required = ("activity", "measure", "weight")
    cells_read = read_cells(data, file, has_header(WEIGHTS, required))
    name = cells_read.name
    out = WeightsTable(problems=cells_read.problems)
    if out.problems:
        return out
    found = find_table(cells_read, WEIGHTS, required, "weights")
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

        activity = " ".join(str(cell_at(cells, where, "activity") or "").split())
        measure = str(cell_at(cells, where, "measure") or "").strip().lower()
        for f, v in (("activity", activity), ("measure", measure)):
            if not v:
                bad("missing-value", f"the {f} cell is empty", f)
        if activity:
            out.named.append((activity, Where(name, number, headings)))
        weight = Decimal(0)
        try:
            weight = parse_weight(cell_at(cells, where, "weight"))
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
