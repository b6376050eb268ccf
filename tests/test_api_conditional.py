"""Conditional reads on the JSON API, on SQLite and PostgreSQL: every read has an ETag, a read
naming it is 304 with no body until the answer changes, HEAD answers as GET without the body, and
one council's ETag never matches another's."""

from __future__ import annotations

import pytest
from api_support import Server, on_both_stores  # noqa: F401 (a fixture)
from web_support import site, site_template  # noqa: F401 (fixtures)

from valvecheck.api import openapi
from valvecheck.services import links
from valvecheck.services.workspace import unit_of_work

READS = [p for p, ops in openapi()["paths"].items() if "get" in ops]


@pytest.fixture
def srv(on_both_stores: Server) -> Server:  # noqa: F811 (the imported fixture)
    return on_both_stores


def address(s: Server, who: str, path: str) -> str:
    """``path`` with ids the council ``who`` reads: its current assessment (and another one,
    made for it, to compare with)."""
    found = s.client.get("/api/assessments", headers=s.as_(who)).json()
    (current,) = [a["id"] for a in found if a["current"]]
    other = next((a["id"] for a in found if not a["current"]), None)
    if other is None:
        made = s.client.post("/api/assessments", json={"name": "another"}, headers=s.as_(who))
        other = made.json()["id"]
    return (
        path.replace("{measure_id}", "bury-2")
        .replace("{activity_id}", "L-1")
        .replace("{fmt}", "md")
        .replace("{assessment_id}", str(current))
        .replace("/compare", f"/compare?a={other}&b={current}")
    )


def test_every_read_has_an_etag_kept_private_and_is_304_when_it_is_named(srv):
    assert len(READS) >= 12
    for path in READS:
        url = address(srv, "B-editor", path)
        read = srv.client.get(url, headers=srv.as_("B-editor"))
        assert read.status_code == 200, (url, read.text)
        tag = read.headers["etag"]
        assert tag.startswith('"') and tag.endswith('"') and len(tag) > 30, url
        assert read.headers["cache-control"] == "private, no-cache", url
        assert "Authorization" in read.headers["vary"], url
        again = srv.client.get(url, headers=srv.as_("B-editor", **{"If-None-Match": tag}))
        assert again.status_code == 304, url
        assert again.content == b"" and again.headers["etag"] == tag, url
        assert again.headers["cache-control"] == "private, no-cache", url


def test_if_none_match_takes_a_list_weak_tags_and_a_star(srv):
    a = srv.as_("A-viewer")
    tag = srv.client.get("/api/measures", headers=a).headers["etag"]

    def status(given: str) -> int:
        return srv.client.get("/api/measures", headers={**a, "If-None-Match": given}).status_code

    assert [status(given) for given in (f'"other", {tag}', f"W/{tag}", "*")] == [304, 304, 304]
    assert [status(given) for given in ('"other"', tag[:-2] + '"', "")] == [200, 200, 200]
    # only a successful read is ever 304: not one that is not found
    missing = srv.client.get("/api/measures/no-such-1", headers={**a, "If-None-Match": "*"})
    assert missing.status_code == 404 and "etag" not in missing.headers


def test_a_rating_saved_gives_each_read_of_it_a_new_etag(srv):
    c, a = srv.client, srv.as_("A-editor")
    urls = ("/api/measures", "/api/measures/bury-2", "/api/measures/bury-2/ratings", "/api/summary")
    before = {url: c.get(url, headers=a).headers["etag"] for url in urls}
    version = c.get("/api/measures/bury-2", headers=a).json()["version"]
    done = c.post(
        "/api/measures/bury-2/ratings",
        json={"rag": "red", "rationale": "slipped", "version": version},
        headers=a,
    )
    assert done.status_code == 201, done.text
    for url in urls:
        read = c.get(url, headers={**a, "If-None-Match": before[url]})
        assert read.status_code == 200 and read.content, url
        assert read.headers["etag"] != before[url], url
        assert c.get(url, headers={**a, "If-None-Match": read.headers["etag"]}).status_code == 304
    # the measure's ETag begins with its rating's version, which If-Match takes back whole
    tag = c.get("/api/measures/bury-2", headers=a).headers["etag"]
    assert tag.startswith(f'"{version + 1}.')
    again = c.post(
        "/api/measures/bury-2/ratings",
        json={"rag": "amber", "rationale": "recovering"},
        headers={**a, "If-Match": tag},
    )
    assert again.status_code == 201, again.text
    assert again.json()["version"] == version + 2


