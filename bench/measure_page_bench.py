"""A measure's page at scale, in-process: the service call behind `/measures/ID` and `show`, and
the part of it that names the same measure in other agreements (the common-measure index).

    .venv/bin/python bench/measure_page_bench.py            # 150 agreements x 25 measures
"""

from __future__ import annotations

import argparse
import random
import time

from synthetic import synthetic_workspace

from valvecheck.services.measures import measure_page
from valvecheck.services.prevalence import equivalents_of
from valvecheck.services.workspace import unit_of_work
from valvecheck.store.queries import load_catalogue


def timed(label: str, fn, ids: list[str]) -> None:  # type: ignore[no-untyped-def]
    times = []
    for i in ids:
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    times.sort()
    median, p95 = times[len(times) // 2], times[int(len(times) * 0.95)]
    print(f"{label}: median {median * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms ({len(ids)} measures)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agreements", type=int, default=150)
    parser.add_argument("--measures", type=int, default=25)
    args = parser.parse_args()
    ws, catalogue = synthetic_workspace(args.agreements, args.measures)
    ids = random.Random(1).sample([m.id for m in catalogue.measures], 200)
    with unit_of_work(ws, by="bench") as ctx:
        measure_page(ctx, ids[0])  # the first reads the catalogue into the snapshot
        timed("measure_page (the whole service call)", lambda i: measure_page(ctx, i), ids)
        current = load_catalogue(ctx.db, None)
        timed("of which equivalents_of", lambda i: equivalents_of(ctx.db, current, i), ids)


if __name__ == "__main__":
    main()
