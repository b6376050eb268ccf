"""Signing in and out, the one-time setup page, and who is acting on each request.

For other front ends on the same server (the JSON API): ``session_actor(request, db)`` is the
signed-in person of a request as an Actor (None when nobody is), and ``csrf_protect`` is the
dependency that refuses a state-changing request without the session's CSRF token (form field
``csrf_token`` or header ``X-CSRF-Token``). The app keeps its workspace in ``app.state.ws`` and
its settings in ``app.state.settings``.
"""

from __future__ import annotations

import hmac
import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.orm import Session
from starlette.responses import JSONResponse, RedirectResponse, Response

from valvecheck import logs
from valvecheck.domain.names import fold
from valvecheck.errors import (
    InputError,
    NotFound,
    Unauthenticated,
    ValvecheckError,
    WorkspaceError,
    http_status,
)
from valvecheck.services.context import Actor
from valvecheck.services.people import (
    MIN_PASSWORD,
    has_people,
    note_signed_in,
    session_person,
    sign_in,
    sign_out,
)
from valvecheck.services.setup import (
    CouncilQuestion,
    SetupIncomplete,
    first_admin,
    setup_councils,
    similar_council,
)
from valvecheck.web import session as web_session
from valvecheck.web.session import CSRF_FIELD, CSRF_HEADER, csrf_valid, duration
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
        request.state.sent_form = form  # what was typed, if the sign-in has ended (below)
    if not csrf_valid(request, token):
        ended: web_session.WebSession | None = getattr(request.state, "ended_session", None)
        if ended and ended.person_id is not None and hmac.compare_digest(str(token), ended.csrf):
            # This site's form, from a sign-in that has run out: not a forgery.
            request.state.sign_in_ended = request.app.state.sessions.ended(ended)
            raise SignInNeeded()
        if _sign_in_lost(request, token):
            request.state.sign_in_ended = "lost"
            raise SignInNeeded()
        raise CsrfRefused()


def _sign_in_lost(request: Request, token: str | None) -> bool:
    """A form of this site's pages sent when the browser's session cookie is missing or cannot
    be read (a restart with a new key, cookies cleared): the person's sign-in has ended, and
    what they typed is carried through signing in again, as when it runs out. The token cannot
    be checked against a cookie that is gone, so the browser must say the form was sent from
    this site (Origin, else Referer); a form posted from another site stays refused. Nothing is
    done with it before the person signs in and sends it again themselves."""
    if not (
        getattr(request.state, "session_lost", False)
        and token
        and getattr(request.state, "sent_form", None) is not None
        and request.url.path not in ("/login", "/setup")
    ):
        return False
    if request.headers.get("sec-fetch-site", "same-origin") != "same-origin":
        return False
    source = request.headers.get("origin") or request.headers.get("referer") or ""
    return bool(source) and urlsplit(source).netloc == request.url.netloc


NUL_REFUSED = (
    "A field of the form holds a NUL character (code 0), which cannot be stored. It usually "
    "comes from text pasted from another program: retype the text and send the form again. "
    "Nothing was changed."
)


