"""Activities: the council's own programme, and linking it to measures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from valvecheck.domain.activity import Status
from valvecheck.domain.money import money_text
from valvecheck.domain.names import fold
from valvecheck.domain.people import Action
from valvecheck.domain.views import Filters
from valvecheck.errors import (
    Conflict,
    InputError,
    InputErrors,
    NotFound,
    ValvecheckError,
    http_status,
)
from valvecheck.services.activities import (
    ADDABLE,
    EDITABLE,
    add_activity,
    edit_activity,
    list_activities,
    show_activity,
)
from valvecheck.services.activity_details import activity_history
from valvecheck.services.context import Context, authorise
from valvecheck.services.impact import saving_history
from valvecheck.services.links import is_not_relevant, latest_events, link, not_relevant, unlink
from valvecheck.services.listing import activity_suggestions, band
from valvecheck.services.measures import list_measures, measure_choices, show_measure
from valvecheck.services.suggestions import accept
from valvecheck.web.auth import safe_next
from valvecheck.web.common import PROTECTED, done, form_page, refused, render, work
from valvecheck.web.text import left_alone, sentence

router = APIRouter(dependencies=PROTECTED)


def page_of(code: str) -> str:
    """An activity's page: its id quoted whole, so that one holding "/", "?" or "#" (as
    trackers write them) is one address."""
    return f"/activities/{quote(code, safe='')}"


@router.get("/activities")
def listing(request: Request, owner: str = "", status: str = "") -> Response:
    """The council's activities; ``owner`` (any case, part of a name) and ``status`` (as
    people write it: 'in progress', 'on track') narrow the list ("my activities")."""
    errors: dict[str, str] = {}
    wanted = None
    if status.strip():
        try:
            wanted = Status.parse(status)
        except InputError as exc:
            errors["status"] = sentence(str(exc))
    with work(request) as ctx:
        everything = list_activities(ctx)
    who = fold(owner)
    items = [
        v
        for v in everything
        if (not who or who in fold(v.activity.owner))
        and (wanted is None or v.activity.status is wanted)
    ]
    owners = sorted({v.activity.owner for v in everything if v.activity.owner}, key=str.lower)
    return render(
        request,
        "activities/list.html",
        422 if errors else 200,
        items=items,
        total=len(everything),
        owners=owners,
        statuses=[(s.value, s.label) for s in Status],
        chosen={"owner": owner.strip(), "status": wanted.value if wanted else status.strip()},
        errors=errors,
    )


STATUSES = [(s.value, s.label) for s in Status]  # an activity's form's choices


# /activities/new comes before /activities/{code}, which would take "new" for an activity's id.
def details_sent(
    title: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    theme: Annotated[str, Form()] = "",
    owner: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
    end: Annotated[str, Form()] = "",
) -> dict[str, str]:
    """An activity's details as its add and edit forms send them, by name in ``EDITABLE``."""
    return dict(zip(EDITABLE, (title, description, theme, owner, status, start, end), strict=True))


@router.get("/activities/new")
def new_form(request: Request) -> Response:
    """The form to add one activity (also where its form posts, opened as a page)."""
    with work(request) as ctx:
        authorise(ctx, Action.IMPORT_ACTIVITIES)
    typed = dict.fromkeys(ADDABLE, "")
    return render(request, "activities/new.html", errors={}, typed=typed, statuses=STATUSES)


@router.post("/activities/new")
def add(
    request: Request,
    details: Annotated[dict[str, str], Depends(details_sent)],
    code: Annotated[str, Form()] = "",
) -> Response:
    typed = {"code": code, **details}
    try:
        with work(request, write=True) as ctx:
            view = add_activity(ctx, typed)
    except (InputError, Conflict) as exc:  # every problem at once; a taken id with them
        errors, status_code = refused(exc, {}, ADDABLE)
        return render(
            request,
            "activities/new.html",
            status_code,
            errors=errors,
            typed=typed,
            statuses=STATUSES,
        )
    code = view.activity.id
    return done(request, page_of(code), f"{code} added")


