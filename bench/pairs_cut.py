"""Reworded pairs at several grouping cuts, on every pairs part looked at so far.

.venv/bin/python bench/pairs_cut.py 0.575 0.5 0.45 0.4

For each cut: the labelled same pairs found (recall), the near misses grouped (precision over
the labelled pairs, as `eval-common` reports it) and the grouped pairs that no chain of labelled
pairs joins, over all looked-at parts and over the agreement-style parts holdout18-holdout25.
The parts set aside (corpus.PAIRS_SET_ASIDE) are never read.
"""

from __future__ import annotations

import sys

from valvecheck.analysis.common import evaluate_pairs
from valvecheck.analysis.corpus import PAIRS_SET_ASIDE, measure_pairs


def main() -> None:
    parts = sorted({p.part for p in measure_pairs()} - set(PAIRS_SET_ASIDE))
    late = [p for p in parts if p.startswith("holdout") and p[7:].isdigit() and int(p[7:]) >= 18]
    for cut in [float(x) for x in sys.argv[1:] or ["0.575"]]:
        for name, group in (("looked-at parts", parts), ("holdout18-25", late)):
            found = wrong = pairs = unjoined = 0
            for part in group:
                labelled = [(p.text_a, p.text_b, p.same) for p in measure_pairs(part)]
                e = evaluate_pairs(labelled, cut)
                found += e.found
                wrong += e.grouped_different
                pairs += e.pairs
                unjoined += e.grouped_unjoined
            print(
                f"cut {cut} {name}: found {found}/{pairs} ({found / pairs:.3f}), near misses "
                f"grouped {wrong}, precision {found / (found + wrong):.3f}, "
                f"grouped but unjoined {unjoined}",
                flush=True,
            )


if __name__ == "__main__":
    main()
