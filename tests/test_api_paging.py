"""Paging the API's lists, on SQLite and PostgreSQL: ``offset`` and ``limit``, the total in
X-Total-Count and the next page in an RFC 8288 Link header. The lists that were JSON arrays stay
arrays, whole when no ``limit`` is given."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from api_support import Server, server
from conftest import APP_ROLE, PG_URL, pg_schema
from sqlalchemy.engine import make_url

from valvecheck.services import activities, links, ratings
from valvecheck.services.workspace import unit_of_work

ACTIVITIES = b"id,title\n" + b"".join(f"P-{i},Project {i}\n".encode() for i in range(1, 8))
# each a JSON array before paging came: (address, how many the setup below gives)
LISTS = [
    ("/api/activities", 7),
    ("/api/links", 7),
    ("/api/links?measure=bury-1", 4),
    ("/api/measures/bury-1/ratings", 5),
    ("/api/assessments", 6),
]


@contextmanager
def store(kind: str, folder: Path) -> Iterator[str]:
    """A SQLite file, or a fresh PostgreSQL schema as conftest's pg_url gives (for a module)."""
    if kind == "sqlite":
        yield str(folder / "api.db")
        return
    with pg_schema() as schema:
        url = make_url(PG_URL).set(username=APP_ROLE, password=None)
        url = url.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"], scope="module")
def srv(request, tmp_path_factory):
    # read only: one server per store for the module
    with store(request.param, tmp_path_factory.mktemp("paging")) as url, server(url) as s:
        with unit_of_work(s.ws, write=True, council="Bristol", by="admin") as ctx:
            activities.import_activities(ctx, ACTIVITIES, "projects.csv")
            for i in range(1, 5):
                links.link(ctx, f"P-{i}", "bury-1", "delivers it")
            for i in range(5, 8):
                links.link(ctx, f"P-{i}", "bury-2", "delivers it")
            for rag in ("red", "amber", "green", "amber", "red"):
                ratings.rate(ctx, "bury-1", rag, "moved")
            for year in range(2027, 2032):
                ratings.new_assessment(ctx, f"Bristol: {year}")
        yield s


def pages(s: Server, url: str, limit: int) -> tuple[list[list], list[str]]:
    """Every page from the first, following Link rel=next: their bodies and their totals."""
    bodies, totals = [], []
    joiner = "&" if "?" in url else "?"
    address: str | None = f"{url}{joiner}limit={limit}"
    while address is not None:
        page = s.client.get(address, headers=s.as_("A-viewer"))
        assert page.status_code == 200, page.text
        bodies.append(page.json())
        totals.append(page.headers["x-total-count"])
        link = page.headers.get("link")
        if link is None:
            address = None
        else:
            found = re.fullmatch(r'<(/api/[^>]+)>; rel="next"', link)
            assert found, link
            address = found.group(1)
        assert len(bodies) < 20
    return bodies, totals


@pytest.mark.parametrize(("url", "count"), LISTS, ids=[u for u, _ in LISTS])
def test_a_list_pages_by_limit_and_link_to_its_last_page(srv, url, count):
    whole = srv.client.get(url, headers=srv.as_("A-viewer"))
    assert whole.status_code == 200
    assert isinstance(whole.json(), list) and len(whole.json()) == count  # as it always was
    assert whole.headers["x-total-count"] == str(count) and "link" not in whole.headers
    bodies, totals = pages(srv, url, 3)
    assert [len(b) for b in bodies] == [min(3, count - i) for i in range(0, count, 3)]
    assert [item for body in bodies for item in body] == whole.json()
    assert set(totals) == {str(count)}
    exact = srv.client.get(
        f"{url}{'&' if '?' in url else '?'}limit={count}", headers=srv.as_("A-viewer")
    )
    assert len(exact.json()) == count and "link" not in exact.headers  # no next after the last


@pytest.mark.parametrize(("url", "count"), LISTS, ids=[u for u, _ in LISTS])
def test_an_offset_past_the_end_is_an_empty_last_page(srv, url, count):
    joiner = "&" if "?" in url else "?"
    past = srv.client.get(f"{url}{joiner}offset={count}&limit=2", headers=srv.as_("A-viewer"))
    assert past.status_code == 200 and past.json() == []
    assert past.headers["x-total-count"] == str(count) and "link" not in past.headers
    last = srv.client.get(f"{url}{joiner}offset={count - 1}&limit=2", headers=srv.as_("A-viewer"))
    assert len(last.json()) == 1 and "link" not in last.headers


def test_the_next_link_keeps_the_filters_and_the_limit(srv):
    page = srv.client.get("/api/links?measure=bury-1&limit=2", headers=srv.as_("A-viewer"))
    assert page.headers["link"] == '</api/links?measure=bury-1&limit=2&offset=2>; rel="next"'
    later = srv.client.get(
        "/api/links?offset=1&measure=bury-1&limit=2", headers=srv.as_("A-viewer")
    )
    assert later.headers["link"] == '</api/links?measure=bury-1&limit=2&offset=3>; rel="next"'


@pytest.mark.parametrize("url", [u for u, _ in LISTS])
@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("limit=0", "limit: Input should be greater than or equal to 1"),
        ("limit=1001", "limit: Input should be less than or equal to 1000"),
        ("limit=ten", "limit: Input should be a valid integer"),
        ("offset=-1", "offset: Input should be greater than or equal to 0"),
        ("limt=5", "limt: unknown query parameter; did you mean limit?"),
    ],
)
def test_a_bad_limit_or_offset_is_refused_naming_it(srv, url, query, says):
    joiner = "&" if "?" in url else "?"
    refused = srv.client.get(f"{url}{joiner}{query}", headers=srv.as_("A-viewer"))
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert body["code"] == "invalid-input" and body["detail"].startswith(says), body["detail"]
    assert body["field"] == query.split("=")[0]


@pytest.mark.parametrize("url", ["/api/measures", "/api/common"])
def test_the_lists_with_a_total_in_their_body_say_it_in_headers_too(srv, url):
    first = srv.client.get(f"{url}?limit=2", headers=srv.as_("A-viewer"))
    body = first.json()
    assert body["limit"] == 2 and first.headers["x-total-count"] == str(body["total"])
    assert body["total"] > 2
    assert first.headers["link"] == f'<{url}?limit=2&offset=2>; rel="next"'
    last = srv.client.get(f"{url}?limit=2&offset={body['total'] - 2}", headers=srv.as_("A-viewer"))
    assert "link" not in last.headers


def test_the_document_declares_the_paging_headers():
    from valvecheck.api import openapi

    paths = openapi()["paths"]
    for path in (
        "/api/activities",
        "/api/links",
        "/api/measures/{measure_id}/ratings",
        "/api/assessments",
        "/api/measures",
        "/api/common",
    ):
        read = paths[path]["get"]
        assert {"X-Total-Count", "Link"} <= set(read["responses"]["200"]["headers"]), path
        names = {p["name"] for p in read["parameters"]}
        assert {"offset", "limit"} <= names, path
