"""Long work shows a progress bar on a terminal, and nothing of it when the output is piped.

Each command runs in a child process (forked, so it can be told to draw the bar at once rather
than after its usual second) whose output is a pseudo-terminal (the pty module) or a pipe.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

import pytest
from reports_support import large_catalogue_csv
from rich.console import Console

from valvecheck.cli import output, run

BAR = "━".encode()  # what Rich draws a bar with
ESCAPE = b"\x1b["  # terminal control: a bar is drawn and redrawn with it


def _child(argv: list[str]) -> None:
    """In the forked child: the CLI on whatever file descriptors 1 and 2 now are."""
    code = 1
    try:
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        os.environ["TERM"] = "xterm-256color"
        # As a fresh process would: Rich decides at a console's creation whether it may redraw.
        output.console = Console(highlight=False)
        output.errors = Console(stderr=True, highlight=False)
        output.PROGRESS_AFTER = 0.0  # draw at once: the test need not wait a second
        code = run(argv)
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # shown to the test, which reads this child's output
        os.write(2, traceback.format_exc().encode())
    finally:
        os._exit(code)


def on_terminal(argv: list[str]) -> tuple[int, bytes]:
    """Run the CLI with a pseudo-terminal as standard output and error."""
    import pty

    pid, fd = pty.fork()
    if pid == 0:
        _child(argv)
    seen = bytearray()
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child has gone: the terminal is closed
            break
        if not chunk:
            break
        seen += chunk
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), bytes(seen)


def piped(argv: list[str]) -> tuple[int, bytes]:
    """Run the CLI with a pipe as standard output and error."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        os.dup2(write, 1)
        os.dup2(write, 2)
        _child(argv)
    os.close(write)
    seen = bytearray()
    while chunk := os.read(read, 65536):
        seen += chunk
    os.close(read)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), bytes(seen)


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("large") / "catalogue.csv"
    path.write_bytes(large_catalogue_csv(agreements=40))  # 1,000 measures
    return path


@pytest.mark.parametrize(("shell", "drawn"), [(on_terminal, True), (piped, False)])
def test_a_large_import_and_its_report_show_progress_on_a_terminal_only(
    tmp_path, catalogue, shell, drawn
):
    db = ["--db", str(tmp_path / "valvecheck.db"), "--council", "Testshire"]
    assert run([*db, "init", "--empty"]) == 0

    code, shown = shell([*db, "import", "catalogue", str(catalogue)])
    assert code == 0, shown.decode()
    assert b"1,000 new measures" in b" ".join(shown.split())  # lines wrap on a terminal
    assert (b"Saving measures" in shown and BAR in shown) is drawn
    assert (ESCAPE in shown) is drawn

    out = tmp_path / "out"
    code, shown = shell([*db, "report", "--format", "xlsx", "--out", str(out)])
    assert code == 0, shown.decode()
    assert (out / "report.xlsx").exists() and b"Wrote" in shown
    assert (b"Writing the report" in shown and BAR in shown) is drawn
    assert (ESCAPE in shown) is drawn


def test_analysis_work_reports_only_while_someone_listens() -> None:
    from valvecheck.analysis import progress

    heard: list[tuple[str, int, int]] = []
    progress.tell("Reading", 1, 2)  # nobody listening: nothing happens
    with progress.listening(lambda *told: heard.append(told)):
        progress.tell("Reading", 1, 2)
        with progress.listening(None):
            progress.tell("Reading", 2, 2)  # an inner unit of work with no bar
        progress.tell("Reading", 2, 2)
    progress.tell("Reading", 3, 3)
    assert heard == [("Reading", 1, 2), ("Reading", 2, 2)]


def test_init_and_migrate_pass_long_analysis_work_to_the_commands_bar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Grouping a catalogue when a workspace is made or upgraded (with the embedding, minutes the
    first time) reports to the command's bar as a unit of work's does."""
    from valvecheck.analysis import progress
    from valvecheck.services import workspace
    from valvecheck.store.db import Workspace

    monkeypatch.setattr(
        workspace.prevalence, "refresh", lambda session: progress.tell("Reading", 1, 1)
    )
    heard: list[tuple[str, int, int]] = []
    ws = Workspace(str(tmp_path / "made.db"))
    workspace.init_workspace(ws, progress=lambda *told: heard.append(told))
    workspace.migrate_workspace(ws, progress=lambda *told: heard.append(told))
    workspace.migrate_workspace(ws)  # no bar: nobody hears
    ws.dispose()
    assert heard == [("Reading", 1, 1), ("Reading", 1, 1)]
