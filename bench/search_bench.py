"""Words in the measure at scale: `list_measures` with a text filter (the search behind
/measures?text=, `valvecheck measures --text` and the API's text=), beside the same listing
with no words, in one process.

    .venv/bin/python bench/search_bench.py                    # 150 agreements x 25 measures
    .venv/bin/python bench/search_bench.py --agreements 1500  # 37,500 measures
"""

from __future__ import annotations

import argparse
import time

from synthetic import synthetic_workspace

from valvecheck.domain.search import text_words
from valvecheck.domain.views import Filters
from valvecheck.services.measures import list_measures
from valvecheck.services.workspace import unit_of_work

SEARCHES = ("EHCPs", "independent schools", "speech and language", "AP", "health contributions")


def best_of(runs: int, fn) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    times, found = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        found = len(fn())
        times.append(time.perf_counter() - start)
    return min(times), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agreements", type=int, default=150)
    parser.add_argument("--measures", type=int, default=25)
    args = parser.parse_args()
    ws, catalogue = synthetic_workspace(args.agreements, args.measures)
    print(f"{len(catalogue.measures):,} measures")
    with unit_of_work(ws, by="bench") as ctx:
        list_measures(ctx)  # the first reads the catalogue into the snapshot
        bare, n = best_of(5, lambda: list_measures(ctx, Filters()))
        print(f"no words: {bare * 1000:.1f} ms ({n} measures)")
        text_words.cache_clear()
        start = time.perf_counter()
        first = len(list_measures(ctx, Filters(text=SEARCHES[0])))
        print(
            f"first search ({SEARCHES[0]!r}, texts read into words): "
            f"{(time.perf_counter() - start) * 1000:.1f} ms ({first} found)"
        )
        for words in SEARCHES:
            took, found = best_of(5, lambda w=words: list_measures(ctx, Filters(text=w)))
            print(f"{words!r}: {took * 1000:.1f} ms ({found} found)")


if __name__ == "__main__":
    main()
