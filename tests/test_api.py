"""The JSON API, in-process on SQLite and PostgreSQL: credentials, councils, versions, errors."""

from __future__ import annotations

import io

import openpyxl
import pytest
from api_support import Server, on_both_stores  # noqa: F401 (a fixture)
from sqlalchemy import func, select

from valvecheck.api import openapi
from valvecheck.services import tokens
from valvecheck.services.workspace import unit_of_work
from valvecheck.store.models import LinkEventRow, RatingRow

PROBLEM = "application/problem+json"


@pytest.fixture
def srv(on_both_stores: Server) -> Server:  # noqa: F811 (the imported fixture)
    return on_both_stores


def ids(s: Server, who: str) -> dict[str, int]:
    found = s.client.get("/api/assessments", headers=s.as_(who)).json()
    return {a["name"]: a["id"] for a in found}


def problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["code"] == code and body["detail"]
    return body


GETS = [p for p, ops in openapi()["paths"].items() if "get" in ops]


def concrete(path: str) -> str:
    return (
        path.replace("{measure_id}", "bury-1")
        .replace("{assessment_id}", "1")
        .replace("{activity_id}", "L-1")
        .replace("{fmt}", "md")
    )


def test_no_credentials_is_401_everywhere(srv):
    assert len(GETS) >= 10
    for path in GETS:
        response = srv.client.get(concrete(path))
        problem(response, 401, "unauthenticated")
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_writes_without_credentials_are_401(srv):
    problem(
        srv.client.post("/api/measures/bury-1/ratings", json={"rag": "red", "version": 0}),
        401,
        "unauthenticated",
    )
    problem(
        srv.client.post("/api/links", json={"activity": "L-1", "measure": "bury-1"}),
        401,
        "unauthenticated",
    )


def test_without_valid_credentials_it_is_401_whatever_the_address_holds(srv):
    for headers in ({}, {"Authorization": "Bearer vc_nope"}):
        for path in ("/api/measures?limt=1", "/api/measures?limit=0", "/api/measures/a%00b"):
            problem(srv.client.get(path, headers=headers), 401, "unauthenticated")
        post = srv.client.post("/api/links?x=1", json={"nonsense": 1}, headers=headers)
        problem(post, 401, "unauthenticated")


def test_a_query_parameter_given_twice_is_refused_not_half_read(srv):
    a = srv.as_("A-viewer")
    for query in ("rag=red&rag=amber", "limit=1&limit=2", "rag=red&limit=1&rag=red"):
        body = problem(srv.client.get(f"/api/measures?{query}", headers=a), 422, "invalid-input")
        assert body["field"] == query.split("=")[0] and "given 2 times" in body["detail"]
    assert srv.client.get("/api/measures?rag=red&limit=1", headers=a).status_code == 200


def test_a_missing_assessment_is_named_by_the_parameter_that_gave_it(srv):
    c, a = srv.client, srv.as_("A-editor")
    (first,) = ids(srv, "A-editor").values()
    for query, field in (
        (f"a={first}&b={first}", "b"),
        (f"a=999&b={first}", "a"),
        (f"a={first}&b=999", "b"),
    ):
        asked = c.get(f"/api/assessments/compare?{query}", headers=a)
        assert asked.json()["field"] == field, (query, asked.text)
    made = c.post("/api/assessments", json={"name": "Bristol: 2029", "carry_from": 999}, headers=a)
    assert problem(made, 404, "not-found")["field"] == "carry_from"


def test_unknown_and_revoked_tokens_are_401(srv):
    assert srv.client.get("/api/measures", headers=srv.as_("A-viewer")).status_code == 200
    problem(
        srv.client.get("/api/measures", headers={"Authorization": "Bearer vc_nope"}),
        401,
        "unauthenticated",
    )
    problem(
        srv.client.get("/api/measures", headers={"Authorization": "Basic abc"}),
        401,
        "unauthenticated",
    )
    with unit_of_work(srv.ws, write=True, council="Bristol") as ctx:
        tokens.revoke_token(ctx, "a-viewer")
    problem(srv.client.get("/api/measures", headers=srv.as_("A-viewer")), 401, "unauthenticated")
    assert srv.client.get("/api/measures", headers=srv.as_("A-editor")).status_code == 200


