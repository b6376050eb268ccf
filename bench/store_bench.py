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
from valvecheck.services.workspace import unit_of_work  # noqa: E402


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

    def reading(fn):
        def run():
            with unit_of_work(ws) as ctx:
                return fn(ctx)

        return run

    def rate() -> None:
        with unit_of_work(ws, write=True, by="b") as ctx:
            ratings.rate(ctx, catalogue.measures[5].id, "green", "x")

    timed("summary, first in the process", reading(summary.summary), repeat=1)
    timed("summary, again (grouping kept)", reading(summary.summary))
    timed("export json", reading(lambda ctx: summary.export(ctx, "json")))
    timed("export csv", reading(lambda ctx: summary.export(ctx, "csv")))
    timed("rate one measure", rate)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
