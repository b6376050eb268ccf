"""The API review's findings (an adviser scripting against /api): typos refused, not ignored;
links need the version read; 409s say which conflict; reports named as the web names them; the
endpoints the web app has; tokens that can be replaced under their name and say when last used;
docs/api.md listing every endpoint."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from api_support import Server, on_both_stores, server  # noqa: F401 (a fixture)

from valvecheck.api import openapi
from valvecheck.errors import Conflict, exit_status, http_status
from valvecheck.services import catalogue, tokens
from valvecheck.services.reports import download_name, report_day
from valvecheck.services.workspace import init_workspace, unit_of_work
from valvecheck.store.db import Workspace

PROBLEM = "application/problem+json"
DOCS = Path(__file__).resolve().parents[1] / "docs" / "api.md"


@pytest.fixture
def srv(tmp_path):
    with server(str(tmp_path / "api.db")) as s:
        yield s


@pytest.fixture
def both(on_both_stores: Server) -> Server:  # noqa: F811 (the imported fixture)
    return on_both_stores


def problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["code"] == code, body
    return body


def ids(s: Server, who: str) -> dict[str, int]:
    return {a["name"]: a["id"] for a in s.client.get("/api/assessments", headers=s.as_(who)).json()}


def version_of(s: Server, who: str, measure: str) -> int:
    return s.client.get(f"/api/measures/{measure}", headers=s.as_(who)).json()["version"]


# -- 1. unknown fields and query parameters -------------------------------------------------------


def test_a_misspelt_body_field_is_refused_naming_it_and_nothing_is_saved(srv):
    c, a = srv.client, srv.as_("A-editor")
    before = version_of(srv, "A-editor", "bury-3")
    body = {"rag": "red", "rationle": "typo in field name", "version": before}
    refused = problem(
        c.post("/api/measures/bury-3/ratings", json=body, headers=a), 422, "invalid-input"
    )
    assert refused["field"] == "rationle"
    assert refused["detail"] == "rationle: unknown field; did you mean rationale?"
    assert version_of(srv, "A-editor", "bury-3") == before


WRITES = [
    ("/api/measures/bury-1/ratings", {"rag": "red", "version": 0}),
    ("/api/links", {"activity": "B-1", "measure": "bury-1", "version": 0}),
    ("/api/suggestions/accept", {"pairs": []}),
    ("/api/assessments", {"name": "Bristol: spare"}),
    ("/api/measures/bury-1/equivalence", {"other": "stoke-on-trent-2", "decision": "same"}),
]


@pytest.mark.parametrize(("path", "body"), WRITES, ids=[p for p, _ in WRITES])
def test_every_request_body_refuses_a_field_it_does_not_know(srv, path, body):
    refused = srv.client.post(path, json={**body, "colour": "x"}, headers=srv.as_("A-admin"))
    assert problem(refused, 422, "invalid-input")["field"] == "colour"
    assert "colour: unknown field" in refused.json()["detail"]


def test_a_misspelt_field_inside_a_list_is_named_where_it_is(srv):
    pairs = [{"activty": "L-1", "measure": "bury-2"}]
    refused = srv.client.post(
        "/api/suggestions/accept", json={"pairs": pairs}, headers=srv.as_("B-editor")
    )
    detail = problem(refused, 422, "invalid-input")["detail"]
    assert detail.startswith("pairs.0.activty: unknown field; did you mean activity?"), detail


@pytest.mark.parametrize(
    ("url", "named", "hint"),
    [
        ("/api/measures?due-before=2022-04-01", "due-before", "did you mean due_before?"),
        ("/api/measures?sort=due", "sort", "it takes "),
        ("/api/links?activty=L-1", "activty", "did you mean activity?"),
        ("/api/summary?assesment=1", "assesment", "it takes none"),
    ],
)
def test_an_unknown_query_parameter_is_refused_naming_it(srv, url, named, hint):
    body = problem(srv.client.get(url, headers=srv.as_("A-viewer")), 422, "invalid-input")
    assert body["field"] == named and body["detail"].startswith(f"{named}: unknown query parameter")
    assert hint in body["detail"], body["detail"]


def test_known_query_parameters_still_filter(srv):
    due = srv.client.get("/api/measures?due_before=2022-04-01", headers=srv.as_("A-viewer"))
    everything = srv.client.get("/api/measures", headers=srv.as_("A-viewer"))
    assert due.status_code == 200 and due.json()["total"] < everything.json()["total"]


# -- 2. a link change names the version read -----------------------------------------------------


def test_a_link_change_without_a_version_is_refused_as_a_rating_is(srv):
    c, b = srv.client, srv.as_("B-editor")
    change = {"activity": "L-1", "measure": "bury-2", "linked": False}
    refused = problem(c.post("/api/links", json=change, headers=b), 422, "invalid-input")
    assert refused["field"] == "version" and "say which version of the link" in refused["detail"]
    assert c.get("/api/links?current=true", headers=b).json()[0]["measure"] == "bury-2"
    # If-Match does as the version field does
    done = c.post("/api/links", json=change, headers={**b, "If-Match": '"1"'})
    assert done.status_code == 201 and done.json()["version"] == 2
    stale = c.post("/api/links", json={**change, "linked": True}, headers={**b, "If-Match": "1"})
    assert problem(stale, 409, "stale-version")["version"] == 2
    deploy = (DOCS.parent / "deploy.md").read_text()
    assert "(`POST /api/links`)" in deploy and "takes the `version`" in deploy


# -- 3. which conflict ----------------------------------------------------------------------------


def test_a_stale_version_says_so_and_gives_the_version_it_is_at(both):
    c, a = both.client, both.as_("A-editor")
    read = version_of(both, "A-editor", "bury-2")
    first = c.post(
        "/api/measures/bury-2/ratings", json={"rag": "amber", "version": read}, headers=a
    )
    assert first.status_code == 201
    stale = c.post("/api/measures/bury-2/ratings", json={"rag": "red", "version": read}, headers=a)
    body = problem(stale, 409, "stale-version")
    assert body["version"] == read + 1 and stale.headers["etag"] == f'"{read + 1}"'
    assert body["field"] == "version"


def test_a_locked_assessment_an_existing_name_and_an_existing_link_each_have_their_code(srv):
    c, admin, b = srv.client, srv.as_("A-admin"), srv.as_("B-editor")
    taken = c.post("/api/assessments", json={"name": "Leeds: autumn"}, headers=b)
    assert problem(taken, 409, "already-exists")["field"] == "name"
    again = {"activity": "L-1", "measure": "bury-2", "version": 1}
    problem(c.post("/api/links", json=again, headers=b), 409, "already-linked")
    (bristol,) = ids(srv, "A-admin").values()
    assert c.post(f"/api/assessments/{bristol}/lock", headers=admin).status_code == 200
    read = version_of(srv, "A-admin", "bury-4")
    locked = c.post(
        "/api/measures/bury-4/ratings", json={"rag": "red", "version": read}, headers=admin
    )
    assert problem(locked, 409, "locked")["version"] is None


@pytest.mark.parametrize("reason", ["stale-version", "locked", "already-exists", "conflict"])
def test_every_conflict_keeps_the_cli_exit_status_and_http_status(reason):
    assert (
        exit_status(Conflict("x", reason=reason)),
        http_status(Conflict("x", reason=reason)),
    ) == (4, 409)
    assert Conflict("x", reason=reason).code == "conflict"  # what the web app and CLI read


def test_the_problem_schema_lists_every_code():
    described = openapi()["components"]["schemas"]["Problem"]["properties"]["code"]["description"]
    for code in ("stale-version", "locked", "already-exists", "method-not-allowed", "not-found"):
        assert code in described


# -- 4. report names ------------------------------------------------------------------------------


def test_a_report_by_the_api_is_named_as_the_web_app_names_it(srv):
    c, b = srv.client, srv.as_("B-editor")
    made = c.post("/api/assessments", json={"name": "Leeds: spring 2027"}, headers=b).json()
    names = {}
    for name, number in ids(srv, "B-editor").items():
        got = c.get(f"/api/assessments/{number}/reports/md", headers=b)
        assert got.status_code == 200, got.text
        names[name] = got.headers["content-disposition"]
    with unit_of_work(srv.ws, council="Leeds") as ctx:
        day = report_day(ctx, "Leeds: spring 2027")
    expected = download_name("report.md", "Leeds: spring 2027", day)
    assert expected == f"report-leeds-spring-2027-{day.isoformat()}.md"
    assert f"filename*=UTF-8''{expected}" in names[made["name"]]
    assert len(set(names.values())) == 2  # two assessments' papers never share a name
    dated = c.get(f"/api/assessments/{made['id']}/reports/md?on={day.isoformat()}", headers=b)
    assert expected in dated.headers["content-disposition"]


def test_the_web_app_names_its_downloads_with_the_same_function():
    source = (Path(__file__).resolve().parents[1] / "src/valvecheck/web/reports.py").read_text()
    assert "download_name(" in source and "slugify" not in source


# -- 5. equivalence times -------------------------------------------------------------------------


def test_an_equivalence_decision_is_timed_in_utc_on_every_database(both):
    body = {"other": "stoke-on-trent-2", "decision": "same", "rationale": "same words"}
    done = both.client.post(
        "/api/measures/bury-5/equivalence", json=body, headers=both.as_("A-admin")
    )
    assert done.status_code == 200, done.text
    assert done.json()["at"].endswith("Z")
    (decided,) = both.client.get("/api/common", headers=both.as_("A-viewer")).json()["decisions"]
    assert decided["at"].endswith("Z") and decided["measure"] == "bury-5"


# -- 6. messages without a field ------------------------------------------------------------------


@pytest.mark.parametrize(
    "send",
    [
        {"data": {"rag": "amber"}},
        {"content": b"", "headers": {"content-type": "application/json"}},
        {"json": ["amber"]},
    ],
    ids=["form", "empty", "list"],
)
def test_a_body_that_is_not_a_json_object_says_so(srv, send):
    headers = {**srv.as_("A-editor"), **send.pop("headers", {})}
    refused = srv.client.post("/api/assessments", headers=headers, **send)
    body = problem(refused, 422, "invalid-input")
    assert body["detail"] == (
        "the request body must be a JSON object (Content-Type: application/json)"
    )


def test_a_bad_date_says_how_to_write_one(srv):
    (number,) = ids(srv, "A-viewer").values()
    refused = srv.client.get(
        f"/api/assessments/{number}/reports/html?on=06/12/2026", headers=srv.as_("A-viewer")
    )
    assert problem(refused, 422, "invalid-input")["detail"] == "on: use a date as YYYY-MM-DD"


# -- 7. statuses and Location ---------------------------------------------------------------------


def test_created_things_answer_201_with_where_to_read_them(srv):
    c, a, b = srv.client, srv.as_("A-editor"), srv.as_("B-editor")
    made = c.post("/api/assessments", json={"name": "Bristol: 2027"}, headers=a)
    assert made.status_code == 201
    assert c.get(made.headers["location"], headers=a).json()["name"] == "Bristol: 2027"
    body = {"rag": "red", "version": version_of(srv, "A-editor", "bury-1")}
    rated = c.post("/api/measures/bury-1/ratings", json=body, headers=a)
    assert rated.status_code == 201, rated.text
    history = c.get(rated.headers["location"], headers=a).json()
    assert history[-1]["version"] == rated.json()["version"]
    unlinked = c.post(
        "/api/links",
        json={"activity": "l-1", "measure": "BURY-2", "linked": False, "version": 1},
        headers=b,
    )
    assert unlinked.headers["location"] == "/api/links?activity=L-1&measure=bury-2"
    assert [e["version"] for e in c.get(unlinked.headers["location"], headers=b).json()] == [1, 2]
    accepted = c.post("/api/suggestions/accept", json={"pairs": []}, headers=b)
    assert accepted.status_code == 201 and accepted.json() == []


# -- 8. the OpenAPI document ----------------------------------------------------------------------


def test_if_match_and_etag_are_declared_where_they_are_used():
    paths = openapi()["paths"]
    for path in ("/api/measures/{measure_id}/ratings", "/api/links"):
        params = paths[path]["post"]["parameters"]
        assert any(p["in"] == "header" and p["name"] == "If-Match" for p in params), path
    for path in ("/api/measures/{measure_id}", "/api/measures/{measure_id}/ratings"):
        assert "ETag" in paths[path]["get"]["responses"]["200"]["headers"], path
    assert "Location" in paths["/api/assessments"]["post"]["responses"]["201"]["headers"]


def test_each_operation_lists_only_the_errors_it_can_give():
    paths = openapi()["paths"]
    for path, item in paths.items():
        for method, op in item.items():
            statuses = set(op["responses"])
            if method == "get":
                assert not statuses & {"403", "409"}, f"GET {path}"
            else:
                assert "403" in statuses, f"{method} {path}"
    assert "404" not in paths["/api/activities"]["get"]["responses"]
    described = paths["/api/measures/{measure_id}/ratings"]["post"]["responses"]["409"]
    assert "stale-version" in described["description"] and "locked" in described["description"]
    assert "MethodNotAllowed" in openapi()["components"]["responses"]
    assert "405" in openapi()["info"]["description"]


def test_operation_ids_are_names_a_generated_client_can_use():
    found = [op["operationId"] for item in openapi()["paths"].values() for op in item.values()]
    assert len(found) == len(set(found))
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", i) for i in found), found
    assert {"rate_measure", "list_measures", "change_link", "use_assessment"} <= set(found)


# -- 9. what the web app could do and the API could not -------------------------------------------


def test_an_assessment_is_made_current_through_the_api(srv):
    c, a, v = srv.client, srv.as_("A-editor"), srv.as_("A-viewer")
    made = c.post("/api/assessments", json={"name": "Bristol: 2027"}, headers=a).json()
    assert not made["current"]
    problem(c.post(f"/api/assessments/{made['id']}/use", headers=v), 403, "forbidden")
    used = c.post(f"/api/assessments/{made['id']}/use", headers=a)
    assert used.status_code == 200 and used.json()["current"]
    assert c.get("/api/summary", headers=v).json()["assessment"] == "Bristol: 2027"
    leeds = ids(srv, "B-editor")["Leeds: autumn"]
    problem(c.post(f"/api/assessments/{leeds}/use", headers=a), 404, "not-found")


def test_two_assessments_are_compared_through_the_api(srv):
    c, a = srv.client, srv.as_("A-editor")
    (old,) = ids(srv, "A-editor").values()
    new = c.post("/api/assessments", json={"name": "Next", "carry_from": old}, headers=a).json()
    read = c.get(f"/api/measures/bury-1?assessment={new['id']}", headers=a).json()
    rag = "red" if read["rag"] == "green" else "green"
    body = {"rag": rag, "rationale": "moved", "version": read["version"]}
    rated = c.post(f"/api/measures/bury-1/ratings?assessment={new['id']}", json=body, headers=a)
    assert rated.status_code == 201, rated.text
    found = c.get(f"/api/assessments/compare?a={old}&b={new['id']}", headers=a).json()
    assert [m["measure"] for m in found["moved"]] == ["bury-1"]
    assert found["moved"][0]["after"] == rag and found["a"]["id"] == old
    assert found["better"] + found["worse"] + found["changed"] == 1
    problem(c.get(f"/api/assessments/compare?a={old}&b={old}", headers=a), 422, "invalid-input")
    problem(c.get(f"/api/assessments/compare?a={old}", headers=a), 422, "invalid-input")
    assert found["only_a"] == found["only_b"] == []


def test_a_comparison_with_a_locked_assessment_lists_the_measures_imported_since(srv):
    c, a = srv.client, srv.as_("A-admin")
    (old,) = ids(srv, "A-editor").values()
    assert c.post(f"/api/assessments/{old}/lock", headers=a).status_code == 200
    new = c.post("/api/assessments", json={"name": "Next", "carry_from": old}, headers=a).json()
    kent = "LA,Recommendation\nKent,Open two resourced provisions.\n"
    with unit_of_work(srv.ws, write=True, council="Bristol", by="admin") as ctx:
        catalogue.import_catalogue(ctx, kent.encode(), "kent.csv")
    found = c.get(f"/api/assessments/compare?a={old}&b={new['id']}", headers=a).json()
    assert found["only_a"] == []
    assert found["only_b"] == [
        {
            "measure": "kent-1",
            "la": "Kent",
            "text": "Open two resourced provisions.",
            "rag": "unrated",
        }
    ]
    assert sum(found["b_rag"].values()) == sum(found["a_rag"].values()) + 1
    back = c.get(f"/api/assessments/compare?a={new['id']}&b={old}", headers=a).json()
    assert [m["measure"] for m in back["only_a"]] == ["kent-1"] and back["only_b"] == []


def test_common_measures_and_impact_are_read_through_the_api(srv):
    c, v = srv.client, srv.as_("A-viewer")
    common = c.get("/api/common?min_prevalence=2", headers=v).json()
    assert common["total"] == len(common["groups"]) > 0
    assert all(g["prevalence"] >= 2 for g in common["groups"])
    bury4 = next(g for g in common["groups"] if "bury-4" in g["members"])
    assert "stoke-on-trent-5" in bury4["members"]
    impact = c.get("/api/impact", headers=v)
    assert impact.status_code == 200, impact.text
    assert impact.json()["currency"] == "GBP" and impact.json()["assessment"]
    # a day to come is refused, as a report's date is (it would be today's figures, misdated)
    from datetime import date, timedelta

    tomorrow = date.today() + timedelta(days=2)
    problem(c.get(f"/api/impact?on={tomorrow}", headers=v), 422, "invalid-input")


def test_links_are_filtered_by_activity_measure_and_time(srv):
    c, b = srv.client, srv.as_("B-editor")
    change = {"activity": "L-1", "measure": "bury-2", "linked": False, "version": 1}
    assert c.post("/api/links", json=change, headers=b).status_code == 201
    assert len(c.get("/api/links?activity=l-1", headers=b).json()) == 2
    assert c.get("/api/links?measure=bury-3", headers=b).json() == []
    assert len(c.get("/api/links?measure=bury-2&current=false", headers=b).json()) == 2
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert c.get(f"/api/links?since={tomorrow}", headers=b).json() == []
    assert len(c.get("/api/links?since=2020-01-01T00:00:00Z", headers=b).json()) == 2
    problem(c.get("/api/links?activity=nope", headers=b), 404, "not-found")
    problem(c.get("/api/links?measure=nope-1", headers=b), 404, "not-found")


def test_an_activities_file_is_imported_through_the_api(srv):
    c, b = srv.client, srv.as_("B-editor")
    good = b"id,title,description\nL-2,Leeds outreach,Specialist teachers visit schools\n"
    files = {"file": ("programme.csv", good, "text/csv")}
    preview = c.post("/api/activities/import", files=files, data={"preview": "true"}, headers=b)
    assert preview.status_code == 200, preview.text
    assert preview.json()["new"] == [{"id": "L-2", "title": "Leeds outreach"}]
    assert len(c.get("/api/activities", headers=b).json()) == 1  # a preview writes nothing
    # a misspelt form field is refused, naming it: "preveiw" imported for real (a QA pass)
    typo = c.post("/api/activities/import", files=files, data={"preveiw": "true"}, headers=b)
    body = problem(typo, 422, "invalid-input")
    assert body["detail"] == "preveiw: unknown form field; did you mean preview?"
    assert len(c.get("/api/activities", headers=b).json()) == 1  # nothing imported
    done = c.post("/api/activities/import", files=files, headers=b)
    assert done.status_code == 200 and done.json()["added"] == 1
    # what it did, listed as the preview listed what it would do
    assert done.json()["new"] == [{"id": "L-2", "title": "Leeds outreach"}]
    assert len(c.get("/api/activities", headers=b).json()) == 2
    renamed = {"file": ("programme.csv", good.replace(b"Leeds outreach", b"Outreach"), "text/csv")}
    again = c.post("/api/activities/import", files=renamed, headers=b).json()
    assert (again["new"], again["updated"]) == ([], 1)
    assert again["changes"] == [
        {"activity": "L-2", "field": "Title", "before": "Leeds outreach", "after": "Outreach"}
    ]
    bad = b"id,title,status\nL-3,Leeds hubs,Nearly there\n"
    refused = c.post(
        "/api/activities/import", files={"file": ("bad.csv", bad, "text/csv")}, headers=b
    )
    body = problem(refused, 422, "import-rejected")
    (first,) = body["problems"]
    assert first["file"] == "bad.csv" and first["line"] == 2 and first["column"] == "status"
    problem(
        c.post("/api/activities/import", files=files, headers=srv.as_("A-viewer")),
        403,
        "forbidden",
    )


# -- 10. tokens -----------------------------------------------------------------------------------


def test_a_revoked_tokens_name_is_given_to_its_replacement(srv):
    with unit_of_work(srv.ws, write=True, council="Bristol", by="admin") as ctx:
        tokens.revoke_token(ctx, "a-viewer")
        again = tokens.create_token(ctx, "a-viewer", "viewer")
    old = srv.client.get("/api/summary", headers=srv.as_("A-viewer"))
    problem(old, 401, "unauthenticated")
    new = srv.client.get("/api/summary", headers={"Authorization": f"Bearer {again.secret}"})
    assert new.status_code == 200
    with unit_of_work(srv.ws, write=True, council="Bristol", by="admin") as ctx:
        listed = [(t.name, t.revoked) for t in tokens.list_tokens(ctx) if t.name == "a-viewer"]
        assert listed == [("a-viewer", True), ("a-viewer", False)]
        with pytest.raises(Conflict) as taken:
            tokens.create_token(ctx, "a-viewer", "viewer")
        assert taken.value.reason == "already-exists"
        assert tokens.revoke_token(ctx, "a-viewer").revoked  # the live one
    problem(
        srv.client.get("/api/summary", headers={"Authorization": f"Bearer {again.secret}"}),
        401,
        "unauthenticated",
    )


def last_used(ws: Workspace, name: str) -> datetime | None:
    with unit_of_work(ws, council="Bristol", by="admin") as ctx:
        (found,) = [t for t in tokens.list_tokens(ctx) if t.name == name and not t.revoked]
        return found.last_used_at


def test_a_tokens_last_use_is_noted_at_most_once_a_minute(both):
    assert last_used(both.ws, "a-viewer") is None
    assert both.client.get("/api/summary", headers=both.as_("A-viewer")).status_code == 200
    first = last_used(both.ws, "a-viewer")
    assert first is not None and datetime.now(UTC) - first < timedelta(minutes=1)
    secret = both.tokens["A-viewer"]
    tokens.authenticate(both.ws, secret, now=first + timedelta(seconds=59))
    assert last_used(both.ws, "a-viewer") == first  # not a write per request
    later = first + timedelta(minutes=2)
    tokens.authenticate(both.ws, secret, now=later)
    assert last_used(both.ws, "a-viewer") == later
    assert last_used(both.ws, "a-editor") is None


def test_tokens_list_shows_when_each_was_last_used(srv, cli, tmp_path):
    assert srv.client.get("/api/summary", headers=srv.as_("A-viewer")).status_code == 200
    code, out, err = cli("--council", "Bristol", "tokens", "list", db=str(tmp_path / "api.db"))
    assert code == 0, err
    assert "Last used" in out
    assert re.search(r"a-viewer.*\d{4}-\d\d-\d\d \d\d:\d\d", out), out
    assert re.search(r"a-editor.*never", out), out


def test_the_token_migration_goes_down_and_up_again(tmp_path):
    path = str(tmp_path / "w.db")
    ws = Workspace(path)
    init_workspace(ws)
    with unit_of_work(ws, write=True, by="admin") as ctx:
        tokens.create_token(ctx, "dashboard")
        tokens.revoke_token(ctx, "dashboard")
        tokens.create_token(ctx, "dashboard")
    ws.downgrade("0010")
    with sqlite3.connect(path) as conn:
        kept = conn.execute("SELECT name, revoked_at IS NULL FROM api_token").fetchall()
    assert kept == [("dashboard", 1)]  # the replacement; the revoked one it replaced is gone
    ws.migrate()
    assert ws.revision() == ws.head()
    ws.dispose()


def test_docs_say_tokens_are_the_councils():
    cli_docs = (DOCS.parent / "cli.md").read_text()
    assert "outlive" in cli_docs and "last used" in cli_docs.lower()


# -- 11. docs/api.md ------------------------------------------------------------------------------


def documented() -> set[tuple[str, str]]:
    return {
        (method, path)
        for method, path in re.findall(
            r"^\| `(GET|POST|PUT|PATCH|DELETE) (/api/[^`]*)`", DOCS.read_text(), re.MULTILINE
        )
    }


def routed() -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in openapi()["paths"].items() for method in item}


def test_docs_api_md_lists_every_endpoint_and_no_other(srv):
    assert routed() == documented()
    for method, path in documented():  # each one answers: asks for credentials, not 404/405
        url = re.sub(r"\{[a-z_]+\}", "1", path).replace("/reports/1", "/reports/md")
        problem(srv.client.request(method, url), 401, "unauthenticated")


def test_docs_api_md_is_linked_from_the_readme():
    readme = (DOCS.parents[1] / "README.md").read_text()
    web_app = readme.split("## The web app", 1)[1].split("\n## ", 1)[0]
    assert "docs/api.md" in web_app


def test_a_download_is_named_by_its_assessment_and_day():
    assert download_name("report.xlsx", "Bristol: spring", date(2026, 12, 6)) == (
        "report-bristol-spring-2026-12-06.xlsx"
    )