def test_a_token_of_council_a_gets_404_for_council_b(srv):
    leeds = ids(srv, "B-editor")["Leeds: autumn"]
    bristol = ids(srv, "A-editor")
    assert "Leeds: autumn" not in bristol
    missing = max([leeds, *bristol.values()]) + 100
    a = srv.as_("A-editor")
    c = srv.client
    # reading: exactly the answer for an id that does not exist
    for path in (
        f"/api/assessments/{leeds}",
        f"/api/assessments/{leeds}/summary",
        f"/api/assessments/{leeds}/reports/md",
        f"/api/measures?assessment={leeds}",
        f"/api/measures/bury-2?assessment={leeds}",
        f"/api/measures/bury-2/ratings?assessment={leeds}",
        "/api/activities/L-1",
    ):
        problem(c.get(path, headers=a), 404, "not-found")
    assert c.get(f"/api/assessments/{missing}", headers=a).json()["detail"].replace(
        str(missing), "N"
    ) == c.get(f"/api/assessments/{leeds}", headers=a).json()["detail"].replace(str(leeds), "N")
    # listings never show it
    assert c.get("/api/activities", headers=a).json() == []
    assert c.get("/api/links", headers=a).json() == []
    assert c.get("/api/suggestions?activity=L-1", headers=a).status_code in (200, 404)
    # writing: refused as not found, and nothing of Leeds changes
    with unit_of_work(srv.ws, council="Leeds") as ctx:
        before = (
            ctx.session.scalar(select(func.count()).select_from(RatingRow)),
            ctx.session.scalar(select(func.count()).select_from(LinkEventRow)),
        )
    body = {"rag": "red", "rationale": "from Bristol", "version": 1}
    problem(
        c.post(f"/api/measures/bury-2/ratings?assessment={leeds}", json=body, headers=a),
        404,
        "not-found",
    )
    link = {"activity": "L-1", "measure": "bury-2", "linked": False, "version": 1}
    problem(c.post("/api/links", json=link, headers=a), 404, "not-found")
    # an admin may lock, but not another council's assessment (an editor may not lock at all: 403)
    problem(c.post(f"/api/assessments/{leeds}/lock", headers=srv.as_("A-admin")), 404, "not-found")
    new = {"name": "copy", "carry_from": leeds}
    problem(c.post("/api/assessments", json=new, headers=a), 404, "not-found")
    with unit_of_work(srv.ws, council="Leeds") as ctx:
        after = (
            ctx.session.scalar(select(func.count()).select_from(RatingRow)),
            ctx.session.scalar(select(func.count()).select_from(LinkEventRow)),
        )
    assert after == before
    leeds_view = c.get(f"/api/assessments/{leeds}", headers=srv.as_("B-editor")).json()
    assert not leeds_view["locked"]
    assert {r["measure"]: r["rag"] for r in leeds_view["ratings"]}["bury-2"] == "green"


def test_a_measure_names_the_same_measure_in_other_agreements(srv):
    c, a = srv.client, srv.as_("A-editor")
    assert c.get("/api/measures/bury-4", headers=a).json()["equivalents"] == [
        "hammersmith-fulham-4",
        "stoke-on-trent-5",
    ]
    assert c.get("/api/measures/bury-2", headers=a).json()["equivalents"] == []


