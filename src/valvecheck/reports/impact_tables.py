"""The impact section's tables, the same in every format: captions, columns and rows.

Word, HTML and Markdown show the cells as text (``money_text``: pounds and pence); Excel writes
the same amounts as numbers (``amounts``), so the figures cannot drift apart between formats.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from valvecheck.domain.impact import NOT_LINKED, Impact, day_text, variance
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

    @cached_property
    def amount_columns(self) -> frozenset[int]:
        """The columns that hold amounts (right-aligned): worked out once, as every format asks
        it of each cell (each time, a page of 1,600 rows took 16 s)."""
        return frozenset(
            i for row in self.rows for i, c in enumerate(row) if not isinstance(c, str)
        )

    def text_rows(self, show: Callable[[Decimal | None], str] = money_text) -> list[list[str]]:
        return [[c if isinstance(c, str) else show(c) for c in row] for row in self.rows]


# The by-year table's columns; the chart's series are read from those it names.
YEAR_COLUMNS = (
    "Year",
    "Unmitigated",
    "Expected savings",
    "Mitigated",
    "Target",
    "Planned gap",
    "Actual outturn",
    "Outturn gap",
    "Actual savings",
)
TEXT_LIMIT = 70  # a measure's text beside its id, cut to this many characters


def short(text: str, limit: int = TEXT_LIMIT) -> str:
    """The start of a measure's text, cut at a word with '...' (the full text is in the
    appendix)."""
    words = " ".join(text.split())
    if len(words) <= limit:
        return words
    return words[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + "..."


def _year_totals(
    impact: Impact, width: int, expected: int, actual: int
) -> tuple[tuple[Cell, ...], ...]:
    """'Total to date (2024-25)': expected and actual savings over the same years; 'Total, all
    years': the expected savings of the whole plan (no actual beside it: it would compare five
    years of plan with the years reported so far)."""
    t = impact.total
    label = f"Total to date ({impact.to_date})" if impact.to_date else "Total to date"
    to_date: list[Cell] = [label] + [None] * (width - 1)
    to_date[expected], to_date[actual] = t.expected_to_date, t.actual
    whole: list[Cell] = ["Total, all years"] + [None] * (width - 1)
    whole[expected] = t.expected
    return (tuple(to_date), tuple(whole))


def year_table(impact: Impact) -> ImpactTable:
    """By year: against the trajectory when there is one, else the savings alone."""
    if not impact.has_trajectory:
        columns = ("Year", "Expected savings", "Actual savings")
        return ImpactTable(
            "impact-years",
            f"Savings by year ({impact.NO_TRAJECTORY[0].lower()}{impact.NO_TRAJECTORY[1:]})",
            columns,
            tuple((y.year, y.expected_savings, y.actual_savings) for y in impact.years)
            + _year_totals(impact, 3, 1, 2),
            total_rows=2,
        )
    return ImpactTable(
        "impact-years",
        "Trajectory and savings by year (in-year deficit)",
        YEAR_COLUMNS,
        tuple(
            (
                y.year,
                y.unmitigated,
                y.expected_savings,
                y.mitigated,
                y.target,
                y.gap,
                y.actual,
                y.outturn_gap,
                y.actual_savings,
            )
            for y in impact.years
        )
        + _year_totals(impact, len(YEAR_COLUMNS), 2, 8),
        total_rows=2,
    )


def tables(impact: Impact) -> list[ImpactTable]:
    """The section's tables in order: by year, cumulative (with a trajectory), by activity and
    year, by measure, by theme."""
    to_date = f"Expected to date ({impact.to_date})" if impact.to_date else "Expected to date"
    out = [year_table(impact)]
    if impact.has_trajectory:
        inside = [y for y in impact.years if y.unmitigated is not None] or impact.years
        first, last = inside[0].year, inside[-1].year
        out.append(
            ImpactTable(
                "impact-cumulative",
                "Cumulative balance against the target (planned, from the trajectory's first year)",
                ("Year", "Cumulative mitigated", "Cumulative target", "Cumulative planned gap"),
                tuple(
                    (y.year, y.cumulative_mitigated, y.cumulative_target, y.cumulative_gap)
                    for y in impact.years
                    if first <= y.year <= last
                ),
            )
        )
    titles = {a.activity: a.title for a in impact.by_activity}
    out.append(
        ImpactTable(
            "impact-activities",
            "Savings by activity and year (variance: actual minus expected)",
            ("Activity", "Title", "Year", "Expected", "Actual", "Variance"),
            tuple(
                (s.activity, titles.get(s.activity, ""), s.year, s.expected, s.actual, variance(s))
                for s in impact.savings
            ),
        )
    )
    unlinked: tuple[tuple[Cell, ...], ...] = ()
    if any(not a.shares for a in impact.by_activity):
        u = impact.unallocated
        unlinked = ((NOT_LINKED, "", "", "", "", u.expected, u.expected_to_date, u.actual),)
    t = impact.total
    out.append(
        ImpactTable(
            "impact-measures",
            "Savings by measure (an activity's saving shared among its measures)",
            ("Measure", "LA", "Recommendation", "RAG", "Activities", "Expected", to_date, "Actual"),
            tuple(
                (
                    m.measure,
                    m.la,
                    short(m.text),
                    Rag(m.rag).label,  # the words the rest of the report uses ("Not rated")
                    ", ".join(m.activities),
                    m.amounts.expected,
                    m.amounts.expected_to_date,
                    m.amounts.actual,
                )
                for m in impact.by_measure
            )
            + unlinked
            + (("Total", "", "", "", "", t.expected, t.expected_to_date, t.actual),),
            total_rows=1,
        )
    )
    out.append(
        ImpactTable(
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
    )
    return out


CHART_CAPTION = (
    "Trajectory chart: the in-year high needs deficit by year. Red dashed line: unmitigated (do "
    "nothing); blue solid line: mitigated plan; green dotted line: target; black dash-dot line: "
    "actual outturn."
)


def flag_lines(impact: Impact) -> list[str]:
    """The flags, after a line saying so when the assessment has no trajectory."""
    later = impact.day and any(f.code == "recorded-later" for f in impact.flags)
    by = f" by {day_text(impact.day)}" if later and impact.day else ""
    missing = [] if impact.has_trajectory or impact.empty else [f"{impact.NO_TRAJECTORY}{by}."]
    return missing + [f.message for f in impact.flags]


FLAGS_HEADING = "Flags"
KEY_HEADING = "What the columns mean"


def key_lines(impact: Impact) -> list[tuple[str, str]]:
    """Each column's meaning, as the web page's "What the columns mean" gives it: (term, meaning).
    The cumulative line says what a Safety Valve reader most needs: no deficit brought forward."""
    to_date = (
        f"The financial years (April to March) that have started by {day_text(impact.day)}, the "
        "year in progress included."
        if impact.day
        else "The financial years started by the day the figures are for."
    )
    lines = [
        (
            "Figures",
            "Pounds for one financial year. Deficits are in-year high needs deficits: a "
            "surplus is negative.",
        ),
        (
            "Unmitigated",
            "The in-year deficit if nothing were done. The expected savings are taken "
            "off it, so it should not already allow for them.",
        ),
        (
            "Expected savings",
            "What the council's activities are expected to save in the year. A "
            "net cost in a year (invest to save) is negative.",
        ),
        ("Mitigated", "Unmitigated minus expected savings: the in-year deficit the plan leads to."),
        ("Target", "The in-year deficit the agreement or plan sets."),
        (
            "Planned gap",
            "Mitigated minus target. Positive: savings still to find to meet the "
            "target. Negative: the plan does better than the target.",
        ),
        ("Actual outturn", "The in-year deficit reported for the year."),
        (
            "Outturn gap",
            "Actual outturn minus target, once the year has an outturn. Positive: over "
            "the target. Negative: under it.",
        ),
        (
            "Actual savings",
            "What the activities report they saved. A blank means nothing reported yet, not £0; "
            "on the 'Total, all years' row it is always blank: the savings reported so far "
            "are on the 'Total to date' row above it.",
        ),
        ("To date", to_date),
        (
            "Cumulative",
            "The in-year figures added up from the trajectory's first year. Any deficit "
            "brought forward from before that year is left out, so these are not the cumulative DSG "
            "deficit an agreement's targets may be set on.",
        ),
    ]
    # without a trajectory only the savings' columns are shown
    savings = {"Figures", "Expected savings", "Actual savings", "To date"}
    return lines if impact.has_trajectory else [(t, m) for t, m in lines if t in savings]
