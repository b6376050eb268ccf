"""The JSON API inside the web app: an error the framework raises before any endpoint runs (a
method no route takes, a body that cannot be parsed or is too large) is problem+json, as every
other API error is, never the web app's HTML page."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from web_support import site, site_template  # noqa: F401 (fixtures)

from valvecheck.importers.limits import MAX_BYTES
from valvecheck.services import tokens
from valvecheck.services.workspace import unit_of_work
from valvecheck.web import create_app

PROBLEM = "application/problem+json"


@pytest.fixture
def client(site):  # type: ignore[no-untyped-def]
    with unit_of_work(site.ws, write=True, council="Bristol", by="admin") as ctx:
        secret = tokens.create_token(ctx, "script", "editor").secret
    with TestClient(create_app(site.settings, site.ws)) as c:
        c.headers["Authorization"] = f"Bearer {secret}"
        yield c


def problem(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.text[:200]
    body = response.json()
    assert body["status"] == status and body["code"] == code and body["detail"]
    return body


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "PROPFIND"])
def test_a_method_no_route_takes_is_405_with_allow_or_404(client, method):
    asked = client.request(method, "/api/summary")
    assert "does not answer" in problem(asked, 405, "method-not-allowed")["detail"]
    assert asked.headers["allow"] == "GET, HEAD"
    problem(client.request(method, "/api/no-such-thing"), 404, "not-found")


def test_a_multipart_body_without_its_boundary_is_400_problem_json(client):
    garbled = client.post(
        "/api/activities/import",
        content=b"garbage",
        headers={"Content-Type": "multipart/form-data"},
    )
    problem(garbled, 400, "bad-request")


def test_a_body_over_the_limit_is_413_problem_json(client):
    huge = client.post(
        "/api/activities",
        content=b"x" * (MAX_BYTES + 128 * 1024),
        headers={"Content-Type": "application/json"},
    )
    assert "MB" in problem(huge, 413, "too-large")["detail"]


def test_the_pages_keep_their_own_error_pages(client):
    page = client.request("OPTIONS", "/measures")
    assert page.status_code == 405 and page.headers["content-type"].startswith("text/html")