def test_an_administrator_says_two_measures_are_the_same_and_the_measure_follows(srv):
    c = srv.client
    path, body = (
        "/api/measures/bury-1/equivalence",
        {"other": "stoke-on-trent-2", "decision": "same"},
    )
    problem(c.post(path, json=body, headers=srv.as_("A-editor")), 403, "forbidden")
    done = c.post(path, json={**body, "rationale": "both EHCP"}, headers=srv.as_("A-admin"))
    assert done.status_code == 200, done.text
    assert {k: done.json()[k] for k in ("measure", "other", "decision", "rationale", "by")} == {
        "measure": "bury-1",
        "other": "stoke-on-trent-2",
        "decision": "same",
        "rationale": "both EHCP",
        "by": "a-admin (API token)",
    }
    read = c.get("/api/measures/stoke-on-trent-2", headers=srv.as_("A-viewer")).json()
    assert read["equivalents"] == ["bury-1"]
    missing = c.post(
        path, json={"other": "nobody-9", "decision": "same"}, headers=srv.as_("A-admin")
    )
    assert problem(missing, 404, "not-found")["field"] == "other"
    gone = c.post(path, json={**body, "decision": "none"}, headers=srv.as_("A-admin"))
    assert gone.status_code == 200 and gone.json() is None
    assert (
        c.get("/api/measures/stoke-on-trent-2", headers=srv.as_("A-viewer")).json()["equivalents"]
        == []
    )


def test_rating_needs_the_version_read_and_a_stale_one_is_409(srv):
    c, a = srv.client, srv.as_("A-editor")
    read = c.get("/api/measures/bury-2", headers=a)
    version = read.json()["version"]
    assert read.headers["etag"].startswith(f'"{version}.')  # the version, then the answer's hash
    body = problem(
        c.post("/api/measures/bury-2/ratings", json={"rag": "amber"}, headers=a),
        422,
        "invalid-input",
    )
    assert body["field"] == "version"
    done = c.post(
        "/api/measures/bury-2/ratings",
        json={"rag": "amber", "rationale": "hubs"},
        headers={**a, "If-Match": f'"{version}"'},
    )
    assert done.status_code == 201, done.text
    assert done.json()["version"] == version + 1 and done.headers["etag"] == f'"{version + 1}"'
    # the second person read the same version: refused, nothing written
    stale = c.post(
        "/api/measures/bury-2/ratings",
        json={"rag": "red", "version": version},
        headers=srv.as_("A-admin"),
    )
    assert problem(stale, 409, "stale-version")["field"] == "version"
    history = c.get("/api/measures/bury-2/ratings", headers=a).json()
    assert [h["rag"] for h in history][-1] == "amber"
    assert [h["version"] for h in history] == list(range(1, len(history) + 1))
    mismatch = c.post(
        "/api/measures/bury-2/ratings",
        json={"rag": "red", "version": version + 1},
        headers={**a, "If-Match": '"0"'},
    )
    problem(mismatch, 422, "invalid-input")


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/measures/bury-2/ratings", {"rag": "red", "version": True}, "version"),
        ("/api/measures/bury-2/ratings", {"rag": "red", "version": "0"}, "version"),
        ("/api/measures/bury-2/ratings", {"rag": "red", "version": 0.0}, "version"),
        ("/api/links", {"activity": "L-1", "measure": "bury-1", "version": True}, "version"),
        ("/api/links", {"activity": "L-1", "measure": "bury-1", "linked": 0}, "linked"),
        ("/api/assessments", {"name": "Bristol: 2028", "carry_from": "1"}, "carry_from"),
        ("/api/assessments", {"name": "Bristol: 2028", "use": "yes"}, "use"),
    ],
)
def test_a_version_or_a_yes_is_json_s_own_never_read_from_another_type(srv, path, body, field):
    # true read as version 1 would pass the stale-version check by accident; 0 read as false
    # would end a link
    a = srv.as_("A-editor")
    before = [srv.client.get(p, headers=a).json() for p in ("/api/links", "/api/assessments")]
    rated = srv.client.get("/api/measures/bury-2/ratings", headers=a).json()
    response = srv.client.post(path, json=body, headers=a)
    assert problem(response, 422, "invalid-input")["field"] == field
    assert [
        srv.client.get(p, headers=a).json() for p in ("/api/links", "/api/assessments")
    ] == before
    assert srv.client.get("/api/measures/bury-2/ratings", headers=a).json() == rated


