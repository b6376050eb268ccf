"""The operations review (an IT administrator deploying and running Valvecheck): its fixes."""

from __future__ import annotations

import inspect
import json
import logging
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import APP_ROLE, PG_URL, pg_schema
from web_support import (
    csrf_of,
    post,
    sign_in,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
)

from valvecheck import logs
from valvecheck.domain.moments import in_england
from valvecheck.errors import WorkspaceError
from valvecheck.services import backup, people, tokens
from valvecheck.services.context import utc_now
from valvecheck.services.workspace import init_workspace, unit_of_work
from valvecheck.store.db import Workspace

# `valvecheck serve` as the CLI runs it, up to the moment uvicorn would listen; then many threads
# ask the API at once, as the first visitors of a freshly started server do.
SERVE_THEN_HIT = r"""
import sys
import threading

import uvicorn

from valvecheck.cli import run

db, secret = sys.argv[1], sys.argv[2]
served = {}
uvicorn.run = lambda app, **kw: served.setdefault("app", app)
assert run(["--db", db, "serve"]) == 0
pending = sorted(n for n, m in sys.modules.items() if type(m).__name__ == "_LazyModule")
print("pending:", pending)

from fastapi.testclient import TestClient

codes = []
start = threading.Barrier(16)


def ask():
    client = TestClient(served["app"])
    start.wait()
    codes.append(client.get("/api/summary", headers={"Authorization": "Bearer " + secret}).status_code)


threads = [threading.Thread(target=ask) for _ in range(16)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("codes:", sorted(codes))
"""


@pytest.mark.sqlite_only
def test_serve_loads_the_lazy_modules_before_it_listens(tmp_path: Path):
    db = tmp_path / "valvecheck.db"
    ws = Workspace(str(db))
    init_workspace(ws)
    with unit_of_work(ws, write=True, by="admin") as ctx:
        secret = tokens.create_token(ctx, "loadtest", "editor").secret
    ws.dispose()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "VALVECHECK_COUNCIL")}
    done = subprocess.run(
        [sys.executable, "-c", SERVE_THEN_HIT, str(db), secret],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "pending: []" in done.stdout, done.stdout
    assert "codes: " + str([200] * 16) in done.stdout, done.stdout + done.stderr


# -- restore (review items 1, 9 and 13) ----------------------------------------------------------


def test_a_restore_over_a_council_with_data_is_refused_unless_replace_is_given(cli, tmp_path):
    assert cli("init")[0] == 0
    file = tmp_path / "bristol.json"
    assert cli("backup", str(file))[0] == 0
    assert cli("rate", "bury-3", "red", "--rationale", "work done after the backup")[0] == 0
    assert cli("users", "add", "dora", "--role", "editor")[0] == 0
    assert cli("place", "bury-3", "--theme", "Sufficiency")[0] == 0
    code, out, err = cli("restore", str(file))
    said = " ".join(err.split())
    assert code == 4 and out == ""
    written = json.loads(file.read_text())["written_at"]
    day = in_england(datetime.fromisoformat(written)).strftime("%Y-%m-%d %H:%M")
    assert "Bristol already has data here, and a restore replaces all of it" in said
    assert (
        f"The backup was written {day}; the 1 rating change, 1 person and 1 placement change "
        "made here" in said
    )
    assert "--replace" in said
    assert "work done after the backup" in cli("history", "bury-3")[1]  # nothing was changed
    assert list(tmp_path.glob("*before-restore*")) == []

    code, out, err = cli("restore", str(file), "--replace")
    assert code == 0, err
    kept = list(tmp_path.glob("bristol.before-restore-*.json"))
    assert len(kept) == 1 and f"to {kept[0]}" in " ".join(out.split())
    assert "work done after the backup" not in cli("history", "bury-3")[1]
    assert "dora" not in cli("users", "list")[1]
    # the safety copy holds what the restore replaced: restoring it brings it all back
    assert "dora" in kept[0].read_text()
    assert cli("restore", str(kept[0]), "--replace")[0] == 0
    assert "work done after the backup" in cli("history", "bury-3")[1]
    assert "dora" in cli("users", "list")[1]


def test_a_restore_into_a_council_with_no_data_needs_no_replace(cli, tmp_path):
    assert cli("init")[0] == 0
    file = tmp_path / "bristol.json"
    assert cli("backup", str(file))[0] == 0
    fresh = str(tmp_path / "fresh.db")
    assert cli("--council", "Bristol", "init", "--empty", db=fresh)[0] == 0
    code, out, err = cli("restore", str(file), db=fresh)
    assert code == 0 and "Restored Bristol" in out, err


def test_a_restore_into_no_workspace_says_init_empty(cli, tmp_path):
    assert cli("init")[0] == 0
    file = tmp_path / "bristol.json"
    assert cli("backup", str(file))[0] == 0
    code, _, err = cli("restore", str(file), db=str(tmp_path / "r1.db"))
    assert code != 0 and "run 'valvecheck init --empty' first" in " ".join(err.split())


def test_a_restore_names_the_people_with_no_password(cli, tmp_path):
    assert cli("init")[0] == 0
    assert cli("users", "add", "ann.lee", "--role", "admin")[0] == 0
    assert cli("users", "add", "bob", "--role", "editor")[0] == 0
    file = tmp_path / "bristol.json"
    assert cli("backup", str(file))[0] == 0  # written without passwords, as the docs advise
    fresh = str(tmp_path / "fresh.db")
    assert cli("init", "--empty", db=fresh)[0] == 0
    code, out, err = cli("restore", str(file), db=fresh)
    assert code == 0, err
    assert (
        "2 people have no password: set them with "
        "`valvecheck users password NAME --password-stdin`." in " ".join(out.split())
    )


def test_the_backup_format_says_it_has_more_than_version_1_and_version_1_is_still_read(
    cli, tmp_path
):
    assert cli("init")[0] == 0
    file = tmp_path / "bristol.json"
    assert cli("backup", str(file))[0] == 0
    dump = json.loads(file.read_text())
    # what version 1 did not have: the catalogue's decisions on common measures
    assert dump["version"] == backup.VERSION >= 2 and "equivalence_event" in dump["catalogue"]
    old = tmp_path / "old.json"
    dump["version"] = 1
    del dump["catalogue"]["equivalence_event"]
    old.write_text(json.dumps(dump))
    fresh = str(tmp_path / "fresh.db")
    assert cli("init", "--empty", db=fresh)[0] == 0
    code, out, err = cli("restore", str(old), db=fresh)
    assert code == 0 and "Restored Bristol" in out, err
    dump["version"] = backup.VERSION + 1
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(dump))
    code, _, err = cli("restore", str(newer), "--replace", db=fresh)
    assert code == 1
    assert (
        f"was written by a newer version of Valvecheck (backup format {backup.VERSION + 1}; "
        f"this version reads up to {backup.VERSION}): upgrade Valvecheck to restore it"
    ) in " ".join(err.split())