def _page(ctx: Context, code: str) -> dict[str, Any]:
    view = show_activity(ctx, code)
    found = activity_suggestions(ctx, view.activity.id)
    shown = [e.measure_id for e in view.links] + [s.measure_id for s in found]
    history = saving_history(ctx, view.activity.id)
    linked = {e.measure_id for e in view.links}
    return {
        "view": view,
        # the measures to link, by agreement (those linked already left out); none for a
        # catalogue too big for a list, when the id is typed
        "measure_choices": [
            (title, [c for c in group if c[0] not in linked])
            for title, group in measure_choices(ctx)
        ],
        "band": band,
        "not_relevant": {e.measure_id for e in view.history if is_not_relevant(e)},
        # each year's latest entry is the saving in force (an entry carries every figure)
        "savings": sorted({s.year: s for s in history}.values(), key=lambda s: s.year),
        "saving_history": history[::-1],
        "money": money_text,
        # what a person has linked or unlinked is never suggested again (services/suggestions.py)
        "suggestions": found,
        "unlinked": [m for (_, m), e in latest_events(view.history).items() if not e.linked],
        "texts": _texts(ctx, shown),
        # who changed which detail, newest first
        "changes": activity_history(ctx, view.activity.id)[::-1],
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


def show(request: Request, code: str, find: str = "") -> Response:
    """An activity's page; ``find``: words of a measure to link, when the catalogue is too big
    for a list (the measures holding them, to choose from)."""
    errors: dict[str, str] = {}
    found: list[Any] | None = None
    with work(request) as ctx:
        context = _page(ctx, code)
        if find.strip():
            try:
                found = list_measures(ctx, Filters(text=find))
            except InputError as exc:
                errors["find"] = sentence(str(exc))
    return render(
        request,
        "activities/show.html",
        422 if errors else 200,
        errors=errors,
        typed={"find": find},
        found=found[:FOUND] if found is not None else None,
        found_total=len(found or []),
        **context,
    )


FOUND = 20  # measures found by their words shown to choose from


def _change(request: Request, code: str, measure: str, rationale: str, linking: bool) -> Response:
    change = link if linking else unlink
    try:
        if not measure.strip():
            raise InputError("Choose the measure to link, or enter its id, for example bury-4")
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
        page_of(event.activity_id),
        f"{event.activity_id} {verb} {event.measure_id}",
    )


def _activity_at(code: str) -> Callable[[Context], str]:
    """The activity's page, as a form of it finds it (``form_page``): an unknown activity, or
    another council's, is not found, as on the page."""

    def page(ctx: Context) -> str:
        return page_of(show_activity(ctx, code).activity.id)

    return page


@router.get("/activities/{code:path}/link")
def link_address(request: Request, code: str) -> Response:
    """The link form's address opened as a page (a refused link's, reloaded): the activity's."""
    return form_page(request, _activity_at(code))


@router.post("/activities/{code:path}/link")
def link_measure(
    request: Request,
    code: str,
    measure: Annotated[str, Form()] = "",
    rationale: Annotated[str, Form()] = "",
) -> Response:
    return _change(request, code, measure, rationale, True)


@router.get("/activities/{code:path}/unlink")
def confirm_unlink(request: Request, code: str, measure: str = "") -> Response:
    """The question before an unlink: is this right, and why (kept in the history)."""
    if not measure.strip():  # the unlink's own address, with no measure (a refused one's)
        return form_page(request, _activity_at(code))
    with work(request) as ctx:
        authorise(ctx, Action.LINK)
        view = show_activity(ctx, code)
        linked = next(
            (e for e in view.links if e.measure_id.lower() == measure.strip().lower()), None
        )
        if linked is None:
            # unlinked meanwhile (or never linked): the activity's page, saying so, not a dead end
            said = NotFound(f"{view.activity.id} is not linked to '{measure.strip()}' now")
            return render(
                request,
                "activities/show.html",
                http_status(said),
                errors={"unlink": sentence(f"{said} (see its history below)")},
                typed={},
                **_page(ctx, code),
            )
        texts = _texts(ctx, [linked.measure_id])
    return render(request, "activities/unlink.html", view=view, linked=linked, texts=texts)


@router.post("/activities/{code:path}/unlink")
def unlink_measure(
    request: Request,
    code: str,
    measure: Annotated[str, Form()] = "",
    rationale: Annotated[str, Form()] = "",
) -> Response:
    return _change(request, code, measure, rationale, False)


@router.get("/activities/{code:path}/accept")
def accept_address(request: Request, code: str) -> Response:
    """The suggestions form's address opened as a page (a refused choice's, reloaded): the
    activity's page, where the refusal was shown."""
    return form_page(request, _activity_at(code))


@router.post("/activities/{code:path}/accept")
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
    target = safe_next(next) if next else page_of(view.activity.id)
    if not made:
        message = (
            f"Nothing new linked for {view.activity.id}: someone has already linked, unlinked "
            "or marked not relevant the measures chosen (see its history)"
        )
    else:
        message = f"{len(made)} link{'s' * (len(made) != 1)} made for {view.activity.id}"
        linked = {e.measure_id.lower() for e in made}
        if left := sorted({m.strip() for m in chosen if m.strip().lower() not in linked}):
            message += f"; {left_alone(', '.join(left), len(left) != 1, 'its history')}"
    return done(request, target, message)