router = APIRouter(dependencies=[Depends(csrf_protect)])


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host (an open redirect).

    A browser reads ``//host``, ``///host`` and ``/\\host`` as another host (the WHATWG URL
    rules drop tabs and newlines and treat a backslash as a slash), so a target is one slash,
    then not another, with no backslash and no control character anywhere."""
    target = target or "/"
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in target)
    ):
        return "/"
    return target


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
def login_page(request: Request, next: str = "/", timeout: str = "") -> Response:
    # Always the sign-in page (200), so that a first visit finds where to begin: while nobody
    # has an account it points to the one-time setup page. ``timeout``: a page's timeout
    # warning ran out (static/js/timeout.js), which the page says ("idle" or "longest").
    timed_out = timeout if timeout in ("idle", "longest") else ""
    with request.app.state.ws.session(write=False, all_councils=True) as db:
        first_visit = not has_people(db)
        if timed_out and session_actor(request, db) is not None:
            # still signed in after all (another tab kept it going): back to the page
            return RedirectResponse(safe_next(next), status_code=303)
    sessions = request.app.state.sessions
    return _render(
        request,
        "auth/login.html",
        next=safe_next(next),
        errors={},
        username="",
        first_visit=first_visit,
        timed_out=timed_out,
        idle=duration(sessions.idle),
        longest=duration(sessions.longest),
    )


@router.post("/stay-signed-in")
def stay_signed_in(request: Request) -> Response:
    """The timeout warning's "Stay signed in": the sign-in renewed, as every page renews it, but
    with no page loaded, so what is typed on the page stays there. For the page's script (with
    the CSRF token in the X-CSRF-Token header): when the sign-in now ends, or 401 if nobody is
    signed in, as when the sign-in ended already."""
    with request.app.state.ws.session(write=False, all_councils=True) as db:
        actor = session_actor(request, db)
    if actor is None:
        request.state.session_changed = False  # nothing renewed
        return JSONResponse({"signed_in": False}, status_code=401)
    timing = request.app.state.sessions.timing(web_session.current(request))
    return JSONResponse(
        {
            "signed_in": True,
            "seconds_left": timing.seconds_left,
            "warning_seconds": timing.warning_seconds,
            "ends": timing.ends,
        }
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
    carried = Carried.sent_with(request)  # a form left unsent when a sign-in ended, if any

    def again(errors: dict[str, str], status: int) -> Response:
        return _render(
            request,
            "auth/login.html",
            status,
            next=safe_next(next),
            errors=errors,
            username=username,
            carried=carried,
        )

    missing = {"username": "Enter your sign-in name"} if not username.strip() else {}
    if not password:
        missing["password"] = "Enter your password"
    if missing:
        return again(missing, 422)
    wait = throttle.attempt(username, client)  # counted as failed until the password is right
    if wait > 0:
        minutes = max(1, math.ceil(wait / 60))
        message = f"Too many attempts to sign in. Wait {minutes} minute{'s' * (minutes > 1)} and try again"
        logs.sign_in_throttled(username, client)
        return again({"username": message}, 429)
    try:
        with request.app.state.ws.session(write=True, all_councils=True) as db:
            actor = sign_in(db, username, password)
            note_signed_in(db, actor.person_id, datetime.now(UTC))
    except Unauthenticated as exc:
        logs.sign_in_failed(username, client)
        return again({"username": sentence(str(exc))}, http_status(exc))
    throttle.succeeded(username, client)
    logs.signed_in(actor.name, actor.council, client)
    assert actor.person_id is not None
    signed_in = _signed_in(request, actor.person_id, actor.name, next)
    if carried is None or not carried.belongs_to(request, actor.person_id):
        # another person signing in at the page (a shared computer): the form typed by the one
        # whose sign-in ended is never theirs to send
        return signed_in
    # Signed in again: the form that was not sent, to check and send (never stored here).
    request.state.actor = actor
    return _render(request, "auth/resume.html", carried=carried, next=safe_next(next))


# A form sent after its sign-in ended is carried through signing in again, in the browser only:
# the sign-in page holds it (the typed text in read-only boxes, to copy), and after signing in
# a page holds it again, to check and send. The server keeps none of it beyond each request.
CARRY = "carried"  # the field naming where the form goes; its fields are "carried.<name>"
OWNER = "carried-owner"  # the field holding whose it is, sealed
# The fields a person types, shown back under these labels; the rest are carried unseen.
TYPED = {"rationale": "Rationale", "evidence": "Evidence", "reason": "Why", "name": "Name"}
SECRET = ("password", "confirm", CSRF_FIELD)  # never carried


@dataclass(frozen=True)
class Carried:
    action: str
    fields: tuple[tuple[str, str], ...]
    # whose it is, sealed (``Sessions.owner_seal``): "" when the ended sign-in is not known (the
    # browser's cookie is gone); carried past the sign-in page only to that person
    owner: str = ""

    def belongs_to(self, request: Request, person_id: int) -> bool:
        """Whether it may be shown to ``person_id`` once signed in: theirs, or nobody's known."""
        if not self.owner:
            return True
        return request.app.state.sessions.owner_of(self.owner) == person_id

    @classmethod
    def sent(cls, request: Request) -> Carried | None:
        """The form this request sent, as it is carried."""
        form = getattr(request.state, "sent_form", None)
        if form is None:
            return None
        fields = tuple(
            (name, value)
            for name, value in form.multi_items()
            if isinstance(value, str) and not any(secret in name for secret in SECRET)
        )
        return cls(request.url.path, fields)

    @classmethod
    def sent_with(cls, request: Request) -> Carried | None:
        """The form carried through the sign-in page this request sent, if it carried one."""
        form = getattr(request.state, "sent_form", None)
        if form is None:
            return None
        action = form.get(CARRY)
        if not isinstance(action, str) or safe_next(action) != action or action == "/":
            return None
        prefix = f"{CARRY}."
        fields = tuple(
            (name.removeprefix(prefix), value)
            for name, value in form.multi_items()
            if name.startswith(prefix) and isinstance(value, str)
        )
        owner = form.get(OWNER)
        return cls(action, fields, owner if isinstance(owner, str) else "")

    def typed(self) -> list[tuple[str, str, str]]:
        """(name, label, text) of what the person typed, to show back."""
        return [(n, TYPED[n], v) for n, v in self.fields if n in TYPED]

    def unseen(self) -> list[tuple[str, str]]:
        return [(n, v) for n, v in self.fields if n not in TYPED]

    def rating(self) -> str:
        """The rating chosen on the form, in words ("" when none)."""
        from valvecheck.domain.rag import Rag

        for name, value in self.fields:
            if name == "rag" and value.strip():
                try:
                    return Rag.parse(value).label
                except ValvecheckError:
                    return value
        return ""


