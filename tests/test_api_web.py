"""The JSON API inside the web app: the signed-in session authenticates it, with CSRF on writes."""

from __future__ import annotations

from web_support import csrf_of, site, site_template  # noqa: F401 (fixtures)

PROBLEM = "application/problem+json"


def test_the_web_session_reads_and_writes_with_its_csrf_token(site):  # noqa: F811
    client = site.client("ed")
    listed = client.get("/api/measures?rag=red")
    assert listed.status_code == 200
    assert listed.json()["assessment"] == "Bristol: mitigation validation exercise"
    version = client.get("/api/measures/bury-1").json()["version"]
    body = {"rag": "amber", "rationale": "from the browser", "version": version}
    refused = client.post("/api/measures/bury-1/ratings", json=body)
    assert refused.status_code == 403 and refused.headers["content-type"].startswith(PROBLEM)
    assert refused.json()["code"] == "forbidden"
    assert client.get("/api/measures/bury-1").json()["version"] == version
    token = csrf_of(client, "/measures/bury-1")
    done = client.post("/api/measures/bury-1/ratings", json=body, headers={"X-CSRF-Token": token})
    assert done.status_code == 201, done.text
    assert done.json()["by"] == "ed" and done.json()["version"] == version + 1


def test_no_session_is_401_and_another_councils_assessment_is_404(site):  # noqa: F811
    anonymous = site.client(None)
    response = anonymous.get("/api/assessments")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    leeds = site.client("les")
    assert leeds.get(f"/api/assessments/{site.leeds_assessment}").status_code == 200
    other = leeds.get(f"/api/assessments/{site.bristol_assessment}")
    assert other.status_code == 404 and other.json()["code"] == "not-found"


def test_the_web_app_serves_the_apis_own_document(site):  # noqa: F811
    doc = site.client(None).get("/api/openapi.json").json()
    assert "/api/measures" in doc["paths"]
    assert not any(not p.startswith("/api/") for p in doc["paths"])
    errors = doc["paths"]["/api/measures"]["get"]["responses"]["404"]["content"]
    assert PROBLEM in errors
    # a new activity's limits are the ones the service keeps (it said 20,000 for each)
    new = doc["components"]["schemas"]["ActivityIn"]["properties"]
    assert (new["code"]["maxLength"], new["title"]["maxLength"]) == (200, 1000)
    assert new["owner"]["maxLength"] == 200


def test_a_token_call_gets_no_session_cookie(site):  # noqa: F811
    """A script calling with a token has no use for a web session: none is made for it (each
    call used to get a new session cookie). A browser's first visit still gets one (its CSRF)."""
    from valvecheck.services import tokens
    from valvecheck.services.workspace import unit_of_work

    with unit_of_work(site.ws, write=True, council="Bristol", by="admin") as ctx:
        secret = tokens.create_token(ctx, "script", "viewer").secret
    script = site.client(None)
    listed = script.get("/api/measures", headers={"Authorization": f"Bearer {secret}"})
    assert listed.status_code == 200
    assert "set-cookie" not in listed.headers
    assert "set-cookie" in site.client(None).get("/login").headers
