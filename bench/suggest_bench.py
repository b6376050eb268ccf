"""Time suggestions: N synthetic activities against a synthetic catalogue (150 x 25 = 3,750 measures).

.venv/bin/python bench/suggest_bench.py [--activities 1000] [--agreements 150] [--measures 25]
                                        [--method domain]

Activities are the labelled dev and test activities (the shared dev set when present, and
tests/data/activities-extra.csv) repeated with a number in the title, so their vocabulary is real.
"""

from __future__ import annotations

import argparse
import csv
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import synthetic_catalogue  # noqa: E402

from valvecheck.analysis.suggest import METHODS  # noqa: E402
from valvecheck.services.suggestions import suggester_for  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    ROOT.parent / "shared" / "data" / "activities-dev.csv",
    ROOT / "tests/data/activities-extra.csv",
]


def activities(n: int) -> list[tuple[str, str, str]]:
    rows = [r for p in SOURCES if p.exists() for r in csv.DictReader(p.open(encoding="utf-8"))]
    return [
        (f"act-{i:04d}", f"{r['title']} ({i})", r["description"])
        for i, r in ((i, rows[i % len(rows)]) for i in range(n))
    ]


def bare_floor(catalogue, texts):  # type: ignore[no-untyped-def]
    """TfidfVectorizer fitted on the measures, a sparse product and the top 5 per activity."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(sublinear_tf=True)
    m = vec.fit_transform([x.text for x in catalogue.measures])
    scores = (vec.transform(texts) @ m.T).toarray()
    return np.argpartition(-scores, 5, axis=1)[:, :5]


def timed(label: str, fn, repeat: int = 3):  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    # the first run is cold (concepts are cached per text after it); both are shown
    print(f"{label:<44} first {times[0] * 1000:8.1f} ms, best {min(times) * 1000:8.1f} ms")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--activities", type=int, default=1000)
    parser.add_argument("--agreements", type=int, default=150)
    parser.add_argument("--measures", type=int, default=25)
    parser.add_argument("--method", default="matcher", choices=list(METHODS))
    args = parser.parse_args()
    catalogue = synthetic_catalogue(args.agreements, args.measures)
    items = activities(args.activities)
    texts = [f"{t}. {d}" for _, t, d in items]
    titles = [t for _, t, _ in items]
    pairs = [(a, f"{t}. {d}") for a, t, d in items]
    print(f"method: {args.method}; measures: {len(catalogue.measures)}; activities: {len(items)}")
    floor = timed("bare floor: TF-IDF fit+score+top-5", lambda: bare_floor(catalogue, texts))
    engine = timed("fit on the measures", lambda: suggester_for(catalogue, args.method))
    matrix = timed("score every activity x measure", lambda: engine.scores(texts, titles))
    print(f"{'  score matrix':<48} {matrix.shape[0]} x {matrix.shape[1]}")
    found = timed(
        "top 5 per activity, with explanations",
        lambda: engine.for_activities(pairs, top=5, titles=titles),
    )
    print(f"{'  activities with a suggestion':<48} {sum(1 for v in found.values() if v):9d}")
    timed(
        "top 5 activities per measure, explained", lambda: engine.for_measures(pairs, 5, titles), 1
    )
    start = time.perf_counter()
    suggester_for(catalogue, args.method).for_activities(pairs, top=5, titles=titles)
    total = time.perf_counter() - start
    start = time.perf_counter()
    bare_floor(catalogue, texts)
    bare = time.perf_counter() - start
    print(f"{'whole suggestion run (fit + score + top 5)':<44} {total * 1000:8.1f} ms")
    print(f"{'bare floor, same run':<44} {bare * 1000:8.1f} ms; ratio {total / bare:.2f}x")
    del floor
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'peak RSS':<48} {peak:9.0f} MiB")


if __name__ == "__main__":
    main()
