"""Activities: the council's own programme, and linking it to measures."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from valvecheck.domain.money import money_text
from valvecheck.domain.people import Action
from valvecheck.errors import InputError, NotFound, ValvecheckError, http_status
from valvecheck.services.activities import (
    latest_events,
    link,
    list_activities,
    show_activity,
    unlink,
)
from valvecheck.services.context import Context, authorise
from valvecheck.services.impact import saving_history
from valvecheck.services.listing import activity_suggestions
from valvecheck.services.measures import show_measure
from valvecheck.services.suggestions import accept
from valvecheck.web.auth import safe_next
from valvecheck.web.common import PROTECTED, done, render, work
from valvecheck.web.text import sentence

router = APIRouter(dependencies=PROTECTED)


@router.get("/activities")
def listing(request: Request) -> Response:
    with work(request) as ctx:
        items = list_activities(ctx)
    return render(request, "activities/list.html", items=items)


def _page(ctx: Context, code: str) -> dict[str, Any]:
    view = show_activity(ctx, code)
    found = activity_suggestions(ctx, view.activity.id)
    shown = [e.measure_id for e in view.links] + [s.measure_id for s in found]
    history = saving_history(ctx, view.activity.id)
    return {
        "view": view,
        # each year's latest entry is the saving in force (an entry carries every figure)
        "savings": sorted({s.year: s for s in history}.values(), key=lambda s: s.year),
        "saving_history": history[::-1],
        "money": money_text,
        # what a person has linked or unlinked is never suggested again (services/suggestions.py)
        "suggestions": found,
        "unlinked": [m for (_, m), e in latest_events(view.history).items() if not e.linked],
        "texts": _texts(ctx, shown),
    }


def _texts(ctx: Context, measure_ids: list[str]) -> dict[str, str]:
    """What each measure says, so a person sees what they link without opening it."""
    texts: dict[str, str] = {}
    for measure_id in measure_ids:
        try:
            texts[measure_id] = show_measure(ctx, measure_id).measure.text
        except NotFound:
            continue  # a link to a measure no longer in the catalogue: its id alone
    return texts


@router.get("/activities/{code}")
def show(request: Request, code: str) -> Response:
    with work(request) as ctx:
        context = _page(ctx, code)
    return render(request, "activities/show.html", errors={}, typed={}, **context)


def _change(request: Request, code: str, measure: str, rationale: str, linking: bool) -> Response:
    change = link if linking else unlink
    try:
        if not measure.strip():
            raise InputError("Enter the id of the measure to link, for example bury-4")
        with work(request, write=True) as ctx:
            event = change(ctx, code, measure, rationale)
    except ValvecheckError as exc:
        if exc.code not in ("not-found", "conflict", "invalid-input") or exc.field == "activity":
            raise
        with work(request) as ctx:
            context = _page(ctx, code)  # an unknown activity is refused here, as a page
        field = "measure" if linking else "unlink"
        return render(
            request,
            "activities/show.html",
            http_status(exc),
            errors={field: sentence(str(exc))},
            # what was typed goes back into the form it came from: never an unlink's into Link
            typed={"measure": measure, "rationale": rationale} if linking else {},
            **context,
        )
    verb = "linked to" if event.linked else "unlinked from"
    return done(
        request,
        f"/activities/{event.activity_id}",
        f"{event.activity_id} {verb} {event.measure_id}",
    )


@router.post("/activities/{code}/link")
def link_measure(
    request: Request,
    code: str,
    measure: Annotated[str, Form()] = "",
    rationale: Annotated[str, Form()] = "",
) -> Response:
    return _change(request, code, measure, rationale, True)


@router.get("/activities/{code}/unlink")
def confirm_unlink(request: Request, code: str, measure: str = "") -> Response:
    """The question before an unlink: is this right, and why (kept in the history)."""
    with work(request) as ctx:
        authorise(ctx, Action.LINK)
        view = show_activity(ctx, code)
        linked = next(
            (e for e in view.links if e.measure_id.lower() == measure.strip().lower()), None
        )
        if linked is None:
            raise NotFound(f"{view.activity.id} is not linked to '{measure.strip()}'")
        texts = _texts(ctx, [linked.measure_id])
    return render(request, "activities/unlink.html", view=view, linked=linked, texts=texts)


@router.post("/activities/{code}/unlink")
def unlink_measure(
    request: Request,
    code: str,
    measure: Annotated[str, Form()] = "",
    rationale: Annotated[str, Form()] = "",
) -> Response:
    return _change(request, code, measure, rationale, False)


@router.post("/activities/{code}/accept")
def accept_suggestions(
    request: Request,
    code: str,
    measure: Annotated[list[str] | None, Form()] = None,
    next: Annotated[str, Form()] = "",
) -> Response:
    chosen = [m for m in (measure or []) if m.strip()]
    if not chosen:
        # nothing was done, so no success banner: the page again, saying what to do
        with work(request) as ctx:
            context = _page(ctx, code)
            authorise(ctx, Action.SUGGEST)  # a viewer is refused as when choosing some
        return render(
            request,
            "activities/show.html",
            422,
            errors={"accept": "Choose at least one measure to link"},
            typed={},
            **context,
        )
    try:
        with work(request, write=True) as ctx:
            view = show_activity(ctx, code)  # an unknown activity is not found, whatever is chosen
            made = accept(ctx, [(view.activity.id, m) for m in chosen])
    except InputError as exc:
        # a measure no longer suggested (the page was old): the page again, saying which
        with work(request) as ctx:
            context = _page(ctx, code)
        return render(
            request,
            "activities/show.html",
            http_status(exc),
            errors={"accept": sentence(str(exc))},
            typed={},
            **context,
        )
    target = safe_next(next) if next else f"/activities/{view.activity.id}"
    if not made:
        message = (
            f"Nothing new linked for {view.activity.id}: someone has already linked or "
            "unlinked the measures chosen (see its history)"
        )
    else:
        message = f"{len(made)} link{'s' * (len(made) != 1)} made for {view.activity.id}"
    return done(request, target, message)