def test_roles_are_the_services(srv):
    c = srv.client
    v = srv.as_("A-viewer")
    problem(
        c.post("/api/measures/bury-1/ratings", json={"rag": "red", "version": 1}, headers=v),
        403,
        "forbidden",
    )
    problem(c.post("/api/assessments", json={"name": "x"}, headers=v), 403, "forbidden")
    made = c.post("/api/assessments", json={"name": "Bristol: 2027"}, headers=srv.as_("A-editor"))
    assert made.status_code == 201 and made.json()["rated"] == 0
    problem(
        c.post("/api/assessments", json={"name": "Bristol: 2027"}, headers=srv.as_("A-editor")),
        409,
        "already-exists",
    )


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/assessments/999/lock", None),
        ("/api/assessments/999/use", None),
        ("/api/assessments", {"name": "x", "carry_from": 999}),
        ("/api/measures/bury-1/ratings?assessment=999", {"rag": "red", "version": 0}),
        ("/api/measures/bury-1/ratings?assessment=1", {"rag": "red", "version": 0}),
    ],
)
def test_a_write_the_role_does_not_allow_is_403_whatever_it_names(srv, path, body):
    # never 404 first: a viewer learns nothing of which assessments exist by trying to write
    response = srv.client.post(path, json=body, headers=srv.as_("A-viewer"))
    problem(response, 403, "forbidden")


def test_a_viewers_trajectory_import_naming_no_such_assessment_is_403(srv):
    files = {"file": ("plan.csv", b"year,unmitigated,target\n2025-26,2000,1400\n", "text/csv")}
    url = "/api/impact/trajectory/import?assessment=999"
    problem(srv.client.post(url, files=files, headers=srv.as_("A-viewer")), 403, "forbidden")


def test_bad_input_is_a_problem_with_the_field(srv):
    a = srv.as_("A-editor")
    body = problem(srv.client.get("/api/measures?rag=purple", headers=a), 422, "invalid-input")
    assert body["field"] == "rag" and body["problems"]
    problem(
        srv.client.post(
            "/api/measures/bury-1/ratings", json={"rag": "purple", "version": 1}, headers=a
        ),
        422,
        "invalid-input",
    )
    problem(srv.client.get("/api/measures/no-such-1", headers=a), 404, "not-found")
    problem(srv.client.get("/api/nothing/here", headers=a), 404, "not-found")
    # an address with a line break in it (Starlette's path converter stops at one) is still the
    # API's: problem+json, never the framework's own {"detail": ...}
    problem(srv.client.get("/api/activities/A%0AB", headers=a), 404, "not-found")
    wrong = srv.client.delete("/api/measures/bury-1", headers=a)
    problem(wrong, 405, "method-not-allowed")
    assert wrong.headers["allow"] == "GET, HEAD"
    broken = srv.client.post(
        "/api/measures/bury-1/ratings",
        content=b'{"rag": "green",',
        headers={**a, "content-type": "application/json"},
    )
    detail = problem(broken, 422, "invalid-input")["detail"]
    assert detail.startswith("the request body is not valid JSON:"), detail
    problem(srv.client.get("/api/measures?text=a%00b", headers=a), 422, "invalid-input")
    huge = 2**63  # found by schemathesis: no id is that large, and SQLite cannot compare it
    problem(
        srv.client.get(f"/api/measures/bury-1/ratings?assessment={huge}", headers=a),
        422,
        "invalid-input",
    )
    problem(srv.client.get(f"/api/assessments/{huge}", headers=a), 422, "invalid-input")


def test_filters_and_links_through_the_api(srv):
    c, b = srv.client, srv.as_("B-editor")
    greens = c.get("/api/measures?rag=green", headers=b).json()
    assert greens["assessment"] == "Leeds: autumn"
    assert [m["id"] for m in greens["items"]] == ["bury-2"]
    bury = c.get("/api/measures?authority=bury&limit=2", headers=b).json()
    assert bury["total"] > 2 and len(bury["items"]) == 2
    assert all(m["la"] == "Bury" for m in bury["items"])
    activity = c.get("/api/activities/l-1", headers=b).json()
    assert activity["measures"] == ["bury-2"] and activity["history"][0]["linked"]
    ended = c.post(
        "/api/links",
        json={"activity": "L-1", "measure": "bury-2", "linked": False, "version": 1},
        headers=b,
    )
    assert ended.status_code == 201 and not ended.json()["linked"]
    problem(
        c.post(
            "/api/links", json={"activity": "L-1", "measure": "bury-2", "version": 1}, headers=b
        ),
        409,
        "stale-version",
    )
    assert c.get("/api/links?current=true", headers=b).json() == []
    # what a person unlinked is not suggested again, and the API says it left it out
    (group,) = c.get("/api/suggestions?activity=L-1", headers=b).json()["groups"]
    first = group["suggestions"][0]["measure"]
    for linked, version in ((True, 0), (False, 1)):
        change = {"activity": "L-1", "measure": first, "linked": linked, "version": version}
        assert c.post("/api/links", json=change, headers=b).status_code == 201
    (group,) = c.get("/api/suggestions?activity=L-1", headers=b).json()["groups"]
    assert first not in [s["measure"] for s in group["suggestions"]]
    assert group["left_out"] == [{"id": first, "action": "unlink"}]


def test_reports_are_files_a_program_can_open(srv):
    a = srv.as_("A-viewer")
    first = ids(srv, "A-viewer")["Bristol: mitigation validation exercise"]
    response = srv.client.get(f"/api/assessments/{first}/reports/xlsx", headers=a)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames
    problem(
        srv.client.get(f"/api/assessments/{first}/reports/position", headers=a),
        422,
        "invalid-input",
    )


def test_a_report_by_the_api_carries_the_papers_label_and_the_councils_printed_name(srv):
    a = srv.as_("A-viewer")
    first = ids(srv, "A-viewer")["Bristol: mitigation validation exercise"]
    url = f"/api/assessments/{first}/reports/md"
    asked = {"appendix": "Appendix C", "council_name": "Bristol City Council"}
    response = srv.client.get(url, params=asked, headers=a)
    assert response.status_code == 200
    assert "Appendix C" in response.text and "Bristol City Council" in response.text


def test_a_report_by_the_api_is_never_printed_under_another_councils_name(srv):
    # Bristol's viewer sees only Bristol in its own list of councils, but Leeds is a council of
    # the workspace all the same: Bristol's ratings under Leeds's name are refused, as by the CLI
    a = srv.as_("A-viewer")
    first = ids(srv, "A-viewer")["Bristol: mitigation validation exercise"]
    url = f"/api/assessments/{first}/reports/md"
    response = srv.client.get(url, params={"council_name": " leeds "}, headers=a)
    body = problem(response, 422, "invalid-input")
    assert body["field"] == "council_name" and "another council" in body["detail"]


def test_the_openapi_document_types_every_request_and_response():
    doc = openapi()
    assert doc["openapi"].startswith("3.")
    assert "HTTPBearer" in doc["components"]["securitySchemes"]
    for path, item in doc["paths"].items():
        for method, op in item.items():
            where = f"{method.upper()} {path}"
            ok = [s for s in op["responses"] if s.startswith("2")]
            assert ok, where
            for status in ok:
                content = op["responses"][status]["content"]
                assert all("schema" in c for c in content.values()), where
            errors = [s for s in op["responses"] if s[:1] in "45"]
            assert {"401", "422"} <= set(errors), where
            for status in errors:
                schema = op["responses"][status]["content"][PROBLEM]["schema"]
                assert schema["$ref"].endswith("/Problem"), where
            if "requestBody" in op:
                content = op["requestBody"]["content"]
                body = content.get("application/json") or content["multipart/form-data"]
                assert body["schema"], where
            assert op.get("security"), where


