"""Shared fixtures: a fresh workspace per test, on SQLite or (with --postgres / CI) PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from valvecheck.services.workspace import init_workspace
from valvecheck.store.db import Workspace

ROOT = Path(__file__).resolve().parents[1]
# The seed (Appendix A of the Bristol report) is the bundled catalogue's own source and ships with it.
SEED = ROOT / "src" / "valvecheck" / "catalogue" / "data" / "appendix-a.txt"
DATA = Path(__file__).parent / "data"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="Rewrite golden files from current output."
    )
    parser.addoption(
        "--store",
        choices=("sqlite", "postgresql"),
        default=None,
        help="Run the workspace fixtures on this store (default: VALVECHECK_TEST_STORE or sqlite).",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: about SQLite files themselves; not run in the PostgreSQL run"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL run keeps the tests whose workspace the store decides (those using
    ``db_path``: ``ws``, ``empty_ws``, ``cli`` ...). The others ran as they are in the SQLite run:
    tests with no workspace, tests about SQLite files (``sqlite_only``), and tests that name their
    stores themselves (``pg_url``: they ran on PostgreSQL there already)."""
    if not on_postgres(config):
        return
    keep, already = [], []
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if (
            "db_path" in names
            and "pg_url" not in names
            and not item.get_closest_marker("sqlite_only")
        ):
            keep.append(item)
        else:
            already.append(item)
    config.hook.pytest_deselected(items=already)
    items[:] = keep


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def need(condition: bool, reason: str) -> None:
    """Skip with a visible reason on a developer machine; fail under CI, where it must run."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI but unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture
def seed_path() -> Path:
    return SEED


# VALVECHECK_TEST_STORE=postgresql (or --store postgresql) runs every test's workspace on
# PostgreSQL, each in a fresh schema of its own; tests that are about SQLite files say so with
# the `sqlite_only` marker (see pytest_collection_modifyitems for what such a run keeps).
STORE = os.environ.get("VALVECHECK_TEST_STORE", "sqlite").strip().lower() or "sqlite"


def on_postgres(config: pytest.Config) -> bool:
    return str(config.getoption("--store") or STORE) == "postgresql"


@pytest.fixture
def db_path(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The test's workspace: a SQLite file in tmp, or (PostgreSQL run) a fresh schema's URL."""
    if on_postgres(request.config) and request.node.get_closest_marker("sqlite_only") is None:
        return str(request.getfixturevalue("pg_url"))
    return str(tmp_path / "valvecheck.db")


@pytest.fixture
def empty_ws(db_path: str) -> Iterator[Workspace]:
    ws = Workspace(db_path)
    init_workspace(ws, empty=True)
    yield ws
    ws.dispose()


@pytest.fixture
def ws(db_path: str) -> Iterator[Workspace]:
    """A workspace with the bundled catalogue and the seed's assessment."""
    ws = Workspace(db_path)
    init_workspace(ws)
    yield ws
    ws.dispose()


PG_URL = os.environ.get("VALVECHECK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# The role the tests' workspaces connect as: not a superuser (a superuser bypasses row-level
# security), owner of its schema, as the app's role is in production (docs/deploy.md).
APP_ROLE = "valvecheck_test_app"


def _pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_URL.replace("+psycopg", ""), connect_timeout=3):
            return True
    except Exception:
        return False


@contextmanager
def pg_schema(owned_by_app: bool = True) -> Iterator[str]:
    """A fresh PostgreSQL schema, dropped afterwards: owned by the app's role, or made by the
    superuser with the app's role only allowed to look in it."""
    need(_pg_available(), f"no PostgreSQL server at {PG_URL}")
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    base = PG_URL.replace("+psycopg", "")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(
            f"DO $$ BEGIN CREATE ROLE {APP_ROLE} LOGIN; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )
        if owned_by_app:
            conn.execute(f'CREATE SCHEMA "{schema}" AUTHORIZATION {APP_ROLE}')
        else:
            conn.execute(f'CREATE SCHEMA "{schema}"')
            conn.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO {APP_ROLE}')
    try:
        yield schema
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL schema per test, owned by the app's role, dropped afterwards."""
    from sqlalchemy.engine import make_url

    with pg_schema() as schema:
        url = make_url(PG_URL).set(username=APP_ROLE, password=None)
        url = url.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)


@pytest.fixture
def cli(db_path: str, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run the real CLI in-process against this test's workspace: (exit code, stdout, stderr)."""
    from valvecheck.cli import run

    def invoke(*args: str, db: str | None = None) -> tuple[int, str, str]:
        capsys.readouterr()
        code = run(["--db", db or db_path, *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke
