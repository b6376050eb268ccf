"""Impact: savings against the high needs deficit, with the trajectory chart; recording a saving."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from markupsafe import Markup
from starlette.responses import Response

from valvecheck.domain.impact import Impact, day_text
from valvecheck.domain.money import money_text
from valvecheck.errors import InputErrors, ValvecheckError
from valvecheck.reports.impact_chart import line_chart, svg
from valvecheck.reports.impact_tables import ImpactTable, key_lines, tables
from valvecheck.services.activities import list_activities
from valvecheck.services.context import Context
from valvecheck.services.figures import withdrawn
from valvecheck.services.impact import impact, set_saving
from valvecheck.web.common import PROTECTED, done, form_page, refused, render, work

router = APIRouter(dependencies=PROTECTED)
FIELDS = ("activity", "year", "expected", "actual", "cohort", "unit")
EMPTY = {
    "activity": "Choose the activity",
    "year": "Enter the financial year, for example 2025-26",
    "expected": "Enter an expected or actual saving, or a cohort and an average saving per child",
    "cohort": "Enter the cohort (number of children) the average saving per child is for",
    "unit": "Enter the average saving per child for the cohort",
}
FIGURES = ("expected", "actual", "cohort", "unit")
# Columns whose cells are ids, and the pages they open.
LINKED = {"Measure": "measures", "Activity": "activities", "Activities": "activities"}


@dataclass(frozen=True)
class Cell:
    """A table cell as the page shows it: text, or ids each linking to its page in ``area``."""

    text: str
    area: str = ""
    ids: tuple[str, ...] = ()


def _cells(table: ImpactTable, known: dict[str, set[str]]) -> list[list[Cell]]:
    """The table's rows with measure and activity ids as links (a total row's words are not)."""
    areas = [LINKED.get(c, "") for c in table.columns]
    out = []
    for row in table.text_rows(money_text):
        cells = []
        for area, value in zip(areas, row, strict=True):
            ids = tuple(value.split(", ")) if area and value else ()
            linked = bool(ids) and all(i in known[area] for i in ids)
            cells.append(Cell(value, area, ids) if linked else Cell(value))
        out.append(cells)
    return out


# The web's words for the reports' column names, as on the other pages (the reports keep the
# appendix's own "LA" and "RAG").
HEADINGS = {"LA": "Authority", "RAG": "Rating"}


def scaled(chart: Markup) -> Markup:
    """The chart's SVG sized by the page, not in pixels: the stylesheet's ``app-chart`` rule
    (max-width 100%, height auto, with its viewBox) shrinks it to a narrow screen's width
    rather than making the page scroll sideways (WCAG 1.4.10)."""
    return Markup(str(chart).replace("<svg ", '<svg class="app-chart" ', 1))


def _first_year(found: Impact) -> str:
    """The trajectory's first year: where the cumulative figures start."""
    inside = [y.year for y in found.years if y.unmitigated is not None]
    return inside[0] if inside else ""


def _context(found: Impact, ctx: Context, opened: datetime) -> dict[str, Any]:
    chart = None if found.empty else line_chart(found)
    known = {
        "measures": {m.measure for m in found.by_measure},
        "activities": {a.activity for a in found.by_activity}
        | {s.activity for s in found.savings}
        | {a for m in found.by_measure for a in m.activities},
    }
    return {
        "found": found,
        "tables": [] if found.empty else [(t, _cells(t, known)) for t in tables(found)],
        "headings": HEADINGS,
        "chart": scaled(svg(chart)) if chart else "",
        "day": day_text(found.day) if found.day else "",
        "first_year": _first_year(found),
        "key": key_lines(found),
        # the activity a saving is for is chosen from the council's own
        "activities": [(v.activity.id, v.activity.title) for v in list_activities(ctx)],
        # when the form was shown: a colleague's saving for the same year recorded since is
        # asked about rather than replaced unseen (services/impact.set_saving). Taken before
        # the figures are read: one committed while they were read is asked about, not missed
        "opened": opened.isoformat(),
    }


