"""Time the foundation's use-cases on a large catalogue: build, summary, export, rate.

.venv/bin/python bench/store_bench.py [--agreements 150] [--measures 25]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import synthetic_workspace  # noqa: E402

from valvecheck.services import ratings, summary  # noqa: E402


def timed(label: str, fn, repeat: int = 3) -> None:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<40} {best * 1000:9.1f} ms (best of {repeat})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agreements", type=int, default=150)
    parser.add_argument("--measures", type=int, default=25)
    args = parser.parse_args()
    start = time.perf_counter()
    ws, catalogue = synthetic_workspace(args.agreements, args.measures)
    print(f"measures: {len(catalogue.measures)}")
    print(
        f"{'build workspace (migrate + save + rate)':<40} {(time.perf_counter() - start) * 1000:9.1f} ms"
    )
    timed("summary, first in the process", lambda: summary.summary(ws), repeat=1)
    timed("summary, again (grouping kept)", lambda: summary.summary(ws))
    timed("export json", lambda: summary.export(ws, "json"))
    timed("export csv", lambda: summary.export(ws, "csv"))
    timed(
        "rate one measure", lambda: ratings.rate(ws, catalogue.measures[5].id, "green", "x", by="b")
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
