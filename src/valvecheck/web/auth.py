"""Signing in and out, the one-time setup page, and who is acting on each request.

For other front ends on the same server (the JSON API): ``session_actor(request, db)`` is the
signed-in person of a request as an Actor (None when nobody is), and ``csrf_protect`` is the
dependency that refuses a state-changing request without the session's CSRF token (form field
``csrf_token`` or header ``X-CSRF-Token``). The app keeps its workspace in ``app.state.ws`` and
its settings in ``app.state.settings``.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from valvecheck.errors import InputError, NotFound, Unauthenticated, ValvecheckError, http_status
from valvecheck.services.context import Actor
from valvecheck.services.people import MIN_PASSWORD, has_people, session_person, sign_in, sign_out
from valvecheck.services.setup import SetupIncomplete, first_admin
from valvecheck.web import session as web_session
from valvecheck.web.session import CSRF_FIELD, CSRF_HEADER, csrf_valid
from valvecheck.web.text import sentence


class SignInNeeded(Exception):
    """Nobody is signed in (or their account has been removed): go to the sign-in page."""


class CsrfRefused(Exception):
    """A state-changing request without this session's CSRF token."""


def session_actor(request: Request, db: Session) -> Actor | None:
    """The person signed in on this request, as they are now (role, council, still active)."""
    current = web_session.current(request)
    if current.person_id is None:
        return None
    begun = datetime.fromtimestamp(current.issued, UTC)
    return session_person(db, current.person_id, current.name, begun)


async def csrf_protect(request: Request) -> None:
    """Refuse a state-changing request without the session's CSRF token, and a form whose text
    holds a NUL character (no database stores one, and no person types one)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    token = request.headers.get(CSRF_HEADER)
    kind = request.headers.get("content-type", "")
    if kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        if token is None:
            value = form.get(CSRF_FIELD)
            token = value if isinstance(value, str) else None
        nul = any(isinstance(value, str) and "\x00" in value for value in form.values())
        if nul and csrf_valid(request, token):
            raise InputError(NUL_REFUSED)
    if not csrf_valid(request, token):
        raise CsrfRefused()


NUL_REFUSED = (
    "A field of the form holds a NUL character (code 0), which cannot be stored. It usually "
    "comes from text pasted from another program: retype the text and send the form again. "
    "Nothing was changed."
)


router = APIRouter(dependencies=[Depends(csrf_protect)])


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host (an open redirect)."""
    parts = urlsplit(target or "/")
    if (
        parts.scheme
        or parts.netloc
        or not (target or "/").startswith("/")
        or "\\" in (target or "")
    ):
        return "/"
    return target or "/"


def _render(request: Request, template: str, status_code: int = 200, **context: object) -> Response:
    from valvecheck.web.common import render

    return render(request, template, status_code, **context)


def _signed_in(request: Request, person_id: int, name: str, to: str) -> RedirectResponse:
    # A new token on signing in: one seen before is worth nothing now.
    fresh = request.app.state.sessions.fresh(person_id, name)
    request.state.web_session = fresh
    request.state.session_changed = True
    return RedirectResponse(safe_next(to), status_code=303)


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    # Always the sign-in page (200), so that a first visit finds where to begin: while nobody
    # has an account it points to the one-time setup page.
    with request.app.state.ws.session(write=False) as db:
        first_visit = not has_people(db)
    return _render(
        request,
        "auth/login.html",
        next=safe_next(next),
        errors={},
        username="",
        first_visit=first_visit,
    )


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    throttle = request.app.state.throttle
    client = request.client.host if request.client else "unknown"

    def again(message: str, status: int) -> Response:
        errors = {"username": message}
        return _render(
            request,
            "auth/login.html",
            status,
            next=safe_next(next),
            errors=errors,
            username=username,
        )

    if not username.strip() or not password:
        return again("Enter your name and password", 422)
    wait = throttle.wait(username, client)
    if wait > 0:
        minutes = max(1, math.ceil(wait / 60))
        return again(
            f"Too many attempts to sign in. Wait {minutes} minute{'s' * (minutes > 1)} and try again",
            429,
        )
    try:
        with request.app.state.ws.session(write=True) as db:
            actor = sign_in(db, username, password)
    except Unauthenticated as exc:
        throttle.failed(username, client)
        return again(sentence(str(exc)), http_status(exc))
    throttle.succeeded(username, client)
    assert actor.person_id is not None
    return _signed_in(request, actor.person_id, actor.name, next)


@router.get("/logout")
def logout_page(request: Request) -> Response:
    from valvecheck.web.common import work

    with work(request):
        pass  # signed in: the page shows who; signed out already: to the sign-in page
    return _render(request, "auth/logout.html")


@router.post("/logout")
def logout(request: Request) -> Response:
    # The cookie is replaced, and any copy of it (another tab, another device, a stolen one)
    # stops working: the server remembers when the person signed out.
    signed_in = web_session.current(request).person_id
    if signed_in is not None:
        with request.app.state.ws.session(write=True) as db:
            sign_out(db, signed_in, datetime.now(UTC))
    request.state.web_session = request.app.state.sessions.fresh()
    request.state.session_changed = True
    web_session.update(request, flash="You have signed out")
    return RedirectResponse("/login", status_code=303)


def _setup_open(request: Request) -> None:
    with request.app.state.ws.session(write=False) as db:
        if has_people(db):
            raise NotFound("the setup page is only there until the first account exists")


@router.get("/setup")
def setup_page(request: Request) -> Response:
    _setup_open(request)
    return _render(request, "auth/setup.html", errors={}, values={})


@router.post("/setup")
def setup(
    request: Request,
    council: Annotated[str, Form()] = "",
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    _setup_open(request)
    values = {"council": council, "username": username}
    if password != confirm:
        errors = password_errors(password, confirm)  # a short one said too, not after
        return _render(request, "auth/setup.html", 422, errors=errors, values=values)
    try:
        with request.app.state.ws.session(write=True) as db:
            person = first_admin(db, council, username, password, request.app.state.settings)
    except SetupIncomplete as exc:  # every missing field, each at its own place on the form
        errors = {
            _SETUP_FIELDS.get(f, f): sentence(f"enter {words}") for f, words in exc.fields.items()
        }
        return _render(request, "auth/setup.html", http_status(exc), errors=errors, values=values)
    except ValvecheckError as exc:
        field = _SETUP_FIELDS.get(exc.field or "", exc.field or "username")
        errors = {field: sentence(str(exc))}
        return _render(request, "auth/setup.html", http_status(exc), errors=errors, values=values)
    return _signed_in(request, person.id, person.name, "/")


_SETUP_FIELDS = {"name": "username"}  # the service's field -> the form's


def password_errors(password: str, confirm: str) -> dict[str, str]:
    """Every problem with a new password typed twice, at once: too short, not the same twice
    (the setup page's and the People page's forms)."""
    errors = {}
    if len(password) < MIN_PASSWORD:
        errors["password"] = f"Enter a password of at least {MIN_PASSWORD} characters"
    if password != confirm:
        errors["confirm"] = "The two passwords are not the same"
    return errors