def opened_at(value: str) -> datetime | None:
    """The moment a form was shown (its hidden ``opened`` field), or None: a form from before
    it had one, or a value that is not a moment, is saved as before, unasked."""
    try:
        return datetime.fromisoformat(value) if value.strip() else None
    except ValueError:
        return None


@router.get("/impact")
def page(request: Request) -> Response:
    with work(request) as ctx:
        shown_at = ctx.now()
        found = impact(ctx)
        context = _context(found, ctx, shown_at)
    return render(request, "impact/index.html", errors={}, typed={}, **context)


def _blank(typed: dict[str, str]) -> dict[str, str]:
    """What the form asks for and was left blank, in its own words (the service reads what was
    typed and says what is wrong with it): the activity, the year, a figure, and the other half
    of a cohort and its unit saving."""
    errors = {f: EMPTY[f] for f in ("activity", "year") if not typed[f].strip()}
    given = {f for f in FIGURES if typed[f].strip()}
    if not given:
        errors["expected"] = EMPTY["expected"]
    # ('none' for either is the service's to refuse)
    for field, other in (("cohort", "unit"), ("unit", "cohort")):
        if field in given and not withdrawn(typed[field]) and other not in given:
            errors[other] = EMPTY[other]
    return errors


@router.get("/impact/savings")
def savings_address(request: Request) -> Response:
    """The saving form's address opened as a page (a refused saving's, reloaded): Impact."""
    return form_page(request, lambda ctx: "/impact")


@router.post("/impact/savings")
def record(
    request: Request,
    activity: Annotated[str, Form()] = "",
    year: Annotated[str, Form()] = "",
    expected: Annotated[str, Form()] = "",
    actual: Annotated[str, Form()] = "",
    cohort: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "",
    opened: Annotated[str, Form()] = "",
) -> Response:
    typed = dict(zip(FIELDS, (activity, year, expected, actual, cohort, unit), strict=True))
    blank = _blank(typed)
    recorded = None
    try:
        with work(request, write=True) as ctx:
            # a viewer is refused whatever was typed; every problem with what was typed at once
            recorded = set_saving(
                ctx,
                activity,
                year,
                expected=expected.strip() or None,
                actual=actual.strip() or None,
                cohort=cohort.strip() or None,
                unit=unit.strip() or None,
                opened_at=opened_at(opened),
            )
            if blank:  # the service took what was typed, but the form asks for more: undone
                raise InputErrors(blank)
    except ValvecheckError as exc:
        if exc.code not in ("invalid-input", "not-found"):
            raise
        # a cohort or a unit saving alone: the form says so at the one left blank
        errors, status = refused(exc, blank, FIELDS, repeats=("cohort-without-unit",))
        recorded = None
    if recorded is not None:
        entry = recorded.saving
        gone = [f"{what} saving" for what in ("expected", "actual") if withdrawn(typed[what])]
        said = "saving recorded" if recorded.changed else "nothing changed, as recorded already"
        if recorded.changed and gone:  # the CLI's words: which figure went, and its history
            said = f"{' and '.join(gone)} withdrawn (its history keeps it)"
        # the amounts as they were read ("£10k" is £10,000.00), so a slip shows at once
        read = [
            f"{what} {money_text(amount)}"
            for what, amount in (("expected", entry.expected), ("actual", entry.actual))
            if amount is not None
        ]
        if entry.working:
            read[0:1] = [f"{read[0]} ({entry.working})"] if read else [entry.working]
        amounts = (
            f"; now {', '.join(read)}"
            if read and gone
            else (f": {', '.join(read)}" if read else "")
        )
        return done(request, "/impact", f"{entry.activity} {entry.year}: {said}{amounts}")
    with work(request) as ctx:
        shown_at = ctx.now()
        found = impact(ctx)
        context = _context(found, ctx, shown_at)
    return render(request, "impact/index.html", status, errors=errors, typed=typed, **context)
