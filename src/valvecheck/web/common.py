"""What every page shares: the unit of work per request, templates, redirects and form reading."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import RedirectResponse, Response

from valvecheck.domain.link_reason import link_reason
from valvecheck.domain.people import SHARED, Action, Role, may
from valvecheck.domain.percent import percent
from valvecheck.domain.rag import SCALE, Rag
from valvecheck.domain.rating import MAX_EVIDENCE, MAX_RATIONALE
from valvecheck.errors import InputErrors, NotFound, ValvecheckError, WorkspaceError, http_status
from valvecheck.services.context import Actor, Context, kept_by
from valvecheck.store.db import set_scope
from valvecheck.web import session as web_session
from valvecheck.web import wording
from valvecheck.web.auth import SignInNeeded, csrf_protect, session_actor
from valvecheck.web.text import count, day, local, sentence

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

TEMPLATES = Path(__file__).parent / "templates"


def option_tags(options: Iterable[tuple[object, object]], selected: object = "") -> Markup:
    """A select's <option>s, escaped; a listing's long lists (every authority and agreement)
    are the same on every page, so each is built once per choice made."""
    return _option_tags(tuple((str(v), str(t)) for v, t in options), str(selected or ""))


@functools.lru_cache(maxsize=256)
def _option_tags(options: tuple[tuple[str, str], ...], selected: str) -> Markup:
    return Markup("").join(
        Markup('<option value="{}"{}>{}</option>').format(
            value, Markup(" selected") if value == selected else "", text
        )
        for value, text in options
    )


templates = Jinja2Templates(directory=str(TEMPLATES))
templates.env.globals.update(
    rag_scale=SCALE,
    Rag=Rag,
    Action=Action,
    quote=lambda value: quote(str(value), safe=""),
    rag_options=[(r.value, r.label) for r in SCALE],
    max_rationale=MAX_RATIONALE,
    max_evidence=MAX_EVIDENCE,
    option_tags=option_tags,
    count=count,
)
templates.env.filters["zip_self"] = lambda values: [(v, v) for v in values]
templates.env.filters["sentence"] = sentence
templates.env.filters["local"] = local
templates.env.filters["day"] = day  # "1 Apr 2026"
templates.env.filters["said"] = wording.said  # the seed's ratings in the reports' words
templates.env.filters["who"] = wording.who
templates.env.filters["link_reason"] = link_reason  # a tracker link in the reports' words
templates.env.filters["percent"] = percent  # a half up, as the reports print it

# Every page router refuses a state-changing request without the session's CSRF token.
PROTECTED = [Depends(csrf_protect)]


@contextmanager
def work(request: Request, write: bool = False) -> Iterator[Context]:
    """One unit of work for this request, acting as the signed-in person.

    Committed when the block succeeds, rolled back whole when it raises; a request with nobody
    signed in is sent to the sign-in page.
    """
    state = request.app.state
    # Who is signed in is found across councils (their council is not known yet) ...
    with state.ws.session(write=write, all_councils=True) as db:
        actor = session_actor(request, db)
        if actor is None:
            raise SignInNeeded()
        # ... and from then on the page sees only their council's rows (PostgreSQL row-level
        # security, as the API's unit of work): a query that forgot its filter finds nothing
        # of another council, and a write into another council is refused.
        set_scope(db, actor.council_id or 0)
        request.state.actor = actor
        _note_keeper(request, db, actor)
        yield Context(db, actor, state.settings)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    """A page: the template with the signed-in person, the CSRF token and any one-time message."""
    actor = getattr(request.state, "actor", None)
    current = web_session.current(request)
    if actor is None and current.person_id is not None and template.startswith("errors/"):
        actor = _signed_in(request)  # refused before the page read who is signed in
    flash = current.flash
    if flash:
        web_session.update(request, flash="")
    keeper = _keeper(request, actor)
    return templates.TemplateResponse(
        request,
        template,
        {
            "actor": actor,
            # as the services' `authorise` answers: the role, and for what every council shares
            # (the catalogue), the council that keeps it
            "may": (
                lambda action: (
                    actor is not None
                    and may(actor.role, action)
                    and not (keeper and action in SHARED)
                )
            ),
            # the host council, when an admin of another council would expect to change the
            # catalogue: the pages say who keeps it instead ('' otherwise)
            "kept_by": keeper,
            "is_admin": actor is not None and actor.role is Role.ADMIN,
            "csrf_token": current.csrf,
            "flash": flash,
            "status_code": status_code,
            **context,
        },
        status_code=status_code,
    )


def _may_by_role_change_shared(actor: Actor) -> bool:
    """Whether ``actor``'s role would let them change what every council shares (so whether
    their council matters: only then is it asked which council keeps it)."""
    return any(may(actor.role, action) for action in SHARED)


def _note_keeper(request: Request, db: Session, actor: Actor) -> None:
    """Ask once per request (in its unit of work) who keeps what every council shares, for an
    actor whose role would let them change it: the pages offer only what `authorise` allows."""
    if _may_by_role_change_shared(actor) and getattr(request.state, "kept_by", None) is None:
        request.state.kept_by = kept_by(db, actor)


def _keeper(request: Request, actor: Any) -> str:
    """The host council's name when ``actor`` may not change what every council shares only for
    want of being its admin ('' otherwise): as noted in the request's unit of work, or asked
    here when the page had none (an error page before it read who is signed in)."""
    if actor is None or not _may_by_role_change_shared(actor):
        return ""
    known = getattr(request.state, "kept_by", None)
    if known is None:
        try:
            with request.app.state.ws.session(write=False, all_councils=True) as db:
                _note_keeper(request, db, actor)
            known = request.state.kept_by
        except (SQLAlchemyError, WorkspaceError):  # an error page must never fail for it
            known = ""
    return str(known)


def _signed_in(request: Request) -> Any:
    """The person signed in on this request, so that an error page keeps the council's header
    and menu like every other page (None if nobody is, or the store cannot say)."""
    try:
        with request.app.state.ws.session(write=False, all_councils=True) as db:
            return session_actor(request, db)
    except (SQLAlchemyError, WorkspaceError):  # an error page must never fail for want of a header
        return None


def done(request: Request, to: str, message: str = "") -> RedirectResponse:
    """After a change: say what happened on the next page, and go there (Post/Redirect/Get)."""
    if message:
        web_session.update(request, flash=message)
    return RedirectResponse(to, status_code=303)


def form_page(request: Request, page: Callable[[Context], str]) -> RedirectResponse:
    """A form's own address opened as a page (a GET of where the form posts: a refused form's
    page reloaded, bookmarked, opened in a new tab or again from the history): to the page the
    form is on. ``page`` finds that page's address as the page itself would, so that nobody
    signed in is sent to sign in, and an unknown id (or another council's) is not found,
    exactly as on the page, rather than sent on to a page that then says so."""
    with work(request) as ctx:
        to = page(ctx)
    return done(request, to)


def refused(
    exc: ValvecheckError,
    blank: dict[str, str],
    fields: tuple[str, ...],
    repeats: tuple[str, ...] = (),
) -> tuple[dict[str, str], int]:
    """A refused entry as its form shows it: each field's problem, in the service's words as a
    sentence (every one of them at once: InputErrors) or the form's own for a field left blank,
    in the form's order; and the page's status: not found when something typed names nothing
    of the council's (an activity), else the refusal's. ``repeats``: the codes of problems the
    form's own words for a blank field say already (at that field), left out."""
    if isinstance(exc, InputErrors):
        found, codes = exc.errors, exc.codes
    else:
        field = exc.field if exc.field in fields else fields[0]
        found, codes = {field: str(exc)}, {field: exc.code}
    said: dict[str, str] = {}
    for field, message in found.items():
        if not (blank and codes.get(field) in repeats):
            said.setdefault(field if field in fields else fields[0], sentence(message))
    said.update(blank)
    missing = any(c == NotFound.code and f not in blank for f, c in codes.items())
    status = http_status(NotFound()) if missing else http_status(exc)
    return {f: said[f] for f in fields if f in said}, status


# The largest id or version the database stores (a 32-bit integer, PostgreSQL's INTEGER).
LARGEST = 2**31 - 1


def whole_number(value: str) -> int | None:
    """A number sent in a form or an address (an assessment's id, a rating's version), or None
    when it is not one: ASCII digits only (``str.isdigit`` is true for '²', which ``int``
    refuses) and no larger than the database stores."""
    value = value.strip()
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number <= LARGEST else None


def form_error(exc: ValvecheckError) -> dict[str, str]:
    """A service's refusal as the one field it concerns (for the error summary and the field)."""
    return {exc.field or "form": str(exc)}
