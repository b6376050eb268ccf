"""The security review's findings (regional host, several councils on one PostgreSQL), each
with the test that fails without its fix."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

from dataclasses import asdict

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError
from web_support import (
    BRISTOL_ACTIVITIES,
    LEEDS_ACTIVITIES,
    PASSWORD,
    asgi_post,
    csrf_of,
    post,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
)

from valvecheck.services import activities, people, ratings
from valvecheck.services.workspace import init_workspace, unit_of_work
from valvecheck.settings import Settings
from valvecheck.store.db import Workspace
from valvecheck.web import create_app
from valvecheck.web.common import work
from valvecheck.web.session import COOKIE

KEY = "review-key-" + "x" * 40


def signed_in(app, person_id: int, name: str) -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(app, follow_redirects=False)
    fresh = app.state.sessions.fresh(person_id, name)
    client.cookies.set(
        COOKIE, app.state.sessions._signer.dumps(asdict(fresh)), domain="testserver.local"
    )
    return client


# -- 1. row-level security for web pages --------------------------------------------------------


@pytest.fixture
def pg_site(pg_url):  # type: ignore[no-untyped-def]
    """Bristol and Leeds on PostgreSQL, connected as an ordinary role (not a superuser, no
    BYPASSRLS: conftest's pg_url), each with activities; vi is Bristol's viewer, ed its editor."""
    ws = Workspace(pg_url)
    init_workspace(ws)
    ids = {}
    with unit_of_work(ws, write=True, by="setup") as ctx:
        people.add_council(ctx, "Leeds")
        ids["vi"] = people.add_person(ctx, "vi", "viewer", "Bristol", PASSWORD).id
        ids["ed"] = people.add_person(ctx, "ed", "editor", "Bristol", PASSWORD).id
        ids["ann"] = people.add_person(ctx, "ann", "admin", "Bristol", PASSWORD).id
        people.add_person(ctx, "lee", "admin", "Leeds", PASSWORD)
        activities.import_activities(ctx, BRISTOL_ACTIVITIES, "bristol.csv")
    with unit_of_work(ws, write=True, as_person="lee") as ctx:
        ratings.new_assessment(ctx, "Leeds: spring", use=True)
        activities.import_activities(ctx, LEEDS_ACTIVITIES, "leeds.csv")
        ratings.rate(ctx, "bury-2", "green", "Leeds private rationale")
    yield ws, ids
    ws.dispose()


def probed_app(ws: Workspace):  # type: ignore[no-untyped-def]
    """The real app with one more page: exactly the unit of work every page opens
    (web.common.work), running queries that forgot their council filter."""
    app = create_app(Settings(secret_key=KEY), ws)

    @app.get("/probe")
    def probe(request: Request) -> dict[str, object]:
        with work(request) as ctx:
            scope = ctx.session.execute(
                text(
                    "SELECT current_setting('app.all_councils', true), "
                    "current_setting('app.council_id', true)"
                )
            ).one()
            councils = {
                table: sorted(
                    set(ctx.session.scalars(text(f"SELECT council_id FROM {table}")))  # no filter
                )
                for table in ("activity", "assessment", "rating", "person")
            }
            own = ctx.actor.council_id
        return {"all_councils": scope[0], "council_id": scope[1], "seen": councils, "own": own}

    @app.post("/probe-write")
    def probe_write(request: Request) -> dict[str, object]:
        with work(request, write=True) as ctx:
            other = ctx.session.scalar(text("SELECT id FROM council WHERE name = 'Leeds'"))
            ctx.session.execute(
                text(
                    "INSERT INTO activity (council_id, code, title, description, theme, "
                    "sub_theme, owner, status, link, imported_at) VALUES (:c, 'X-1', 'x', '', "
                    "'', '', '', '', '', now())"
                ),
                {"c": other},
            )
        return {}

    return app


def test_a_web_page_sees_only_its_councils_rows_with_an_unfiltered_query(pg_site):
    ws, ids = pg_site
    with ws.engine.connect() as conn:
        conn.execute(text("SELECT set_config('app.all_councils', 'on', true)"))
        everyone = set(conn.scalars(text("SELECT DISTINCT council_id FROM activity")))
    assert len(everyone) == 2  # both councils have activities: the probe could see either
    client = signed_in(probed_app(ws), ids["vi"], "vi")
    found = client.get("/probe")
    assert found.status_code == 200, found.text
    body = found.json()
    own = body["own"]
    assert (body["all_councils"], body["council_id"]) == ("off", str(own))
    assert body["seen"] == {t: [own] for t in ("activity", "assessment", "rating", "person")}


def test_a_web_page_cannot_write_into_another_council(pg_site):
    ws, ids = pg_site
    client = signed_in(probed_app(ws), ids["ed"], "ed")
    client.get("/")  # a CSRF token for the session
    with pytest.raises(ProgrammingError, match="row-level security"):
        client.post("/probe-write")


PAGES = (
    "/",
    "/measures",
    "/measures/bury-1",
    "/measures/bury-2",
    "/activities",
    "/activities/B-1",
    "/suggestions",
    "/assessments",
    "/impact",
    "/common",
    "/reports",
    "/reports/download?format=md",
    "/imports",
    "/admin/users",
)


def test_pages_and_changes_work_in_the_councils_own_scope(pg_site):
    """Every page, and the changes people make, on PostgreSQL narrowed to the council: nothing
    of Leeds shows, and nothing a page needs is hidden from it."""
    ws, ids = pg_site
    client = signed_in(create_app(Settings(secret_key=KEY), ws), ids["ann"], "ann")
    for path in PAGES:
        shown = client.get(path)
        assert shown.status_code == 200, (path, shown.text[:300])
        assert "Leeds private rationale" not in shown.text and "L-1" not in shown.text, path
    rated = post(client, "/measures/bury-4/rating", {"rag": "green", "version": "0"})
    assert rated.status_code == 303, rated.text[:300]
    linked = post(client, "/activities/B-1/link", {"measure": "bury-4"})
    assert linked.status_code == 303, linked.text[:300]
    started = post(client, "/assessments", {"name": "Bristol: autumn"})
    assert started.status_code == 303, started.text[:300]
    assert client.get(started.headers["location"]).status_code == 200
    added = post(
        client, "/admin/users", {"username": "new", "role": "viewer", "password": "p" * 12}
    )
    assert added.status_code == 303, added.text[:300]
    taken = post(
        client, "/admin/users", {"username": "lee", "role": "viewer", "password": "p" * 12}
    )
    assert taken.status_code == 409, taken.text[:300]  # Leeds' lee: refused, not a crash


# -- 2. next= never leads to another host ---------------------------------------------------------

REFUSED_TARGETS = [
    "//evil.example",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "/measures\\..\\evil",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "/\x00/evil.example",
    "/x\x7f",
    "/x\x85",
    "\t//evil.example",
    "https://evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "evil.example",
]


@pytest.mark.parametrize("target", REFUSED_TARGETS, ids=repr)
def test_safe_next_refuses_another_host(target):
    from valvecheck.web.auth import safe_next

    assert safe_next(target) == "/"


@pytest.mark.parametrize("target", ["/", "/measures?theme=a&b=c", "/measures/bury-1#rating", ""])
def test_safe_next_keeps_a_path_of_this_site(target):
    from valvecheck.web.auth import safe_next

    assert safe_next(target) == (target or "/")


def test_signing_in_with_next_three_slashes_goes_home(site):
    client = site.client()
    token = csrf_of(client, "/login")
    shown = client.get("/login?next=///evil.example")
    assert 'value="///evil.example"' not in shown.text
    signed = client.post(
        "/login",
        data={
            "username": "ed",
            "password": PASSWORD,
            "next": "///evil.example",
            "csrf_token": token,
        },
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/"


# -- 3. a request body is read no further than the limit, whatever its framing ------------------

MB = 1024 * 1024


def big_upload(megabytes: int):  # type: ignore[no-untyped-def]
    yield b'--XB\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
    for _ in range(megabytes):
        yield b"x" * MB
    yield b"\r\n--XB--\r\n"


def test_a_chunked_upload_over_the_limit_is_refused_and_read_no_further(site, monkeypatch):
    from valvecheck.importers import limits

    monkeypatch.setattr(limits, "MAX_BYTES", 2 * MB)
    app = create_app(site.settings, site.ws)
    session = app.state.sessions.fresh(site.people["les"], "les")
    cookie = app.state.sessions._signer.dumps(asdict(session))
    status, reads = asgi_post(
        app, "/imports", big_upload(100), [(b"cookie", f"{COOKIE}={cookie}".encode())]
    )
    assert status == 413
    assert reads <= 4  # stopped at the limit: not the 100 MB sent


def test_a_chunked_upload_over_the_limit_through_the_client_is_413(site, monkeypatch):
    from valvecheck.importers import limits

    monkeypatch.setattr(limits, "MAX_BYTES", 2 * MB)
    client = site.client("les")
    token = csrf_of(client, "/imports")

    def body():  # type: ignore[no-untyped-def]
        yield (
            f'--XB\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        ).encode()
        yield from big_upload(3)

    refused = client.post(
        "/imports", content=body(), headers={"content-type": "multipart/form-data; boundary=XB"}
    )
    assert refused.status_code == 413
    assert "too large" in refused.text.lower() and "Go back to imports" in refused.text


def test_a_file_sent_with_nobody_signed_in_is_not_read(site):
    app = create_app(site.settings, site.ws)
    for path in ("/imports", "/login", "/measures/bury-1/rating"):
        status, reads = asgi_post(app, path, big_upload(5))
        assert (status, reads) == (303, 0), path


# -- 4. a password in the URL's query string is never shown ---------------------------------------

SECRET_URLS = [
    "postgresql+psycopg://127.0.0.1:5999/nonexist?user=vc_rev&password=S3cretPW",
    "postgresql+psycopg://127.0.0.1:5999/nonexist?sslpassword=S3cretPW&sslmode=require",
    "postgresql+psycopg://vc:S3cretPW@127.0.0.1:5999/nonexist?PASSWORD=S3cretPW",
    "postgresql://127.0.0.1:5999/nonexist?password=S3cretPW&password=S3cretPW2",
]


@pytest.mark.parametrize("url", SECRET_URLS)
def test_the_workspace_label_hides_a_password_in_the_query_string(url):
    ws = Workspace(url)
    assert "S3cret" not in ws.label and "127.0.0.1:5999/nonexist" in ws.label
    assert "***" in ws.label
    ws.dispose()


@pytest.mark.parametrize("url", SECRET_URLS[:2])
def test_a_command_that_cannot_connect_never_prints_the_query_password(url, capsys):
    from valvecheck.cli import run

    assert run(["--db", url, "--council", "Bristol", "summary"]) != 0
    err = capsys.readouterr().err
    assert err.startswith("error: cannot use the workspace") and "S3cret" not in err, err


# -- 10. an unsupported database URL: one line, no traceback --------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "mysql://vc:S3cretPW@db.example/valvecheck",
        "mssql://vc@db.example/valvecheck",
        "sqlite+pysqlcipher://:S3cretPW@/x.db",
        "oracle+nodriver://vc@db.example/x?password=S3cretPW",
    ],
)
def test_an_unsupported_database_url_is_one_line(url, capsys):
    from valvecheck.cli import run

    assert run(["--db", url, "summary"]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: '"), err
    assert "neither a file path nor a database URL" in err and "S3cret" not in err


# -- 5. locking an assessment is an admin's -------------------------------------------------------


def test_only_an_admin_may_lock_and_an_editor_still_starts_and_chooses():
    from valvecheck.domain.people import Action, Role, may

    assert may(Role.ADMIN, Action.LOCK_ASSESSMENT)
    assert not may(Role.EDITOR, Action.LOCK_ASSESSMENT)
    assert not may(Role.VIEWER, Action.LOCK_ASSESSMENT)
    assert may(Role.EDITOR, Action.MANAGE_ASSESSMENTS)


def test_an_editor_cannot_lock_an_assessment_through_the_web(site):
    editor = site.client("ed")
    target = f"/assessments/{site.bristol_assessment}"
    shown = editor.get(target)
    assert f'href="{target}/lock"' not in shown.text  # no Lock button for an editor
    assert editor.get(f"{target}/lock").status_code == 403
    refused = post(editor, f"{target}/lock")
    assert refused.status_code == 403
    assert "Locked (read-only)" not in editor.get(target).text
    admin = site.client("ann")
    assert f'href="{target}/lock"' in admin.get(target).text
    assert post(admin, f"{target}/lock").status_code == 303


def test_an_editor_cannot_lock_through_the_service_the_api_and_the_cli_use(site):
    from valvecheck.errors import Forbidden
    from valvecheck.services.ratings import lock_assessment

    with pytest.raises(Forbidden), unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        lock_assessment(ctx)
    with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        started = ratings.new_assessment(ctx, "Bristol: editor's own", use=True)
    assert started.current


# -- 6. sign-in throttling cannot lock a person out from elsewhere --------------------------------


def test_failures_from_elsewhere_do_not_lock_out_an_address_that_has_not_failed(ws):
    from valvecheck.web.throttle import Throttle

    throttle = Throttle(ws)
    for i in range(40):  # the name guessed from 40 addresses, once each
        if throttle.attempt("bv", f"203.0.113.{i}") == 0:
            pass  # let through; the password was wrong: it stays counted
    assert throttle.attempt("bv", "198.51.100.7") == 0  # the person's own desk: let in
    throttle.succeeded("bv", "198.51.100.7")
    # an address that has failed for the name is held back by the name's count
    assert throttle.attempt("bv", "203.0.113.1") > 0
    # and the pair's own limit still holds from any address
    for _ in range(5):
        assert throttle.attempt("ann", "192.0.2.9") == 0
    assert throttle.attempt("ann", "192.0.2.9") > 0


def test_attempts_made_at_once_cannot_all_pass_the_check_before_any_is_counted(ws):
    import threading

    from valvecheck.web.throttle import Throttle

    throttle = Throttle(ws)
    start = threading.Barrier(60)
    let_through = []

    def one() -> None:
        start.wait()
        if throttle.attempt("ann", "192.0.2.1") == 0:
            let_through.append(1)  # list.append is atomic

    threads = [threading.Thread(target=one) for _ in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # the pair's limit at most, however many at once (a few may be refused while counted) ...
    assert len(let_through) <= 5
    # ... and the refused counted nothing: one at a time, the rest of the limit, then no more
    after = [throttle.attempt("ann", "192.0.2.1") == 0 for _ in range(6)]
    assert after == [True] * (5 - len(let_through)) + [False] * (1 + len(let_through))


def test_the_right_password_from_a_fresh_address_signs_in_after_many_failures_elsewhere(site):
    app = create_app(site.settings, site.ws)

    def attempt(password: str, address: str) -> int:
        client = TestClient(app, follow_redirects=False, client=(address, 40000))
        token = csrf_of(client, "/login")
        form = {"username": "vi", "password": password, "csrf_token": token}
        return client.post("/login", data=form).status_code

    tried = [attempt(f"wrong{i}", f"203.0.113.{i}") for i in range(22)]
    assert tried == [401] * 20 + [401, 401]  # each address's first guess is tried
    assert attempt("wrong", "203.0.113.3") == 429  # an address that failed is held back
    assert attempt(PASSWORD, "198.51.100.7") == 303  # the person, at their own desk


# -- 7. a backup file is its owner's alone ---------------------------------------------------------


@pytest.mark.parametrize("options", [(), ("--with-passwords",)])
def test_a_backup_file_is_readable_by_its_owner_only(cli, tmp_path, options):
    import os
    import stat

    assert cli("init")[0] == 0
    old = os.umask(0o022)  # the usual umask, under which a new file is 0644
    try:
        fresh = tmp_path / "fresh.json"
        assert cli("backup", str(fresh), *options)[0] == 0
        again = tmp_path / "again.json"
        again.write_text("an older file, readable by all")
        again.chmod(0o644)
        assert cli("backup", str(again), *options)[0] == 0
    finally:
        os.umask(old)
    for written in (fresh, again):
        assert stat.S_IMODE(written.stat().st_mode) == 0o600, written
    assert b'"council"' in again.read_bytes()


# -- 8. a number written with other digits is refused, never a crash ----------------------------

ODD_NUMBERS = ["²", "١", "٣", "1²", "99999999999999999999", "-1", "1.0", " "]


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_whole_number_takes_ascii_digits_only(value):
    from valvecheck.web.common import whole_number

    assert whole_number(value) is None
    assert whole_number(" 12 ") == 12


@pytest.mark.parametrize("value", ["²", "٣", "99999999999999999999"])
def test_odd_digits_in_an_id_are_refused_not_a_crash(site, value):
    client = TestClient(
        create_app(site.settings, site.ws), follow_redirects=False, raise_server_exceptions=False
    )
    client.cookies = site.client("ed").cookies
    answers = {
        "download": client.get("/reports/download", params={"format": "md", "assessment": value}),
        "compare": client.get("/assessments/compare", params={"first": value, "second": "1"}),
        "start": post(client, "/assessments", {"name": "q", "carry_from": value}),
        "rate": post(client, "/measures/bury-2/rating", {"rag": "green", "version": value}),
    }
    for route, answer in answers.items():
        assert answer.status_code in (400, 422), (route, answer.status_code, answer.text[:300])
        assert "Internal Server Error" not in answer.text, route
    with unit_of_work(site.ws, council="Bristol") as ctx:
        assert "q" not in [a.name for a in ratings.list_assessments(ctx)]  # nothing started


# -- 9. the signing key outlives a restart; a form sent after the session is lost is kept --------


def test_a_sqlite_workspace_keeps_one_signing_key_beside_it(site):
    import os
    import stat
    from pathlib import Path

    from valvecheck.web.app import signing_key

    first = signing_key(Settings(), site.ws)
    kept = Path(f"{site.ws.engine.url.database}-secret")
    assert kept.exists() and stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert len(first) >= 40 and first in kept.read_text()
    again = Workspace(str(site.ws.engine.url.database))
    assert signing_key(Settings(), again) == first  # the next start reads the same key
    again.dispose()
    assert signing_key(Settings(secret_key=KEY), site.ws) == KEY  # the setting comes first
    assert not [p for p in os.listdir(kept.parent) if ".db-secret." in p]  # no drafts left


def test_workers_and_restarts_share_the_kept_key(site, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", str(site.ws.engine.url.database))
    monkeypatch.delenv("VALVECHECK_SECRET_KEY", raising=False)
    first = create_app()  # a worker, from the environment, as uvicorn's factory makes it
    session = first.state.sessions.fresh(site.people["ed"], "ed")
    cookie = first.state.sessions._signer.dumps(asdict(session))
    for app in (first, create_app()):  # another worker, or the server after a restart
        client = TestClient(app, follow_redirects=False)
        client.cookies.set(COOKIE, cookie, domain="testserver.local")
        assert client.get("/").status_code == 200
        app.state.ws.dispose()


def test_on_postgresql_a_server_needs_the_key_set(pg_url, monkeypatch, capsys):
    from valvecheck.cli import run
    from valvecheck.errors import InputError
    from valvecheck.web.app import STARTUP_FAILURE, signing_key

    ws = Workspace(pg_url)
    with pytest.raises(InputError, match="VALVECHECK_SECRET_KEY is not set"):
        signing_key(Settings(), ws)
    monkeypatch.delenv("VALVECHECK_SECRET_KEY", raising=False)
    assert run(["--db", pg_url, "serve", "--port", "1"]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "VALVECHECK_SECRET_KEY is not set" in err, err
    assert not ws.exists()  # refused before anything was made
    init_workspace(ws, empty=True)
    monkeypatch.setenv("DATABASE_URL", pg_url)
    with pytest.raises(SystemExit) as stopped:
        create_app()  # a worker started from the environment without the key
    assert stopped.value.code == STARTUP_FAILURE
    assert "error: VALVECHECK_SECRET_KEY is not set" in capsys.readouterr().err
    ws.dispose()


def fields_of(form) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        f.get("name"): (f.get("value") if f.tag == "input" else f.text or "")
        for f in form.iter()
        if f.tag in ("input", "textarea") and f.get("name")
    }


RATING = {"rag": "amber", "rationale": "Words typed before the restart", "evidence": ""}


def form_on_the_page(client: TestClient) -> dict[str, str]:
    token = csrf_of(client, "/measures/bury-3")
    return {**RATING, "version": "0", "csrf_token": token}


@pytest.mark.parametrize("how", ["restarted with a new key", "cookies cleared"])
def test_a_form_sent_after_the_session_was_lost_is_kept_through_signing_in(site, how):
    from web_support import by_id, heading, page

    client = site.client("ed")
    form = form_on_the_page(client)
    if how == "cookies cleared":
        client.cookies.clear()
    else:  # the same browser, a server that signs with another key
        restarted = TestClient(
            create_app(Settings(secret_key="another-" + "y" * 40), site.ws), follow_redirects=False
        )
        restarted.cookies = client.cookies
        client = restarted
    ours = {"origin": "http://testserver", "referer": "http://testserver/measures/bury-3"}
    ended = client.post("/measures/bury-3/rating", data=form, headers=ours)
    assert ended.status_code == 401, ended.text[:300]
    assert heading(ended) == "Your sign-in has ended"
    assert "not sent from this site" not in ended.text
    assert "could not be found" in ended.text
    assert (by_id(ended, "carried-rationale").text or "").strip() == RATING["rationale"]
    sign_in = page(ended).find(".//form[@action='/login']")
    assert sign_in.find(".//input[@name='next']").get("value") == "/measures/bury-3"
    resumed = client.post(
        "/login", data={**fields_of(sign_in), "username": "ed", "password": PASSWORD}
    )
    assert resumed.status_code == 200 and heading(resumed) == "You are signed in again"
    again = page(resumed).find(".//form[@id='resume-form']")
    assert again.get("action") == "/measures/bury-3/rating"
    saved = client.post("/measures/bury-3/rating", data=fields_of(again))
    assert saved.status_code == 303, saved.text[:300]


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"referer": "https://evil.example/page"},
        {"origin": "http://testserver", "sec-fetch-site": "cross-site"},
        {},  # the browser does not say where the form came from
    ],
)
def test_a_form_from_another_site_without_a_session_is_still_refused(site, headers):
    client = site.client("ed")
    form = form_on_the_page(client)
    client.cookies.clear()
    refused = client.post("/measures/bury-3/rating", data=form, headers=headers)
    assert refused.status_code == 403 and "This form has expired" in refused.text


# -- 1 (follow-up). the maintenance bypass has to be asked for ----------------------------------


def councils_seen(db) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    """The councils whose rows each council table shows this transaction, with no filter."""
    from valvecheck.store.models import COUNCIL_TABLES

    return {
        table: sorted(set(db.scalars(text(f"SELECT council_id FROM {table}"))))
        for table in COUNCIL_TABLES
    }


def test_a_session_sees_no_council_rows_unless_it_asks_for_the_bypass(pg_site):
    ws, _ = pg_site
    assert ws.role_bypassing_rls() is None  # an ordinary role: row-level security binds it
    with ws.session(write=False, all_councils=True) as db:
        every = councils_seen(db)
    for table in ("activity", "assessment", "rating", "person"):
        assert len(every[table]) == 2, table  # both councils' rows are there to be seen
    nothing = {table: [] for table in every}
    with ws.session(write=False) as db:  # the default: no council
        assert db.execute(
            text(
                "SELECT current_setting('app.all_councils', true), "
                "current_setting('app.council_id', true)"
            )
        ).one() == ("off", "")
        assert councils_seen(db) == nothing
    with ws.connection(write=False) as conn:
        assert councils_seen(conn) == nothing
    with ws.connection(write=False, all_councils=True) as conn:
        assert councils_seen(conn) == every


def test_a_default_session_cannot_write_into_any_council(pg_site):
    ws, _ = pg_site
    with pytest.raises(ProgrammingError, match="row-level security"), ws.session() as db:
        db.execute(
            text(
                "INSERT INTO activity (council_id, code, title, description, theme, sub_theme, "
                "owner, status, link, imported_at) SELECT id, 'X-1', 'x', '', '', '', '', '', "
                "'', now() FROM council WHERE name = 'Bristol'"
            )
        )


def test_a_connection_default_does_not_turn_the_bypass_on_unasked(pg_site, pg_url):
    """A role or URL that sets app.all_councils=on for every connection (as pg_dump is run in
    docs/deploy.md) still gets no council's rows from a session that did not ask."""
    from sqlalchemy.engine import make_url

    url = make_url(pg_url)
    options = f"{url.query['options']} -capp.all_councils=on"
    loose = Workspace(url.update_query_dict({"options": options}).render_as_string(False))
    try:
        with loose.session(write=False) as db:
            assert all(seen == [] for seen in councils_seen(db).values())
        with loose.session(write=False, all_councils=True) as db:
            assert len(councils_seen(db)["activity"]) == 2
    finally:
        loose.dispose()
