"""Two councils on one server, with tokens, and an in-process client of the JSON API."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from valvecheck import api
from valvecheck.services import activities, links, people, ratings, tokens
from valvecheck.services.workspace import init_workspace, unit_of_work
from valvecheck.store.db import Workspace

ACTIVITIES_B = b"id,title,description\nL-1,Leeds inclusion hubs,Support mainstream schools\n"


@dataclass
class Server:
    ws: Workspace
    client: TestClient
    tokens: dict[str, str]  # "A-editor", "A-viewer", "B-editor" -> secret

    def as_(self, who: str, **headers: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}", **headers}


def token(ws: Workspace, council: str, name: str, role: str) -> str:
    with unit_of_work(ws, write=True, council=council, by="admin") as ctx:
        return tokens.create_token(ctx, name, role).secret


def two_councils(url: str) -> Workspace:
    """Bristol (the seed's council and assessment) and Leeds with its own assessment, a rating
    and an activity linked to a measure."""
    ws = Workspace(url)
    init_workspace(ws, council="Leeds")
    with unit_of_work(ws, write=True, council="Leeds", by="leeds admin") as ctx:
        ratings.new_assessment(ctx, "Leeds: autumn", use=True)
        ratings.rate(ctx, "bury-2", "green", "Leeds hubs")
        activities.import_activities(ctx, ACTIVITIES_B, "leeds.csv")
        links.link(ctx, "L-1", "bury-2", "hubs deliver it")
        people.add_person(ctx, "lee", "editor")
    return ws


def app_for(ws: Workspace) -> FastAPI:
    app = FastAPI()
    api.install(app, ws)
    return app


@contextmanager
def server(url: str) -> Iterator[Server]:
    ws = two_councils(url)
    secrets = {
        "A-editor": token(ws, "Bristol", "a-editor", "editor"),
        "A-viewer": token(ws, "Bristol", "a-viewer", "viewer"),
        "A-admin": token(ws, "Bristol", "a-admin", "admin"),
        "B-editor": token(ws, "Leeds", "b-editor", "editor"),
    }
    with TestClient(app_for(ws)) as client:
        yield Server(ws, client, secrets)
    ws.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def on_both_stores(request: pytest.FixtureRequest, tmp_path) -> Iterator[Server]:  # type: ignore[no-untyped-def]
    """The two councils' server on a SQLite file, then on PostgreSQL (pg_url: a schema of its
    own)."""
    url = (
        str(tmp_path / "api.db") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    )
    with server(url) as s:
        yield s
