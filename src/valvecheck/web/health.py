"""What operations need of the web app: ``GET /healthz``, and the client address for the log.

``/healthz`` answers 200 ``{"status": "ok"}`` when the database answers a trivial query (the
workspace's schema revision) and the schema is the one this version works with, and 503
``{"status": "unavailable"}`` otherwise, for load balancers and monitoring. No sign-in, no
session, and nothing about the database in the answer: anyone who can reach the server may ask.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Receive, Scope, Send

from valvecheck import logs
from valvecheck.errors import ValvecheckError

router = APIRouter(include_in_schema=False)  # not part of the JSON API


def install(app: FastAPI) -> None:
    """Add /healthz, and name each request's client address in the log's lines."""
    app.include_router(router)
    app.add_middleware(ClientAddress)
    logs.ensure_handler()


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    ws = request.app.state.ws
    try:
        ready = ws.revision() == ws.head()
    except (ValvecheckError, SQLAlchemyError):
        ready = False
    return JSONResponse(
        {"status": "ok" if ready else "unavailable"},
        status_code=200 if ready else 503,
        headers={"cache-control": "no-store"},
    )


class ClientAddress:
    """Sets the log's client address for the request (as uvicorn gives it: the proxy's
    X-Forwarded-For with --proxy-headers)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        token = logs.client_address.set(client[0] if client else None)
        try:
            await self.app(scope, receive, send)
        finally:
            logs.client_address.reset(token)
