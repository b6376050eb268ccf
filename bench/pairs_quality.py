"""Common measures on the bundled reworded pairs, with the matcher learned from chosen parts.

.venv/bin/python bench/pairs_quality.py                                  # every part scored before
.venv/bin/python bench/pairs_quality.py --part holdout2 --learn-from train holdout holdout2

``--learn-from`` fits the model that reads the measures on those parts of the labelled corpus only
(default: every row, as the shipped model does), so a labelled part written from the same documents
as a pairs part can be kept out of the reading of those pairs.
"""

from __future__ import annotations

import argparse
import json

from valvecheck.analysis import common
from valvecheck.analysis.common import evaluate_pairs
from valvecheck.analysis.corpus import PAIRS_SET_ASIDE, labelled, measure_pairs
from valvecheck.analysis.matcher import Matcher, Model
from valvecheck.analysis.validation import _seed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", nargs="+", default=None)
    parser.add_argument("--learn-from", nargs="+", default=None)
    args = parser.parse_args()
    if args.learn_from:
        seed, names = _seed()
        model = Model([i for p in args.learn_from for i in labelled(p)], seed, names)
        reader = Matcher(model.seed, model.names, model=model)
        common._reader = lambda: reader  # type: ignore[assignment]
    # A part set aside unscored is scored only when named (once, after the change it measures)
    parts = args.part or sorted({p.part for p in measure_pairs()} - set(PAIRS_SET_ASIDE))
    for part in parts:
        pairs = [(p.text_a, p.text_b, p.same) for p in measure_pairs(part)]
        print(part, json.dumps(evaluate_pairs(pairs).as_dict()))


if __name__ == "__main__":
    main()
