"""Cross-validation by source over the looked-at parts of the corpus, and the operating points.

.venv/bin/python bench/cv_parts.py                 # k = 5, the parts train ... holdout4
.venv/bin/python bench/cv_parts.py --k 8 --parts train holdout holdout2

Each fold's model learns from the other folds (``validation.cross_validated_scores``); the pooled
score matrix gives the figures at the matcher's thresholds, per part, and as the shown threshold
and the accept bar move (the sweep the operating points were chosen from: docs/benchmarks.md,
"Eighth round"). Never pass a part that is set aside to be scored once.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

from valvecheck.analysis.corpus import labelled
from valvecheck.analysis.evaluate import Evaluation, figures
from valvecheck.analysis.suggest import METHODS
from valvecheck.analysis.validation import _seed, cross_validated_scores

KEYS = ("hit_at_3", "mrr", "recall_at_5", "none_accuracy", "false_none_rate")
ACCEPT = ("accept_precision", "accept_recall")


def line(tag: str, e: Evaluation, keys: tuple[str, ...] = KEYS + ACCEPT) -> str:
    d = e.as_dict()
    return f"{tag:<14} " + "  ".join(f"{k} {d[k]}" for k in keys) + f"  n {e.n}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument(
        "--parts", nargs="+", default=["train", "holdout", "holdout2", "holdout3", "holdout4"]
    )
    args = parser.parse_args()
    items = [i for p in args.parts for i in labelled(p)]
    method = METHODS["matcher"]
    ids = [mid for mid, _ in _seed()[0]]
    matrix = cross_validated_scores(items, args.k, method)
    print(line(f"all, k={args.k}", figures(ids, method, matrix, items)))
    for p in args.parts:
        rows = [i for i, x in enumerate(items) if x.part == p]
        print(line(p, figures(ids, method, matrix[rows], [items[i] for i in rows])))
    for t in (0.15, 0.2, 0.25, 0.3):
        print(line(f"shown {t}", figures(ids, replace(method, threshold=t), matrix, items), KEYS))
    for a in (0.6, 0.65, 0.7, 0.72, 0.74, 0.76, 0.78, 0.8, 0.83, 0.85):
        found = figures(ids, replace(method, accept_threshold=a), matrix, items)
        print(line(f"accept {a}", found, ACCEPT))


if __name__ == "__main__":
    main()
