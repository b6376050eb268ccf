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
    list_assessments,
    lock_assessment,
    new_assessment,
    use_assessment,
)
from valvecheck.web.common import PROTECTED, done, render, work
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
            source = assessment_info(ctx, int(carry_from)).name if carry_from.isdigit() else None
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
        for field, label, chosen in (("first", "From", first), ("second", "To", second)):
            if not chosen.strip().isdigit():
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
    return render(request, "assessments/show.html", detail=detail, items=items)


@router.get("/assessments/{assessment_id:int}/lock")
def confirm_lock(request: Request, assessment_id: int) -> Response:
    """The question before a lock, which cannot be undone."""
    with work(request) as ctx:
        authorise(ctx, Action.MANAGE_ASSESSMENTS)
        info = assessment_info(ctx, assessment_id)
    if info.locked:
        return done(request, f"/assessments/{info.id}", f"'{info.name}' is already locked")
    return render(request, "assessments/lock.html", assessment=info)


@router.post("/assessments/{assessment_id:int}/lock")
def lock(request: Request, assessment_id: int) -> Response:
    with work(request, write=True) as ctx:
        locked = lock_assessment(ctx, assessment_info(ctx, assessment_id).name)
    return done(request, f"/assessments/{locked.id}", f"'{locked.name}' is locked: read-only")


@router.post("/assessments/{assessment_id:int}/use")
def use_it(request: Request, assessment_id: int) -> Response:
    with work(request, write=True) as ctx:
        chosen = use_assessment(ctx, assessment_info(ctx, assessment_id).name)
    return done(
        request, f"/assessments/{chosen.id}", f"'{chosen.name}' is now the current assessment"
    )
