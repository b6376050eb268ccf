"""What every API route shares: who is asking, one unit of work per request, errors as
application/problem+json.

Errors are turned into problem documents by the routes' own class (`ProblemRoute`), not by the
app's exception handlers, so the web pages keep their own error pages and the API answers
problem+json whatever else the app installs.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections import Counter
from collections.abc import Callable, Collection, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response, UploadFile, params
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.routing import Match
from starlette.types import Receive, Scope, Send

from valvecheck.api import conditional
from valvecheck.api.schemas import Problem, ProblemItem
from valvecheck.errors import (
    Conflict,
    Forbidden,
    ImportRejected,
    InputError,
    InputErrors,
    ValvecheckError,
    http_status,
)
from valvecheck.errors import Unauthenticated as Unauthenticated
from valvecheck.importers import limits
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
    # who is signed in is found across councils (their council is not known yet)
    with workspace_of(request).session(write=False, all_councils=True) as db:
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
    version: int | None = None,
) -> JSONResponse:
    body = Problem(
        title=TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        code=code,
        field=field,
        problems=problems or [],
        version=version,
    )
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="valvecheck"'
    if version is not None:
        headers["ETag"] = etag(version)
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=status,
        media_type=PROBLEM,
        headers=headers or None,
    )


def error_response(exc: ValvecheckError) -> JSONResponse:
    items = []
    detail = exc.message
    if isinstance(exc, ImportRejected):
        # the first problems in file order, and one saying how many more (limits.capped)
        shown = limits.capped(exc.problems)
        items = [
            ProblemItem(code=p.code, message=p.message, file=p.file, line=p.line, column=p.column)
            for p in shown
        ]
        first = next((p for p in shown if not isinstance(p, limits.MoreProblems)), None)
        if first is not None and (count := limits.total(shown)) > 1:
            detail = f"{first} (and {count - 1:,} more {'problem' if count == 2 else 'problems'})"
    elif isinstance(exc, InputErrors):
        # every field's problem, in the form's order (the first's is the detail)
        items = [
            ProblemItem(code=exc.codes.get(f, exc.code), message=f"{f}: {m}", column=f)
            for f, m in exc.errors.items()
        ]
    elif isinstance(exc, InputError) and exc.field:
        # as a request's own validation errors are listed: the field, then what is wrong
        items = [ProblemItem(code=exc.code, message=f"{exc.field}: {exc}", column=exc.field)]
    if isinstance(exc, Conflict):
        # a program tells "read again and retry" from "never retry" by the code, not the words
        return problem_response(
            http_status(exc), exc.message, exc.reason, exc.field, items, exc.version
        )
    return problem_response(http_status(exc), detail, exc.code, exc.field, items)


NOT_AN_OBJECT = "the request body must be a JSON object (Content-Type: application/json)"
DATE_ERRORS = frozenset(
    {"date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact", "date_type"}
)


def unknown(name: str, known: Collection[str], what: str) -> str:
    """'rationle: unknown field; did you mean rationale?' (or the names it takes)."""
    close = difflib.get_close_matches(name.lower().replace("-", "_"), sorted(known), n=1)
    if close:
        return f"{name}: unknown {what}; did you mean {close[0]}?"
    if known:
        return f"{name}: unknown {what}; it takes {', '.join(sorted(known))}"
    return f"{name}: unknown {what}; it takes none"


def validation_response(exc: RequestValidationError, fields: Collection[str] = ()) -> JSONResponse:
    """422 listing every invalid input; ``fields`` are the names the body takes (for a "did you
    mean" beside an unknown one)."""
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
        loc = error.get("loc", ())
        where = ".".join(str(p) for p in loc if p not in ("body", "query", "path", "header"))
        kind = error.get("type")
        if not where and loc[:1] == ("body",):
            message = NOT_AN_OBJECT  # no body, a form, a list ...
        elif kind == "extra_forbidden":
            message = unknown(str(loc[-1]), fields, "field")
            if len(loc) > 2:  # inside a list or an object: say where
                message = f"{where.rpartition('.')[0]}.{message}"
        elif kind in DATE_ERRORS:
            message = f"{where}: use a date as YYYY-MM-DD"
        else:
            message = f"{where}: {error.get('msg', '')}"
        items.append(ProblemItem(code="invalid-input", message=message, column=where or None))
    # a misspelt field is first: it is why the field meant is "missing"
    items.sort(key=lambda item: ": unknown field;" not in item.message)
    first = items[0] if items else None
    return problem_response(
        422,
        first.message if first else "the request is not valid",
        "invalid-input",
        first.column if first else None,
        items,
    )


def field_names(annotation: Any) -> set[str]:
    """Every field name of a request body's model and of the models inside it."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        names = set(annotation.model_fields)
        for f in annotation.model_fields.values():
            names |= field_names(f.annotation)
        return names
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
        return set().union(*(field_names(a) for a in typing.get_args(annotation)))
    return set()


def query_names(dependant: Dependant) -> set[str]:
    """The query parameters a route takes, its dependencies' included."""
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= query_names(sub)
    return names


def unknown_parameters(
    given: Collection[str], known: Collection[str], what: str = "query parameter"
) -> JSONResponse | None:
    """422 naming each query parameter (or form field) the route does not take: a misspelt
    filter would otherwise be ignored, and a program given the whole catalogue as if it were
    filtered; a misspelt "preview" field, a file imported for real."""
    items = [
        ProblemItem(code="invalid-input", message=unknown(k, known, what), column=k)
        for k in dict.fromkeys(given)
        if k not in known
    ]
    if not items:
        return None
    return problem_response(422, items[0].message, "invalid-input", items[0].column, items)


def repeated(given: Collection[tuple[str, str]]) -> JSONResponse | None:
    """422 naming each query parameter given more than once: every parameter takes one value,
    and reading only one of ``?rag=red&rag=amber`` would answer a question not asked."""
    counts = Counter(name for name, _ in given)
    items = [
        ProblemItem(
            code="invalid-input",
            message=f"the query parameter {name!r} is given {n} times: give it once",
            column=name,
        )
        for name, n in counts.items()
        if n > 1
    ]
    if not items:
        return None
    return problem_response(422, items[0].message, "invalid-input", items[0].column, items)


def depends_on(dependant: Dependant, call: Callable[..., Any]) -> bool:
    """Whether a route (or any of its dependencies) depends on ``call``."""
    return any(d.call is call or depends_on(d, call) for d in dependant.dependencies)


class ProblemRoute(APIRoute):
    """An API route whose errors are problem+json documents carrying the service codes.

    A route that needs credentials checks them before a request's body is read: FastAPI reads
    the body (a whole upload, spooled) before it resolves any dependency, so without this anyone,
    signed in or not, could make a worker read 20 MB for a 401.

    A read's answer carries an ETag and is 304 when If-None-Match names it; HEAD is answered
    wherever GET is, without the body (`conditional`)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        queries = query_names(self.dependant)
        body = self.body_field
        fields = field_names(body.field_info.annotation) if body is not None else set()
        needs_actor = depends_on(self.dependant, authenticated)
        # a form's fields (an upload's file and options), checked as a query's parameters are
        form = {p.alias for p in self.dependant.body_params} if body is not None else set()
        takes_form = body is not None and isinstance(body.field_info, params.Form)

        async def route(request: Request) -> Response:
            response = await answer(request)
            if request.method in conditional.READS:
                actor = getattr(request.state, "api_actor", None)
                council = actor.council_id if isinstance(actor, Actor) else None
                response = conditional.conditional(request, response, council)
            if request.method == "HEAD":
                return conditional.without_body(response)
            return response

        async def answer(request: Request) -> Response:
            if needs_actor:
                try:
                    credentials = await bearer(request)
                    # who is asking, before anything the request names is read or checked
                    # (401 whatever it names; ``authenticated`` then gives it)
                    request.state.api_actor = await run_in_threadpool(
                        authenticated, request, credentials
                    )
                except ValvecheckError as exc:
                    return error_response(exc)
            if "\x00" in request.scope["path"] or b"%00" in request.scope["query_string"]:
                # never meaningful, and PostgreSQL cannot compare text holding it
                return problem_response(
                    422, "the address may not contain NUL characters", "invalid-input"
                )
            refused = unknown_parameters(request.query_params.keys(), queries) or repeated(
                request.query_params.multi_items()
            )
            if refused is not None:
                return refused
            if takes_form and request.method not in SAFE:
                sent = await request.form()  # kept by the request: the handler reads it again
                refused = unknown_parameters(sent.keys(), form, "form field")
                if refused is not None:
                    await sent.close()  # its uploads are spooled to files: never read now
                    return refused
            try:
                return await handler(request)
            except ValvecheckError as exc:
                return error_response(exc)
            except RequestValidationError as exc:
                return validation_response(exc, fields)
            except IntegrityError:
                # Two requests wrote the same thing at the same moment; the loser is refused
                # whole (its transaction was rolled back) and may simply try again.
                return problem_response(
                    409, "someone else changed this at the same moment: try again", "conflict"
                )

        return route

    def answers_head(self, scope: Scope) -> bool:
        return (
            scope["type"] == "http" and scope["method"] == "HEAD" and "GET" in (self.methods or ())
        )

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """HEAD is answered wherever GET is (as GET, without the body: `conditional`)."""
        if self.answers_head(scope):
            return super().matches({**scope, "method": "GET"})
        return super().matches(scope)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.answers_head(scope):
            await self.app(scope, receive, send)  # not refused for a method it has not listed
            return
        await super().handle(scope, receive, send)


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
    found = getattr(request.state, "api_actor", None)
    if isinstance(found, Actor):
        return found  # checked already, before the request's body was read (ProblemRoute)
    ws = workspace_of(request)
    if credentials is not None:
        actor = tokens.authenticate(ws, credentials.credentials)
    elif request.headers.get("authorization"):
        raise Unauthenticated("send the API token as: Authorization: Bearer SECRET")
    else:
        config = config_of(request)
        signed_in = config.session_actor(request) if config.session_actor else None
        if signed_in is None:
            raise Unauthenticated("sign in, or send an API token (Authorization: Bearer SECRET)")
        if request.method not in SAFE and not (config.csrf_ok and config.csrf_ok(request)):
            raise Forbidden("the request did not carry a valid CSRF token: reload the page")
        actor = signed_in
    request.state.api_actor = actor  # whose answer it is: its ETag is the council's (conditional)
    return actor


def uploaded(file: UploadFile, default: str) -> tuple[str, bytes]:
    """An uploaded file's name (its last part, ``default`` if it has none) and bytes; one over
    the size limit is refused as an import refuses it (``file-too-large``), naming its size."""
    name = (file.filename or default).rsplit("/", 1)[-1][:200]
    data = file.file.read(limits.MAX_BYTES + 1)  # one byte over is enough to refuse it
    if (problem := limits.too_large(max(file.size or 0, len(data)), name)) is not None:
        raise ImportRejected([problem])
    return name, data


@contextmanager
def work(request: Request, actor: Actor, write: bool = False) -> Iterator[Context]:
    """One transaction for one request, as ``actor``: committed before the answer is sent."""
    with unit_of_work(workspace_of(request), write=write, actor=actor) as ctx:
        yield ctx


def if_match(value: str | None) -> int | None:
    """The version in an If-Match header ("3", 3 or W/"3"), or the ETag of a read, which begins
    with it ("3.5f1c...": `conditional`); None when absent."""
    if value is None:
        return None
    text = value.strip().removeprefix("W/").strip('"').partition(".")[0]
    if not text.isdigit() or len(text) > 10:
        raise InputError(
            'If-Match must be the version you read (or the ETag read with it), e.g. If-Match: "3"',
            field="version",
        )
    return int(text)


def version_read(header: str | None, body: int | None, what: str, zero: str) -> int:
    """The version a change names, from If-Match or the body's version (they must agree);
    ``what`` and ``zero`` say, in the refusal, which version ("the rating", "0 if not rated")."""
    given = if_match(header)
    if given is not None and body is not None and given != body:
        raise InputError("If-Match and version say different versions", field="version")
    version = given if given is not None else body
    if version is None:
        raise InputError(
            f"say which version of {what} you read (If-Match or version; {zero}), so a change "
            "made since is not overwritten",
            field="version",
        )
    return version


def etag(version: int) -> str:
    return f'"{version}"'


IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The version you read, e.g. "3" (or send it as the body\'s version)',
    ),
]


# -- what each operation documents ----------------------------------------------------------------

_ERRORS = {
    401: "No credentials, or not valid ones (unauthenticated)",
    403: "The role does not allow it, or a session call without its CSRF token (forbidden)",
    404: "Not found, or another council's: the same answer (not-found)",
    422: "The input is not valid: a value, an unknown field or query parameter (invalid-input)",
    503: "The workspace is missing or needs upgrading (workspace)",
}


def errors(*statuses: int, conflict: str = "") -> dict[int | str, dict[str, Any]]:
    """The error answers an operation can give: 401, 422 and 503 always, ``statuses`` besides,
    and 409 when ``conflict`` says its codes. (405 is any path's answer to a method it does
    not take.)"""
    found: dict[int | str, dict[str, Any]] = {
        s: {"model": Problem, "description": _ERRORS[s]} for s in sorted({401, 422, 503, *statuses})
    }
    if conflict:
        found[409] = {"model": Problem, "description": f"Conflict: {conflict}"}
    return dict(sorted(found.items(), key=lambda item: int(item[0])))


READ = errors(404)
ETAG = {
    "ETag": {
        "description": 'The rating\'s version, then a hash of the answer, e.g. "3.5f1c...": '
        "send it back as If-Match to change the rating, or as If-None-Match to read again",
        "schema": {"type": "string"},
    }
}
VERSION_TAG = {
    "ETag": {
        "description": 'The rating\'s new version, e.g. "4": send it back as If-Match',
        "schema": {"type": "string"},
    }
}
READ_HEADERS = {
    "ETag": {
        "description": "A hash of this answer for this council: send it back as If-None-Match "
        "and an answer that has not changed is 304 with no body",
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": "private, no-cache: never kept by a shared cache; checked before reuse",
        "schema": {"type": "string"},
    },
}
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "The ETag of an earlier read: 304 Not Modified, with no body, if the answer "
    "is still the same",
    "schema": {"type": "string"},
}
NOT_MODIFIED = {"description": "Not modified: the ETag sent as If-None-Match is still current"}
LOCATION = {
    "Location": {"description": "Where the new resource is read", "schema": {"type": "string"}}
}


def operation_id(route: APIRoute) -> str:
    """The operation's id is its function's name (rate_measure, list_measures), so a
    generated client's methods read well."""
    return route.name
