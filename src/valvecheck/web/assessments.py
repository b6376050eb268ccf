"""Assessments: each is one run of the exercise. Start one, make it current, lock it, compare two."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from valvecheck.domain.names import count
from valvecheck.domain.people import Action
from valvecheck.errors import InputError, ValvecheckError, http_status
from valvecheck.services.compare import assessment_detail, assessment_info, compare
from valvecheck.services.context import authorise
from valvecheck.services.ratings import (
    AssessmentInfo,
    list_assessments,
    lock_assessment,
    new_assessment,
)
from valvecheck.services.switch import make_current, switch_preview
from valvecheck.web.common import PROTECTED, done, render, whole_number, work
from valvecheck.web.text import sentence

router = APIRouter(dependencies=PROTECTED)


@router.get("/assessments")
def listing(request: Request) -> Response:
    with work(request) as ctx:
        items = list_assessments(ctx)
    return render(request, "assessments/list.html", items=items, errors={}, typed={})


@router.post("/assessments")
def start(
    request: Request,
    name: Annotated[str, Form()] = "",
    carry_from: Annotated[str, Form()] = "",
    use: Annotated[str, Form()] = "",
) -> Response:
    try:
        with work(request, write=True) as ctx:
            chosen = whole_number(carry_from)
            if carry_from.strip() and chosen is None:
                raise InputError(f"'{carry_from}' is not an assessment", field="carry_from")
            source = assessment_info(ctx, chosen).name if chosen is not None else None
            made = new_assessment(ctx, name, carry_from=source, use=bool(use))
    except (InputError, ValvecheckError) as exc:
        if exc.field not in ("name", "assessment"):
            raise
        with work(request) as ctx:
            items = list_assessments(ctx)
        typed = {"name": name, "carry_from": carry_from, "use": use}
        message = sentence(str(exc))
        return render(
            request,
            "assessments/list.html",
            http_status(exc),
            items=items,
            errors={"name": message},
            typed=typed,
        )
    carried = f", {count(made.rated, 'rating', 'ratings')} carried forward" if source else ""
    if made.trajectory_years:
        carried += f", and its trajectory ({count(made.trajectory_years, 'year', 'years')})"
    return done(request, f"/assessments/{made.id}", f"Started '{made.name}'{carried}")


@router.get("/assessments/compare")
def compare_page(request: Request, first: str = "", second: str = "") -> Response:
    """Two assessments compared; a choice that is missing, not a number, or the same twice
    is the form again, saying so at the field, with the choices kept (a number that is no
    assessment of the council's is not found, as its own page is)."""
    errors: dict[str, str] = {}
    found = None
    with work(request) as ctx:
        items = list_assessments(ctx)
        if not first.strip() and not second.strip():  # a bookmark, before any choice: the form
            return render(
                request,
                "assessments/compare.html",
                comparison=None,
                items=items,
                errors={},
                chosen=_older_newer(items),
            )
        for field, label, chosen in (("first", "From", first), ("second", "To", second)):
            if whole_number(chosen) is None:
                errors[field] = f"Choose an assessment in {label}"
        if not errors and first.strip() == second.strip():
            errors["second"] = "Choose a different assessment in To: it is the same as From"
        if not errors:
            found = compare(ctx, int(first), int(second))
    return render(
        request,
        "assessments/compare.html",
        422 if errors else 200,
        comparison=found,
        items=items,
        errors=errors,
        chosen=(first.strip(), second.strip()),
    )


@router.get("/assessments/{assessment_id:int}")
def show(request: Request, assessment_id: int) -> Response:
    with work(request) as ctx:
        detail = assessment_detail(ctx, assessment_id)
        items = list_assessments(ctx)
    # compared with the one started before it (else the one after): older From, newer To
    older = [a.id for a in items if a.id < assessment_id]
    newer = [a.id for a in items if a.id > assessment_id]
    pair = (older[-1], assessment_id) if older else (assessment_id, newer[0] if newer else "")
    return render(
        request,
        "assessments/show.html",
        detail=detail,
        items=items,
        current=next((a for a in items if a.current), None),
        pair=pair,
    )


def _older_newer(items: list[AssessmentInfo]) -> tuple[str, str]:
    """The compare form's first choice: the two latest assessments, older From, newer To."""
    if len(items) < 2:
        return ("", "")
    return (str(items[-2].id), str(items[-1].id))


@router.get("/assessments/{assessment_id:int}/lock")
def confirm_lock(request: Request, assessment_id: int) -> Response:
    """The question before a lock, which cannot be undone."""
    with work(request) as ctx:
        authorise(ctx, Action.LOCK_ASSESSMENT)
        info = assessment_info(ctx, assessment_id)
    if info.locked:
        return done(request, f"/assessments/{info.id}", f"'{info.name}' is already locked")
    return render(request, "assessments/lock.html", assessment=info)


@router.post("/assessments/{assessment_id:int}/lock")
def lock(request: Request, assessment_id: int) -> Response:
    with work(request, write=True) as ctx:
        locked = lock_assessment(ctx, assessment_info(ctx, assessment_id).name)
    return done(request, f"/assessments/{locked.id}", f"'{locked.name}' is locked: read-only")


@router.get("/assessments/{assessment_id:int}/use")
def confirm_use(request: Request, assessment_id: int) -> Response:
    """The question before everyone's ratings go to another assessment, naming the ratings
    that would stay behind (given in the current one since this one was started)."""
    with work(request) as ctx:
        authorise(ctx, Action.MANAGE_ASSESSMENTS)
        info = assessment_info(ctx, assessment_id)
        if info.current:
            return done(request, f"/assessments/{info.id}", f"'{info.name}' is already current")
        preview = switch_preview(ctx, info.name)
    return render(
        request, "assessments/use.html", assessment=info, switch=preview, errors={}, chosen=""
    )


@router.post("/assessments/{assessment_id:int}/use")
def use_it(request: Request, assessment_id: int, carry: Annotated[str, Form()] = "") -> Response:
    with work(request, write=True) as ctx:
        info = assessment_info(ctx, assessment_id)
        preview = switch_preview(ctx, info.name)
        if preview.later and carry not in ("yes", "no"):
            n = len(preview.later)
            them = "the rating" if n == 1 else f"the {n} ratings"
            errors = {"carry": f"Choose whether to carry {them} over"}
            return render(
                request,
                "assessments/use.html",
                422,
                assessment=info,
                switch=preview,
                errors=errors,
                chosen="",
            )
        switched = make_current(ctx, info.name, carry_later=carry == "yes")
    said = f"'{info.name}' is now the current assessment: everyone rates in it"
    if switched.carried:
        said += (
            f". {count(switched.carried, 'rating', 'ratings')} carried over from '{preview.source}'"
        )
    elif switched.left:
        said += (
            f". {count(switched.left, 'rating', 'ratings')} given in '{preview.source}' "
            "since it was started stayed there"
        )
    return done(request, f"/assessments/{info.id}", said)
