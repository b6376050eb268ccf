"""Suggestions for every activity at once: the first pass of the cross-referencing on one page.

An activity's own page shows its suggestions; a programme lead with forty activities wants to
see which still have suggestions nobody has looked at, and link the likely ones together. This
page lists them, a page of activities at a time, those clearing the accept bar (what
`valvecheck suggest --accept` would link) ticked; a person unticks what they doubt and links
the rest in one go. Each pair is linked as a suggestion accepted (services/suggestions.accept):
one someone has judged meanwhile is left alone, and said so.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from valvecheck.errors import InputError, NotFound, http_status
from valvecheck.services.activities import list_activities
from valvecheck.services.listing import band
from valvecheck.services.measures import list_measures
from valvecheck.services.suggestions import accept, suggest
from valvecheck.web.common import PROTECTED, done, render, work
from valvecheck.web.text import count, left_alone, sentence

router = APIRouter(dependencies=PROTECTED)

TOP = 3  # suggestions shown for each activity (its own page shows five)
PER_PAGE = 50  # activities with suggestions on one page


def _pair(value: str) -> tuple[str, str]:
    """A checkbox's value, "<measure> <activity>", as (activity, measure): a measure id has no
    space, an activity id (as trackers write them) may have any character."""
    measure, _, activity = value.partition(" ")
    if not measure or not activity:
        raise InputError(f"'{value}' is not a suggestion to link", field="pair")
    return activity, measure


def _listing(
    request: Request,
    page: int,
    errors: dict[str, str],
    status: int = 200,
    chosen: list[str] | None = None,
) -> Response:
    """The page; ``chosen``: the boxes a refused batch had ticked, ticked again as the person
    left them (else those clearing the accept bar)."""
    with work(request) as ctx:
        found = suggest(ctx, top=TOP)
        bar = found.accept_threshold if found.accept_threshold is not None else found.threshold
        titles = {v.activity.id: v.activity.title for v in list_activities(ctx)}
        texts = {v.id: v.measure.text for v in list_measures(ctx)}
    waiting = [(aid, s) for aid, s in found.groups.items() if s]
    pages = max(1, -(-len(waiting) // PER_PAGE))
    page = min(max(page, 1), pages)
    shown = waiting[(page - 1) * PER_PAGE : page * PER_PAGE]
    context: dict[str, Any] = {
        "items": [(aid, titles.get(aid, ""), s) for aid, s in shown],
        "waiting": len(waiting),
        "activities": found.activities,
        # the suggestions ticked on this page, and over every page
        "clearing": sum(1 for _, s in shown for x in s if x.score >= bar),
        "clearing_all": sum(1 for _, s in waiting for x in s if x.score >= bar),
        "chosen": None if chosen is None else set(chosen),
        "bar": bar,
        "texts": texts,
        "band": band,
        "top": TOP,
        "page": page,
        "pages": pages,
        "errors": errors,
    }
    return render(request, "suggestions/index.html", status, **context)


@router.get("/suggestions")
def listing(request: Request, page: int = 1) -> Response:
    return _listing(request, page, {})


@router.post("/suggestions")
def link_chosen(
    request: Request,
    pair: Annotated[list[str] | None, Form()] = None,
    page: Annotated[int, Form()] = 1,
) -> Response:
    chosen = [v for v in (pair or []) if v.strip()]
    try:
        if not chosen:
            raise InputError("Choose at least one suggestion to link", field="accept")
        pairs = [_pair(v) for v in chosen]
        with work(request, write=True) as ctx:
            made = accept(ctx, pairs)
    except (InputError, NotFound) as exc:
        # nothing was linked (a batch is all or none): the page again, saying why
        problem = {"accept": sentence(str(exc))}
        return _listing(request, page, problem, http_status(exc), chosen)
    said = f"{count(len(made), 'link', 'links')} made"
    if left := len(pairs) - len(made):
        chosen_left = f"{count(left, 'suggestion', 'suggestions')} chosen"
        said += "; " + left_alone(chosen_left, left != 1, "the activity's history")
    return done(request, f"/suggestions?page={page}", said)