# -- people (review item 12) ---------------------------------------------------------------------


def test_removing_access_ends_the_person_s_sessions_for_good(ws):
    with unit_of_work(ws, write=True, by="admin") as ctx:
        people.add_person(ctx, "carl", "editor", password="correct horse battery")
    with ws.session(all_councils=True) as session:
        carl = people.person_actor(session, "carl")
    assert carl.person_id is not None
    begun = utc_now() - timedelta(minutes=5)  # carl signed in before his access was removed
    with ws.session(all_councils=True) as session:
        assert people.session_person(session, carl.person_id, "carl", begun) is not None
    with unit_of_work(ws, write=True, by="admin") as ctx:
        people.deactivate(ctx, "carl")
    with unit_of_work(ws, write=True, by="admin") as ctx:
        people.restore_access(ctx, "carl")
    with ws.session(all_councils=True) as session:  # the old cookie does not come back
        assert people.session_person(session, carl.person_id, "carl", begun) is None
        assert people.session_person(session, carl.person_id, "carl", utc_now()) is not None


# -- versions (review item 13) -------------------------------------------------------------------


def test_version_says_the_package_and_the_workspace_s_schema(cli, tmp_path, db_path):
    from valvecheck import __version__
    from valvecheck.store.db import head_revision

    head = head_revision()
    code, out, _ = cli("--version", db=str(tmp_path / "none.db"))  # no workspace: no error
    assert code == 0
    assert out.splitlines()[0] == f"valvecheck {__version__} (schema {head})"
    assert "Workspace: none at" in out
    assert cli("init", "--empty")[0] == 0
    code, out, _ = cli("--version")
    assert code == 0 and f"schema {head} (up to date)" in out
    code, out, _ = cli("--version", db="postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert code == 0 and "Workspace: cannot be reached" in out
    assert cli()[0] == 2  # and no command is still a usage error


# -- the database down, and health (review item 4) -----------------------------------------------


def _down(*args: object, **kwargs: object) -> None:
    raise WorkspaceError("cannot use the workspace web.db: connection refused")


def test_a_page_while_the_database_is_down_is_the_503_page(site, monkeypatch):  # noqa: F811
    client = site.client("ann")
    assert client.get("/").status_code == 200
    monkeypatch.setattr(site.ws, "session", _down)
    monkeypatch.setattr(site.ws, "connection", _down)
    answer = client.get("/")  # the header's "who is signed in" cannot be read either
    assert answer.status_code == 503
    assert "The service is not ready" in answer.text


def test_healthz_says_whether_the_database_answers_without_a_sign_in(
    site,  # noqa: F811
    monkeypatch,
):
    client = site.client()  # nobody signed in
    answer = client.get("/healthz")
    assert (answer.status_code, answer.json()) == (200, {"status": "ok"})
    monkeypatch.setattr(site.ws, "revision", _down)
    answer = client.get("/healthz")
    assert (answer.status_code, answer.json()) == (503, {"status": "unavailable"})


def _named_connections(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return (
        make_url(url)
        .update_query_dict({"application_name": name})
        .render_as_string(hide_password=False)
    )


def test_a_postgresql_connection_the_server_dropped_is_replaced_before_use(pg_url):
    import psycopg

    name = f"ops_{uuid.uuid4().hex[:10]}"
    ws = Workspace(_named_connections(pg_url, name))
    init_workspace(ws, empty=True)
    assert ws.revision() == ws.head()  # a connection now waits in the pool
    with psycopg.connect(PG_URL.replace("+psycopg", ""), autocommit=True) as conn:
        ended = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s",
            (name,),
        ).fetchone()
        assert ended == (1,)  # what a restart, a failover or an idle timeout does
        # pg_terminate_backend only signals: wait until the backend has gone (a ping racing its
        # exit can meet a socket closing mid-query, which is not what this test is about)
        for _ in range(100):
            left = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (name,)
            ).fetchone()
            if left == (0,):
                break
            time.sleep(0.05)
    assert ws.revision() == ws.head()  # the next request does not pay for it
    ws.dispose()


