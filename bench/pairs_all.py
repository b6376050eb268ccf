"""The shipped grouping on every looked-at pairs part at once (each part its own catalogue),
pooled: same pairs found, near misses grouped and near-miss precision. The parts set aside for
the next tuned change (``corpus.PAIRS_SET_ASIDE``) are never read.

.venv/bin/python bench/pairs_all.py
VALVECHECK_EMBEDDINGS=on VALVECHECK_CACHE=/tmp/vcache .venv/bin/python bench/pairs_all.py
"""

from __future__ import annotations

from pairs_contrast import grouped
from pairs_minilm import figures, show

from valvecheck.analysis.corpus import PAIRS_SET_ASIDE, measure_pairs


def main() -> None:
    parts = sorted({p.part for p in measure_pairs()} - set(PAIRS_SET_ASIDE))
    print("parts:", " ".join(parts))
    show("all looked-at parts", figures([grouped(p) for p in parts]))


if __name__ == "__main__":
    main()
