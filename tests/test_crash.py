"""A large import and a restore, each killed with SIGKILL part-way through its transaction, leave
the database exactly as it was, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from api_support import two_councils
from sqlalchemy import select
from sqlalchemy.engine import make_url

from valvecheck.domain.people import Role
from valvecheck.services import backup
from valvecheck.services.context import Actor
from valvecheck.services.workspace import unit_of_work
from valvecheck.store.db import Workspace
from valvecheck.store.models import CouncilRow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from synthetic import catalogue_csv, synthetic_catalogue  # noqa: E402

PG_ADMIN = os.environ.get(
    "VALVECHECK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
).replace("+psycopg", "")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """(url, how to tell the writer has begun writing)."""
    if request.param == "sqlite":
        path = tmp_path / "crash.db"
        return str(path), lambda: _wal_grew(path)
    name = f"crash_{uuid.uuid4().hex[:10]}"
    url = make_url(request.getfixturevalue("pg_url"))
    url = url.update_query_dict({"application_name": name})
    return url.render_as_string(hide_password=False), lambda: _pg_writing(name)


_wal_start: dict[Path, int] = {}


def _wal_grew(path: Path) -> bool:
    """The writer's transaction has spilled pages into the WAL and still holds the write lock.

    SQLite keeps a transaction's pages in its cache until they overflow it or the transaction
    commits, so the WAL growing alone could mean it has already committed: the lock tells which.
    """
    wal = Path(f"{path}-wal")
    size = wal.stat().st_size if wal.exists() else 0
    start = _wal_start.setdefault(path, size)
    return size > start + 512 * 1024 and _write_locked(path)


def _write_locked(path: Path) -> bool:
    conn = sqlite3.connect(path, timeout=0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.rollback()
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def _pg_writing(name: str) -> bool:
    """The transaction has written: PostgreSQL has given it a transaction id."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
            "AND backend_xid IS NOT NULL",
            (name,),
        ).fetchone()
    return bool(row and row[0])


def everything(ws: Workspace) -> str:
    """Every council's backup (catalogue included), as one text: the export compared."""
    with ws.session(write=False) as s:
        names = list(s.scalars(select(CouncilRow.name).order_by(CouncilRow.id)))
    out = {}
    for name in names:
        with unit_of_work(ws, council=name) as ctx:
            dump = backup.backup(ctx, with_passwords=True)
        dump.pop("written_at")
        out[name] = dump
    return json.dumps(out, sort_keys=True)


def kill_part_way(args: list[str], writing) -> None:  # type: ignore[no-untyped-def]
    _wal_start.clear()
    proc = subprocess.Popen(
        [sys.executable, "-m", "valvecheck", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and not writing():
        time.sleep(0.02)
    assert proc.poll() is None, (
        "the command finished before it could be killed: " + proc.stderr.read().decode()  # type: ignore[union-attr]
    )
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    proc.stderr.close()  # type: ignore[union-attr]
    assert proc.returncode == -signal.SIGKILL


def check_sqlite(url: str) -> None:
    if "://" in url:
        return
    with sqlite3.connect(url) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    sqlite3.connect(url).close()


def test_a_killed_import_of_a_large_catalogue_leaves_nothing(store, tmp_path):
    url, writing = store
    ws = two_councils(url)
    before = everything(ws)
    big = tmp_path / "big.csv"
    # 4,929 rows, just under the catalogue file limit of 5,000 (importers.limits), each text
    # long (as an agreement's condition with its detail can be), so the writer's pages spill
    # into the WAL well before it commits and it can be killed part way
    detail = " It includes a costed plan, a timetable and the governance set out in annex B." * 6
    catalogue = synthetic_catalogue(agreements=190, per_agreement=25)
    catalogue.measures = [replace(m, text=m.text + detail) for m in catalogue.measures]
    big.write_bytes(catalogue_csv(catalogue))
    kill_part_way(["--db", url, "--council", "Bristol", "import", "catalogue", str(big)], writing)
    check_sqlite(url)
    assert everything(ws) == before
    ws.dispose()


def test_a_killed_restore_leaves_the_council_as_it_was(store, tmp_path):
    url, writing = store
    ws = two_councils(url)
    admin = Actor("restorer", Role.ADMIN, None)
    with unit_of_work(ws, council="Bristol") as ctx:
        dump = backup.backup(ctx)
    # a long history, every measure rated 3,000 times: more than SQLite's page cache holds, so
    # the restore spills into the WAL (and can be caught) well before it commits
    changes = [
        {
            "measure": m,
            "version": v,
            "rag": "green" if v % 2 else "red",
            "previous": "unrated" if v == 1 else ("red" if v % 2 else "green"),
            "rationale": f"change {v}",
            "evidence": "",
            "by": "someone",
            "at": "2026-01-01T00:00:00+00:00",
            "source": "person",
            "measure_version": 1,
        }
        for m in sorted(row["code"] for row in dump["catalogue"]["measure"])
        for v in range(1, 3001)
    ]
    dump["assessments"][0]["ratings"] = changes
    file = tmp_path / "big-backup.json"
    file.write_bytes(backup.dumps(dump))
    before = everything(ws)
    kill_part_way(["--db", url, "restore", str(file), "--replace"], writing)
    check_sqlite(url)
    assert everything(ws) == before
    # and the same file restores whole when left alone
    with unit_of_work(ws, write=True, actor=admin) as ctx:
        done = backup.restore(ctx, file.read_bytes(), file.name, replace=True)
    assert done.counts["rating changes"] == len(changes)
    ws.dispose()
