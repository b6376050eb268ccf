"""What a server checks as it starts, and a council's restore, from a QA pass following
docs/deploy.md: a bad setting under uvicorn is one line and exit 3 (a traceback and exit 1 had
uvicorn start workers again and again); a bad VALVECHECK_EMBEDDINGS stops the start (every page
answered 500 while /healthz said ok); `serve` never upgrades a shared PostgreSQL database by
itself; settings that contradict each other or a short signing key are refused; a restore
acting in one council refuses another's file; a new SQLite workspace is its owner's alone."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from valvecheck.cli import run
from valvecheck.services import backup
from valvecheck.services.workspace import init_workspace, unit_of_work
from valvecheck.settings import Settings
from valvecheck.store.db import Workspace
from valvecheck.web.app import STARTUP_FAILURE


def worker(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    """uvicorn's factory, as docs/deploy.md runs it, on a SQLite workspace, with ``settings``."""
    db = tmp_path / "valvecheck.db"
    if not db.exists():
        ws = Workspace(str(db))
        init_workspace(ws, empty=True)
        ws.dispose()
    env = {**os.environ, "DATABASE_URL": str(db), **settings}
    return subprocess.run(
        [sys.executable, "-c", "from valvecheck.web.app import create_app; create_app()"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("setting", "value", "said"),
    [
        ("VALVECHECK_COOKIE_SECURE", "maybe", "VALVECHECK_COOKIE_SECURE: should be true or false"),
        ("VALVECHECK_SESSION_HOURS", "abc", "VALVECHECK_SESSION_HOURS: should be a number"),
        ("VALVECHECK_EMBEDDINGS", "yes2", "VALVECHECK_EMBEDDINGS='yes2' is not a setting"),
        ("VALVECHECK_SECRET_KEY", "short", "VALVECHECK_SECRET_KEY: should be 32 or more"),
    ],
)
def test_a_worker_with_a_bad_setting_says_so_in_one_line_and_stops(tmp_path, setting, value, said):
    done = worker(tmp_path, **{setting: value})
    assert done.returncode == STARTUP_FAILURE, done.stderr
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"error: {said}"), line


def test_a_worker_with_good_settings_starts(tmp_path):
    """The same command does start (the check above fails for its setting, not for the way
    the worker is run)."""
    done = worker(tmp_path, VALVECHECK_COOKIE_SECURE="true", VALVECHECK_EMBEDDINGS="off")
    assert done.returncode == 0, done.stderr


def test_settings_that_contradict_each_other_are_refused_naming_the_one_set():
    with pytest.raises(ValueError, match="VALVECHECK_SESSION_MAX_HOURS: should be at least"):
        Settings.from_env({"VALVECHECK_SESSION_MAX_HOURS": "2", "VALVECHECK_SESSION_HOURS": "8"})
    with pytest.raises(ValueError, match=r"at least VALVECHECK_SESSION_HOURS \(8\)"):
        Settings.from_env({"VALVECHECK_SESSION_MAX_HOURS": "2"})  # the default's 8 hours
    both = Settings.from_env({"VALVECHECK_SESSION_MAX_HOURS": "2", "VALVECHECK_SESSION_HOURS": "1"})
    assert (both.session_hours, both.session_max_hours) == (1.0, 2.0)
    assert Settings.from_env({"VALVECHECK_SECRET_KEY": "k" * 32}).secret_key == "k" * 32


def test_serve_refuses_an_outdated_postgresql_database_and_changes_nothing(pg_url):
    """A shared database is upgraded deliberately (backed up, every worker stopped, `migrate`
    once), never by one `serve` starting; a SQLite file is still upgraded, copied first
    (test_web_serve.py)."""
    ws = Workspace(pg_url)
    init_workspace(ws, empty=True)
    ws.downgrade("0016")
    env = {**os.environ, "VALVECHECK_SECRET_KEY": "k" * 40}
    try:  # a process of its own: a server that did start is stopped, and the test fails
        done = subprocess.run(
            [sys.executable, "-m", "valvecheck", "--db", pg_url, "serve", "--port", "0"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"serve started: {exc.stdout!r}") from None
    assert done.returncode == STARTUP_FAILURE, done.stdout + done.stderr
    assert "needs upgrading: run 'valvecheck migrate'" in done.stderr, done.stderr
    assert ws.revision() == "0016"  # not upgraded
    ws.dispose()


def test_serve_without_the_key_on_postgresql_exits_as_a_worker_does(pg_url, monkeypatch, capsys):
    monkeypatch.delenv("VALVECHECK_SECRET_KEY", raising=False)
    assert run(["--db", pg_url, "serve", "--port", "1"]) == STARTUP_FAILURE
    assert "VALVECHECK_SECRET_KEY is not set" in capsys.readouterr().err


def test_a_restore_acting_in_one_council_refuses_another_councils_file(tmp_path, capsys):
    db = str(tmp_path / "w.db")
    for argv in (
        ["init", "--empty"],
        ["councils", "add", "Leeds"],
        ["councils", "add", "Bradford"],
    ):
        assert run(["--db", db, *argv]) == 0
    ws = Workspace(db)
    with unit_of_work(ws, council="Leeds", by="admin") as ctx:
        leeds = backup.backup(ctx)
    ws.dispose()
    file = tmp_path / "leeds.json"
    file.write_bytes(backup.dumps(leeds))
    before = file.read_bytes()
    status = run(["--db", db, "--council", "Bradford", "restore", str(file), "--replace"])
    err = capsys.readouterr().err
    assert status != 0
    assert "the backup holds Leeds's data, not Bradford's: nothing was restored" in err, err
    assert "leave out --council" in err
    assert not list(tmp_path.glob("leeds.before-restore-*"))  # nothing backed up or replaced
    assert file.read_bytes() == before
    # without --council, the local administrator restores the council the file holds
    assert run(["--db", db, "restore", str(file), "--replace"]) == 0
    assert "Restored Leeds" in capsys.readouterr().out


def test_a_new_sqlite_workspace_is_its_owners_alone(tmp_path):
    """It holds password hashes and every rationale, as a backup (0600) does."""
    old = os.umask(0o022)
    try:
        assert run(["--db", str(tmp_path / "new.db"), "init", "--empty"]) == 0
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "new.db").stat().st_mode)
    assert mode == 0o600, oct(mode)


def test_the_people_page_says_what_admins_do_on_the_server():
    from valvecheck.web.admin import role_lines

    admin = dict(role_lines())["Admin"]
    assert admin.endswith(
        "and, with the valvecheck command on the server, manage councils, issue or revoke API "
        "tokens, back up or restore the council's data"
    )
    assert "manage people" in admin.split("; and, with")[0]  # on the People page itself


def test_a_cache_folder_that_cannot_be_written_is_named_in_a_warning(tmp_path, caplog):
    from valvecheck.analysis import model_cache

    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    with caplog.at_level("WARNING"):
        model_cache._write(blocked / "cache", blocked / "cache" / "m.pickle", {"a": 1})
    (said,) = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert "set VALVECHECK_CACHE to a folder this account can write" in said
    assert str(blocked / "cache") in said
