"""Time each report writer against the bare library writing the same tables, in the same run.

    .venv/bin/python bench/report_bench.py [--agreements 150] [--measures 25] [--repeat 5]

Builds 150 agreements x 25 measures (bench/synthetic.py: the seed's texts under other names),
imported into a temporary SQLite workspace with about 60% rated, builds the report model once,
then times, alternating so both see the same machine:

- each format's writer from that model (Word, Excel, HTML, Markdown),
- the bare floors (bench/floors.py): python-docx, XlsxWriter and openpyxl writing the same
  tables of the same model, as their documentation shows, with nothing else.

Each figure is the median CPU time of ``--repeat`` runs (CPU, not wall: the development machine
is shared); the ratio is the writer's median over the floor's. Peak memory of each case is measured once more in a forked child (Linux): how far its
resident size rises, C allocations (lxml) included.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from floors import bare_docx, bare_openpyxl, bare_xlsxwriter  # noqa: E402
from synthetic import synthetic_workspace  # noqa: E402

from valvecheck.reports import FORMATS  # noqa: E402
from valvecheck.services.reports import report_data  # noqa: E402
from valvecheck.services.workspace import unit_of_work  # noqa: E402

DAY = date(2024, 5, 1)


def timed(fn: Callable[[], object]) -> float:
    """CPU seconds of this process: on a machine shared with other work, wall time measures
    the neighbours as much as the code; both sides of each ratio are timed the same way."""
    start = time.process_time()
    fn()
    return time.process_time() - start


def status_mib(field: str) -> float:
    with open("/proc/self/status") as status:
        line = next(x for x in status if x.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def peak(fn: Callable[[], object]) -> float:
    """How far ``fn`` raises the resident size above where it starts, in MiB (forked child)."""
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
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        ws, _ = synthetic_workspace(args.agreements, args.measures, str(base))
        with unit_of_work(ws) as ctx:
            start = time.perf_counter()
            data = report_data(ctx, on=DAY)
            model = time.perf_counter() - start
        out = base / "out"
        out.mkdir()
        print(
            f"{len(data.rows)} measures, {data.table_rows} table rows in all; "
            f"report model built in {model:.2f} s"
        )
        pairs: list[tuple[str, Callable[[], object], str, Callable[[], object]]] = [
            ("docx", lambda: FORMATS["docx"](data, out, None), "python-docx", lambda: bare_docx(data, base / "bare.docx")),
            ("xlsx", lambda: FORMATS["xlsx"](data, out, None), "XlsxWriter", lambda: bare_xlsxwriter(data, base / "bare1.xlsx")),
            ("xlsx", lambda: FORMATS["xlsx"](data, out, None), "openpyxl", lambda: bare_openpyxl(data, base / "bare2.xlsx")),
        ]  # fmt: skip
        header = f"{'writer':8} {'cpu s':>8} {'bare floor':12} {'cpu s':>8} {'ratio':>6} {'peak +MiB':>10} {'floor +MiB':>10}"
        print(header)
        for name, writer, floor_name, floor in pairs:
            ours, bare = [], []
            for _ in range(args.repeat):  # alternate: both see the same machine
                ours.append(timed(writer))
                bare.append(timed(floor))
            a, b = statistics.median(ours), statistics.median(bare)
            print(
                f"{name:8} {a:8.2f} {floor_name:12} {b:8.2f} {a / b:6.2f} "
                f"{peak(writer):10.1f} {peak(floor):10.1f}"
            )
        for name in ("html", "md"):
            seconds = statistics.median(
                timed(lambda n=name: FORMATS[n](data, out, None)) for _ in range(args.repeat)
            )
            print(f"{name:8} {seconds:8.2f}")
        sizes = {p.name: p.stat().st_size for p in sorted(out.iterdir())}
        print("files:", ", ".join(f"{n} {s / 1024:.0f} KiB" for n, s in sizes.items()))
        ws.dispose()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
