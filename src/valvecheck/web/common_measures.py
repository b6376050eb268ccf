"""Common measures: the measures several agreements share, most widely shared first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import Response

from valvecheck.domain.rag import Rag
from valvecheck.domain.rating import own_words
from valvecheck.domain.views import MeasureView
from valvecheck.errors import Conflict, InputError, NotFound
from valvecheck.services.common import common_measures, embedded
from valvecheck.services.context import Context
from valvecheck.services.equivalence import decisions
from valvecheck.services.measures import load_state, measure_page
from valvecheck.services.rate_copies import rate_copies
from valvecheck.web.common import PROTECTED, done, refused, render, whole_number, work
from valvecheck.web.measures import CHOICES
from valvecheck.web.text import count, sentence

router = APIRouter(dependencies=PROTECTED)

SHOW = (("shared", "Measures at least two agreements share"), ("all", "Every measure"))
PER_PAGE = 50


@router.get("/common")
def index(
    request: Request, show: str = "shared", page: Annotated[int, Query(ge=1, le=10**6)] = 1
) -> Response:
    chosen = show if show in dict(SHOW) else "shared"
    with work(request) as ctx:
        groups = common_measures(ctx, 2 if chosen == "shared" else 1)
        views = {v.id: v for v in load_state(ctx).views}
        decided = decisions(ctx)
    pages = max(1, -(-len(groups) // PER_PAGE))
    first = (page - 1) * PER_PAGE

    def link(n: int) -> str:
        return "/common?" + urlencode({"show": chosen, "page": n})

    return render(
        request,
        "common/index.html",
        groups=groups[first : first + PER_PAGE],
        total=len(groups),
        first=first + 1,
        page=page,
        pages=pages,
        link=link,
        views=views,
        decided=decided,
        show=chosen,
        choices=SHOW,
        embedded=embedded(),
    )


# Rating every copy of a common measure at once (services.rate_copies): the group is named by
# one of its measures, the representative the list above links from.


def _copies_page(ctx: Context, measure_id: str) -> dict[str, Any]:
    """What the page shows: the measure, its copies with each one's rating, the assessment."""
    page = measure_page(ctx, measure_id)
    if not page.equivalents:
        raise NotFound(
            f"{page.view.id} has no copies in other agreements: there is no group to rate",
            field="measure",
        )
    copies = (page.view, *page.equivalents)
    rated = any(v.rag is not Rag.UNRATED for v in copies)
    return {
        "page": page,
        "view": page.view,
        "copies": copies,
        # as on a measure's page: a rating set by mistake can be taken back to "not rated"
        "choices": CHOICES + ((Rag.UNRATED,) if rated else ()),
    }


def _as_drawn(copies: Sequence[MeasureView]) -> dict[str, Any]:
    """The form as first drawn: every copy ticked, and the rating, rationale and evidence the
    copies all have now (each left blank where they differ, or a copy is not rated)."""
    latest = [v.latest for v in copies]
    if any(r is None for r in latest):
        return {"rag": "", "rationale": "", "evidence": "", "ticked": [v.id for v in copies]}

    def shared(values: set[str]) -> str:
        return values.pop() if len(values) == 1 else ""

    return {
        "rag": shared({r.rag.value for r in latest if r}),
        "rationale": shared({own_words(r.rationale) for r in latest if r}),
        "evidence": shared({r.evidence for r in latest if r}),
        "ticked": [v.id for v in copies],
    }


@router.get("/common/{measure_id}/rate")
def copies_form(request: Request, measure_id: str) -> Response:
    """The form rating a measure's copies in other agreements together (also what its address
    shows when opened after a refusal: the form as it is now)."""
    with work(request) as ctx:
        context = _copies_page(ctx, measure_id)
    return render(
        request,
        "common/rate.html",
        typed=_as_drawn(context["copies"]),
        errors={},
        changed=(),
        **context,
    )


# The form's fields in its order: the error summary lists the problems so.
FIELDS = ("assessment", "measures", "version", "rag", "rationale", "evidence")


@router.post("/common/{measure_id}/rate")
def rate_copies_form(
    request: Request,
    measure_id: str,
    measures: Annotated[list[str] | None, Form()] = None,
    listed: Annotated[list[str] | None, Form()] = None,
    version: Annotated[list[str] | None, Form()] = None,
    rag: Annotated[str, Form()] = "",
    rationale: Annotated[str, Form()] = "",
    evidence: Annotated[str, Form()] = "",
    assessment: Annotated[str, Form()] = "",
) -> Response:
    """``measures``: the copies ticked; ``listed`` and ``version``: each copy the form listed
    and the version of its ratings it showed, in pairs."""
    ticked = [m.strip().lower() for m in measures or ()]
    typed = {"rag": rag, "rationale": rationale, "evidence": evidence, "ticked": ticked}
    drawn = dict(zip(listed or (), version or (), strict=False))
    versions = {c: n for c, v in drawn.items() if (n := whole_number(v)) is not None}
    try:
        with work(request, write=True) as ctx:
            saved = rate_copies(
                ctx,
                measure_id,
                ticked,
                rag,
                rationale,
                evidence,
                versions,
                drawn_for=assessment or None,
            )
    except (InputError, Conflict, NotFound) as exc:
        if isinstance(exc, NotFound) and exc.field != "assessment":
            raise  # no such measure, or it has no copies: not found, as the form's page says
        return _refused(request, measure_id, exc, typed, drawn)
    ids = [r.measure_id for r in saved.ratings]
    same = f"already rated so, unchanged: {', '.join(saved.unchanged)}"
    if not ids:
        return done(request, "/common", f"Nothing to save: {same}")
    now = saved.ratings[0].rag.label.lower()
    said = f"Rating saved for {count(len(ids), 'measure', 'measures')}, each now {now}: "
    return done(
        request,
        "/common",
        said + ", ".join(ids) + (f"; {same}" if saved.unchanged else ""),
    )


def _refused(
    request: Request,
    measure_id: str,
    exc: InputError | Conflict | NotFound,
    typed: dict[str, Any],
    drawn: dict[str, str],
) -> Response:
    """The form again, as the copies are now, with every problem and what was typed (the
    rationale is never lost). Each copy rated since the form was drawn is marked, and carries
    its version now: sent again, the person has seen what it is. A locked assessment (or none)
    has no form: the page says why, with the rationale to keep."""
    with work(request) as ctx:
        context = _copies_page(ctx, measure_id)
    page = context["page"]
    changed = {
        v.id for v in context["copies"] if v.id in drawn and whole_number(drawn[v.id]) != v.version
    }
    blank = {"rag": "Choose a rating"} if not typed["rag"].strip() else {}
    errors, status = refused(exc, blank, FIELDS)
    closed = bool(page.locked) or not page.assessment
    return render(
        request,
        "common/rate.html",
        status,
        typed=typed,
        errors={} if closed else errors,
        refused=sentence(str(exc)) if closed else "",
        changed=changed,
        **context,
    )
