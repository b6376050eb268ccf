"""POST /api/activities: one activity added through the API, on SQLite and on PostgreSQL."""

from __future__ import annotations

from api_support import Server, on_both_stores  # noqa: F401 (a fixture)

PROBLEM = "application/problem+json"
HUBS = {
    "code": "SEN 12",
    "title": "Inclusion hubs",
    "description": "Hubs in mainstream schools",
    "theme": "Inclusion",
    "owner": "Ann Lee",
    "status": "on track",
    "start": "2026-09-01",
    "end": "2027-03-31",
}


def problem(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["code"] == code, body
    return body


def test_an_editor_adds_one_and_reads_it_where_location_says(on_both_stores: Server):  # noqa: F811
    s = on_both_stores
    made = s.client.post("/api/activities", json=HUBS, headers=s.as_("A-editor"))
    assert made.status_code == 201, made.text
    assert made.headers["location"] == "/api/activities/SEN%2012"
    body = made.json()
    assert body == {
        "id": "SEN 12",
        "title": "Inclusion hubs",
        "description": "Hubs in mainstream schools",
        "theme": "Inclusion",
        "sub_theme": "",
        "owner": "Ann Lee",
        "status": "in_progress",
        "start": "2026-09-01",
        "end": "2027-03-31",
        "link": "",
        "measures": [],
        "history": [],
    }
    read = s.client.get(made.headers["location"], headers=s.as_("A-viewer"))
    assert read.status_code == 200 and read.json() == body
    listed = s.client.get("/api/activities", headers=s.as_("A-viewer")).json()
    assert [a["id"] for a in listed] == ["SEN 12"]


def test_every_problem_is_listed_at_once_naming_its_field(on_both_stores: Server):  # noqa: F811
    s = on_both_stores
    sent = {
        "code": "",
        "title": " ",
        "status": "sideways",
        "start": "2026-09-01",
        "end": "2026-01-01",
    }
    body = problem(
        s.client.post("/api/activities", json=sent, headers=s.as_("A-editor")),
        422,
        "invalid-input",
    )
    assert [p["column"] for p in body["problems"]] == ["code", "title", "status", "end"]
    assert body["field"] == "code"
    assert body["detail"] == "Enter the activity's id, for example SEN-12"
    messages = [p["message"] for p in body["problems"]]
    assert messages[1] == "title: Enter the activity's title"
    assert messages[2].startswith("status: 'sideways' is not a status")
    assert messages[3] == "end: The end date must be on or after the start date"
    assert s.client.get("/api/activities", headers=s.as_("A-viewer")).json() == []


def test_a_bad_date_is_listed_with_every_other_problem(on_both_stores: Server):  # noqa: F811
    s = on_both_stores
    sent = {"code": "sen-1", "title": "", "start": "2026-13-01", "end": "x", "status": "bogus"}
    s.client.post(
        "/api/activities", json={"code": "SEN-1", "title": "Hubs"}, headers=s.as_("A-editor")
    )
    body = problem(
        s.client.post("/api/activities", json=sent, headers=s.as_("A-editor")),
        422,
        "invalid-input",
    )
    assert [(p["column"], p["code"]) for p in body["problems"]] == [
        ("code", "already-exists"),
        ("title", "invalid-input"),
        ("status", "invalid-input"),
        ("start", "invalid-input"),
        ("end", "invalid-input"),
    ]
    # a date as the web form takes it is read the same way
    made = s.client.post(
        "/api/activities",
        json={"code": "B2", "title": "Hubs", "end": "31/03/2027"},
        headers=s.as_("A-editor"),
    )
    assert made.status_code == 201 and made.json()["end"] == "2027-03-31", made.text


def test_a_body_missing_the_title_is_refused_by_its_shape(on_both_stores: Server):  # noqa: F811
    s = on_both_stores
    body = problem(
        s.client.post("/api/activities", json={"code": "B1"}, headers=s.as_("A-editor")),
        422,
        "invalid-input",
    )
    found = {p["column"]: p["message"] for p in body["problems"]}
    assert found["title"] == "title: Field required"
    misspelt = s.client.post(
        "/api/activities", json={"code": "B1", "title": "x", "ownr": "y"}, headers=s.as_("A-editor")
    )
    assert problem(misspelt, 422, "invalid-input")["detail"].startswith(
        "ownr: unknown field; did you mean owner?"
    )


def test_an_id_the_council_has_is_409_and_another_councils_is_free(on_both_stores: Server):  # noqa: F811
    s = on_both_stores
    a, b = s.as_("A-editor"), s.as_("B-editor")
    taken = s.client.post("/api/activities", json={"code": "l-1", "title": "Again"}, headers=b)
    body = problem(taken, 409, "already-exists")
    assert body["field"] == "code" and "'l-1'" in body["detail"] and "'L-1'" in body["detail"]
    # Bristol has no L-1: its own is added, and Leeds's is untouched and still its own
    made = s.client.post("/api/activities", json={"code": "l-1", "title": "Bristol's"}, headers=a)
    assert made.status_code == 201, made.text
    assert [x["title"] for x in s.client.get("/api/activities", headers=b).json()] == [
        "Leeds inclusion hubs"
    ]
    assert s.client.get("/api/activities/l-1", headers=b).json()["title"] == "Leeds inclusion hubs"
    assert s.client.get("/api/activities/l-1", headers=a).json()["title"] == "Bristol's"
    # a taken id with other problems is listed with them
    both = s.client.post("/api/activities", json={"code": "L-1", "title": ""}, headers=b)
    listed = problem(both, 422, "invalid-input")["problems"]
    assert [(p["column"], p["code"]) for p in listed] == [
        ("code", "already-exists"),
        ("title", "invalid-input"),
    ]


def test_a_viewer_is_refused_and_nobody_signed_in_is_asked_to(on_both_stores: Server):  # noqa: F811
    s = on_both_stores
    body = {"code": "B1", "title": "Hubs"}
    refused = s.client.post("/api/activities", json=body, headers=s.as_("A-viewer"))
    assert (
        "viewer may not add, change or import activities"
        in problem(refused, 403, "forbidden")["detail"]
    )
    problem(s.client.post("/api/activities", json=body), 401, "unauthenticated")
    assert s.client.get("/api/activities", headers=s.as_("A-viewer")).json() == []


def test_an_id_with_a_slash_is_read_where_location_says(on_both_stores: Server):  # noqa: F811
    """Ids such as "HNB/03" are read at /api/activities/HNB%2F03 (and HNB/03): they were 404."""
    s = on_both_stores
    made = s.client.post(
        "/api/activities", json={**HUBS, "code": "HNB/03"}, headers=s.as_("A-editor")
    )
    assert made.status_code == 201, made.text
    assert made.headers["location"] == "/api/activities/HNB%2F03"
    for address in (made.headers["location"], "/api/activities/HNB/03"):
        read = s.client.get(address, headers=s.as_("A-viewer"))
        assert read.status_code == 200 and read.json()["id"] == "HNB/03", address
    assert s.client.get("/api/activities/HNB/04", headers=s.as_("A-viewer")).status_code == 404
