"""The impact section's tables, the same in every format: captions, columns and rows.

Word, HTML and Markdown show the cells as text (``money_text``: pounds and pence); Excel writes
the same amounts as numbers (``amounts``), so the figures cannot drift apart between formats.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from valvecheck.domain.impact import NOT_LINKED, Impact
from valvecheck.domain.money import money_text
from valvecheck.domain.rag import Rag

Cell = str | Decimal | None


@dataclass(frozen=True)
class ImpactTable:
    key: str  # an id for HTML, a sheet block name
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]  # text, or an amount (Decimal), or None (no figure)
    total_rows: int = 0  # how many rows at the end are totals (shown in bold)

    @property
    def amount_columns(self) -> set[int]:
        """The columns that hold amounts (right-aligned)."""
        return {i for row in self.rows for i, c in enumerate(row) if not isinstance(c, str)}

    def text_rows(self, show: Callable[[Decimal | None], str] = money_text) -> list[list[str]]:
        return [[c if isinstance(c, str) else show(c) for c in row] for row in self.rows]


def tables(impact: Impact) -> list[ImpactTable]:
    """The section's tables in order: by year, cumulative, by measure, by theme."""
    to_date = f"Expected to date ({impact.to_date})" if impact.to_date else "Expected to date"
    years = ImpactTable(
        "impact-years",
        "Trajectory and savings by year (in-year deficit)",
        (
            "Year",
            "Unmitigated",
            "Expected savings",
            "Mitigated",
            "Target",
            "Gap",
            "Actual outturn",
            "Actual savings",
        ),
        tuple(
            (
                y.year,
                y.unmitigated,
                y.expected_savings,
                y.mitigated,
                y.target,
                y.gap,
                y.actual,
                y.actual_savings,
            )
            for y in impact.years
        )
        + (("Total", None, impact.total.expected, None, None, None, None, impact.total.actual),),
        total_rows=1,
    )
    cumulative = ImpactTable(
        "impact-cumulative",
        "Cumulative balance against the target (from the first year)",
        ("Year", "Cumulative mitigated", "Cumulative target", "Cumulative gap"),
        tuple(
            (y.year, y.cumulative_mitigated, y.cumulative_target, y.cumulative_gap)
            for y in impact.years
        ),
    )
    unlinked: tuple[tuple[Cell, ...], ...] = ()
    if any(not a.shares for a in impact.by_activity):
        u = impact.unallocated
        unlinked = ((NOT_LINKED, "", "", u.expected, u.expected_to_date, u.actual),)
    t = impact.total
    measures = ImpactTable(
        "impact-measures",
        "Savings by measure (an activity's saving shared among its measures)",
        ("Measure", "RAG", "Activities", "Expected", to_date, "Actual"),
        tuple(
            (
                m.measure,
                Rag(m.rag).label,  # the words the rest of the report uses ("Not rated")
                ", ".join(m.activities),
                m.amounts.expected,
                m.amounts.expected_to_date,
                m.amounts.actual,
            )
            for m in impact.by_measure
        )
        + unlinked
        + (("Total", "", "", t.expected, t.expected_to_date, t.actual),),
        total_rows=1,
    )
    themes = ImpactTable(
        "impact-themes",
        "Savings by theme",
        ("Theme", "Expected", to_date, "Actual"),
        tuple(
            (x.theme, x.amounts.expected, x.amounts.expected_to_date, x.amounts.actual)
            for x in impact.by_theme
        )
        + (("Total", t.expected, t.expected_to_date, t.actual),),
        total_rows=1,
    )
    return [years, cumulative, measures, themes]


CHART_CAPTION = (
    "Trajectory chart: the in-year high needs deficit by year. Red dashed line: unmitigated (do "
    "nothing); blue solid line: mitigated plan; green dotted line: target; black dash-dot line: "
    "actual outturn."
)


def flag_lines(impact: Impact) -> list[str]:
    return [f.message for f in impact.flags]