def test_a_change_that_leaves_the_version_changes_the_etag(srv):
    """Linking an activity changes what a measure reads (its activities) but not its rating's
    version: the ETag is of the whole answer, so a program does not keep the old one."""
    b = srv.as_("B-editor")
    read = srv.client.get("/api/measures/bury-3", headers=b)
    with unit_of_work(srv.ws, write=True, council="Leeds", by="leeds admin") as ctx:
        links.link(ctx, "L-1", "bury-3", "also this")
    after = srv.client.get(
        "/api/measures/bury-3", headers={**b, "If-None-Match": read.headers["etag"]}
    )
    version = read.json()["version"]
    assert after.status_code == 200 and after.json()["version"] == version
    assert after.json()["activities"] != read.json()["activities"]
    assert read.headers["etag"].startswith(f'"{version}.')
    assert after.headers["etag"].startswith(f'"{version}.')
    assert after.headers["etag"] != read.headers["etag"]


def test_head_answers_as_get_without_the_body(srv):
    a = srv.as_("A-viewer")
    for path in ("/api/measures", "/api/measures/bury-2", "/api/links", "/api/summary"):
        got = srv.client.get(path, headers=a)
        head = srv.client.head(path, headers=a)
        assert head.status_code == 200 and head.content == b"", path
        for name in ("etag", "content-type", "content-length", "cache-control"):
            assert head.headers[name] == got.headers[name], (path, name)
        assert head.headers["content-length"] == str(len(got.content))
        tagged = srv.client.head(path, headers={**a, "If-None-Match": got.headers["etag"]})
        assert tagged.status_code == 304 and tagged.content == b""
    refused = srv.client.head("/api/measures")
    assert refused.status_code == 401 and refused.content == b""
    assert refused.headers["www-authenticate"].startswith("Bearer")
    missing = srv.client.head("/api/nothing/here", headers=a)
    assert missing.status_code == 404 and missing.content == b""
    wrong = srv.client.head("/api/suggestions/accept", headers=a)
    assert wrong.status_code == 405 and wrong.headers["allow"] == "POST" and wrong.content == b""


def test_one_councils_etag_never_matches_anothers(srv):
    """The same bytes read by two councils (neither has linked bury-1) carry different ETags,
    and a council sending the other's is answered in full."""
    url = "/api/links?measure=bury-1"
    a = srv.client.get(url, headers=srv.as_("A-viewer"))
    b = srv.client.get(url, headers=srv.as_("B-editor"))
    assert a.content == b.content == b"[]"
    assert a.headers["etag"] != b.headers["etag"]
    for path in (url, "/api/measures", "/api/measures/bury-1", "/api/measures/bury-1/ratings"):
        theirs = srv.client.get(path, headers=srv.as_("A-viewer")).headers["etag"]
        mine = srv.client.get(path, headers=srv.as_("B-editor", **{"If-None-Match": theirs}))
        assert mine.status_code == 200 and mine.content, path
        assert mine.headers["etag"] != theirs, path
    # and a request refused is refused, whatever it names
    refused = srv.client.get(url, headers={"If-None-Match": a.headers["etag"]})
    assert refused.status_code == 401


def test_the_document_declares_etag_if_none_match_and_304_on_every_read():
    paths = openapi()["paths"]
    for path in READS:
        read = paths[path]["get"]
        assert "ETag" in read["responses"]["200"]["headers"], path
        assert "304" in read["responses"], path
        assert any(p["name"] == "If-None-Match" and p["in"] == "header" for p in read["parameters"])


def test_inside_the_web_app_reads_are_private_no_cache_and_head_works(site):  # noqa: F811
    ed, les = site.client("ed"), site.client("les")
    read = ed.get("/api/measures/bury-2")
    assert read.status_code == 200
    assert read.headers["cache-control"] == "private, no-cache"  # not the pages' no-store
    tag = read.headers["etag"]
    assert ed.get("/api/measures/bury-2", headers={"If-None-Match": tag}).status_code == 304
    assert les.get("/api/measures/bury-2", headers={"If-None-Match": tag}).status_code == 200
    head = ed.head("/api/measures/bury-2")
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == tag
    assert ed.get("/measures/bury-2").headers["cache-control"] == "no-store"  # a page: as it was