def sign_in_ended(request: Request) -> Response | None:
    """For a form sent after its sign-in ended (ran out, or signed out elsewhere): the sign-in
    page, saying so, holding what was typed. None when that is not what happened."""
    current = web_session.current(request)
    reason = getattr(request.state, "sign_in_ended", "") or (
        "signed-out" if current.person_id is not None else ""
    )
    carried = Carried.sent(request)
    if not reason or carried is None or request.url.path.startswith("/api/"):
        return None
    if request.url.path == "/logout":
        return RedirectResponse("/login", status_code=303)  # signed out already
    ended = getattr(request.state, "ended_session", None)
    sessions = request.app.state.sessions
    person = ended.person_id if ended is not None else current.person_id
    if person is not None:
        carried = replace(carried, owner=sessions.owner_seal(person))
    return _render(
        request,
        "auth/login.html",
        401,
        next=_came_from(request),
        errors={},
        username=ended.name if ended is not None else current.name,
        carried=carried,
        ended=reason,
        idle=duration(sessions.idle),
        longest=duration(sessions.longest),
    )


def _came_from(request: Request) -> str:
    """The page the form was on (the Referer, when it is this site's), else the dashboard."""
    parts = urlsplit(request.headers.get("referer", ""))
    if parts.netloc != request.url.netloc:
        return "/"
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))


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
        with request.app.state.ws.session(write=True, all_councils=True) as db:
            sign_out(db, signed_in, datetime.now(UTC))
    request.state.web_session = request.app.state.sessions.fresh()
    request.state.session_changed = True
    web_session.update(request, flash="You have signed out")
    return RedirectResponse("/login", status_code=303)


def _setup_open(request: Request) -> None:
    with request.app.state.ws.session(write=False, all_councils=True) as db:
        if has_people(db):
            raise NotFound("the setup page is only there until the first account exists")


@router.get("/setup")
def setup_page(request: Request) -> Response:
    _setup_open(request)
    return _setup_form(request, 200, errors={}, values={})


async def sent_fields(request: Request) -> frozenset[str]:
    """The names of the fields a form sent: a radio group with none chosen sends nothing, one
    chosen sends its value, even empty (which the Form parameters cannot tell from nothing)."""
    return frozenset((await request.form()).keys())


def _has_councils(request: Request) -> bool:
    """Whether the setup page lists councils to choose from."""
    with request.app.state.ws.session(write=False, all_councils=True) as db:
        return bool(setup_councils(db))


