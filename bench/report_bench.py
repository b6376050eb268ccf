"""Time the full report (every format) on a synthetic catalogue, against the bare libraries.

    .venv/bin/python bench/report_bench.py [--agreements 150] [--measures 25]

Builds 150 agreements x 25 measures (bench/synthetic.py: the seed's texts under other names), saves them into a
temporary SQLite workspace with random ratings, then times:

- the report model (``report_data``: load the state, summarise, links), with its two parts,
- each format's writer from that one model, and all of them through ``write_reports``,
- the bare cost of writing the same rows with the same libraries: a python-docx table of five
  columns, openpyxl rows, nothing else (no shading, row flags, styles, widths or other sheets).

Peak memory is measured in a separate run of each case in a forked child (Linux): how far its
maximum resident size rises above the parent's at the fork, C allocations (lxml) included. The
process's maximum resident size is printed at the end.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from docx import Document
from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import synthetic_workspace  # noqa: E402

from valvecheck.analysis.summary import summarise
from valvecheck.reports import FORMATS
from valvecheck.services.measures import load_state
from valvecheck.services.reports import report_data, write_reports

DAY = date(2024, 5, 1)


def bare_docx(rows: list[list[str]], path: Path) -> None:
    doc = Document()
    table = doc.add_table(rows=1, cols=5)
    for cell, name in zip(
        table.rows[0].cells, ("LA", "Recommendation", "Theme", "Sub-Theme", "RAG"), strict=True
    ):
        cell.text = name
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    doc.save(str(path))


def bare_xlsx(rows: list[list[str]], path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["LA", "Recommendation", "Theme", "Sub-Theme", "RAG"])
    for values in rows:
        ws.append(values)
    wb.save(str(path))


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def status_mib(field: str) -> float:
    with open("/proc/self/status") as status:
        line = next(x for x in status if x.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def peak(fn: Callable[[], object]) -> float:
    """How far ``fn`` raises the resident size above where it starts, in MiB.

    Run in a forked child that compares its peak resident size (VmHWM) with its size before
    ``fn``: this counts what lxml and libxml2 allocate in C, which tracemalloc cannot see.
    """
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run once, report, and leave without the parent's clean-up
        try:
            before = status_mib("VmRSS")
            fn()
            os.write(write, f"{status_mib('VmHWM') - before:.1f}".encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as answer:
        text = answer.read()
    os.waitpid(pid, 0)
    return float(text or "nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agreements", type=int, default=150)
    parser.add_argument("--measures", type=int, default=25)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        start = time.perf_counter()
        ws, _ = synthetic_workspace(args.agreements, args.measures, str(base))
        setup = time.perf_counter() - start
        data = report_data(ws, on=DAY)
        state = load_state(ws)
        rows = [
            [r.la, r.recommendation, "\n".join(r.themes), "\n".join(r.sub_themes), r.rag.label]
            for r in data.rows
        ]
        print(f"{len(data.rows)} measures in {args.agreements} agreements; setup {setup:.1f} s")

        out = base / "out"
        out.mkdir()
        cases: list[tuple[str, Callable[[], object]]] = [
            ("  of which load_state", lambda: load_state(ws)),
            ("  of which summarise", lambda: summarise(state.catalogue, state.ratings)),
            ("model (report_data)", lambda: report_data(ws, on=DAY)),
            *[
                (f"writer: {name}", lambda w=w: w(data, out))
                for name, w in FORMATS.items()
                if name != "position"
            ],
            ("all formats (write_reports)", lambda: write_reports(ws, "all", out, on=DAY)),
            ("bare python-docx table", lambda: bare_docx(rows, base / "bare.docx")),
            ("bare openpyxl rows", lambda: bare_xlsx(rows, base / "bare.xlsx")),
        ]
        print(f"{'what':32} {'seconds':>8} {'peak +MiB':>9}")
        for name, fn in cases:
            seconds = min(timed(fn) for _ in range(2))
            print(f"{name:32} {seconds:8.2f} {peak(fn):9.1f}")
        sizes = {p.name: p.stat().st_size for p in sorted(out.iterdir())}
        print("files:", ", ".join(f"{n} {s / 1024:.0f} KiB" for n, s in sizes.items()))
        ws.dispose()
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"max resident size of the whole run: {max_rss:.0f} MiB; Python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
