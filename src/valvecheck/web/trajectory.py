"""The deficit trajectory: its years, setting one year's figures, and every change made to it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from valvecheck.domain.impact import TrajectoryChange
from valvecheck.domain.money import money_text
from valvecheck.errors import InputErrors, ValvecheckError
from valvecheck.services.context import Context
from valvecheck.services.ratings import current_assessment
from valvecheck.services.trajectory import set_trajectory, trajectory
from valvecheck.web.common import PROTECTED, done, refused, render, work
from valvecheck.web.impact import opened_at

router = APIRouter(dependencies=PROTECTED)
PAGE = "/impact/trajectory"
FIELDS = ("year", "unmitigated", "target", "actual")
FIGURES = FIELDS[1:]
EMPTY = {
    "year": "Enter the financial year, for example 2025-26",
    "unmitigated": "Enter the unmitigated deficit, the target or the actual outturn for the year",
}
# A changed figure as the page names it.
FIGURE_NAMES = {
    "unmitigated": "Unmitigated deficit",
    "target": "Target",
    "actual": "Actual outturn",
}


def _before(change: TrajectoryChange) -> str:
    """The figure a change replaced: "Not kept" for one held before the history was."""
    return money_text(change.before, "Not recorded") if change.known else "Not kept"


def _context(ctx: Context) -> dict[str, Any]:
    opened = ctx.now()  # before the figures are read (web/impact._context)
    held = trajectory(ctx)
    return {
        "assessment": current_assessment(ctx),
        "years": held.years,
        "history": list(reversed(held.history)),  # newest first, as every history on the site
        "figure_names": FIGURE_NAMES,
        "before": _before,
        "money": money_text,
        "opened": opened.isoformat(),  # when the form was shown (web/impact.opened_at)
    }


@router.get(PAGE)
def page(request: Request) -> Response:
    with work(request) as ctx:
        context = _context(ctx)
    return render(request, "impact/trajectory.html", errors={}, typed={}, **context)


def _blank(typed: dict[str, str]) -> dict[str, str]:
    """What the form asks for and was left blank, in its own words (the service reads what was
    typed and says what is wrong with it): the year, and one figure at least."""
    errors = {}
    if not typed["year"].strip():
        errors["year"] = EMPTY["year"]
    if not any(typed[f].strip() for f in FIGURES):
        errors["unmitigated"] = EMPTY["unmitigated"]
    return errors


@router.post(PAGE)
def set_year(
    request: Request,
    year: Annotated[str, Form()] = "",
    unmitigated: Annotated[str, Form()] = "",
    target: Annotated[str, Form()] = "",
    actual: Annotated[str, Form()] = "",
    opened: Annotated[str, Form()] = "",
) -> Response:
    typed = dict(zip(FIELDS, (year, unmitigated, target, actual), strict=True))
    blank = _blank(typed)
    try:
        with work(request, write=True) as ctx:
            # as `valvecheck trajectory set`: a viewer refused, a locked assessment refused,
            # every problem with the figures at once, each change kept in the history
            saved = set_trajectory(
                ctx,
                year,
                unmitigated=unmitigated.strip() or None,
                target=target.strip() or None,
                actual=actual.strip() or None,
                opened_at=opened_at(opened),
            )
            if blank:  # the service took what was typed, but the form asks for more: undone
                raise InputErrors(blank)
    except ValvecheckError as exc:
        if exc.code != "invalid-input":
            raise
        errors, status = refused(exc, blank, FIELDS)
        with work(request) as ctx:
            context = _context(ctx)
        return render(
            request, "impact/trajectory.html", status, errors=errors, typed=typed, **context
        )
    said = "figures saved" if saved.changes else "nothing changed, as recorded already"
    return done(request, PAGE, f"{saved.year.year} in the trajectory: {said}")
