"""Who may do what, and which council's things they may see, through every page; CSRF, headers,
cookies and bad uploads."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

import io
import zipfile

import pytest
from web_support import (
    LEEDS_ACTIVITIES,
    PASSWORD,
    by_id,
    csrf_of,
    heading,
    page,
    post,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
    text,
)

from valvecheck.domain.rating import MAX_RATIONALE
from valvecheck.importers import limits
from valvecheck.services.activities import list_activities
from valvecheck.services.ratings import history, list_assessments
from valvecheck.services.workspace import unit_of_work
from valvecheck.web import create_app

# (role's person, method, path, form, status): the service layer decides; the page says so.
ROLE_ACTIONS = [
    ("vi", "POST", "/measures/bury-4/rating", {"rag": "green", "version": "0"}, 403),
    ("ed", "POST", "/measures/bury-4/rating", {"rag": "green", "version": "0"}, 303),
    ("vi", "POST", "/activities/B-1/link", {"measure": "bury-4"}, 403),
    ("ed", "POST", "/activities/B-1/link", {"measure": "bury-4"}, 303),
    ("vi", "POST", "/activities/B-1/accept", {"measure": ["bury-4"]}, 403),
    ("vi", "POST", "/assessments", {"name": "New one"}, 403),
    ("ed", "POST", "/assessments", {"name": "New one"}, 303),
    ("vi", "POST", "/assessments/{bristol}/lock", {}, 403),
    ("vi", "GET", "/admin/users", None, 403),
    ("ed", "GET", "/admin/users", None, 403),
    ("ann", "GET", "/admin/users", None, 200),
    ("ed", "POST", "/admin/users", {"username": "x1", "role": "admin", "password": "p" * 12}, 403),
    (
        "ann",
        "POST",
        "/admin/users",
        {"username": "x1", "role": "viewer", "password": "p" * 12},
        303,
    ),
    ("ed", "POST", "/admin/users/{vi}/role", {"role": "admin"}, 403),
    ("ed", "POST", "/admin/users/{vi}/remove", {}, 403),
    ("ed", "POST", "/admin/users/{vi}/restore", {}, 403),
    ("ed", "POST", "/admin/users/{vi}/password", {"password": "p" * 12, "confirm": "p" * 12}, 403),
    ("vi", "GET", "/reports/download?format=xlsx", None, 200),
]


def _path(site, template: str) -> str:
    return template.format(
        bristol=site.bristol_assessment, leeds=site.leeds_assessment, **site.people
    )


@pytest.mark.parametrize(
    ("who", "method", "path", "form", "status"),
    ROLE_ACTIONS,
    ids=[f"{w}-{m}-{p}" for w, m, p, _, _ in ROLE_ACTIONS],
)
def test_role_x_action(site, who, method, path, form, status):
    client = site.client(who)
    target = _path(site, path)
    response = client.get(target) if method == "GET" else post(client, target, form)
    assert response.status_code == status, response.text[:500]
    if status == 403:
        assert heading(response) == "You cannot do that"
        assert "may not" in text(by_id(response, "message"))


# Bristol's things, asked for by a person of Leeds: each answers exactly as a missing one does.
BRISTOL_THINGS = [
    ("GET", "/assessments/{bristol}", "/assessments/99999", None),
    (
        "GET",
        "/assessments/compare?first={bristol}&second={leeds}",
        "/assessments/compare?first=99999&second={leeds}",
        None,
    ),
    ("POST", "/assessments/{bristol}/lock", "/assessments/99999/lock", {}),
    ("POST", "/assessments/{bristol}/use", "/assessments/99999/use", {}),
    ("GET", "/activities/B-1", "/activities/ZZ-9", None),
    ("POST", "/activities/B-1/link", "/activities/ZZ-9/link", {"measure": "bury-4"}),
    ("POST", "/activities/B-1/unlink", "/activities/ZZ-9/unlink", {"measure": "bury-4"}),
    ("POST", "/activities/B-1/accept", "/activities/ZZ-9/accept", {"measure": ["bury-4"]}),
    ("POST", "/admin/users/{ann}/role", "/admin/users/99999/role", {"role": "viewer"}),
    ("POST", "/admin/users/{ed}/remove", "/admin/users/99999/remove", {}),
    ("POST", "/admin/users/{ed}/restore", "/admin/users/99999/restore", {}),
    (
        "POST",
        "/admin/users/{ed}/password",
        "/admin/users/99999/password",
        {"password": "p" * 12, "confirm": "p" * 12},
    ),
    (
        "GET",
        "/reports/download?format=xlsx&assessment={bristol}",
        "/reports/download?format=xlsx&assessment=99999",
        None,
    ),
    ("POST", "/assessments", None, {"name": "Mine", "carry_from": "{bristol}"}),
]


@pytest.mark.parametrize(
    ("method", "theirs", "missing", "form"), BRISTOL_THINGS, ids=[t[1] for t in BRISTOL_THINGS]
)
def test_another_councils_things_are_not_found_exactly_as_missing_ones(
    site, method, theirs, missing, form
):
    client = site.client("lee")  # Leeds' administrator: every role's permission, no Bristol
    filled = {k: (_path(site, v) if isinstance(v, str) else v) for k, v in (form or {}).items()}

    def ask(path: str):  # type: ignore[no-untyped-def]
        return client.get(path) if method == "GET" else post(client, path, filled)

    answer = ask(_path(site, theirs))
    assert answer.status_code == 404, answer.text[:400]
    if missing is not None:
        absent = ask(_path(site, missing))
        assert absent.status_code == 404
        assert heading(answer) == heading(absent)
    assert "Bristol" not in text(page(answer).find(".//main"))


def test_listings_reports_and_pages_show_only_the_own_councils_ratings_and_people(site):
    leeds, bristol = site.client("lee"), site.client("ann")
    leeds_bury2 = leeds.get("/measures/bury-2")
    assert "Leeds secret rationale" in leeds_bury2.text
    assert "Leeds secret rationale" not in bristol.get("/measures/bury-2").text
    assert "Leeds" not in text(page(bristol.get("/")).find(".//main"))
    for path in ("/", "/measures", "/activities", "/assessments", "/admin/users", "/reports"):
        shown = text(page(leeds.get(path)).find(".//main"))
        assert (
            "B-1" not in shown
            and "ann" not in shown.split()
            and "mitigation validation" not in shown
        ), path
    people = text(by_id(leeds.get("/admin/users"), "people"))
    assert "lee" in people and "ed" not in people.split()
    leeds_report = leeds.get("/reports/download?format=html").text
    assert "Leeds: spring 2026" in leeds_report and "mitigation validation" not in leeds_report
    assert "Leeds" not in bristol.get("/reports/download?format=html").text
    # a rating by a person of Leeds goes into Leeds' assessment only
    rated = post(
        leeds,
        "/measures/stoke-on-trent-8/rating",
        {"rag": "red", "rationale": "Leeds only", "version": "0"},
    )
    assert rated.status_code == 303
    with unit_of_work(site.ws, as_person="ann") as ctx:
        assert "Leeds only" not in [r.rationale for r in history(ctx, "stoke-on-trent-8")]
        assert [a.activity.id for a in list_activities(ctx)] == ["B-1", "B-2"]


def _posts(app) -> list[str]:  # type: ignore[no-untyped-def]
    """Every state-changing route of every page router the app includes."""
    return sorted(
        r.path
        for router in app.state.page_routers
        for r in router.routes
        if "POST" in (getattr(r, "methods", None) or ())
    )


def test_every_state_changing_form_is_refused_without_the_sessions_csrf_token(site):
    client = site.client("ann")
    other = site.client("ed")
    foreign = csrf_of(other, "/")  # a real token, of another session
    paths = _posts(create_app(site.settings, site.ws))
    assert len(paths) >= 12
    for template in paths:
        path = template.replace("{measure_id}", "bury-4").replace("{code}", "B-1")
        path = path.replace("{assessment_id:int}", str(site.bristol_assessment))
        path = path.replace("{person_id:int}", str(site.people["vi"])).replace("{token}", "abc")
        for token in (None, foreign):
            data = {
                "rag": "green",
                "version": "0",
                "name": "x",
                "measure": "bury-4",
                "username": "ann",
                "password": "x",
            }
            if token:
                data["csrf_token"] = token
            refused = client.post(path, data=data)
            assert refused.status_code == 403, path
            assert heading(refused) == "This form has expired", path
    with unit_of_work(site.ws, as_person="ann") as ctx:
        assert history(ctx, "bury-4")[-1].by == "seed" if history(ctx, "bury-4") else True
        assert all(not a.links for a in list_activities(ctx))


def test_security_headers_and_cookie_flags(site, tmp_path):
    client = site.client()
    response = client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert not page(response).findall(".//script[@src]") or all(
        s.get("src", "").startswith("/static/") for s in page(response).findall(".//script")
    )
    assert all(not (s.text or "").strip() for s in page(response).findall(".//script"))
    from dataclasses import replace

    secure = replace(site, settings=replace(site.settings, cookie_secure=True))
    assert "secure" in secure.client().get("/login").headers["set-cookie"].lower()


def test_a_tampered_session_cookie_signs_nobody_in(site):
    client = site.client("ann")
    from web_support import COOKIE

    value = client.cookies.get(COOKIE)
    tampered = value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB")
    client.cookies.set(COOKIE, tampered, domain="testserver.local")
    assert client.get("/").status_code == 303


def _xlsx_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (limits.MAX_BYTES * 11))
    return out.getvalue()


def test_import_preview_names_every_problem_and_confirm_imports_exactly_the_file(site):
    client = site.client("les")
    before = client.get("/activities").text
    good = b"ID,Name,Owner\nL-2,Annual reviews,Team\nL-3,Panel,Chair\n"
    shown = post(
        client, "/imports", {"kind": "activities"}, files={"file": ("more.csv", good, "text/csv")}
    )
    assert shown.status_code == 200
    assert "2 activities read: 2 new" in text(by_id(shown, "preview-summary"))
    assert client.get("/activities").text.count("L-2") == before.count("L-2") == 0  # nothing yet
    action = page(shown).find(".//main//form[@method='post']").get("action")
    assert post(client, action).status_code == 303
    assert "L-2" in client.get("/activities").text
    assert post(client, action).status_code == 404  # a preview is imported once

    bad = b"ID,Name,Start date,End date\n,No id,2024-01-01,2023-01-01\nL-9,,31/02/2024,\n"
    refused = post(
        client, "/imports", {"kind": "activities"}, files={"file": ("bad.csv", bad, "text/csv")}
    )
    assert refused.status_code == 422
    rows = page(refused).findall(".//table[@id='problems']/tbody/tr")
    assert len(rows) >= 3, text(by_id(refused, "problems"))
    assert all(text(r.findall("td")[0]) == "bad.csv" for r in rows)
    assert {text(r.findall("td")[1]) for r in rows} >= {"2", "3"}


@pytest.mark.parametrize(
    ("name", "content", "status", "words"),
    [
        ("programme.pdf", b"%PDF-1.4 not a table", 422, "PDF"),
        ("programme.exe", b"MZ\x90\x00binary", 422, "problem"),
        ("programme.xlsx", _xlsx_bomb(), 422, "unpacks"),
        ("empty.csv", b"", 422, "empty"),
    ],
    ids=["pdf", "exe", "zip-bomb", "empty"],
)
def test_bad_uploads_are_refused_with_a_clear_message_and_nothing_stored(
    site, name, content, status, words
):
    client = site.client("les")
    refused = post(
        client,
        "/imports",
        {"kind": "activities"},
        files={"file": (name, content, "application/octet-stream")},
    )
    assert refused.status_code == status
    assert words.lower() in text(page(refused).find(".//main")).lower()
    assert page(refused).find(".//main//form") is None  # nothing to confirm
    assert "L-1" in client.get("/activities").text and LEEDS_ACTIVITIES


def test_an_upload_over_the_size_limit_is_refused_before_it_is_read(site, monkeypatch):
    monkeypatch.setattr(limits, "MAX_BYTES", 1000)
    client = site.client("les")
    big = b"ID,Name\n" + b"L-5,x\n" * 20_000
    refused = post(
        client, "/imports", {"kind": "activities"}, files={"file": ("big.csv", big, "text/csv")}
    )
    assert refused.status_code == 413
    assert "too large" in heading(refused)
    assert "L-5" not in client.get("/activities").text


def test_catalogue_imports_are_for_administrators(site):
    editor = site.client("ed")
    refused = post(
        editor,
        "/imports",
        {"kind": "catalogue"},
        files={"file": ("c.csv", b"LA,Recommendation\nBury,Do a thing\n", "text/csv")},
    )
    assert refused.status_code == 403


def test_setup_page_makes_the_first_admin_once_and_then_is_gone(tmp_path):
    from fastapi.testclient import TestClient

    from valvecheck.services.workspace import init_workspace
    from valvecheck.settings import Settings
    from valvecheck.store.db import Workspace

    ws = Workspace(str(tmp_path / "fresh.db"))
    init_workspace(ws)
    client = TestClient(create_app(Settings(secret_key="k" * 40), ws), follow_redirects=False)
    first = client.get("/login")  # the sign-in page answers, and points to the setup page
    assert first.status_code == 200 and 'href="/setup"' in first.text
    token = csrf_of(client, "/setup")
    mismatch = client.post(
        "/setup",
        data={
            "council": "Bristol",
            "username": "first",
            "password": "a long password",
            "confirm": "another",
            "csrf_token": token,
        },
    )
    assert mismatch.status_code == 422
    assert by_id(mismatch, "password-error") is None  # the password itself was long enough
    both = client.post(
        "/setup",
        data={"council": "Bristol", "username": "first", "password": "short", "confirm": "x"},
        headers={"X-CSRF-Token": token},
    )
    assert both.status_code == 422
    assert "not the same" in text(by_id(both, "confirm-error"))
    assert "at least 10 characters" in text(by_id(both, "password-error"))
    made = client.post(
        "/setup",
        data={
            "council": "Bristol",
            "username": "first",
            "password": "a long password",
            "confirm": "a long password",
            "csrf_token": token,
        },
    )
    assert made.status_code == 303
    assert heading(client.get("/admin/users")) == "People in Bristol"
    assert client.get("/setup").status_code == 404
    again = TestClient(create_app(Settings(secret_key="k" * 40), ws), follow_redirects=False)
    assert again.get("/login").status_code == 200
    ws.dispose()


def test_signing_out_ends_every_copy_of_the_session(site):
    """A copy of the cookie (another tab, another device, a stolen one) stops working too."""
    first = site.client("ed")
    copy = site.client()
    copy.cookies = first.cookies
    assert copy.get("/").status_code == 200
    assert post(first, "/logout").status_code == 303
    assert copy.get("/").status_code == 303  # the old cookie is refused by the server
    assert copy.get("/", follow_redirects=True).url.path == "/login"
    again = site.client("ed")  # signing in afresh works
    assert again.get("/").status_code == 200


def test_one_persons_wrong_passwords_do_not_lock_out_their_office(site):
    """Five failures for one name from an address throttle that name there, not colleagues."""
    client = site.client()
    token = csrf_of(client, "/login")
    for _ in range(5):
        wrong = client.post(
            "/login", data={"username": "ed", "password": "nope", "csrf_token": token}
        )
        assert wrong.status_code == 401
    right = {"password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data={"username": "ed", **right}).status_code == 429
    colleague = client.post("/login", data={"username": "vi", **right})
    assert colleague.status_code == 303  # same address, another name: not throttled


def test_the_only_admin_cannot_stop_being_one(site):
    admin = site.client("ann")
    ann = site.people["ann"]
    refused = post(admin, f"/admin/users/{ann}/role", {"role": "viewer"})
    assert refused.status_code == 422
    assert "only admin" in text(page(refused))
    assert admin.get("/admin/users").status_code == 200  # still an admin: nothing changed
    # with a second admin, the first may step down
    ed = site.people["ed"]
    assert post(admin, f"/admin/users/{ed}/role", {"role": "admin"}).status_code == 303
    assert post(admin, f"/admin/users/{ann}/role", {"role": "editor"}).status_code == 303


def test_evidence_a_character_count_said_fits_is_kept_though_the_browser_sends_crlf(site):
    """GOV.UK's count reads a line ending as one character; a browser sends two. 100 links,
    one a line, just under the limit as counted, are kept, each line ending as one."""
    from valvecheck.domain.rating import MAX_EVIDENCE

    editor = site.client("ed")
    links = [f"https://example.org/papers/{n:02d}/" + "x" * 19 for n in range(100)]
    typed = "\n".join(links)[: MAX_EVIDENCE - 1]
    sent = typed.replace("\n", "\r\n")
    assert len(typed) < MAX_EVIDENCE < len(sent)  # counted as fitting; sent as too long
    saved = post(
        editor,
        "/measures/bury-4/rating",
        {"rag": "green", "rationale": "Links", "evidence": sent, "version": "0"},
    )
    assert saved.status_code == 303, text(page(saved))
    with unit_of_work(site.ws, as_person="ed") as ctx:
        assert history(ctx, "bury-4")[-1].evidence == typed


def test_an_over_long_rationale_is_refused_with_the_text_kept(site):
    editor = site.client("ed")
    long = "Because " + "x" * MAX_RATIONALE
    refused = post(
        editor, "/measures/bury-4/rating", {"rag": "green", "rationale": long, "version": "0"}
    )
    assert refused.status_code == 422
    tree = page(refused)
    assert "at most 20,000 characters" in text(tree)
    assert by_id(refused, "rationale").text == long  # what they typed is still in the form
    # the browser never cuts a paste short without a word (a QA pass pasted 25,000 characters
    # and 20,000 were saved): no maxlength; GOV.UK's character count says the limit instead
    box = by_id(editor.get("/measures/bury-4"), "rationale")
    assert box.get("maxlength") is None and "rationale-info" in box.get("aria-describedby")
    assert text(by_id(editor.get("/measures/bury-4"), "rationale-info")) == (
        "You can enter up to 20,000 characters"
    )
    huge = post(
        editor,
        "/measures/bury-4/rating",
        {"rag": "green", "rationale": "y" * 2_000_000, "version": "0"},
    )
    assert huge.status_code == 400
    assert "Back button" in text(page(huge))
    with unit_of_work(site.ws, as_person="ed") as ctx:
        assert history(ctx, "bury-4") == []  # nothing was saved either time


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "nul.db")
    return request.getfixturevalue("pg_url")


def test_a_nul_character_is_refused_with_a_page_never_a_crash(store_url):
    """PostgreSQL cannot store NUL in text, and nobody types one: every form and address that
    holds one gets a page saying so (not a 500), before sign-in as after, and nothing changes."""
    from api_support import two_councils
    from fastapi.testclient import TestClient

    from valvecheck.services import people
    from valvecheck.settings import Settings

    ws = two_councils(store_url)
    with unit_of_work(ws, write=True, council="Leeds", by="admin") as ctx:
        people.add_person(ctx, "pat", "editor", password=PASSWORD)
    app = create_app(Settings(secret_key="test-key-" + "x" * 40), ws)
    with TestClient(app, base_url="http://testserver.local", follow_redirects=False) as client:
        login = {"username": "pat\x00", "password": PASSWORD, "csrf_token": csrf_of(client)}
        refused = client.post("/login", data=login)
        assert refused.status_code == 422 and "NUL character" in text(page(refused))
        login["username"] = "pat"
        signed = client.post("/login", data=login)
        assert signed.status_code == 303, text(page(signed))[:600]
        for path, form in [
            ("/measures/bury-4/rating", {"rag": "green", "version": "0", "rationale": "a\x00b"}),
            ("/assessments", {"name": "Spring\x00"}),
            ("/activities/L-1/link", {"measure": "bury-4", "rationale": "x\x00"}),
        ]:
            answer = post(client, path, form)
            assert answer.status_code == 422, (path, answer.status_code)
            assert "Nothing was changed" in text(page(answer))
        address = client.get("/activities/L-1%00")
        assert address.status_code == 422 and "NUL character" in text(page(address))
    with unit_of_work(ws, council="Leeds") as ctx:
        assert history(ctx, "bury-4") == []
        [hubs] = list_activities(ctx)
        assert [e.measure_id for e in hubs.history] == ["bury-2"]  # the fixture's link only
        assert [a.name for a in list_assessments(ctx)] == ["Leeds: autumn"]
    ws.dispose()


def test_a_trailing_slash_goes_to_the_page_by_a_relative_address_never_the_host_header(site):
    # Starlette's own slash redirect built its address from the Host header: a proxy or a
    # cache passing another host on would have sent people to that host.
    client = site.client("ed")
    for asked, to in (
        ("/measures/", "/measures"),
        ("/measures/bury-3/?list=rag%3Dred", "/measures/bury-3?list=rag%3Dred"),
        ("/login/", "/login"),
    ):
        moved = client.get(asked, headers={"Host": "evil.example"})
        assert (moved.status_code, moved.headers["location"]) == (307, to), asked
    for nowhere in ("/nothing/", "//evil.example/", "/api/measures/"):
        answer = client.get(nowhere, headers={"Host": "evil.example"})
        assert "evil.example" not in answer.headers.get("location", ""), nowhere
    assert client.get("/nothing/").status_code == 404
