"""What every API route shares: who is asking, one unit of work per request, errors as
application/problem+json.

Errors are turned into problem documents by the routes' own class (`ProblemRoute`), not by the
app's exception handlers, so the web pages keep their own error pages and the API answers
problem+json whatever else the app installs.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import IntegrityError

from valvecheck.api.schemas import Problem, ProblemItem
from valvecheck.errors import (
    Forbidden,
    ImportRejected,
    InputError,
    ValvecheckError,
    http_status,
)
from valvecheck.errors import Unauthenticated as Unauthenticated
from valvecheck.services import tokens
from valvecheck.services.context import Actor, Context
from valvecheck.services.workspace import unit_of_work
from valvecheck.store.db import Workspace

PROBLEM = "application/problem+json"
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    422: "Invalid input",
    500: "Server error",
    503: "Workspace unavailable",
}

SessionActor = Callable[[Request], Actor | None]
CsrfCheck = Callable[[Request], bool]


@dataclass
class ApiConfig:
    """How the API finds its workspace and, inside the web app, the signed-in person.

    ``session_actor(request)`` returns the person signed in to the web app (or None);
    ``csrf_ok(request)`` says whether a state-changing request made with that session carries
    a valid CSRF token. Without them only API tokens are accepted.
    """

    workspace: Workspace | None = None
    session_actor: SessionActor | None = None
    csrf_ok: CsrfCheck | None = None


def config_of(request: Request) -> ApiConfig:
    """The app's API settings; inside the web app (``app.state.sessions``), its sign-in session
    and CSRF check unless install() was told others."""
    found = getattr(request.app.state, "valvecheck_api", None)
    config = found if isinstance(found, ApiConfig) else ApiConfig()
    if config.session_actor is None and hasattr(request.app.state, "sessions"):
        return replace(config, session_actor=web_session_actor, csrf_ok=web_csrf_ok)
    return config


def web_session_actor(request: Request) -> Actor | None:
    """The person signed in to the web app (valvecheck.web) on this request."""
    from valvecheck.web.auth import session_actor

    if not hasattr(request.state, "web_session"):
        return None
    with workspace_of(request).session(write=False) as db:
        return session_actor(request, db)


def web_csrf_ok(request: Request) -> bool:
    """The web app's CSRF check: the session's token in the X-CSRF-Token header."""
    from valvecheck.web.session import CSRF_HEADER, csrf_valid

    return csrf_valid(request, request.headers.get(CSRF_HEADER))


def workspace_of(request: Request) -> Workspace:
    """The workspace given to install(), else the web app's (``app.state.ws``)."""
    ws = config_of(request).workspace or getattr(request.app.state, "ws", None)
    if not isinstance(ws, Workspace):
        raise RuntimeError("the API is not installed: call valvecheck.api.install(app, workspace)")
    return ws


# -- errors ---------------------------------------------------------------------------------------


def problem_response(
    status: int,
    detail: str,
    code: str,
    field: str | None = None,
    problems: list[ProblemItem] | None = None,
) -> JSONResponse:
    body = Problem(
        title=TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        code=code,
        field=field,
        problems=problems or [],
    )
    headers = {"WWW-Authenticate": 'Bearer realm="valvecheck"'} if status == 401 else None
    return JSONResponse(
        body.model_dump(mode="json"), status_code=status, media_type=PROBLEM, headers=headers
    )


def error_response(exc: ValvecheckError) -> JSONResponse:
    items = []
    if isinstance(exc, ImportRejected):
        items = [
            ProblemItem(code=p.code, message=p.message, file=p.file, line=p.line, column=p.column)
            for p in exc.problems
        ]
    elif isinstance(exc, InputError) and exc.field:
        # as a request's own validation errors are listed: the field, then what is wrong
        items = [ProblemItem(code=exc.code, message=f"{exc.field}: {exc}", column=exc.field)]
    return problem_response(http_status(exc), exc.message, exc.code, exc.field, items)


def validation_response(exc: RequestValidationError) -> JSONResponse:
    items = []
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            at = error.get("loc", ("body", 0))[-1]
            reason = (error.get("ctx") or {}).get("error", error.get("msg", ""))
            items.append(
                ProblemItem(
                    code="invalid-input",
                    message=f"the request body is not valid JSON: {reason} at character {at}",
                )
            )
            continue
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path"))
        items.append(
            ProblemItem(
                code="invalid-input", message=f"{where}: {error.get('msg', '')}", column=where
            )
        )
    first = items[0] if items else None
    return problem_response(
        422,
        first.message if first else "the request is not valid",
        "invalid-input",
        first.column if first else None,
        items,
    )


class ProblemRoute(APIRoute):
    """An API route whose errors are problem+json documents carrying the service codes."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            if "\x00" in request.scope["path"] or b"%00" in request.scope["query_string"]:
                # never meaningful, and PostgreSQL cannot compare text holding it
                return problem_response(
                    422, "the address may not contain NUL characters", "invalid-input"
                )
            try:
                return await handler(request)
            except ValvecheckError as exc:
                return error_response(exc)
            except RequestValidationError as exc:
                return validation_response(exc)
            except IntegrityError:
                # Two requests wrote the same thing at the same moment; the loser is refused
                # whole (its transaction was rolled back) and may simply try again.
                return problem_response(
                    409, "someone else changed this at the same moment: try again", "conflict"
                )

        return route


# -- who is asking --------------------------------------------------------------------------------

bearer = HTTPBearer(
    auto_error=False,
    description="An API token from `valvecheck tokens create NAME`, sent as "
    "`Authorization: Bearer SECRET`.",
)


def authenticated(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Actor:
    """The actor of a request: an API token, else the web app's signed-in person.

    A state-changing request made with the web session must carry its CSRF token: a cookie is
    sent by the browser whatever page asks, a bearer token only by a program that holds it.
    """
    ws = workspace_of(request)
    if credentials is not None:
        with ws.session(write=False) as session:
            return tokens.token_actor(session, credentials.credentials)
    if request.headers.get("authorization"):
        raise Unauthenticated("send the API token as: Authorization: Bearer SECRET")
    config = config_of(request)
    actor = config.session_actor(request) if config.session_actor else None
    if actor is not None:
        if request.method not in SAFE and not (config.csrf_ok and config.csrf_ok(request)):
            raise Forbidden("the request did not carry a valid CSRF token: reload the page")
        return actor
    raise Unauthenticated("sign in, or send an API token (Authorization: Bearer SECRET)")


@contextmanager
def work(request: Request, actor: Actor, write: bool = False) -> Iterator[Context]:
    """One transaction for one request, as ``actor``: committed before the answer is sent."""
    with unit_of_work(workspace_of(request), write=write, actor=actor) as ctx:
        yield ctx


def if_match(request: Request) -> int | None:
    """The version in an If-Match header ("3", 3 or W/"3"); None when absent."""
    value = request.headers.get("if-match")
    if value is None:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise InputError(
            'If-Match must be the version you read, e.g. If-Match: "3"', field="version"
        )
    return int(text)


def etag(version: int) -> str:
    return f'"{version}"'