def test_accept_links_only_the_pairs_suggested_now(srv):
    c, b = srv.client, srv.as_("B-editor")
    (group,) = c.get("/api/suggestions?activity=L-1&top=50", headers=b).json()["groups"]
    suggested = [s["measure"] for s in group["suggestions"]]
    assert suggested, "L-1 (inclusion hubs) should have suggestions"
    every = [m["id"] for m in c.get("/api/measures?limit=1000", headers=b).json()["items"]]
    never = next(m for m in every if m not in suggested and m != "bury-2")  # bury-2: linked
    pairs = [{"activity": "L-1", "measure": suggested[0]}, {"activity": "l-1", "measure": never}]
    body = problem(
        c.post("/api/suggestions/accept", json={"pairs": pairs}, headers=b), 422, "invalid-input"
    )
    assert body["field"] == "pairs"
    assert f"{never} is not suggested for l-1" in body["detail"], body["detail"]
    # all or none: the suggested pair of the refused batch was not linked either
    assert [e["measure"] for e in c.get("/api/links", headers=b).json()] == ["bury-2"]
    done = c.post("/api/suggestions/accept", json={"pairs": pairs[:1]}, headers=b)
    assert done.status_code == 201, done.text
    (made,) = done.json()
    assert made["measure"] == suggested[0] and made["rationale"].startswith("suggested, accepted")
    # a pair judged before is left alone, suggested or not
    again = c.post("/api/suggestions/accept", json={"pairs": pairs[:1]}, headers=b)
    assert again.status_code == 201 and again.json() == []


def test_link_answers_carry_the_version_a_change_must_name(srv):
    c, b = srv.client, srv.as_("B-editor")
    (first,) = c.get("/api/links", headers=b).json()
    assert first["version"] == 1
    assert c.get("/api/activities/L-1", headers=b).json()["history"][0]["version"] == 1
    change = {"activity": "L-1", "measure": "bury-2", "linked": False, "version": first["version"]}
    ended = c.post("/api/links", json=change, headers=b)
    assert ended.status_code == 201 and ended.json()["version"] == 2
    change = {"activity": "L-1", "measure": "bury-2", "version": ended.json()["version"]}
    linked = c.post("/api/links", json=change, headers=b)
    assert linked.status_code == 201 and linked.json()["version"] == 3
    assert [e["version"] for e in c.get("/api/links", headers=b).json()] == [1, 2, 3]
    assert "version" in openapi()["components"]["schemas"]["LinkEventOut"]["required"]


def test_the_rag_filter_takes_the_spellings_a_rating_takes(srv):
    c, b = srv.client, srv.as_("B-editor")
    for spelling, rag in (
        ("Green", "green"),
        ("g", "green"),
        ("yellow", "amber"),
        ("R", "red"),
        ("not rated", "unrated"),
        ("not-applicable", "not_applicable"),
        ("n/a", "not_applicable"),
    ):
        want = c.get("/api/measures", params={"rag": rag, "limit": 1000}, headers=b)
        got = c.get("/api/measures", params={"rag": spelling, "limit": 1000}, headers=b)
        assert got.status_code == 200, (spelling, got.text)
        assert got.json() == want.json() and all(m["rag"] == rag for m in got.json()["items"])
    body = problem(c.get("/api/measures?rag=purple", headers=b), 422, "invalid-input")
    assert "not-applicable (n/a)" in body["detail"] and body["field"] == "rag"


def test_a_path_parameter_is_named_as_the_query_and_body_fields_are(srv):
    a = srv.as_("A-viewer")
    body = problem(srv.client.get(f"/api/measures/{'x' * 301}", headers=a), 422, "invalid-input")
    assert body["field"] == "measure_id" and body["detail"].startswith("measure_id: ")


def test_a_version_from_the_future_is_not_called_someone_elses_rating(srv):
    c, a = srv.client, srv.as_("A-editor")
    version = c.get("/api/measures/bury-2", headers=a).json()["version"]
    ahead = version + 3
    body = problem(
        c.post(
            "/api/measures/bury-2/ratings",
            json={"rag": "red", "rationale": "x"},
            headers={**a, "If-Match": f'"{ahead}"'},
        ),
        409,
        "stale-version",
    )
    assert "since you opened it" not in body["detail"]
    assert f"version {ahead}" in body["detail"] and f"version {version}" in body["detail"]
