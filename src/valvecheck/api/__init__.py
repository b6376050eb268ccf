"""The JSON API under /api: the same use-cases as the web pages, for programs.

The web app mounts it with one call::

    from valvecheck import api
    api.install(app, workspace, session_actor=..., csrf_ok=...)

``install`` includes ``router`` (an APIRouter with prefix /api) and says how to find the
workspace and, optionally, the person signed in to the web app (see `core.ApiConfig`). Every
route authenticates (an API token, else the web session), runs one unit of work as that actor and
answers pydantic models; errors are application/problem+json with the service layer's codes.
The OpenAPI document is at /api/openapi.json.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.convertors import PathConvertor, register_url_convertor
from starlette.routing import Match

from valvecheck import __version__
from valvecheck.api import (
    activities,
    assessments,
    common,
    conditional,
    impact,
    measures,
    programme,
)
from valvecheck.api.core import (
    IF_NONE_MATCH,
    NOT_MODIFIED,
    PROBLEM,
    READ_HEADERS,
    ApiConfig,
    CsrfCheck,
    SessionActor,
    problem_response,
)
from valvecheck.store.db import Workspace

__all__ = ["router", "install", "openapi"]

router = APIRouter(prefix="/api")
# each operation lists the errors it can give (core.errors): a GET never answers 409
for area in (
    measures.router,
    programme.router,
    common.router,
    activities.router,
    assessments.router,
    impact.router,
):
    router.include_router(area)

_document: dict[str, Any] = {}


def openapi() -> dict[str, Any]:
    """The API's OpenAPI document (its routes only), errors typed as problem+json."""
    if _document:
        return _document
    doc = get_openapi(
        title="Valvecheck API",
        version=__version__,
        description="Measures from Safety Valve agreements, a council's ratings, activities and "
        "links. Authenticate with an API token (`Authorization: Bearer SECRET`) or the web "
        "app's session (state-changing requests then need the CSRF token). Errors are "
        "application/problem+json documents whose `code` is stable (see Problem). A path "
        "asked a method it does not answer gets 405 method-not-allowed with an `Allow` header; "
        "an address no operation has, 404 not-found.",
        routes=router.routes,
    )
    doc.setdefault("components", {}).setdefault("responses", {})["MethodNotAllowed"] = {
        "description": "The path does not answer this method (method-not-allowed); `Allow` "
        "lists the ones it does",
        "headers": {"Allow": {"schema": {"type": "string"}, "description": "e.g. GET, POST"}},
        "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for item in doc.get("paths", {}).values():
        if "get" in item:  # every read: an ETag, and 304 for If-None-Match (conditional)
            read = item["get"]
            read.setdefault("parameters", []).append(IF_NONE_MATCH)
            answers = read["responses"]
            answers["200"]["headers"] = {**READ_HEADERS, **answers["200"].get("headers", {})}
            answers["304"] = NOT_MODIFIED
            read["responses"] = dict(sorted(answers.items()))
        for operation in item.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status[:1] in "45" and "application/json" in content:
                    content[PROBLEM] = content.pop("application/json")
    _document.update(doc)
    return _document


@router.get("/openapi.json", include_in_schema=False)
def openapi_json() -> JSONResponse:
    return JSONResponse(openapi())


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


class AnyPath(PathConvertor):
    """Starlette's ``path``, but a line break in the address too (its ``.*`` stops at one), so
    that every address under /api, however odd, is answered here as problem+json."""

    regex = "(?s:.*)"


register_url_convertor("anypath", AnyPath())


@router.api_route("/{rest:anypath}", methods=list(METHODS), include_in_schema=False)
def not_an_endpoint(request: Request, rest: str) -> Response:
    """404 for an address no route has; 405 (with Allow) for a route asked the wrong method."""
    return unanswered(request, rest)


def unanswered(request: Request, rest: str) -> Response:
    """``not_an_endpoint``'s answer, for /api/``rest`` asked with any method (OPTIONS, TRACE
    and the like never reach a route: the web app's error handler asks here)."""
    allowed = [
        method
        for method in METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in router.routes
            if getattr(route, "endpoint", None) is not not_an_endpoint
        )
    ]
    if allowed:
        response = problem_response(
            405,
            f"/api/{rest} does not answer {request.method}; it answers {', '.join(allowed)}",
            "method-not-allowed",
        )
        response.headers["Allow"] = ", ".join(allowed)
    else:
        response = problem_response(404, f"there is no API endpoint /api/{rest}", "not-found")
    return conditional.without_body(response) if request.method == "HEAD" else response


def install(
    app: FastAPI,
    workspace: Workspace | None = None,
    *,
    session_actor: SessionActor | None = None,
    csrf_ok: CsrfCheck | None = None,
) -> None:
    """Mount the API on ``app``: its routes, its OpenAPI document, its workspace (default:
    ``app.state.ws``) and, inside the web app, how to find the signed-in person and check CSRF
    (default: the web app's own session, when ``app.state.sessions`` exists)."""
    app.state.valvecheck_api = ApiConfig(workspace, session_actor, csrf_ok)
    app.openapi = openapi  # type: ignore[method-assign]
    if not getattr(app.state, "valvecheck_api_routes", False):
        app.include_router(router)
        app.state.valvecheck_api_routes = True
