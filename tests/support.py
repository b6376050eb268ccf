"""Calling use-cases from tests: one unit of work as the local administrator, like one command."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from valvecheck.cli.reports import write_all
from valvecheck.domain.views import AssessmentState
from valvecheck.reports.model import ReportData
from valvecheck.services import measures, reports
from valvecheck.services.context import Context
from valvecheck.services.workspace import unit_of_work
from valvecheck.store.db import Workspace


@contextmanager
def admin(ws: Workspace, write: bool = True, by: str = "tester") -> Iterator[Context]:
    with unit_of_work(ws, write=write, by=by) as ctx:
        yield ctx


def load_state(ws: Workspace, assessment: str | None = None) -> AssessmentState:
    with admin(ws, write=False) as ctx:
        return measures.load_state(ctx, assessment)


def report_data(ws: Workspace, assessment: str | None = None, **kw: object) -> ReportData:
    with admin(ws, write=False) as ctx:
        return reports.report_data(ctx, assessment, **kw)  # type: ignore[arg-type]


def write_reports(
    ws: Workspace,
    fmt: str,
    out: Path,
    assessment: str | None = None,
    *,
    on: date | None = None,
    **kw: object,
) -> list[Path]:
    """What `valvecheck report` does: render through the service, write the files all or none."""
    with admin(ws, write=False) as ctx:
        files = reports.render(ctx, fmt, assessment, on=on, **kw)  # type: ignore[arg-type]
    return write_all(files, out)


def workbook(rows: list[list[object]]) -> bytes:
    """An .xlsx file holding ``rows`` on its first sheet (openpyxl), as bytes."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_file(folder: Path, name: str, content: str | bytes) -> Path:
    """``content`` written to ``folder/name`` (text as UTF-8); its path."""
    path = folder / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def hold_writers_turn(lock: Path, seconds: float) -> subprocess.Popen:  # type: ignore[type-arg]
    """Another process holding the writers' turn (flock on the lock file) for ``seconds``;
    returns once it holds it."""
    script = (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(lock)!r}, os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "sys.stdout.close()\n"
        f"time.sleep({seconds})\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None
    with holder.stdout:
        assert holder.stdout.readline().strip() == "held"
    return holder
