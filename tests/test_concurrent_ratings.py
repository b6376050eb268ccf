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
