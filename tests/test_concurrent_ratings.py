"""Two people rating at once: each change reads the rating before it and appends after it under
one lock, so the history of a measure reads as a chain on both stores (real processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from valvecheck.services.workspace import init_workspace
from valvecheck.store.db import Workspace

RAGS = ["green", "red", "amber"]
WORKERS = 8


def rate_in_parallel(db: str) -> list[subprocess.CompletedProcess[str]]:
    env = {**os.environ, "VALVECHECK_USER": ""}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "valvecheck",
                "--db",
                db,
                "rate",
                "bury-2",
                RAGS[i % 3],
                "--rationale",
                f"worker {i}",
                "--by",
                f"worker-{i}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for i in range(WORKERS)
    ]
    done = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(p.args, p.returncode, out, err))
    return done


def history(db: str) -> list[dict[str, str]]:
    out = subprocess.run(
        [sys.executable, "-m", "valvecheck", "--db", db, "export", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["measures"]  # the workspace is readable
    listing = subprocess.run(
        [sys.executable, "-m", "valvecheck", "--db", db, "history", "bury-2"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    header = listing.index("When\tWho\tFrom\tTo\tRationale\tEvidence")
    rows = [line.split("\t") for line in listing[header + 1 :]]
    return [{"by": r[1], "from": r[2], "to": r[3]} for r in rows]


def check_chain(db: str) -> None:
    results = rate_in_parallel(db)
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    entries = history(db)
    assert len(entries) == WORKERS
    assert sorted(e["by"] for e in entries) == sorted(f"worker-{i}" for i in range(WORKERS))
    assert entries[0]["from"] == "Not rated"
    for before, after in zip(entries, entries[1:], strict=False):
        assert after["from"] == before["to"], entries
    # and each CLI said what it replaced: its own "from" is in the chain
    said = {r.stdout.split(":")[1].split("->")[0].strip() for r in results}
    assert said <= {"Not rated", "Green", "Red", "Amber"}


def test_concurrent_ratings_chain_on_sqlite(db_path):
    ws = Workspace(db_path)
    init_workspace(ws)
    ws.dispose()
    check_chain(db_path)


@pytest.mark.postgres
def test_concurrent_ratings_chain_on_postgresql(pg_url):
    ws = Workspace(pg_url)
    init_workspace(ws)
    ws.dispose()
    check_chain(pg_url)


# -- a lock, or an import, while someone else is writing: in-process, one thread holding its
# transaction open while the other starts (real connections to the real store).

import threading  # noqa: E402

from valvecheck.errors import Conflict  # noqa: E402
from valvecheck.services import activities, ratings  # noqa: E402
from valvecheck.services.workspace import unit_of_work  # noqa: E402


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):  # type: ignore[no-untyped-def]
    url = str(tmp_path / "w.db") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    ws = Workspace(url)
    init_workspace(ws)
    yield ws
    ws.dispose()


def held_open(ws: Workspace, work, started: threading.Event, release: threading.Event):  # type: ignore[no-untyped-def]
    """A thread that does ``work`` in one unit of work and keeps it uncommitted until released."""

    def run() -> None:
        with unit_of_work(ws, write=True, by="first") as ctx:
            work(ctx)
            started.set()
            release.wait(30)

    thread = threading.Thread(target=run)
    thread.start()
    assert started.wait(30)
    return thread


def second(ws: Workspace, work, found: dict):  # type: ignore[no-untyped-def]
    def run() -> None:
        try:
            with unit_of_work(ws, write=True, by="second") as ctx:
                found["done"] = work(ctx)
        except Conflict as exc:
            found["refused"] = str(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_rating_begun_while_the_assessment_is_being_locked_waits_and_is_refused(store):
    """The lock is not committed yet when the rating starts: the rating waits for it, then sees
    it, never going into a reported assessment (found in review on PostgreSQL)."""
    started, release, found = threading.Event(), threading.Event(), {}
    locker = held_open(store, lambda ctx: ratings.lock_assessment(ctx), started, release)
    rater = second(store, lambda ctx: ratings.rate(ctx, "bury-3", "green", "late"), found)
    rater.join(1.0)
    assert rater.is_alive(), "the rating did not wait for the lock being written"
    release.set()
    locker.join(30)
    rater.join(30)
    assert "locked" in found.get("refused", ""), found
    with unit_of_work(store, by="reader") as ctx:
        assert ratings.history(ctx, "bury-3") == []


def test_a_lock_waits_for_a_rating_being_written_and_the_rating_stands(store):
    started, release, found = threading.Event(), threading.Event(), {}
    rater = held_open(
        store, lambda ctx: ratings.rate(ctx, "bury-3", "green", "first"), started, release
    )
    locker = second(store, lambda ctx: ratings.lock_assessment(ctx), found)
    locker.join(1.0)
    assert locker.is_alive(), "the lock did not wait for the rating being written"
    release.set()
    rater.join(30)
    locker.join(30)
    assert found["done"].locked
    with unit_of_work(store, by="reader") as ctx:
        assert [r.rationale for r in ratings.history(ctx, "bury-3")] == ["first"]


def test_two_imports_at_once_never_make_one_activity_twice_in_two_cases(store):
    started, release, found = threading.Event(), threading.Event(), {}
    first = held_open(
        store,
        lambda ctx: activities.import_activities(ctx, b"ID,Name\nB1,Hubs\n", "a.csv"),
        started,
        release,
    )
    other = second(
        store,
        lambda ctx: activities.import_activities(ctx, b"ID,Name\nb1,Hubs (renamed)\n", "b.csv"),
        found,
    )
    other.join(1.0)
    release.set()
    first.join(30)
    other.join(30)
    assert found["done"].added == 0 and found["done"].updated == 1, found
    with unit_of_work(store, by="reader") as ctx:
        assert [(v.activity.id, v.activity.title) for v in activities.list_activities(ctx)] == [
            ("B1", "Hubs (renamed)")
        ]
