"""The web app in-process over a real SQLite workspace: two councils, people in each role.

Bristol (the seed's council) has its assessment with the seed's 10 ratings and two activities;
Leeds has its own assessment, one activity and its own people. Everyone's password is PASSWORD.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from xml.etree.ElementTree import Element

import html5lib
import pytest
from fastapi.testclient import TestClient

from valvecheck.services import activities, people, ratings
from valvecheck.services.workspace import init_workspace, unit_of_work
from valvecheck.settings import Settings
from valvecheck.store.db import Workspace
from valvecheck.web import create_app
from valvecheck.web.session import COOKIE

PASSWORD = "correct horse battery"
BRISTOL_ACTIVITIES = (
    b"ID,Name,Description,Owner,Status\n"
    b"B-1,SENCO network,Termly SENCO network meetings so schools keep pupils with complex "
    b"needs in mainstream classrooms,Inclusion lead,In progress\n"
    b"B-2,Resource bases,New resource bases in mainstream secondary schools for pupils with "
    b"SEMH needs,Place planning,Planned\n"
)
# B-1's edit form as a person opens it (what `edit_activity` compares a save with)
B1_OPENED = {
    "title": "SENCO network",
    "description": "Termly SENCO network meetings so schools keep pupils with complex "
    "needs in mainstream classrooms",
    "theme": "",
    "owner": "Inclusion lead",
    "status": "in_progress",
    "start": "",
    "end": "",
}
LEEDS_ACTIVITIES = b"ID,Name,Owner\nL-1,Leeds annual review backlog,SEND manager\n"


@dataclass
class Site:
    ws: Workspace
    settings: Settings
    bristol_assessment: int
    leeds_assessment: int
    people: dict[str, int]  # name -> person id

    def client(self, name: str | None = None) -> TestClient:
        """A browser of its own (own cookies), signed in as ``name`` unless None.

        The session cookie is made as the sign-in page makes it, with the server's key (signing
        in through the form costs a deliberately slow password check; tests of the form do it).
        """
        app = create_app(self.settings, self.ws)
        client = TestClient(app, follow_redirects=False)
        if name is not None:
            fresh = app.state.sessions.fresh(self.people[name], name)
            value = app.state.sessions._signer.dumps(asdict(fresh))
            # the domain the test client's cookie jar files the server's own cookies under
            client.cookies.set(COOKIE, value, domain="testserver.local")
        return client


def make_site(folder: Path, secure: bool = False, url: str | None = None) -> Site:
    """Bristol (ann admin, ed editor, vi viewer, two activities) and Leeds (lee, les), on a
    SQLite file in ``folder`` or on the database at ``url`` (a PostgreSQL schema's)."""
    ws = Workspace(url or str(folder / "web.db"))
    init_workspace(ws)
    ids: dict[str, int] = {}
    with unit_of_work(ws, write=True, by="setup") as ctx:
        people.add_council(ctx, "Leeds")
        for name, role in (("ann", "admin"), ("ed", "editor"), ("vi", "viewer")):
            ids[name] = people.add_person(ctx, name, role, "Bristol", PASSWORD).id
        for name, role in (("lee", "admin"), ("les", "editor")):
            ids[name] = people.add_person(ctx, name, role, "Leeds", PASSWORD).id
        activities.import_activities(ctx, BRISTOL_ACTIVITIES, "bristol.csv")
        bristol = ratings.current_assessment(ctx)
    with unit_of_work(ws, write=True, as_person="lee") as ctx:
        leeds = ratings.new_assessment(ctx, "Leeds: spring 2026")
        activities.import_activities(ctx, LEEDS_ACTIVITIES, "leeds.csv")
        ratings.rate(ctx, "bury-2", "green", "Leeds secret rationale")
    assert bristol is not None
    config = Settings(secret_key="test-key-" + "x" * 40, cookie_secure=secure)
    return Site(ws, config, bristol.id, leeds.id, ids)


@pytest.fixture(scope="session")
def site_template(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """Built once per test process (password hashing is slow on purpose); copied per test."""
    found = make_site(tmp_path_factory.mktemp("web-template"))
    found.ws.dispose()
    return found


@pytest.fixture
def site(site_template: Site, tmp_path: Path) -> Iterator[Site]:
    source = Path(site_template.ws.engine.url.database or "")
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", tmp_path / f"web.db{suffix}")
    found = replace(site_template, ws=Workspace(str(tmp_path / "web.db")))
    yield found
    found.ws.dispose()


def page(response) -> Element:  # type: ignore[no-untyped-def]
    """The response's HTML as a tree (html5lib parses as a browser does)."""
    return html5lib.parse(response.text, namespaceHTMLElements=False)


def text(element: Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def heading(response) -> str:  # type: ignore[no-untyped-def]
    return text(page(response).find(".//h1"))


def by_id(response, element_id: str) -> Element | None:  # type: ignore[no-untyped-def]
    return page(response).find(f".//*[@id='{element_id}']")


def csrf_of(client: TestClient, path: str = "/login") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    token = csrf_of(client, "/login")
    response = client.post(
        "/login", data={"username": name, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, response.text
    return response


def post(
    client: TestClient,
    path: str,
    data: dict[str, object] | None = None,
    files=None,
    token_from: str = "/",
):  # type: ignore[no-untyped-def]
    """A form post as the browser sends it: with the CSRF token of the signed-in session."""
    form = {"csrf_token": csrf_of(client, token_from), **(data or {})}
    return client.post(path, data=form, files=files)


def title(response) -> str:  # type: ignore[no-untyped-def]
    """The page's <title>, as a browser's tab and a screen reader say it."""
    return text(page(response).find(".//title"))


def asgi_post(app, path: str, chunks, headers=()) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """POST a multipart body in chunks, with no Content-Length (chunked framing), straight to
    the app: (its answer's status, how many chunks the app read). ``headers``: more of them, as
    (name, value) bytes."""
    from concurrent.futures import ThreadPoolExecutor

    import anyio

    found = {"status": 0, "reads": 0}

    async def run() -> None:
        source = iter(chunks)

        async def receive():  # type: ignore[no-untyped-def]
            body = next(source, None)
            if body is None:
                return {"type": "http.request", "body": b"", "more_body": False}
            found["reads"] += 1
            return {"type": "http.request", "body": body, "more_body": True}

        async def send(message) -> None:  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start":
                found["status"] = message["status"]

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"content-type", b"multipart/form-data; boundary=XB"),
                (b"host", b"testserver"),
                *headers,
            ],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        await app(scope, receive, send)

    # in a thread of its own: a browser test's event loop may still be running in this one (the
    # same xdist worker), and anyio refuses to start a second loop in a thread
    with ThreadPoolExecutor(1) as pool:
        pool.submit(anyio.run, run).result()
    return found["status"], found["reads"]


@pytest.fixture
def fresh(tmp_path):  # type: ignore[no-untyped-def]
    """A new workspace (the seed's council Bristol, nobody with an account) and a browser."""
    ws = Workspace(str(tmp_path / "fresh.db"))
    init_workspace(ws)
    yield ws, TestClient(create_app(Settings(secret_key="k" * 40), ws), follow_redirects=False)
    ws.dispose()
