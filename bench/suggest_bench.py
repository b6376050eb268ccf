"""Time suggestions: N synthetic activities against a synthetic catalogue (150 x 25 = 3,750 measures).

.venv/bin/python bench/suggest_bench.py [--activities 1000] [--agreements 150] [--measures 25]
                                        [--method domain] [--links 500]

Activities are the labelled dev and test activities (the shared dev set when present, and
tests/data/activities-extra.csv) repeated with a number in the title, so their vocabulary is real.
``--links N``: the council has linked N further activities (the same texts, numbered on), each to a
measure of the catalogue, so the run also compares every activity with the council's own links.
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


def bare_matcher(catalogue, texts, model):  # type: ignore[no-untyped-def]
    """The bare form of the matcher's method, scikit-learn and SciPy alone: word 1-2-gram and
    char_wb 3-5-gram TF-IDF fitted on the labelled examples and seed measures, the activities and
    the measures transformed, activity x example and activity x measure sparse products, the 7
    nearest examples' vote carried to the measures through a sparse label matrix, top 5 per
    activity. No concepts, no SEND classifier, no learned combination, no explanations."""
    import numpy as np
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    corpus = [e.text for e in model.examples] + [t for _, t in model.seed]
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(corpus)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2)
    chars.fit(corpus)

    def space(items):  # type: ignore[no-untyped-def]
        return normalize(sparse.hstack([words.transform(items), chars.transform(items)], "csr"))

    measures = space([m.text for m in catalogue.measures])
    examples = space([e.text for e in model.examples])
    seed = space([t for _, t in model.seed])
    acts = space(texts)
    # each example's seed labels, carried to the catalogue's measures by text similarity
    equivalent = (seed @ measures.T).toarray() >= 0.5
    index = {mid: k for k, (mid, _) in enumerate(model.seed)}
    labels = np.zeros((len(model.examples), len(catalogue.measures)), dtype=np.float32)
    for i, e in enumerate(model.examples):
        rows = [index[m] for m in e.measures if m in index]
        if rows:
            labels[i] = equivalent[rows].any(axis=0)
    sims = (acts @ examples.T).toarray()
    k = 7
    top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    voters = sparse.csr_matrix(
        (np.take_along_axis(sims, top, axis=1).ravel(), top.ravel(),
         np.arange(0, len(texts) * k + 1, k)), shape=sims.shape,
    )  # fmt: skip
    scores = voters @ sparse.csr_matrix(labels) + (acts @ measures.T).toarray()
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
    parser.add_argument("--links", type=int, default=0)
    args = parser.parse_args()
    catalogue = synthetic_catalogue(args.agreements, args.measures)
    items = activities(args.activities)
    texts = [f"{t}. {d}" for _, t, d in items]
    titles = [t for _, t, _ in items]
    pairs = [(a, f"{t}. {d}") for a, t, d in items]
    from valvecheck.analysis.matcher import Example

    linked = activities(len(items) + args.links)[len(items) :]
    ids = [m.id for m in catalogue.measures]
    links = [
        Example(a, f"{t}. {d}", (ids[(k * 37) % len(ids)],), "council", own=True)
        for k, (a, t, d) in enumerate(linked)
    ]
    print(
        f"method: {args.method}; measures: {len(catalogue.measures)}; activities: {len(items)}; "
        f"the council's links: {len(links)}"
    )
    from valvecheck.analysis.matcher import bundled_model

    start = time.perf_counter()
    model = bundled_model()
    print(f"{'learn the bundled model (+ sklearn import)':<44} {_ms(start)} ms")
    floor = timed("bare floor: TF-IDF fit+score+top-5", lambda: bare_floor(catalogue, texts))
    timed("bare matcher: the method, libraries only", lambda: bare_matcher(catalogue, texts, model))
    engine = timed("fit on the measures", lambda: suggester_for(catalogue, args.method, links))
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
    runs = []
    for _ in range(3):  # side by side, alternating, so load on the machine hits all three alike
        start = time.perf_counter()
        suggester_for(catalogue, args.method, links).for_activities(pairs, top=5, titles=titles)
        total = time.perf_counter() - start
        start = time.perf_counter()
        bare_floor(catalogue, texts)
        bare = time.perf_counter() - start
        start = time.perf_counter()
        bare_matcher(catalogue, texts, model)
        method = time.perf_counter() - start
        runs.append((total, bare, method))
    total, bare, method = sorted(runs)[1]  # the median run
    print(
        f"{'whole suggestion run (fit + score + top 5)':<44} {total * 1000:8.1f} ms (median of 3)"
    )
    print(f"{'bare TF-IDF floor, same run':<44} {bare * 1000:8.1f} ms; ratio {total / bare:.2f}x")
    print(
        f"{'bare matcher floor, same run':<44} {method * 1000:8.1f} ms; ratio {total / method:.2f}x"
    )
    del floor
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'peak RSS':<48} {peak:9.0f} MiB")


def _ms(start: float) -> str:
    return f"{(time.perf_counter() - start) * 1000:8.1f}"


if __name__ == "__main__":
    main()
