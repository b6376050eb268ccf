"""Grouping again after a person's decision on common measures, on 3,750 distinct texts.

    .venv/bin/python bench/decision_bench.py

Every text of the synthetic catalogue (150 agreements x 25 measures) is made distinct, as
``common_bench.py --distinct`` does, so the reading of the texts costs what it costs on a real
catalogue. The first grouping reads them; a decision (``valvecheck same-as``, the measure page's
form) changes only the linkage after the reading, which is kept for the last texts grouped.
"""

from __future__ import annotations

import time
from dataclasses import replace

from synthetic import synthetic_catalogue

from valvecheck.analysis.common import group_measures
from valvecheck.analysis.matcher import bundled_model


def main() -> None:
    catalogue = synthetic_catalogue(150, 25)
    catalogue.measures = [
        replace(m, text=f"{m.text} Workstream ref kx{i:06d}.")
        for i, m in enumerate(catalogue.measures)
    ]
    bundled_model()  # learned once, as a server does when it starts
    m = catalogue.measures
    steps = (
        ("no decision (reads every text)", ()),
        ("one decision: the same", ((m[0].id, m[30].id, True),)),
        (
            "two decisions: and one not the same",
            ((m[0].id, m[30].id, True), (m[1].id, m[31].id, False)),
        ),
    )
    for label, decisions in steps:
        start = time.perf_counter()
        group_measures(catalogue, decisions=decisions)
        print(f"{label}: {time.perf_counter() - start:.2f} s ({len(m)} measures)")


if __name__ == "__main__":
    main()
