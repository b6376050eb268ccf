"""The most a council's own links can raise MRR on a held-out part (issue 12).

.venv/bin/python bench/links_ceiling.py --part holdout4 [--misses]

Each SEND activity of each source (a council's file) with 4+ SEND rows is scored twice by a model
learned from the parts ``validation.LEARN_FROM`` names: with none of its file linked, and with every
*other* row of its file linked (leave one out). No half-file draw can tell the matcher more than
that, so if this rise is small, the learning curve's rise at half a file is smaller still.
``--misses`` prints each activity not ranked first with none linked, and whether its siblings
link its expected measures and the one wrongly put first.
"""

from __future__ import annotations

import argparse

import numpy as np

from valvecheck.analysis.corpus import labelled
from valvecheck.analysis.evaluate import Labelled
from valvecheck.analysis.matcher import Matcher, Model
from valvecheck.analysis.validation import LEARN_FROM, _seed, links_of


def reciprocal_rank(ids: list[str], scores: np.ndarray, expected: tuple[str, ...]) -> float:
    for rank, j in enumerate(np.argsort(-scores)[:10]):
        if ids[j] in expected:
            return 1 / (rank + 1)
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="holdout4", choices=sorted(LEARN_FROM))
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()
    seed, names = _seed()
    model = Model([i for p in LEARN_FROM[args.part] for i in labelled(p)], seed, names)
    ids = [mid for mid, _ in seed]
    by_source: dict[str, list[Labelled]] = {}
    for item in labelled(args.part):
        by_source.setdefault(item.source, []).append(item)
    none_all: list[float] = []
    linked_all: list[float] = []
    for source, rows in by_source.items():
        send = [r for r in rows if r.expected]
        if len(send) < 4:
            continue
        alone = Matcher(seed, names, model=model).scores([r.text for r in send], decided=False)
        none: list[float] = []
        linked: list[float] = []
        for k, row in enumerate(send):
            others = links_of([x for x in rows if x is not row])
            scores = Matcher(seed, names, model=model, links=others).scores(
                [row.text], decided=False
            )[0]
            none.append(reciprocal_rank(ids, alone[k], row.expected))
            linked.append(reciprocal_rank(ids, scores, row.expected))
            if args.misses and none[-1] < 1:
                top = ids[int(np.argmax(alone[k]))]
                siblings = [m for x in rows if x is not row for m in x.expected]
                print(
                    f"  {row.id}: {none[-1]:.2f} -> {linked[-1]:.2f}; first {top} "
                    f"(siblings link it {siblings.count(top)} times); expected {row.expected} "
                    f"(siblings link {sum(m in siblings for m in row.expected)} of them)"
                )
        print(
            f"{source:20s} {len(send):3d} SEND rows: MRR {np.mean(none):.3f} none linked, "
            f"{np.mean(linked):.3f} every other row linked"
        )
        none_all += none
        linked_all += linked
    print(
        f"{args.part}: {len(none_all)} SEND rows, MRR {np.mean(none_all):.3f} none linked, "
        f"{np.mean(linked_all):.3f} every other row linked "
        f"({np.mean(linked_all) - np.mean(none_all):+.3f})"
    )


if __name__ == "__main__":
    main()
