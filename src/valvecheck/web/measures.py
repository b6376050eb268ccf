"""Measures: the filtered listing, a measure's page, and rating it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from markupsafe import Markup
from starlette.responses import Response

from valvecheck.domain.rag import Rag
from valvecheck.domain.rating import own_words
from valvecheck.domain.views import Filters, MeasureView
from valvecheck.errors import Conflict, InputError, NotFound
from valvecheck.services.activities import list_activities
from valvecheck.services.context import Context
from valvecheck.services.listing import measure_listing, measure_suggestions, parse_due
from valvecheck.services.measures import measure_page, show_measure
from valvecheck.services.ratings import rate
from valvecheck.web.common import PROTECTED, done, render, templates, work
from valvecheck.web.text import sentence

router = APIRouter(dependencies=PROTECTED)

FILTERS = ("authority", "agreement", "theme", "sub_theme", "rag", "text", "due")
# The ratings a person can choose on the form (not rated is where every measure starts).
CHOICES = (Rag.GREEN, Rag.AMBER, Rag.RED, Rag.NOT_APPLICABLE)


@router.get("/measures")
def listing(
    request: Request,
    authority: str = "",
    agreement: str = "",
    theme: str = "",
    sub_theme: str = "",
    rag: str = "",
    text: str = "",
    due: str = "",
    page: int = 1,
) -> Response:
    chosen = {
        "authority": authority,
        "agreement": agreement,
        "theme": theme,
        "sub_theme": sub_theme,
        "rag": rag,
        "text": text,
        "due": due,
    }
    try:
        rag_value = Rag.parse(rag) if rag.strip() else None
    except InputError as exc:
        raise InputError(str(exc), field="rag") from None
    filters = parse_due(
        due,
        Filters(
            authority=authority.strip() or None,
            agreement=agreement.strip() or None,
            theme=theme.strip() or None,
            sub_theme=sub_theme.strip() or None,
            rag=rag_value,
            text=text.strip() or None,
        ),
    )
    with work(request) as ctx:
        found = measure_listing(ctx, filters, page)
    kept = {k: v for k, v in chosen.items() if v}

    def link(n: int) -> str:
        return "/measures?" + urlencode({**kept, "page": n})

    return render(
        request,
        "measures/list.html",
        listing=found,
        chosen=chosen,
        link=link,
        due_options=_due_options(due),
        row=_row,
    )


_ROWS: dict[tuple[int, date | None], tuple[MeasureView, Markup]] = {}


def _row(view: MeasureView, due: date | None) -> Markup:
    """A listing row, rendered once per view: a kept state's views are reused, read-only, while
    nothing changes, so the 50 rows of a page are mostly found here."""
    key = (id(view), due)
    found = _ROWS.get(key)
    if found is not None and found[0] is view:
        return found[1]
    made = Markup(templates.env.get_template("measures/list_row.html").render(v=view, due=due))
    if len(_ROWS) > 20_000:
        _ROWS.clear()  # a catalogue has changed many times: start again
    _ROWS[key] = (view, made)
    return made


def _due_options(chosen: str) -> list[tuple[str, str]]:
    options = [
        ("overdue", "Overdue"),
        ("6-months", "Due in the next 6 months"),
        ("12-months", "Due in the next 12 months"),
    ]
    if chosen and chosen not in dict(options):
        options.append((chosen, f"Due before {chosen}"))
    return options


def _page_context(ctx: Context, measure_id: str) -> dict[str, Any]:
    page = measure_page(ctx, measure_id)
    found = measure_suggestions(ctx, page.view.id)
    has_activities = bool(found) or bool(list_activities(ctx))
    return {
        "page": page,
        "view": page.view,
        "suggestions": found,
        "has_activities": has_activities,
        "choices": CHOICES,
    }


@router.get("/measures/{measure_id}")
def show(request: Request, measure_id: str, find: str = "", other: str = "") -> Response:
    """A measure's page. ``find`` searches other agreements for the measure a person means to
    decide on; ``other`` fills the decision form with the one they chose."""
    from valvecheck.services.equivalence import other_measures

    errors: dict[str, str] = {}
    found = None
    with work(request) as ctx:
        context = _page_context(ctx, measure_id)
        if "find" in request.query_params:
            try:
                found = other_measures(ctx, measure_id, find)
            except InputError as exc:
                errors["find"] = sentence(str(exc))
    typed = _typed(context["view"], other=other.strip(), find=find)
    return render(
        request,
        "measures/show.html",
        422 if errors else 200,
        typed=typed,
        errors=errors,
        found=found,
        **context,
    )


def _typed(view: MeasureView, **more: str) -> dict[str, object]:
    """The page's forms as first drawn: the rating form holding the current rating, rationale
    and evidence alike (a person adding one evidence link keeps the rationale), and ``more``,
    what the person typed into another form."""
    latest = view.latest
    return {
        "rag": latest.rag.value if latest else "",
        "rationale": own_words(latest.rationale) if latest else "",
        "evidence": latest.evidence if latest else "",
        "version": view.version,
        **more,
    }


def _unchanged(view: MeasureView, rag: str, rationale: str, evidence: str) -> bool:
    """Is the form sent back as the current rating stands (nothing to record)?"""
    latest = view.latest
    return (
        latest is not None
        and not view.needs_review
        and latest.rag is Rag.parse(rag)
        and own_words(latest.rationale) == rationale.strip()
        and latest.evidence == evidence.strip()
    )


@router.post("/measures/{measure_id}/rating")
def rate_measure(
    request: Request,
    measure_id: str,
    rag: Annotated[str, Form()] = "",
    rationale: Annotated[str, Form()] = "",
    evidence: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
    assessment: Annotated[str, Form()] = "",
) -> Response:
    typed = {"rag": rag, "rationale": rationale, "evidence": evidence, "version": version}
    try:
        if not rag.strip():
            raise InputError("Choose a rating", field="rag")
        if not version.strip().isdigit():
            raise InputError("The form is out of date: reload the page and try again", field="rag")
        with work(request, write=True) as ctx:
            view = show_measure(ctx, measure_id)
            if view.version == int(version) and _unchanged(view, rag, rationale, evidence):
                return done(
                    request,
                    f"/measures/{view.id}",
                    f"Nothing changed: {view.id} is still {view.rag.label.lower()}",
                )
            saved = rate(
                ctx,
                measure_id,
                rag,
                rationale,
                evidence,
                expected_version=int(version),
                drawn_for=assessment or None,
            )
    except Conflict as exc:
        with work(request) as ctx:
            context = _page_context(ctx, measure_id)
        view = context["view"]
        if exc.field != "version" or view.latest is None:
            # The assessment changed or was locked, or the ratings are not the ones the form
            # was drawn from: the page again, saying so, with what this person typed (a locked
            # assessment has no form: its own box says why, with the text to keep).
            typed["version"] = view.version
            locked = bool(context["page"].locked)
            errors = {} if locked else {"rag": sentence(str(exc))}
            refused = sentence(str(exc)) if locked else ""
            return render(
                request,
                "measures/show.html",
                409,
                typed=typed,
                errors=errors,
                refused=refused,
                **context,
            )
        # Someone rated it since this form was drawn: show both, keep what this person typed.
        return render(
            request,
            "measures/conflict.html",
            409,
            message=str(exc),
            theirs=view.latest,
            typed={**typed, "version": view.version},
            errors={},
            **context,
        )
    except InputError as exc:
        with work(request) as ctx:
            context = _page_context(ctx, measure_id)
        field = exc.field or "rag"
        message = sentence(str(exc))
        return render(
            request, "measures/show.html", 422, typed=typed, errors={field: message}, **context
        )
    rating = saved.rating
    return done(
        request,
        f"/measures/{rating.measure_id}",
        f"Rating saved: {rating.measure_id} is now {rating.rag.label.lower()}",
    )


@router.post("/measures/{measure_id}/equivalence")
def decide_equivalence(
    request: Request,
    measure_id: str,
    other: Annotated[str, Form()] = "",
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Record that another agreement's measure is (or is not) the same commitment as this one."""
    from valvecheck.services.equivalence import decide

    try:
        if not other.strip():
            raise InputError("Enter the id of another agreement's measure", field="other")
        if not decision:
            raise InputError("Choose whether it is the same commitment", field="decision")
        with work(request, write=True) as ctx:
            found = decide(ctx, measure_id, other, decision, reason)
            this = show_measure(ctx, measure_id).id
    except (InputError, NotFound) as exc:
        if isinstance(exc, NotFound) and exc.field != "other":
            raise
        with work(request) as ctx:
            context = _page_context(ctx, measure_id)
        errors = {exc.field or "other": sentence(str(exc))}
        typed = _typed(context["view"], other=other, decision=decision, reason=reason)
        return render(request, "measures/show.html", 422, typed=typed, errors=errors, **context)
    if found is None:
        message = f"Decision withdrawn: Valvecheck's grouping decides for {this} and {other.strip().lower()}"
    else:
        pair = f"{found.measure} and {found.other}"
        message = f"Recorded: {pair} are {'the same commitment' if found.decision == 'same' else 'not the same'}"
    return done(request, f"/measures/{this}#same-measure", message)
