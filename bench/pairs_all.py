"""The shipped grouping on every looked-at pairs part at once (each part its own catalogue),
pooled: same pairs found, near misses grouped and near-miss precision. The parts set aside for
the next tuned change (``corpus.PAIRS_SET_ASIDE``) are never read.

.venv/bin/python bench/pairs_all.py
.venv/bin/python bench/pairs_all.py --parts holdout18 holdout19 ... holdout25
VALVECHECK_EMBEDDINGS=on VALVECHECK_CACHE=/tmp/vcache .venv/bin/python bench/pairs_all.py
"""

from __future__ import annotations

import argparse

from pairs_contrast import grouped
from pairs_minilm import figures, show

from valvecheck.analysis.corpus import PAIRS_SET_ASIDE, measure_pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--parts", nargs="*", help="these parts only (default: every looked-at)")
    args = parser.parse_args()
    looked_at = sorted({p.part for p in measure_pairs()} - set(PAIRS_SET_ASIDE))
    parts = [p for p in args.parts or looked_at if p not in PAIRS_SET_ASIDE]
    print("parts:", " ".join(parts))
    show("pooled", figures([grouped(p) for p in parts]))


if __name__ == "__main__":
    main()
