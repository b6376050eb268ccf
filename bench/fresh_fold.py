"""Would the looked-at fresh files teach the matcher? Leave one fresh set out, learn from the rest.

.venv/bin/python bench/fresh_fold.py

Each fresh set (``bench/fresh`` ... ``bench/fresh4``, every one scored once already) is scored by
two models: the bundled corpus alone, and the bundled corpus with the other fresh sets' rows
added (each file a source group of its own). The files of a set are never in the model that
scores them. The labels are each file's first labeller's, except ``fresh3``, whose second
labeller followed the dev file's convention (``*.b.csv``; docs/benchmarks.md, twenty-second
round). Figures pooled over all four sets, then per set.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from valvecheck.analysis.corpus import labelled
from valvecheck.analysis.evaluate import Labelled, figures
from valvecheck.analysis.matcher import Model
from valvecheck.analysis.suggest import METHODS, Suggester
from valvecheck.analysis.validation import _seed
from valvecheck.importers.labelled_csv import read_labelled_csv

BENCH = Path(__file__).parent
SETS = {
    "fresh": ("torbay.csv", "warwickshire.csv"),
    "fresh2": ("hertfordshire.csv", "norfolk.csv", "york.csv"),
    "fresh3": ("leicestershire.b.csv", "medway.b.csv", "plymouth.b.csv"),
    "fresh4": ("southampton.csv", "east-sussex.csv", "somerset.csv"),
}
KEYS = ("hit_at_3", "mrr", "recall_at_5", "none_accuracy", "false_none_rate")
ACCEPT = ("accept_precision", "accept_recall")


def rows_of(folder: str, name: str, known: set[str]) -> list[Labelled]:
    path = BENCH / folder / name
    parsed = read_labelled_csv(path.read_bytes(), str(path), known)
    source = f"{folder}-{name.split('.')[0]}"
    return [replace(r, source=source, part=folder) for r in parsed.rows]


def main() -> None:
    seed, names = _seed()
    ids = [mid for mid, _ in seed]
    method = METHODS["matcher"]
    corpus = labelled()
    fresh = {s: [r for f in files for r in rows_of(s, f, set(ids))] for s, files in SETS.items()}
    scored: dict[str, list[np.ndarray]] = {"corpus": [], "corpus + other fresh": []}
    items: list[Labelled] = []
    alone = Suggester(seed, method, names, model=Model(corpus, seed, names))
    for s, rows in fresh.items():
        others = [r for t, rs in fresh.items() if t != s for r in rs]
        taught = Suggester(seed, method, names, model=Model(corpus + others, seed, names))
        texts, titles = [r.text for r in rows], [r.title for r in rows]
        scored["corpus"].append(alone.scores(texts, titles))
        scored["corpus + other fresh"].append(taught.scores(texts, titles))
        items += rows
    for tag, parts in scored.items():
        matrix = np.vstack(parts)
        print(f"{tag}, pooled: {show(figures(ids, method, matrix, items).as_dict())}")
        start = 0
        for s, rows in fresh.items():
            part = matrix[start : start + len(rows)]
            print(f"  {s:<7} {show(figures(ids, method, part, rows).as_dict())}")
            start += len(rows)
        for a in (0.8, 0.83, 0.86, 0.9):
            d = figures(ids, replace(method, accept_threshold=a), matrix, items).as_dict()
            print(f"  accept {a}: {show(d, ACCEPT)}")


def show(d: dict[str, object], keys: tuple[str, ...] = KEYS + ACCEPT) -> str:
    return "  ".join(f"{k} {d[k]}" for k in keys) + f"  n {d['n']}"


if __name__ == "__main__":
    main()
