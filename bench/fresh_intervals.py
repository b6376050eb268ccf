"""The suggestion figures on a labelled file, each with a 95% interval from resampling its activities.

.venv/bin/python bench/fresh_intervals.py bench/fresh/torbay.csv bench/fresh/warwickshire.csv

The matcher is the bundled model with no workspace, as a new council meets it. A file of 40
activities is a small sample: `--accept` links whole families of measures (a mainstream-support
activity is four links), so one activity read wrongly moves its precision by several points. The
interval is the 2.5th-97.5th percentile of each figure over 2,000 resamplings of the file's
activities with replacement (the percentile bootstrap), a fixed seed; ``--bar`` scores at another
accept bar on the same scores; ``--pool`` also scores all the files as one sample.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np

from valvecheck.analysis.evaluate import Labelled, figures
from valvecheck.analysis.matcher import bundled_model
from valvecheck.analysis.methods import Method
from valvecheck.analysis.suggest import METHODS, Suggester
from valvecheck.analysis.validation import _seed
from valvecheck.importers.labelled_csv import read_labelled_csv

KEYS = (
    "hit_at_3",
    "mrr",
    "recall_at_5",
    "none_accuracy",
    "false_none_rate",
    "accept_precision",
    "accept_recall",
)


def bundled_matcher(method: Method) -> Suggester:
    """The matcher a new council meets: the bundled catalogue and model, no workspace."""
    seed, names = _seed()
    return Suggester(seed, method, names, model=bundled_model())


def read(path: Path, known: set[str]) -> list[Labelled]:
    return list(read_labelled_csv(path.read_bytes(), str(path), known).rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--bar", type=float, help="score at this accept bar instead")
    parser.add_argument("--draws", type=int, default=2000)
    parser.add_argument("--pool", action="store_true", help="also score the files as one")
    args = parser.parse_args()
    method = METHODS["matcher"]
    if args.bar is not None:
        method = replace(method, accept_threshold=args.bar)
    matcher = bundled_matcher(method)
    rng = np.random.default_rng(0)
    samples = [(path.name, read(path, set(matcher.ids))) for path in args.files]
    if args.pool:
        samples.append(("all the files", [x for _, rows in samples for x in rows]))
    for name, rows in samples:
        matrix = matcher.scores([x.text for x in rows], [x.title for x in rows])
        found = figures(matcher.ids, method, matrix, rows).as_dict()
        drawn: dict[str, list[float]] = {k: [] for k in KEYS}
        for _ in range(args.draws):
            pick = rng.integers(0, len(rows), len(rows))
            again = figures(matcher.ids, method, matrix[pick], [rows[i] for i in pick]).as_dict()
            for k in KEYS:
                if again[k] is not None:
                    drawn[k].append(again[k])
        print(f"{name} (n={len(rows)}, accept bar {method.accept_threshold})")
        for k in KEYS:
            low, high = np.percentile(drawn[k], [2.5, 97.5])
            print(f"  {k:<18} {found[k]:.3f}  [{low:.3f}, {high:.3f}]")


if __name__ == "__main__":
    main()
