"""Time common measures on synthetic catalogues of several sizes, beside a bare floor.

.venv/bin/python bench/common_bench.py                      # 375, 3,750, 15,000, 37,500 measures
.venv/bin/python bench/common_bench.py --sizes 150 600      # agreements (x 25 measures each)
.venv/bin/python bench/common_bench.py --distinct           # every text made distinct

The synthetic catalogue draws each agreement's measures from the seed's 27 texts with the authority
name swapped, so templates recur across most agreements: copies of one text are compared once.
``--distinct`` appends a unique reference to every text, so no two measures read the same: the
grouping then compares every text, the case of a catalogue with no templates at all.

Each size runs in a child process (a fresh start, as a command has), so peak memory is per size.
The floor is the bare library doing the first step of the same work: TF-IDF fitted on the measure
texts, nothing else.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import synthetic_catalogue, synthetic_workspace  # noqa: E402

SIZES = (15, 150, 600, 1500)  # agreements of 25 measures: 375 / 3,750 / 15,000 / 37,500


def bare_floor(texts: list[str]) -> int:
    """TfidfVectorizer fitted on the texts, nothing more: the least any text grouping does (all
    pairs compared would be quadratic, slower than the grouping itself on template copies)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return int(TfidfVectorizer(sublinear_tf=True).fit_transform(texts).nnz)


def one(agreements: int, distinct: bool) -> dict[str, float]:
    from valvecheck.analysis.common import group_measures
    from valvecheck.analysis.matcher import bundled_model
    from valvecheck.services import summary
    from valvecheck.services.common import common_measures
    from valvecheck.services.workspace import unit_of_work

    catalogue = synthetic_catalogue(agreements, 25)
    if distinct:
        catalogue.measures = [
            replace(m, text=f"{m.text} Workstream ref kx{i:06d}.")
            for i, m in enumerate(catalogue.measures)
        ]
    start = time.perf_counter()
    bundled_model()
    out = {"measures": len(catalogue.measures), "model": time.perf_counter() - start}
    start = time.perf_counter()
    bare_floor([m.text for m in catalogue.measures])
    out["floor"] = time.perf_counter() - start
    start = time.perf_counter()
    groups = group_measures(catalogue)
    out["group"] = time.perf_counter() - start
    out["groups"] = len(groups)
    out["largest"] = groups[0].prevalence
    if not distinct:  # the services, from a SQLite workspace
        ws, _ = synthetic_workspace(agreements, 25)
        start = time.perf_counter()
        with unit_of_work(ws, council="Bench", by="bench") as ctx:
            common_measures(ctx)
        out["service"] = time.perf_counter() - start
        start = time.perf_counter()
        with unit_of_work(ws, council="Bench", by="bench") as ctx:
            summary.summary(ctx)
        out["summary"] = time.perf_counter() - start
        ws.dispose()
    out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--distinct", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.distinct)))
        return
    head = "measures  model s  floor s  group s  ratio  service s  summary s  groups  largest  peak MiB"
    print(("distinct texts: " if args.distinct else "templates: ") + head)
    for agreements in args.sizes:
        command = [sys.executable, __file__, "--one", str(agreements)]
        done = subprocess.run(
            command + (["--distinct"] if args.distinct else []),
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{r['measures']:>8,}  {r['model']:7.2f}  {r['floor']:7.2f}  {r['group']:7.2f}  "
            f"{r['group'] / r['floor']:5.1f}  {r.get('service', float('nan')):9.2f}  "
            f"{r.get('summary', float('nan')):9.2f}  {r['groups']:6d}  {r['largest']:7d}  "
            f"{r['peak_mib']:8.0f}"
        )


if __name__ == "__main__":
    main()
