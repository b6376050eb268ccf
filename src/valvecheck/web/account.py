"""A signed-in person's own account: changing their password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from valvecheck.errors import InputError
from valvecheck.services.account import change_own_password
from valvecheck.web.auth import password_errors
from valvecheck.web.common import PROTECTED, done, render, work
from valvecheck.web.text import sentence

router = APIRouter(dependencies=PROTECTED)


@router.get("/account/password")
def password_page(request: Request) -> Response:
    with work(request):
        pass  # signed in, or to the sign-in page
    return render(request, "account/password.html", errors={})


@router.post("/account/password")
def change_password(
    request: Request,
    current: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    errors = {"current": "Enter your current password"} if not current else {}
    errors.update(password_errors(password, confirm))
    if errors:
        with work(request):
            pass
        return render(request, "account/password.html", 422, errors=errors)
    try:
        with work(request, write=True) as ctx:
            changed = change_own_password(ctx, current, password)
    except InputError as exc:
        return render(
            request,
            "account/password.html",
            422,
            errors={exc.field or "password": sentence(str(exc))},
        )
    # every session begun before the change has ended, this one too: this browser gets a new one
    request.state.web_session = request.app.state.sessions.fresh(changed.id, changed.name)
    request.state.session_changed = True
    return done(request, "/", "Your password is changed. You are signed out everywhere else")
