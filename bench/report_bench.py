"""Time the full report (every format) on a synthetic catalogue, against the bare libraries.

    .venv/bin/python bench/report_bench.py [--agreements 150] [--measures 25] [--seed 1]

Builds 150 agreements x 25 measures in memory, saves them with ``save_catalogue`` into a
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
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from docx import Document
from openpyxl import Workbook
from sqlalchemy import select

from valvecheck.analysis.summary import summarise
from valvecheck.catalogue.loader import load_catalogue
from valvecheck.domain.model import Agreement, Authority, Catalogue, Measure
from valvecheck.domain.rag import Rag
from valvecheck.domain.rating import Rating
from valvecheck.reports import FORMATS
from valvecheck.services.measures import load_state
from valvecheck.services.reports import report_data, write_reports
from valvecheck.store import repository as repo
from valvecheck.store.db import Workspace
from valvecheck.store.models import AssessmentRow, MeasureRow

PROSE = (
    "support schools to meet a higher level of need in mainstream settings while maintaining "
    "the quality of provision review and reform the alternative provision model and funding "
    "reduce the use of independent school places by increasing local specialist provision "
    "improve the timeliness of EHCP assessments and annual reviews by March 2025"
)
WORDS = PROSE.split()
DAY = date(2024, 5, 1)


def synthetic(agreements: int, measures: int, rng: random.Random) -> Catalogue:
    """A catalogue placed in the bundled programme, with measure texts of 20-60 words."""
    programme = load_catalogue().programme
    pairs = programme.pairs()
    catalogue = Catalogue(programme=programme)
    for a in range(agreements):
        slug = f"authority-{a:03d}"
        catalogue.authorities.append(Authority(slug, f"Authority {a:03d}"))
        catalogue.agreements.append(Agreement(slug, f"Agreement {a:03d}", (slug,), "2024-25"))
        for n in range(1, measures + 1):
            text = " ".join(rng.choices(WORDS, k=rng.randint(20, 60))).capitalize() + "."
            placed = tuple(rng.sample(pairs, k=1 if rng.random() < 0.9 else 2))
            catalogue.measures.append(Measure(slug, n, text, placed))
    return catalogue


def workspace(folder: Path, agreements: int, measures: int, seed: int) -> Workspace:
    rng = random.Random(seed)
    ws = Workspace(str(folder / "bench.db"))
    ws.migrate()
    catalogue = synthetic(agreements, measures, rng)
    at = repo.now()
    with ws.session() as session:
        repo.save_catalogue(session, catalogue, at)
        row = AssessmentRow(name="bench", council="Benchshire", created_at=at, created_by="bench")
        session.add(row)
        session.flush()
        rows = {m.code: m for m in session.scalars(select(MeasureRow))}
        for m in catalogue.measures:
            rag = rng.choice((Rag.GREEN, Rag.AMBER, Rag.RED, Rag.UNRATED))
            if rag is not Rag.UNRATED:
                rating = Rating(m.id, rag, "synthetic", "", "bench", at)
                repo.add_rating(session, row.id, rows[m.id], rating)
    return ws


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
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        start = time.perf_counter()
        ws = workspace(base, args.agreements, args.measures, args.seed)
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