# -- PostgreSQL roles, URLs and SQLite folders (review items 7 and 10) ---------------------------


@pytest.fixture
def superuser_schema() -> Iterator[tuple[str, str]]:
    """A schema made and initialised by the superuser, that the app's role may only look in:
    (the superuser's URL, the app role's URL), both with that schema as their search path."""
    from sqlalchemy.engine import make_url

    with pg_schema(owned_by_app=False) as schema:
        path = {"options": f"-csearch_path={schema}"}
        superuser = make_url(PG_URL).update_query_dict(path)
        app_role = superuser.set(username=APP_ROLE, password=None)
        yield (
            superuser.render_as_string(hide_password=False),
            app_role.render_as_string(hide_password=False),
        )


def test_init_as_a_superuser_warns_and_a_role_refused_the_tables_gets_one_line(
    superuser_schema, capsys
):
    from valvecheck.cli import run

    superuser, app_role = superuser_schema
    assert run(["--db", superuser, "--council", "X", "init", "--empty"]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "warning: the database role 'postgres' is a superuser" in err
    assert run(["--db", app_role, "--council", "X", "summary"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err  # no traceback
    assert (
        f"error: the role '{APP_ROLE}' may not use the workspace's tables (owned by 'postgres'): "
        f"make it their owner (ALTER TABLE ... OWNER TO {APP_ROLE}" in " ".join(err.split())
    )


@pytest.mark.parametrize("url", ["postgresql+psycopg2://ann@db/vc", "mysql://ann@db/vc"])
def test_a_database_url_of_another_driver_gets_one_line_naming_the_one_to_use(url, capsys):
    from valvecheck.cli import run

    assert run(["--db", url, "summary"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "postgresql+psycopg://" in err, err


ROOT_WITHOUT_OVERRIDE = [
    "setpriv",
    "--inh-caps=-dac_override,-dac_read_search",
    "--bounding-set=-dac_override,-dac_read_search",
    "--",
]


@pytest.mark.sqlite_only
def test_sqlite_in_a_read_only_folder_names_the_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    ws = Workspace(str(folder / "valvecheck.db"))
    init_workspace(ws, empty=True)
    ws.dispose()
    folder.chmod(0o555)
    # as root, the file system's permissions only hold once the override is dropped
    prefix = ROOT_WITHOUT_OVERRIDE if os.geteuid() == 0 else []
    try:
        done = subprocess.run(
            [*prefix, sys.executable, "-m", "valvecheck", "--db", str(folder / "valvecheck.db")]
            + ["summary"],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        folder.chmod(0o755)
    said = " ".join(done.stderr.split())
    assert done.returncode == 1, said
    assert f"the folder {folder} must be writable by the account the service runs as" in said


# -- logging (review item 5) ---------------------------------------------------------------------


def test_sign_ins_people_and_token_changes_are_logged_one_line_each_without_secrets(
    site,  # noqa: F811
    caplog,
    monkeypatch,
    cli,
):
    caplog.set_level(logging.INFO, logger="valvecheck")
    browser = site.client()
    token = csrf_of(browser, "/login")
    wrong = {"username": "ann", "password": "not the password", "csrf_token": token}
    assert browser.post("/login", data=wrong).status_code == 401
    sign_in(browser, "ann")
    other = site.client()  # someone else, whose attempts are held back
    monkeypatch.setattr(other.app.state.throttle, "attempt", lambda *args: 120.0)
    held = {**wrong, "csrf_token": csrf_of(other, "/login")}
    assert other.post("/login", data=held).status_code == 429
    assert post(browser, f"/admin/users/{site.people['vi']}/remove").status_code == 303
    lines = [r.getMessage() for r in caplog.records if r.name == "valvecheck"]
    client = '"testclient"'
    assert lines == [
        f'sign-in-failed who="ann" council="-" client={client}',
        f'sign-in who="ann" council="Bristol" client={client}',
        f'sign-in-throttled who="ann" council="-" client={client}',
        f'person-removed who="ann" council="Bristol" client={client} person="vi"',
    ]
    levels = [r.levelno for r in caplog.records if r.name == "valvecheck"]
    assert levels == [logging.WARNING, logging.INFO, logging.WARNING, logging.INFO]
    caplog.clear()
    assert cli("init")[0] == 0
    code, out, _ = cli("tokens", "create", "dashboard", "--role", "editor")
    secret = out.strip()
    assert code == 0 and cli("tokens", "revoke", "dashboard")[0] == 0
    assert cli("users", "add", "dora", "--role", "editor")[0] == 0
    lines = [r.getMessage() for r in caplog.records if r.name == "valvecheck"]
    assert [line.split(" ")[0] for line in lines] == [
        "token-created",
        "token-revoked",
        "person-added",
    ]
    assert 'client="command line"' in lines[0] and 'token="dashboard"' in lines[0]
    said = "\n".join(lines) + caplog.text
    assert "not the password" not in said and secret not in said and "PASSWORD" not in said


def test_a_name_typed_into_the_sign_in_form_cannot_forge_a_log_line(caplog):
    caplog.set_level(logging.INFO, logger="valvecheck")
    logs.sign_in_failed('ann\nsign-in who="root"', "10.0.0.1")
    assert caplog.records[-1].getMessage() == (
        'sign-in-failed who="ann\\nsign-in who=\\"root\\"" council="-" client="10.0.0.1"'
    )


SERVE_OPTIONS = r"""
import json
import sys

import uvicorn

from valvecheck.cli import run

given = {}
uvicorn.run = lambda app, **kw: given.update(kw)
code = run(["--db", sys.argv[1], "serve", *sys.argv[2:]])
config = given.get("log_config", {})
print(json.dumps({
    "code": code,
    "access_log": given.get("access_log"),
    "log_level": given.get("log_level"),
    "valvecheck": config.get("loggers", {}).get("valvecheck"),
}))
"""


@pytest.mark.sqlite_only
def test_serve_logs_requests_and_the_valvecheck_logger_at_the_level_asked(tmp_path):
    db = tmp_path / "valvecheck.db"
    ws = Workspace(str(db))
    init_workspace(ws, empty=True)
    ws.dispose()

    def serve(*options: str) -> dict:
        done = subprocess.run(
            [sys.executable, "-c", SERVE_OPTIONS, str(db), *options],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )
        return json.loads(done.stdout.splitlines()[-1])

    found = serve()
    assert (found["code"], found["access_log"], found["log_level"]) == (0, True, "info")
    assert found["valvecheck"]["level"] == "INFO"
    found = serve("--log-level", "warning", "--no-access-log")
    assert (found["code"], found["access_log"], found["log_level"]) == (0, False, "warning")
    assert found["valvecheck"]["level"] == "WARNING"
    assert serve("--log-level", "loud")["code"] == 2


# -- help for an administrator (review item 14) --------------------------------------------------


def test_command_summaries_are_one_line_and_the_help_says_what_an_admin_needs(capsys):
    import typer

    from valvecheck.cli import app, run

    root = typer.main.get_command(app)
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        summary = inspect.cleandoc(command.help or "").split("\n\n")[0]
        assert "\n" not in summary, f"{name}: {summary!r}"
    for option in root.params:
        if getattr(option, "envvar", None):  # Typer shows [env var: ...] itself
            assert str(option.envvar) not in (option.help or ""), option.name

    def helped(*words: str) -> str:
        assert run([*words, "--help"]) == 0
        return " ".join(capsys.readouterr().out.replace("│", " ").split())

    said = helped("restore")
    assert "replacing all its data here (needs --replace)" in said
    assert "init --empty" in said
    said = helped("migrate")
    assert "Back up first" in said and "stop the web app's workers" in said
    said = helped("serve")
    assert "VALVECHECK_SECRET_KEY" in said and "VALVECHECK_THREADS" in said
    assert "uvicorn or gunicorn" in said and "docs/deploy.md" in said
    assert "--log-level" in said and "--no-access-log" in said
