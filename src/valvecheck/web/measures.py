"""Measures: the filtered listing, a measure's page, rating it, and placing it in the council's
own programme."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any
from urllib.parse import parse_qs, quote, urlencode

from fastapi import APIRouter, Form, Query, Request
from markupsafe import Markup
from starlette.responses import Response

from valvecheck.domain.people import Action, may
from valvecheck.domain.rag import Rag
from valvecheck.domain.rating import own_words
from valvecheck.domain.views import Filters, MeasureView
from valvecheck.errors import Conflict, InputError, NotFound
from valvecheck.services.activities import list_activities
from valvecheck.services.context import Context, authorise
from valvecheck.services.listing import (
    band,
    measure_listing,
    measure_suggestions,
    next_in_listing,
    parse_due,
)
from valvecheck.services.measures import load_state, measure_page, show_measure
from valvecheck.services.programme import (
    gone,
    place,
    placement_steps,
    renamed_since,
    started,
    unplace,
    where,
)
from valvecheck.services.ratings import rate
from valvecheck.web.common import (
    PROTECTED,
    done,
    form_page,
    refused,
    render,
    templates,
    whole_number,
    work,
)
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
    # A filter no measure could match (a theme renamed since the address was saved, a rating
    # mistyped) is named on the listing itself, at its field, and the rest of the filters kept:
    # every address can be bookmarked and shared, so an old one should still open the page.
    errors: dict[str, str] = {}
    while True:
        try:
            filters = _filters(chosen)
            with work(request) as ctx:
                found = measure_listing(ctx, filters, page)
            break
        except InputError as exc:
            if exc.field not in chosen or not chosen[exc.field] or exc.field in errors:
                raise
            errors[exc.field] = sentence(str(exc))
            chosen = {**chosen, exc.field: ""}
    kept = {k: v for k, v in chosen.items() if v}

    def link(n: int) -> str:
        return "/measures?" + urlencode({**kept, "page": n})

    without_words = {k: v for k, v in kept.items() if k != "text"}
    due_options = _due_options(chosen["due"])
    return render(
        request,
        "measures/list.html",
        422 if errors else 200,
        errors={f: errors[f] for f in FILTERS if f in errors},  # in the form's order
        listing=found,
        chosen=chosen,
        words=text,  # the words as typed, kept in their box when refused
        link=link,
        due_options=due_options,
        row=lambda v, due: _row(v, due, urlencode(kept)),
        applied=_applied(kept, dict(due_options), dict(found.choices.agreements)),
        without_words="/measures" + ("?" + urlencode(without_words) if without_words else ""),
    )


def _filters(chosen: dict[str, str]) -> Filters:
    """The listing's filters from its address's fields (``FILTERS``)."""
    rag = chosen.get("rag", "")
    try:
        rag_value = Rag.parse(rag) if rag.strip() else None
    except InputError as exc:
        raise InputError(str(exc), field="rag") from None

    def given(name: str) -> str | None:
        return chosen.get(name, "").strip() or None

    return parse_due(
        chosen.get("due", ""),
        Filters(
            authority=given("authority"),
            agreement=given("agreement"),
            theme=given("theme"),
            sub_theme=given("sub_theme"),
            rag=rag_value,
            text=given("text"),
        ),
    )


def _from_list(ctx: Context, query: str, measure_id: str) -> dict[str, Any]:
    """Where a measure's page goes next when it was opened from a filtered listing: back to
    that listing, and the next measure in it (``query``: the listing's address's query)."""
    if not query:
        return {"list_query": "", "back_to_list": "", "next_measure": None}
    fields = {k: v[-1] for k, v in parse_qs(query).items() if k in FILTERS}
    kept = urlencode({k: v for k, v in fields.items() if v})
    try:
        after = next_in_listing(ctx, _filters(fields), measure_id)
    except (InputError, NotFound):
        after = None
    return {
        "list_query": kept,
        "back_to_list": "/measures" + (f"?{kept}" if kept else ""),
        "next_measure": after,
    }


LABELS = {
    "authority": "Authority",
    "agreement": "Agreement",
    "theme": "Theme",
    "sub_theme": "Sub-theme",
    "rag": "Rating",
    "text": "Words",
    "due": "Due",
}


def _applied(
    kept: dict[str, str], due_labels: dict[str, str], agreements: dict[str, str] | None = None
) -> list[tuple[str, str]]:
    """The filters in force, as a person reads them ("Rating: Red", "Words: 'EHCPs'", an
    agreement by its title rather than its slug)."""
    shown = []
    for name, value in kept.items():
        if name == "agreement":
            value = (agreements or {}).get(value.strip(), value)
        elif name == "rag":
            value = next((r.label for r in Rag if r.value == value.strip().lower()), value)
        elif name == "due":
            value = due_labels.get(value, value)
        elif name == "text":
            value = f"‘{value.strip()}’"
        shown.append((LABELS[name], value))
    return shown


_ROWS: dict[tuple[int, date | None, str], tuple[MeasureView, Markup]] = {}


def _row(view: MeasureView, due: date | None, query: str = "") -> Markup:
    """A listing row, rendered once per view (and listing: its link carries the listing's
    filters, for the measure page's "Back to the list" and "Next measure"): a kept state's views
    are reused, read-only, while nothing changes, so the 50 rows of a page are mostly found here."""
    key = (id(view), due, query)
    found = _ROWS.get(key)
    if found is not None and found[0] is view:
        return found[1]
    made = Markup(
        templates.env.get_template("measures/list_row.html").render(v=view, due=due, query=query)
    )
    if len(_ROWS) > 20_000:
        _ROWS.clear()  # a catalogue has changed many times: start again
    _ROWS[key] = (view, made)
    return made


def _due_options(chosen: str) -> list[tuple[str, str]]:
    options = [
        ("overdue", "Agreement's deadline passed"),
        ("6-months", "Due in the next 6 months"),
        ("12-months", "Due in the next 12 months"),
    ]
    if chosen and chosen not in dict(options):
        options.append((chosen, f"Due before {chosen}"))
    return options


# the newest placement changes listed on a measure's page; the earlier ones are one click away
PLACEMENTS_SHOWN = 5


def _page_context(ctx: Context, measure_id: str, list_query: str = "") -> dict[str, Any]:
    page = measure_page(ctx, measure_id)
    found = measure_suggestions(ctx, page.view.id)
    titles = {v.activity.id: v.activity.title for v in list_activities(ctx)} if found else {}
    has_activities = bool(found) or bool(list_activities(ctx))
    return {
        "page": page,
        "view": page.view,
        "suggestions": found,
        "activity_titles": titles,
        "band": band,
        "has_activities": has_activities,
        # a rating set by mistake can be taken back to "not rated" (a new entry in its history)
        "choices": CHOICES + ((Rag.UNRATED,) if page.view.rag is not Rag.UNRATED else ()),
        # the council's themes and sub-themes, offered as the placing form's names are typed
        # (for those shown the form: the state is kept, but its fingerprint is one more query)
        "programme": load_state(ctx).catalogue.programme
        if may(ctx.actor.role, Action.PLACE)
        else None,
        # who placed it in the council's programme or took a placement away, newest first
        "placement_history": placement_steps(list(page.placement_history))[::-1],
        "PLACEMENTS_SHOWN": PLACEMENTS_SHOWN,
        **_from_list(ctx, list_query, page.view.id),
    }


@router.get("/measures/{measure_id}")
def show(
    request: Request,
    measure_id: str,
    find: str = "",
    other: str = "",
    from_list: Annotated[str, Query(alias="list")] = "",
) -> Response:
    """A measure's page. ``find`` searches other agreements for the measure a person means to
    decide on; ``other`` fills the decision form with the one they chose; ``list``: the
    filters of the listing it was opened from (for "Next measure in this list")."""
    from valvecheck.services.equivalence import other_measures

    errors: dict[str, str] = {}
    found = None
    with work(request) as ctx:
        context = _page_context(ctx, measure_id, from_list)
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


def _measure_at(measure_id: str, from_list: str) -> Callable[[Context], str]:
    """The measure's page, as a form of it finds it (``form_page``): not found for a measure
    there is none of; still knowing the listing it was opened from (``list``), if given."""
    here = "?" + urlencode({"list": from_list}) if from_list else ""

    def page(ctx: Context) -> str:
        return f"/measures/{quote(show_measure(ctx, measure_id).id, safe='')}{here}"

    return page


# The addresses the measure page's forms post to (rating, same commitment, placing, a Remove
# button), opened as pages: a refused form reloaded, bookmarked or opened from the history.
FORMS = ("rating", "equivalence", "placements", "placements/remove")


def form_address(
    request: Request, measure_id: str, from_list: Annotated[str, Query(alias="list")] = ""
) -> Response:
    """A form's address opened as a page: the measure's page."""
    return form_page(request, _measure_at(measure_id, from_list))


for _form in FORMS:
    router.add_api_route(f"/measures/{{measure_id}}/{_form}", form_address, methods=["GET"])


@router.post("/measures/{measure_id}/rating")
def rate_measure(
    request: Request,
    measure_id: str,
    rag: Annotated[str, Form()] = "",
    rationale: Annotated[str, Form()] = "",
    evidence: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
    assessment: Annotated[str, Form()] = "",
    from_list: Annotated[str, Form(alias="list")] = "",
) -> Response:
    typed = {"rag": rag, "rationale": rationale, "evidence": evidence, "version": version}
    # back to the measure's page, still knowing the listing it was opened from
    here = "?" + urlencode({"list": from_list}) if from_list else ""
    try:
        if not rag.strip():
            raise InputError("Choose a rating", field="rag")
        if whole_number(version) is None:
            raise InputError("The form is out of date: reload the page and try again", field="rag")
        with work(request, write=True) as ctx:
            view = show_measure(ctx, measure_id)
            if view.version == int(version) and _unchanged(view, rag, rationale, evidence):
                return done(
                    request,
                    f"/measures/{view.id}{here}",
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
            context = _page_context(ctx, measure_id, from_list)
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
            context = _page_context(ctx, measure_id, from_list)
        field = exc.field or "rag"
        message = sentence(str(exc))
        return render(
            request, "measures/show.html", 422, typed=typed, errors={field: message}, **context
        )
    rating = saved.rating
    return done(
        request,
        f"/measures/{rating.measure_id}{here}",
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
        with work(request, write=True) as ctx:
            # whoever the form is not offered to is refused before being asked to fill it in
            authorise(ctx, Action.MANAGE_CATALOGUE)
            if not other.strip():
                raise InputError("Enter the id of another agreement's measure", field="other")
            if not decision:
                raise InputError("Choose whether it is the same commitment", field="decision")
            found = decide(ctx, measure_id, other, decision, reason)
            this = show_measure(ctx, measure_id).id
    except (InputError, NotFound) as exc:
        if isinstance(exc, NotFound) and exc.field != "other":
            raise
        with work(request) as ctx:
            context = _page_context(ctx, measure_id)
        field = {"rationale": "reason"}.get(exc.field or "other", exc.field or "other")
        errors = {field: sentence(str(exc))}
        typed = _typed(context["view"], other=other, decision=decision, reason=reason)
        return render(request, "measures/show.html", 422, typed=typed, errors=errors, **context)
    if found is None:
        message = f"Decision withdrawn: Valvecheck's grouping decides for {this} and {other.strip().lower()}"
    else:
        pair = f"{found.measure} and {found.other}"
        message = f"Recorded: {pair} are {'the same commitment' if found.decision == 'same' else 'not the same'}"
    return done(request, f"/measures/{this}#same-measure", message)


# -- placing the measure in the council's own programme -----------------------------------------

PLACING = ("theme", "sub_theme")


@router.post("/measures/{measure_id}/placements")
def place_measure(
    request: Request,
    measure_id: str,
    theme: Annotated[str, Form()] = "",
    sub_theme: Annotated[str, Form()] = "",
    from_list: Annotated[str, Form(alias="list")] = "",
) -> Response:
    """Place the measure in a theme (and sub-theme) of the council's programme."""
    here = "?" + urlencode({"list": from_list}) if from_list else ""
    try:
        with work(request, write=True) as ctx:
            placed = place(ctx, measure_id, theme, sub_theme or None)
    except InputError as exc:
        typed = {"theme": theme, "sub_theme": sub_theme}
        return _placing_refused(request, measure_id, from_list, exc, typed)
    at = where(placed.placement)
    if not placed.changed:
        message = f"Nothing changed: {placed.measure_id} is already placed in {at}"
    else:
        message = f"Placed {placed.measure_id} in {at}{started(placed, 'your')}"
        if placed.renamed:
            message += f". {renamed_since(placed)}"
    return done(request, f"/measures/{quote(placed.measure_id, safe='')}{here}", message)


@router.post("/measures/{measure_id}/placements/remove")
def remove_placement(
    request: Request,
    measure_id: str,
    theme: Annotated[str, Form()] = "",
    sub_theme: Annotated[str, Form()] = "",
    from_list: Annotated[str, Form(alias="list")] = "",
) -> Response:
    """Take one of the measure's placements out of the council's programme."""
    here = "?" + urlencode({"list": from_list}) if from_list else ""
    try:
        with work(request, write=True) as ctx:
            removed = unplace(ctx, measure_id, theme, sub_theme or None)
    except NotFound as exc:
        if exc.field not in PLACING:
            raise  # no such measure: not found, as its page is
        # Not placed there (any more): someone took it away first, or the button was pressed
        # twice. The page as it is now, saying so.
        with work(request) as ctx:
            this = show_measure(ctx, measure_id).id
        return done(request, f"/measures/{quote(this, safe='')}{here}", f"Nothing changed: {exc}")
    except InputError as exc:
        return _placing_refused(request, measure_id, from_list, exc, {})
    message = f"Removed {removed.measure_id} from {where(removed.placement)}"
    if removed.dropped:
        message += (
            f". Nothing else was placed in {gone(removed)}, so it is no longer in the programme"
        )
    return done(request, f"/measures/{quote(removed.measure_id, safe='')}{here}", message)


def _placing_refused(
    request: Request, measure_id: str, from_list: str, exc: InputError, typed: dict[str, str]
) -> Response:
    """The measure's page again, each problem against its field of the placing form, with what
    the person typed."""
    with work(request) as ctx:
        context = _page_context(ctx, measure_id, from_list)
    errors, status = refused(exc, {}, PLACING)
    return render(
        request,
        "measures/show.html",
        status,
        typed=_typed(context["view"], **typed),
        errors=errors,
        **context,
    )
