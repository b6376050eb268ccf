"""MRR with none and with half of a labelled source linked, source by source (issue 12).

.venv/bin/python bench/links_curve.py                          # cross-validation on train
.venv/bin/python bench/links_curve.py --seeds 3 4 5            # another set of random draws
.venv/bin/python bench/links_curve.py --part holdout3          # a held-out part, learned from the others
.venv/bin/python bench/links_curve.py --part holdout3 --damping 1e9   # the links in full

On ``train`` each of 5 folds by source group learns a model from the other folds; a held-out part is
scored by a model learned from the parts ``validation.LEARN_FROM`` names. Every source with 8+ rows
and 4+ SEND rows is scored with none of its rows linked and with a random half linked
(``validation.learning_curve``: 5 draws per seed, figures only on the rows not linked, against the
same rows with none linked), and the MRR is averaged over the seeds. ``--damping`` sets ``matcher.LINK_DAMPING`` (1e9: no damping).
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from valvecheck.analysis import matcher
from valvecheck.analysis.corpus import folds, labelled
from valvecheck.analysis.evaluate import Labelled
from valvecheck.analysis.matcher import Model
from valvecheck.analysis.suggest import Suggester
from valvecheck.analysis.validation import LEARN_FROM, _seed, learning_curve


def splits(part: str) -> list[tuple[list[Labelled], list[Labelled]]]:
    if part == "train":
        items = labelled("train")
        return [([items[i] for i in a], [items[i] for i in b]) for a, b in folds(items, 5)]
    learnt = [i for p in LEARN_FROM[part] for i in labelled(p)]
    return [(learnt, labelled(part))]


def curves(part: str, seeds: list[int], repeats: int = 5) -> dict[str, tuple[float, float]]:
    seed, names = _seed()
    out: dict[str, tuple[float, float]] = {}
    for learn, scored in splits(part):
        model = Model(learn, seed, names)
        by_source: dict[str, list[Labelled]] = {}
        for item in scored:
            by_source.setdefault(item.source, []).append(item)
        for source, rows in sorted(by_source.items()):
            if len(rows) < 8 or sum(bool(r.expected) for r in rows) < 4:
                continue
            pairs = []
            for s in seeds:
                (_, _), (_, half) = learning_curve(
                    lambda links, model=model: Suggester(
                        seed, "matcher", names, links=links, model=model
                    ),
                    rows,
                    (0, len(rows) // 2),
                    repeats=repeats,
                    seed=s,
                )
                # the same activities with none of the file linked (paired, since the
                # twenty-fifth round; before it, the whole source with none linked)
                none = half.none_linked
                assert none is not None and none.mrr is not None and half.mrr is not None
                pairs.append((none.mrr, half.mrr))
            out[source] = (
                float(np.mean([a for a, _ in pairs])),
                float(np.mean([b for _, b in pairs])),
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="train")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--damping", type=float, default=None)
    args = parser.parse_args()
    if args.damping is not None:
        matcher.LINK_DAMPING = args.damping
    found = curves(args.part, args.seeds)
    rise = {s: b - a for s, (a, b) in found.items()}
    room = {s: r for s, r in rise.items() if found[s][0] < 0.95}
    print(
        json.dumps({s: [round(a, 3), round(b, 3), round(b - a, 3)] for s, (a, b) in found.items()})
    )
    print(
        f"{args.part}: {len(rise)} sources, mean MRR rise {np.mean(list(rise.values())):+.4f}; "
        f"{len(room)} with room (MRR < 0.95 none linked): mean {np.mean(list(room.values()) or [0]):+.4f}, "
        f"{sum(r >= 0.05 for r in room.values())} rise by 0.05 or more; "
        f"{sum(r < -0.02 for r in rise.values())} fall by more than 0.02"
    )


if __name__ == "__main__":
    main()
