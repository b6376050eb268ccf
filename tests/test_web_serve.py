"""`valvecheck serve` from nothing: the real server process creates the workspace and answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen, seconds: float = 90) -> int:  # type: ignore[type-arg]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"the server stopped: {process.stdout.read() if process.stdout else ''}"
            )
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return int(response.status)
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def serve(db: Path, port: int) -> subprocess.Popen:  # type: ignore[type-arg]
    """`valvecheck --db DB serve` in a process of its own, its output in one pipe."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "VALVECHECK_COUNCIL")}
    return subprocess.Popen(
        [sys.executable, "-m", "valvecheck", "--db", str(db), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=db.parent,
    )


def test_serve_creates_the_workspace_and_the_sign_in_page_answers(tmp_path: Path):
    port = free_port()
    db = tmp_path / "valvecheck.db"
    process = serve(db, port)
    try:
        # nobody has an account: the sign-in page answers and points to the one-time setup page
        assert wait_for(f"http://127.0.0.1:{port}/login", process) == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as response:
            assert 'href="/setup"' in response.read().decode()
        assert db.exists()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/setup", timeout=5) as response:
            assert "Set up Valvecheck" in response.read().decode()
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=30)
    assert "Created a workspace" in out and "27 measures" in out
    assert f"http://127.0.0.1:{port}/setup" in out


def test_a_worker_on_an_outdated_workspace_says_to_migrate_and_stops(tmp_path: Path):
    from valvecheck.services.workspace import init_workspace
    from valvecheck.store.db import Workspace

    db = tmp_path / "valvecheck.db"
    ws = Workspace(str(db))
    init_workspace(ws, empty=True)
    ws.downgrade("0005")
    ws.dispose()
    env = {**os.environ, "DATABASE_URL": str(db)}
    done = subprocess.run(
        [sys.executable, "-m", "uvicorn", "--factory", "valvecheck.web.app:create_app"]
        + ["--port", str(free_port())],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    # uvicorn's (and gunicorn's) "could not start": it stops rather than starting it again
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    (line,) = [x for x in done.stderr.splitlines() if x.startswith("error:")]
    assert line.endswith("needs upgrading: run 'valvecheck migrate' (nothing is lost)"), line


def test_serve_copies_an_older_sqlite_workspace_before_upgrading_it(tmp_path: Path):
    from valvecheck.services.workspace import init_workspace
    from valvecheck.store.db import Workspace

    db = tmp_path / "valvecheck.db"
    ws = Workspace(str(db))
    init_workspace(ws, empty=True)
    ws.downgrade("0010")
    ws.dispose()
    port = free_port()
    process = serve(db, port)
    try:
        assert wait_for(f"http://127.0.0.1:{port}/login", process) == 200
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=30)
    copy = tmp_path / "valvecheck.db.schema-0010.bak"
    assert "Upgraded the workspace" in out and f"A copy of it as it was before is at {copy}." in out
    assert Workspace(str(copy)).revision() == "0010"
    assert Workspace(str(db)).revision() == Workspace(str(db)).head()
