"""The web app: create_app(settings) wires the workspace, sessions, pages and security headers.

Pages are server-rendered and work with JavaScript off (forms post and redirect). Each page opens
one unit of work acting as the signed-in person and calls the use-cases in valvecheck.services;
the service's refusals become pages with the status `errors.http_status` gives.
"""

from __future__ import annotations

import importlib
import json
import secrets
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from valvecheck import logs
from valvecheck.analysis import embedding
from valvecheck.domain.rag import SCALE
from valvecheck.errors import (
    ImportRejected,
    InputError,
    ValvecheckError,
    WorkspaceError,
    http_status,
)
from valvecheck.importers import limits
from valvecheck.services.workspace import open_workspace, role_warning
from valvecheck.settings import Settings
from valvecheck.settings import settings as load_settings
from valvecheck.store.db import Workspace
from valvecheck.web import session as web_session
from valvecheck.web.auth import CsrfRefused, SignInNeeded, sign_in_ended
from valvecheck.web.text import sentence
from valvecheck.web.throttle import Throttle

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
        head = scope["method"] == "HEAD"
        if head:  # answered as GET, without the body (uptime monitors ask with HEAD)
            scope = {**scope, "method": "GET"}
        request = Request(scope, receive)
        found, ended = self.sessions.read(request)
        request.state.web_session = found or self.sessions.fresh()
        request.state.ended_session = ended  # a form sent after the sign-in ran out says so
        # no session cookie, or one this server cannot read (signed with another key: the
        # server restarted without a kept key): a form sent so may be one whose sign-in ended
        request.state.session_lost = found is None and ended is None
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
            elif message["type"] == "http.response.body" and head:
                message = {**message, "body": b""}
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
        if _file_from_nobody(scope, request, found, ended):
            # Only a signed-in person sends a file (an upload page is theirs alone): the body
            # is not read at all, as the page would only send them to sign in.
            await RedirectResponse("/login?next=%2F", status_code=303)(scope, receive, finish)
            return
        limit = limits.MAX_BYTES + FORM_ALLOWANCE
        size = request.headers.get("content-length", "")
        if size.isascii() and size.isdigit() and int(size) > limit:
            await too_large(self.render, request)(scope, receive, finish)
            return
        # Whatever the framing (a chunked body declares no length), reading stops once the body
        # passes the limit: the form parser never spools more than that to disk.
        read = 0
        started = False

        async def bounded() -> Message:
            nonlocal read
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > limit:
                    raise BodyTooLarge(413, too_large_message())
            return message

        async def answered(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await finish(message)

        try:
            await self.app(scope, bounded, answered)
        except BodyTooLarge:
            if started:
                raise
            await too_large(self.render, request)(scope, receive, finish)


def _in_api(request: Request) -> bool:
    """An address of the JSON API: its errors are problem+json, never a page."""
    path = request.url.path
    return path == "/api" or path.startswith("/api/")


# the problem code of an HTTP error the framework raises before an API endpoint runs
API_CODES = {400: "bad-request", 404: "not-found", 405: "method-not-allowed", 413: "too-large"}


def _api_problem(status: int, detail: str, headers: Mapping[str, str] | None = None) -> Response:
    from valvecheck.api.core import problem_response

    response = problem_response(status, detail, API_CODES.get(status, "error"))
    response.headers.update(headers or {})
    return response


def too_large(render: Any, request: Request) -> Response:
    """The page for a body over the limit (413); under /api, its problem+json."""
    if _in_api(request):
        return _api_problem(413, too_large_message())
    response: Response = render(
        request,
        "errors/error.html",
        413,
        heading="The file is too large",
        message=too_large_message(),
        back="/imports",
        back_text="Go back to imports",
    )
    return response


def unavailable(render: Any, request: Request, exc: WorkspaceError) -> Response:
    """The page when the database cannot be used (503): what to do, in an officer's words. Why,
    with the database's address (role, host, port, name), goes to the log for whoever runs
    Valvecheck, never to the page, which anyone (signed in or not) may see."""
    where = logs.client_address.get() or (request.client.host if request.client else "-")
    # quoted as the log's other lines are (no line break can forge a line), but never cut short
    logs.logger.error(
        "workspace-unavailable client=%s path=%s error=%s",
        *(json.dumps(str(v), ensure_ascii=False) for v in (where, request.url.path, exc)),
    )
    said = (
        "Someone else's change is taking a long time to save, so Valvecheck could not do yours."
        if exc.reason == "busy"
        else "Valvecheck cannot reach its database just now."
    )
    response: Response = render(
        request,
        "errors/error.html",
        503,
        heading=HEADINGS[503],
        message=f"{said} Try again in a few minutes. If it keeps happening, tell whoever runs "
        "Valvecheck for your council.",
    )
    return response


class BodyTooLarge(HTTPException):
    """A request body past the upload limit (an HTTPException, so that the form reader, which
    turns other errors into 400, lets it through to the error page)."""


def too_large_message() -> str:
    # read at each answer: a test or a deployment may lower the limit
    return f"Files of up to {limits.limit_mb()} can be uploaded. Nothing was stored."


def _file_from_nobody(
    scope: Scope,
    request: Request,
    found: web_session.WebSession | None,
    ended: web_session.WebSession | None,
) -> bool:
    """A page's multipart form (a file) sent with nobody signed in, nor a sign-in just ended
    (whose typed text is carried through signing in again). The JSON API checks its own."""
    return (
        scope["method"] not in ("GET", "HEAD", "OPTIONS")
        and not scope["path"].startswith("/api/")
        and request.headers.get("content-type", "").lower().startswith("multipart/")
        and (found is None or found.person_id is None)
        and (ended is None or ended.person_id is None)
    )


def _without_slash(app: FastAPI, scope: Scope) -> str | None:
    """Where an address with a trailing slash that no page has goes: the same without it, when a
    page answers there. The address is relative, never built from the request's Host header
    (Starlette's own slash redirect builds it so, and a proxy or cache that passes on another
    host would send people there)."""
    path = scope["path"]
    bare = path.rstrip("/")
    if path == bare or not bare.startswith("/") or bare.startswith("//"):
        return None
    other = {**scope, "path": bare}
    if all(route.matches(other)[0] is Match.NONE for route in app.router.routes):
        return None
    query = scope.get("query_string", b"").decode("latin-1")
    return bare + (f"?{query}" if query else "")


def _rag_css() -> str:
    """The RAG colours, read from the RAG type (the one place they are defined)."""
    return "".join(
        f".app-rag--{r.value}{{background:#{r.colour};color:#{r.text_colour}}}" for r in SCALE
    )


def create_app(settings: Settings | None = None, workspace: Workspace | None = None) -> FastAPI:
    """The app over ``workspace`` (default: the one DATABASE_URL names), which must exist."""
    from valvecheck.web import (
        account,
        activities,
        admin,
        assessments,
        auth,
        common_measures,
        dashboard,
        impact,
        imports,
        measures,
        programme,
        reports,
        suggestions,
        trajectory,
    )
    from valvecheck.web.common import render

    worker = workspace is None  # uvicorn's or gunicorn's factory: everything from the environment
    config = settings or _at_start(load_settings, worker)
    _at_start(embedding.check, worker)  # a bad VALVECHECK_EMBEDDINGS: at start, not every page
    ws = workspace or _at_start(lambda: open_workspace(config=config), worker)
    try:
        _check_at_start(ws, worker)
        if workspace is None and not config.secret_key:
            # no key set: the one kept beside a SQLite workspace; on PostgreSQL, one line and exit
            config = replace(config, secret_key=_at_start(lambda: signing_key(config, ws), worker))
    except SystemExit:
        ws.dispose()  # a worker that does not start leaves no connection open
        raise
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
    app.router.redirect_slashes = False  # done by http_error, with a relative address
    app.state.ws = ws
    app.state.settings = config
    app.state.sessions = web_session.Sessions(
        config.secret_key or secrets.token_urlsafe(48),
        config.session_hours * 3600,
        config.cookie_secure,
        longest_seconds=config.session_max_hours * 3600,
    )
    app.state.throttle = Throttle(ws)  # counted in the database: every worker counts alike
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
        if isinstance(exc, WorkspaceError):
            return unavailable(render, request, exc)
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
        if isinstance(exc, BodyTooLarge):  # found while reading: the same page as up front
            return too_large(render, request)
        if exc.status_code == 404 and request.method == "GET":
            to = _without_slash(app, request.scope)
            if to is not None:
                return RedirectResponse(to, status_code=307)
        if _in_api(request) and exc.status_code == 405:  # OPTIONS, TRACE: no route takes them
            from valvecheck.api import unanswered

            return unanswered(request, request.url.path.removeprefix("/api").lstrip("/"))
        if _in_api(request):  # a body that cannot be parsed (a multipart without its boundary)
            return _api_problem(exc.status_code, _http_message(exc), exc.headers)
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
    importlib.import_module("valvecheck.web.health").install(app)  # /healthz; the log's client
    app.state.page_routers = []
    for module in (
        auth,
        dashboard,
        measures,
        common_measures,
        activities,
        suggestions,
        assessments,
        imports,
        reports,
        admin,
        account,
        impact,
        trajectory,
        programme,
    ):
        app.include_router(module.router, include_in_schema=False)
        app.state.page_routers.append(module.router)  # what the CSRF test walks
    if api is not None:
        from valvecheck.api import install as install_api

        install_api(app, ws)  # the /api routes, their OpenAPI document, token or session auth
    return app


T = TypeVar("T")

# A worker that cannot start exits with this status, uvicorn's and gunicorn's "failed to start":
# both then stop, rather than start the worker again and again.
STARTUP_FAILURE = 3


def _at_start(check: Callable[[], T], worker: bool) -> T:
    """``check()``, at start. A worker (the factory uvicorn or gunicorn calls, with the settings
    and workspace the environment names) that meets a bad setting, or a workspace missing or
    outdated, says so in one line, with what to run, and exits (STARTUP_FAILURE: not started
    again and again); an app given its workspace raises the error to its caller."""
    try:
        return check()
    except ValvecheckError as exc:
        if not worker:
            raise
        from valvecheck.cli import message  # the same words as every command, hint included

        sys.stderr.write(f"error: {message(exc)}\n")
        raise SystemExit(STARTUP_FAILURE) from None


def _check_at_start(ws: Workspace, worker: bool) -> None:
    """The workspace checked once, at start (each request then opens only its unit of work),
    and a warning on standard error when the database role ignores row-level security."""
    _at_start(ws.require, worker)
    warning = role_warning(ws)
    if warning:
        sys.stderr.write(f"{warning}\n")


NO_KEY = (
    "VALVECHECK_SECRET_KEY is not set: on PostgreSQL every worker must sign sessions with the "
    "same key, so set it in the service's environment (docs/deploy.md)"
)


def signing_key(config: Settings, ws: Workspace) -> str:
    """The key a server signs session cookies with: VALVECHECK_SECRET_KEY; else, on a SQLite
    workspace, the key kept beside it (made on the first start, so that restarts and every
    worker share it). PostgreSQL has no file to keep it in: there the setting is required."""
    if config.secret_key:
        return config.secret_key
    kept = ws.kept_secret(lambda: secrets.token_urlsafe(48))
    if kept:
        return kept
    if not ws.is_sqlite_file:
        raise InputError(NO_KEY)
    # a folder the server cannot write: a key of this process's own (signed out at a restart)
    return secrets.token_urlsafe(48)


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
    # from the bundled corpus (15-20 s, once a machine): learn it now, beside the server starting.
    threading.Thread(target=_learn_the_matcher, name="valvecheck-learn", daemon=True).start()
    return app


def _learn_the_matcher() -> None:
    from valvecheck.analysis.matcher import bundled_model

    bundled_model()