@router.get("/activities/{code:path}/not-relevant")
def confirm_not_relevant(
    request: Request, code: str, measure: str = "", next: str = ""
) -> Response:
    """The question before marking a suggested measure not relevant: why (kept in the history)."""
    if not measure.strip():  # the form's own address, with no measure (a refused one's)
        return form_page(request, _activity_at(code))
    with work(request) as ctx:
        authorise(ctx, Action.LINK)
        view = show_activity(ctx, code)
        shown = show_measure(ctx, measure)
    return render(
        request,
        "activities/not_relevant.html",
        view=view,
        measure=shown,
        back=safe_next(next) if next else page_of(view.activity.id),
        errors={},
    )


@router.post("/activities/{code:path}/not-relevant")
def mark_not_relevant(
    request: Request,
    code: str,
    measure: Annotated[str, Form()] = "",
    rationale: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Record that a suggested measure is not relevant to the activity: it is not suggested
    again, and the history says who decided and why."""
    try:
        with work(request, write=True) as ctx:
            event = not_relevant(ctx, code, measure, rationale)
    except Conflict as exc:
        # someone judged the pair meanwhile: the question again, saying who, the reason typed
        # kept (to copy into the history's pair, if it still matters)
        with work(request) as ctx:
            view = show_activity(ctx, code)
            shown = show_measure(ctx, measure)
        back = safe_next(next) if next else page_of(view.activity.id)
        return render(
            request,
            "activities/not_relevant.html",
            http_status(exc),
            view=view,
            measure=shown,
            back=back,
            errors={"not-relevant-rationale": sentence(str(exc))},
            typed={"rationale": rationale},
        )
    target = safe_next(next) if next else page_of(event.activity_id)
    return done(
        request,
        target,
        f"{event.measure_id} marked not relevant to {event.activity_id}: it will not be "
        "suggested for it again",
    )


def _edit_page(ctx: Context, code: str) -> dict[str, Any]:
    authorise(ctx, Action.IMPORT_ACTIVITIES)
    view = show_activity(ctx, code)
    return {"view": view, "statuses": STATUSES}


def _as_typed(view: Any) -> dict[str, str]:
    a = view.activity
    return {
        "title": a.title,
        "description": a.description,
        "theme": a.theme,
        "owner": a.owner,
        "status": a.status.value if a.status else "",
        "start": a.start.strftime("%d/%m/%Y") if a.start else "",
        "end": a.end.strftime("%d/%m/%Y") if a.end else "",
    }


@router.get("/activities/{code:path}/edit")
def edit_form(request: Request, code: str) -> Response:
    with work(request) as ctx:
        context = _edit_page(ctx, code)
    typed = _as_typed(context["view"])
    return render(request, "activities/edit.html", errors={}, typed=typed, was=typed, **context)


async def opened_with(request: Request) -> dict[str, str] | None:
    """The details as the edit form showed them when it was opened (its hidden ``was_`` fields),
    or None from a form without them."""
    form = await request.form()
    was = {name: str(form.get(f"was_{name}", "")) for name in EDITABLE}
    return was if f"was_{EDITABLE[0]}" in form else None


@router.post("/activities/{code:path}/edit")
def edit(
    request: Request,
    code: str,
    typed: Annotated[dict[str, str], Depends(details_sent)],
    was: Annotated[dict[str, str] | None, Depends(opened_with)],
) -> Response:
    errors: dict[str, str] = {}
    theirs: list[str] = []  # the details a colleague changed that this person changed too
    try:
        with work(request, write=True) as ctx:
            view = edit_activity(ctx, code, typed, was)
    except InputError as exc:  # every problem at once (InputErrors), else the one
        found = exc.errors if isinstance(exc, InputErrors) else {exc.field or "": str(exc)}
        errors = {f if f in EDITABLE else "title": sentence(m) for f, m in found.items()}
        if isinstance(exc, InputErrors):
            theirs = [f for f, c in exc.codes.items() if c == "changed-since"]
    if errors:
        with work(request) as ctx:
            context = _edit_page(ctx, code)
        # the form is still based on what it first showed, but for the details asked about:
        # those on what they are now, so that saving again replaces the colleague's there
        # deliberately and leaves their changes to the others standing
        now = _as_typed(context["view"])
        shown = now if was is None else {**was, **{f: now[f] for f in theirs}}
        if was is not None:
            # a detail only the colleague changed is shown as it is now, in its box and as the
            # form's base: saving again keeps it, and the form says so rather than showing the
            # value it replaced
            moved = [
                f for f in EDITABLE if f not in theirs and typed.get(f) == was.get(f) != now[f]
            ]
            typed = {**typed, **{f: now[f] for f in moved}}
            shown = {**shown, **{f: now[f] for f in moved}}
        return render(
            request, "activities/edit.html", 422, errors=errors, typed=typed, was=shown, **context
        )
    return done(request, page_of(view.activity.id), f"{view.activity.id} saved")


# An activity's own page is matched last: ids may hold "/" ("HNB/03", as trackers write them),
# so its address would otherwise also match every /activities/{id}/... page above.
router.add_api_route("/activities/{code:path}", show, methods=["GET"])
