"""The web app: create_app(settings) wires the workspace, sessions, pages and security headers.

Pages are server-rendered and work with JavaScript off (forms post and redirect). Each page opens
one unit of work acting as the signed-in person and calls the use-cases in valvecheck.services;
the service's refusals become pages with the status `errors.http_status` gives.
"""

from __future__ import annotations

import importlib
import secrets
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from valvecheck.domain.rag import SCALE
from valvecheck.errors import ImportRejected, ValvecheckError, WorkspaceError, http_status
from valvecheck.importers import limits
from valvecheck.services.workspace import open_workspace, role_warning
from valvecheck.settings import Settings
from valvecheck.settings import settings as load_settings
from valvecheck.store.db import Workspace
from valvecheck.web import session as web_session
from valvecheck.web.auth import CsrfRefused, SignInNeeded, sign_in_ended
from valvecheck.web.text import sentence

STATIC = Path(__file__).parent / "static"
# No inline script or style anywhere: the pages load only their own files.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# A request body may carry one file at the importers' limit, plus the form around it.
FORM_ALLOWANCE = 64 * 1024


class Around:
    """Every request: its session read from the cookie (a fresh one if none), a body over the
    upload limit refused before it is read; every response: the session cookie when it changed,
    the security headers, and no caching of pages. Plain ASGI (no per-request task), as the
    cost of every page passes through it."""

    def __init__(self, app: ASGIApp, sessions: web_session.Sessions, render: Any) -> None:
        self.app, self.sessions, self.render = app, sessions, render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        found, ended = self.sessions.read(request)
        request.state.web_session = found or self.sessions.fresh()
        request.state.ended_session = ended  # a form sent after the sign-in ran out says so
        static = scope["path"].startswith(("/static/", "/assets/"))
        # A browser's session is renewed by every page it asks for (it ends after a while
        # unused, not while someone works), and a fresh one is sent to it (its forms' CSRF token
        # lives there); never to a script calling with a token, which has no use for one.
        request.state.session_changed = not static and "authorization" not in request.headers

        async def finish(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if request.state.session_changed:
                    cookie = Response()
                    self.sessions.write(cookie, request.state.web_session)
                    headers.append("set-cookie", cookie.headers["set-cookie"])
                for name, value in HEADERS.items():
                    if name not in headers:
                        headers[name] = value
                if not static and "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        if not scope["path"].startswith("/api/") and (
            "\x00" in scope["path"] or b"%00" in scope["query_string"]
        ):
            await self.render(
                request,
                "errors/error.html",
                422,
                heading="Something in the request is not right",
                message="The address holds a NUL character (code 0), which no page has. "
                "Check the address and try again.",
            )(scope, receive, finish)
            return
        size = request.headers.get("content-length", "")
        if size.isdigit() and int(size) > limits.MAX_BYTES + FORM_ALLOWANCE:
            response: Response = self.render(
                request,
                "errors/error.html",
                413,
                heading="The file is too large",
                message=f"Files of up to {limits.limit_mb()} can be uploaded. Nothing was stored.",
                back="/imports",
                back_text="Go back to imports",
            )
            await response(scope, receive, finish)
            return
        await self.app(scope, receive, finish)


def _rag_css() -> str:
    """The RAG colours, read from the RAG type (the one place they are defined)."""
    return "".join(
        f".app-rag--{r.value}{{background:#{r.colour};color:#{r.text_colour}}}" for r in SCALE
    )


def create_app(settings: Settings | None = None, workspace: Workspace | None = None) -> FastAPI:
    """The app over ``workspace`` (default: the one DATABASE_URL names), which must exist."""
    from valvecheck.web import (
        activities,
        admin,
        assessments,
        auth,
        common_measures,
        dashboard,
        impact,
        imports,
        measures,
        reports,
    )
    from valvecheck.web.common import render

    config = settings or load_settings()
    ws = workspace or open_workspace(config=config)
    _check_at_start(ws, worker=workspace is None)
    api = _api_router()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Page work runs in threads; a process does Python work one thread at a time, so many
        # threads only share out the waiting (20 at once made the slowest answers 2-3x slower).
        anyio.to_thread.current_default_thread_limiter().total_tokens = config.threads
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="Valvecheck",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json" if api is not None else None,
    )
    app.state.ws = ws
    app.state.settings = config
    app.state.sessions = web_session.Sessions(
        config.secret_key or secrets.token_urlsafe(48),
        config.session_hours * 3600,
        config.cookie_secure,
        longest_seconds=config.session_max_hours * 3600,
    )
    app.state.throttle = web_session.Throttle()
    rag_css = _rag_css()

    app.add_middleware(Around, sessions=app.state.sessions, render=render)

    @app.exception_handler(SignInNeeded)
    async def sign_in_needed(request: Request, exc: SignInNeeded) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            # a form sent after the sign-in ended: sign in again, keeping what was typed
            ended = sign_in_ended(request)
            if ended is not None:
                return ended
            target = "/"
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, exc: CsrfRefused) -> Response:
        return render(
            request,
            "errors/error.html",
            403,
            heading="This form has expired",
            message="The form was not sent from this site, or it is too old. Nothing was "
            "changed. Go back, reload the page and try again.",
        )

    @app.exception_handler(ValvecheckError)
    async def refused(request: Request, exc: ValvecheckError) -> Response:
        status = http_status(exc)
        problems: list[Any] = []
        if isinstance(exc, ImportRejected):
            problems = exc.problems
        return render(
            request,
            "errors/error.html",
            status,
            heading=HEADINGS.get(status, "Something went wrong"),
            message=sentence(str(exc), _names(request)),
            problems=problems,
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return render(
            request,
            "errors/error.html",
            exc.status_code,
            heading=HEADINGS.get(exc.status_code, "Something went wrong"),
            message=_http_message(exc),
            not_found=exc.status_code == 404,  # its words depend on whether there is a menu
        )

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        # Only an address typed or changed by hand gets here (the pages' own links and forms
        # send what they expect), so the words are plain, with no parameter names.
        return render(
            request,
            "errors/error.html",
            422,
            heading="This address is not right",
            message="Part of the address is missing or not what this page expects, so nothing "
            "was changed. Go back and use the page's own links or form.",
        )

    @app.get("/assets/rag.css", include_in_schema=False)
    def rag_colours() -> Response:
        return Response(rag_css, media_type="text/css")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.state.page_routers = []
    for module in (
        auth,
        dashboard,
        measures,
        common_measures,
        activities,
        assessments,
        imports,
        reports,
        admin,
        impact,
    ):
        app.include_router(module.router, include_in_schema=False)
        app.state.page_routers.append(module.router)  # what the CSRF test walks
    if api is not None:
        from valvecheck.api import install as install_api

        install_api(app, ws)  # the /api routes, their OpenAPI document, token or session auth
    return app


# A worker that cannot start exits with this status, uvicorn's and gunicorn's "failed to start":
# both then stop, rather than start the worker again and again.
STARTUP_FAILURE = 3


def _check_at_start(ws: Workspace, worker: bool) -> None:
    """The workspace checked once, at start (each request then opens only its unit of work),
    and a warning on standard error when the database role ignores row-level security.

    A worker (the factory uvicorn or gunicorn calls, with the workspace DATABASE_URL names) that
    finds the workspace missing or outdated says so in one line, with what to run, and exits; an
    app given its workspace raises the error to its caller."""
    try:
        ws.require()
    except WorkspaceError as exc:
        if not worker:
            raise
        from valvecheck.cli import message  # the same words as every command, hint included

        sys.stderr.write(f"error: {message(exc)}\n")
        raise SystemExit(STARTUP_FAILURE) from None
    warning = role_warning(ws)
    if warning:
        sys.stderr.write(f"{warning}\n")


HEADINGS = {
    400: "The form could not be read",
    401: "Sign in to continue",
    403: "You cannot do that",
    404: "Page not found",
    405: "That cannot be done here",
    409: "Someone else changed this first",
    413: "The file is too large",
    422: "Something is not right",
    429: "Too many attempts",
    503: "The service is not ready",
}


def _names(request: Request) -> tuple[str, ...]:
    """The signed-in person's name, which a message may open with ('vi is a viewer ...')."""
    actor = getattr(request.state, "actor", None)
    return (actor.name,) if actor is not None and actor.name else ()


def _api_router():  # type: ignore[no-untyped-def]
    """The JSON API's router (valvecheck.api.router), when that package is installed."""
    try:
        module = importlib.import_module("valvecheck.api")
    except ModuleNotFoundError as exc:
        if exc.name in ("valvecheck.api",):
            return None
        raise
    return getattr(module, "router", None)


def _http_message(exc: HTTPException) -> str:
    if exc.status_code == 404:
        return "Check the address."
    if exc.status_code == 400 and "exceeded maximum size" in str(exc.detail):
        # Starlette's form parser refuses a field over 1 MB before any page code runs
        return (
            "One of the fields sent is too long (over 1 MB), so nothing was saved. Use your "
            "browser's Back button: what you typed is still in the form. Shorten it, or link "
            "to the document instead."
        )
    return str(exc.detail)


def served_app(settings: Settings | None = None, workspace: Workspace | None = None) -> FastAPI:
    """The app as `valvecheck serve` runs it (and uvicorn's factory in each worker process, from
    the environment), with the kept states out of the garbage collector's way (a server keeps
    them for good; see services.snapshot.freeze_kept_states)."""
    import threading

    from valvecheck.services import snapshot

    snapshot.freeze_kept_states()
    app = create_app(settings, workspace)
    # The first page with suggestions would otherwise wait for the matcher to learn its model
    # from the bundled corpus (3-4 s): learn it now, beside the server starting.
    threading.Thread(target=_learn_the_matcher, name="valvecheck-learn", daemon=True).start()
    return app


def _learn_the_matcher() -> None:
    from valvecheck.analysis.matcher import bundled_model

    bundled_model()
