"""The store: migrations match the models on both databases; history is append-only."""

from __future__ import annotations

import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from support import admin, hold_writers_turn

from valvecheck.services import ratings
from valvecheck.services.workspace import init_workspace
from valvecheck.store.db import Workspace, database_url
from valvecheck.store.models import Base, RatingRow


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "m.db")
    return request.getfixturevalue("pg_url")


def test_migrations_create_exactly_the_models(url):
    ws = Workspace(url)
    ws.migrate()
    with ws.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    ws.dispose()
    assert diff == []


def test_history_is_append_only(ws):
    with ws.session(all_councils=True) as s:
        before = [(r.id, r.rag, r.rationale, r.by) for r in s.scalars(select(RatingRow))]
    with admin(ws, by="Ann") as ctx:
        ratings.rate(ctx, "bury-1", "amber", "SENCO network")
    with admin(ws, by="Bo") as ctx:
        ratings.rate(ctx, "bury-1", "green", "Panel live")
    with ws.session(all_councils=True) as s:
        after = [(r.id, r.rag, r.rationale, r.by) for r in s.scalars(select(RatingRow))]
        assert s.scalar(select(func.count()).select_from(RatingRow)) == len(before) + 2
    assert after[: len(before)] == before
    with admin(ws, write=False) as ctx:
        entries = ratings.history(ctx, "bury-1")
    assert [(e.previous.value, e.rag.value, e.by, e.version) for e in entries] == [
        ("unrated", "amber", "Ann", 1),
        ("amber", "green", "Bo", 2),
    ]
    assert all(e.at is not None for e in entries)


def test_a_failed_write_leaves_nothing(ws):
    with ws.session(all_councils=True) as s:
        count = s.scalar(select(func.count()).select_from(RatingRow))
    with pytest.raises(IntegrityError), ws.session(all_councils=True) as s:
        s.add(
            RatingRow(
                council_id=1,
                assessment_id=1,
                measure_id=1,
                version=9,
                rag="red",
                previous="unrated",
                by="x",
            )
        )
        s.flush()  # 'at' is required: the insert fails and the transaction rolls back
    with ws.session(all_councils=True) as s:
        assert s.scalar(select(func.count()).select_from(RatingRow)) == count


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("valvecheck.db", "sqlite:///valvecheck.db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_url(given, expected):
    assert database_url(given) == expected


def test_init_on_an_existing_workspace_is_refused(db_path):
    ws = Workspace(db_path)
    init_workspace(ws)
    from valvecheck.errors import WorkspaceError

    with pytest.raises(WorkspaceError):
        init_workspace(ws)
    ws.dispose()


def test_python_dash_m_entry_point(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "valvecheck", "--db", str(tmp_path / "x.db"), "init"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "27 measures" in done.stdout


def test_sqlite_writers_of_several_processes_take_turns_beside_the_file(tmp_path):
    """A writer waits for another process's turn (flock on '<db>-lock') and then proceeds,
    woken when it ends rather than polling SQLite's lock."""
    import time

    from sqlalchemy import text

    from valvecheck.services.workspace import init_workspace

    ws = Workspace(str(tmp_path / "turns.db"))
    init_workspace(ws, empty=True)
    holder = hold_writers_turn(tmp_path / "turns.db-lock", 0.6)
    began = time.monotonic()
    with ws.session(write=True) as s:
        s.execute(text("SELECT 1"))
    waited = time.monotonic() - began
    holder.wait(10)
    assert waited >= 0.3, f"the write did not wait for the other process's turn ({waited:.2f} s)"
    with ws.session(write=False) as s:  # readers never take a turn
        s.execute(text("SELECT 1"))
    ws.dispose()


def test_a_writer_kept_waiting_too_long_gets_a_clear_error_and_writes_nothing(
    tmp_path, monkeypatch
):
    import time

    from sqlalchemy import text

    from valvecheck.errors import WorkspaceError
    from valvecheck.services.workspace import init_workspace
    from valvecheck.store.db import WriterQueue

    ws = Workspace(str(tmp_path / "busy.db"))
    init_workspace(ws, empty=True)
    monkeypatch.setattr(WriterQueue, "WAIT", 0.3)
    holder = hold_writers_turn(tmp_path / "busy.db-lock", 3)
    began = time.monotonic()
    with pytest.raises(WorkspaceError, match="busy") as refused, ws.session(write=True) as s:
        s.execute(text("CREATE TABLE never (x INTEGER)"))
    assert refused.value.reason == "busy"
    assert 0.3 <= time.monotonic() - began < 2.5  # an error after WAIT, not a hang
    holder.kill()
    holder.wait(10)
    with ws.session(write=True) as s:  # the turn is free again: writes go through
        tables = s.execute(text("SELECT name FROM sqlite_master WHERE name = 'never'")).all()
    assert tables == []
    ws.dispose()