def _setup_form(
    request: Request, status: int, errors: dict[str, str], values: dict[str, str], asked: str = ""
) -> Response:
    """The setup page: the councils already in the workspace to choose from, or a new name
    (``asked``: the council a name that looked like it was taken for, asked about)."""
    with request.app.state.ws.session(write=False, all_councils=True) as db:
        councils = setup_councils(db)
    return _render(
        request,
        "auth/setup.html",
        status,
        errors=errors,
        values=values,
        councils=councils,
        asked=asked,
    )


@router.post("/setup")
def setup(
    request: Request,
    council: Annotated[str, Form()] = "",
    existing: Annotated[str, Form()] = "",
    new_council: Annotated[str, Form()] = "",
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
    sent: Annotated[frozenset[str], Depends(sent_fields)] = frozenset(),
) -> Response:
    _setup_open(request)
    # A council of the workspace chosen, else the name typed (confirmed new when asked). No
    # ``existing`` sent: no radio chosen; sent empty: "A new council", as is a name typed alone.
    chosen = existing.strip()
    typed = " ".join(council.split())
    new = not chosen and ("existing" in sent or bool(typed))
    if chosen and typed and not _names(request, typed, chosen):
        # both a council of the workspace and a new name: which was meant is not for us to guess
        values = {"council": council, "username": username, "existing": existing, "new": ""}
        errors = {
            "existing": f"Choose {chosen} or name a new council, not both: "
            f"the new council's name says {typed}"
        }
        return _setup_form(request, 422, errors, values)
    council = chosen or council
    values = {"council": council if not chosen else "", "username": username}
    values |= {"existing": existing, "new": "yes" if new else ""}
    if password != confirm:
        errors = password_errors(password, confirm)  # a short one said too, not after
        return _setup_form(request, 422, errors, values)
    confirmed = bool(new_council) and " ".join(new_council.split()) == " ".join(council.split())
    try:
        with request.app.state.ws.session(write=True, all_councils=True) as db:
            person = first_admin(
                db, council, username, password, request.app.state.settings, confirmed
            )
            # the setup page signs its admin in: the People page's "last signed in" says so
            note_signed_in(db, person.id, datetime.now(UTC))
    except SetupIncomplete as exc:  # every missing field, each at its own place on the form
        errors = {
            _SETUP_FIELDS.get(f, f): sentence(f"enter {words}") for f, words in exc.fields.items()
        }
        if "council" in errors and "existing" not in sent and _has_councils(request):
            # The councils are listed and none was chosen: the answer is most likely one of them,
            # so the message is at the choice (linked to its first radio), not at the new name.
            errors = {
                ("existing" if f == "council" else f): (
                    "Choose your council, or name a new one" if f == "council" else said
                )
                for f, said in errors.items()
            }
        return _setup_form(request, http_status(exc), errors, values)
    except CouncilQuestion as exc:  # "Did you mean Bristol?", rather than a second council
        errors = {"council": sentence(str(exc))}
        return _setup_form(request, http_status(exc), errors, values, exc.suggestion)
    except ValvecheckError as exc:
        if isinstance(exc, WorkspaceError):
            raise  # the database, not the form: the 503 page (which never shows its address)
        field = _SETUP_FIELDS.get(exc.field or "", exc.field or "username")
        errors = {field: sentence(str(exc))}
        return _setup_form(request, http_status(exc), errors, values)
    return _signed_in(request, person.id, person.name, "/")


_SETUP_FIELDS = {"name": "username"}  # the service's field -> the form's


def _names(request: Request, typed: str, chosen: str) -> bool:
    """Whether a name typed names the council chosen: the same name (whatever its case), or
    one the setup asks "Did you mean ...?" about, answered by choosing that council."""
    if fold(typed) == fold(chosen):
        return True
    with request.app.state.ws.session(write=False, all_councils=True) as db:
        meant = similar_council(db, typed)
    return meant is not None and fold(meant) == fold(chosen)


def password_errors(password: str, confirm: str) -> dict[str, str]:
    """Every problem with a new password typed twice, at once: too short, not the same twice
    (the setup page's and the People page's forms)."""
    errors = {}
    if len(password) < MIN_PASSWORD:
        errors["password"] = f"Enter a password of at least {MIN_PASSWORD} characters"
    if password != confirm:
        errors["confirm"] = "The two passwords are not the same"
    return errors
