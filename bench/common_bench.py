"""Time common measures and deadlines on a large synthetic catalogue.

.venv/bin/python bench/common_bench.py [--agreements 150] [--measures 25]

The synthetic catalogue draws each agreement's measures from the seed's 27 texts with the authority
name swapped, so templates recur across ~100 agreements each: a harder case for grouping than real
agreements, where most measures are one-offs.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import synthetic_catalogue, synthetic_workspace  # noqa: E402

from valvecheck.analysis.common import group_measures, similarity  # noqa: E402
from valvecheck.analysis.deadlines import due_date, read_deadlines  # noqa: E402
from valvecheck.analysis.summary import summarise  # noqa: E402
from valvecheck.services import summary  # noqa: E402
from valvecheck.services.common import common_measures  # noqa: E402
from valvecheck.services.measures import load_state  # noqa: E402


def timed(label: str, fn, repeat: int = 3):  # type: ignore[no-untyped-def]
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<44} {best * 1000:9.1f} ms (best of {repeat})")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agreements", type=int, default=150)
    parser.add_argument("--measures", type=int, default=25)
    args = parser.parse_args()
    catalogue = synthetic_catalogue(args.agreements, args.measures)
    print(f"measures: {len(catalogue.measures)}, agreements: {len(catalogue.agreements)}")
    sims = timed("similarity (TF-IDF, sparse cosine)", lambda: similarity(catalogue))
    print(f"{'  pairs with any shared term':<44} {sims.nnz:9d}")
    groups = timed("group_measures (similarity + linkage)", lambda: group_measures(catalogue))
    print(f"{'  groups / largest prevalence':<44} {len(groups):9d} / {groups[0].prevalence}")
    timed(
        "deadlines: read + due date for every measure",
        lambda: [due_date(read_deadlines(m.text)) for m in catalogue.measures],
    )
    ws, _ = synthetic_workspace(args.agreements, args.measures)
    timed("service common_measures (load + group)", lambda: common_measures(ws))
    timed("service summary (incl. prevalence ranking)", lambda: summary.summary(ws, "Bench"))
    state = load_state(ws, "Bench")
    timed(
        "summarise, prevalence given (no ranking cost)",
        lambda: summarise(state.catalogue, state.ratings, prevalence={}),
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'peak RSS':<44} {peak:9.0f} MiB")
    ws.dispose()


if __name__ == "__main__":
    main()
