"""Impact: savings against the high needs deficit, with the trajectory chart; recording a saving."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from valvecheck.domain.impact import Impact
from valvecheck.domain.money import money_text
from valvecheck.errors import ValvecheckError, http_status
from valvecheck.reports.impact_chart import line_chart, svg
from valvecheck.reports.impact_tables import tables
from valvecheck.services.impact import impact, set_saving
from valvecheck.web.common import PROTECTED, done, render, work
from valvecheck.web.text import sentence

router = APIRouter(dependencies=PROTECTED)
FIELDS = ("activity", "year", "expected", "actual", "cohort", "unit")


def _context(found: Impact) -> dict[str, Any]:
    chart = None if found.empty else line_chart(found)
    return {
        "found": found,
        "tables": [] if found.empty else tables(found),
        "chart": svg(chart) if chart else "",
        "money": money_text,
    }


@router.get("/impact")
def page(request: Request) -> Response:
    with work(request) as ctx:
        found = impact(ctx)
    return render(request, "impact/index.html", errors={}, typed={}, **_context(found))


@router.post("/impact/savings")
def record(
    request: Request,
    activity: Annotated[str, Form()] = "",
    year: Annotated[str, Form()] = "",
    expected: Annotated[str, Form()] = "",
    actual: Annotated[str, Form()] = "",
    cohort: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "",
) -> Response:
    typed = dict(zip(FIELDS, (activity, year, expected, actual, cohort, unit), strict=True))
    try:
        with work(request, write=True) as ctx:
            entry = set_saving(
                ctx,
                activity,
                year,
                expected=expected.strip() or None,
                actual=actual.strip() or None,
                cohort=cohort.strip() or None,
                unit=unit.strip() or None,
            ).saving
    except ValvecheckError as exc:
        if exc.code not in ("invalid-input", "not-found"):
            raise
        with work(request) as ctx:
            found = impact(ctx)
        field = exc.field if exc.field in FIELDS else "activity"
        message = sentence(str(exc))
        return render(
            request,
            "impact/index.html",
            http_status(exc),
            errors={field: message},
            typed=typed,
            **_context(found),
        )
    return done(request, "/impact", f"{entry.activity} {entry.year}: saving recorded")
