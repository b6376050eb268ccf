"""schemathesis against /api/openapi.json, in-process, as a signed-in token: no 5xx, and every
answer matches the document (status, content type, body). Bounded: a few examples per operation."""

from __future__ import annotations

import pytest
import schemathesis
from api_support import app_for, token, two_councils
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from valvecheck.api import openapi

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    ws = two_councils(str(tmp_path_factory.mktemp("schema") / "api.db"))
    secret = token(ws, "Bristol", "fuzz", "editor")
    yield app_for(ws), secret
    ws.dispose()


@pytest.fixture(scope="module")
def api_schema(served):
    app, _ = served
    return schemathesis.openapi.from_asgi("/api/openapi.json", app)


OPERATIONS = [(method, path) for path, item in openapi()["paths"].items() for method in item]


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_the_api_keeps_its_document(api_schema, served, method, path):
    _, secret = served
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=12,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        case.call_and_validate(headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS)

    call()
