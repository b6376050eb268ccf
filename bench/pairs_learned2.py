"""Rules 13 and 14 (docs/benchmarks.md, "Seventeenth round"): a learned pair score, on the
looked-at pairs parts, with and without features of the optional embedding.

    VALVECHECK_EMBEDDINGS=on .venv/bin/python bench/pairs_learned2.py --rule 13       # the CV
    VALVECHECK_EMBEDDINGS=on .venv/bin/python bench/pairs_learned2.py --rule 13 \\
        --score holdout24 holdout25 --cut LW=0.15 LE=0.25                          # once
    VALVECHECK_EMBEDDINGS=on .venv/bin/python bench/pairs_learned2.py --rule 13 --seed --cut LW=0.15 LE=0.25

Rule 13's variants: ``LW``, rule 8's ten features (``pairs_learned.Part``) with the contrast flag
as shipped (a swap at an end counts between two one-sentence texts); ``LE``, those and the
all-mpnet-base-v2 cosine, each text's rank of the other by it (better, worse) and each text's
margin by it over its best other partner (smaller, larger). Rule 14's: ``PW``, the pointwise
features only (no rank or margin: a text's other copies cannot lower a pair's score); ``PE``,
those and the cosine. Logistic regression, leave-one-part-out; complete linkage on the
probability, contrasts kept apart. Beside them, the shipped grouping on words (cut
``THRESHOLD``) and with the embedding mixed in (``embedding.CUT``). ``--seed`` groups the bundled
catalogue instead. The embedding extra must be installed (``encode``).
"""

from __future__ import annotations

import argparse

import numpy as np
from pairs_learned import Part, pooled
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from valvecheck.analysis import embedding
from valvecheck.analysis.common import (
    EVERY,
    THRESHOLD,
    _similarity,
    _unigrams,
    contrast,
    one_sentence,
)
from valvecheck.catalogue.loader import load_catalogue
from valvecheck.domain.model import Catalogue

# Each rule's variants (name -> columns of ``Part2.xe``) and the parts it looked at.
WORDS = list(range(10))  # rule 8's ten features
POINTWISE = [0, 1, 2, 7, 8, 9]  # score, reading, words, contrast, jaccard, length ratio
RULES = {
    13: ({"LW": WORDS, "LE": list(range(15))}, 24),
    14: ({"PW": POINTWISE, "PE": [*POINTWISE, 10]}, 26),
    15: ({"CW": WORDS, "CE": list(range(15))}, 26),
    16: ({"CE": list(range(15))}, 26),  # rule 15's CE at the cut of rule 16 (0.35)
    17: ({"MW": WORDS, "ME": list(range(15))}, 26),  # rule 15's, "more alike" weights >= 0
}
# rule -> the Part2 matrix its columns are taken from
FEATURES = {13: "xe", 14: "xe", 15: "xc", 16: "xc", 17: "xc"}
MONOTONE = {17}  # rules fitted with ``Monotone``
EITHER_WAY = (7, 9)  # the contrast flag and the length ratio: the only weights rule 17 leaves free
CUTS = tuple(round(0.05 * i, 2) for i in range(1, 20))


def _rank_margin(score: np.ndarray, i: np.ndarray, j: np.ndarray) -> list[np.ndarray]:
    others = score.copy()
    np.fill_diagonal(others, -np.inf)
    rank = (-others).argsort(axis=1).argsort(axis=1)
    ordered = np.sort(others, axis=1)
    s = score[i, j]
    margin_i = s - np.where(np.isclose(ordered[i, -1], s), ordered[i, -2], ordered[i, -1])
    margin_j = s - np.where(np.isclose(ordered[j, -1], s), ordered[j, -2], ordered[j, -1])
    return [
        1 / (1 + np.minimum(rank[i, j], rank[j, i])),
        1 / (1 + np.maximum(rank[i, j], rank[j, i])),
        np.minimum(margin_i, margin_j),
        np.maximum(margin_i, margin_j),
    ]


def _among_others(
    score: np.ndarray, copies: np.ndarray, i: np.ndarray, j: np.ndarray
) -> list[np.ndarray]:
    """Rule 15: ``_rank_margin`` with each text's rivals read among the texts that are not copies
    of its partner (``copies[j, k]``: the shipped grouping would group j and k)."""
    n = len(score)
    columns = np.arange(n)

    def rank_margin(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = score[a, b]
        rivals = score[a].astype(np.float64)
        left_out = copies[b] | (columns[None, :] == a[:, None]) | (columns[None, :] == b[:, None])
        rivals[left_out] = -np.inf
        rank = (rivals > s[:, None]).sum(axis=1)
        best = rivals.max(axis=1)
        return rank, s - np.where(np.isfinite(best), best, 0.0)

    rank_i, margin_i = rank_margin(i, j)
    rank_j, margin_j = rank_margin(j, i)
    return [
        1 / (1 + np.minimum(rank_i, rank_j)),
        1 / (1 + np.maximum(rank_i, rank_j)),
        np.minimum(margin_i, margin_j),
        np.maximum(margin_i, margin_j),
    ]


class Part2(Part):
    """A pairs part with the shipped contrast flag, the embedding's features and its grouping."""

    def __init__(self, name: str, catalogue: Catalogue | None = None) -> None:
        super().__init__(name, catalogue)
        i, j = self.upper
        uni = [_unigrams(d) for d in self.nodes.docs]
        single = [one_sentence(t) for t in self.nodes.texts]
        self.contrast = np.array(
            [
                float(contrast(uni[a], uni[b], single[a] and single[b]))
                for a, b in zip(i, j, strict=True)
            ]
        )
        self.x[:, 7] = self.contrast
        vectors = embedding.encode(self.nodes.texts)
        cosine = vectors @ vectors.T
        self.xe = np.column_stack([self.x, cosine[i, j], *_rank_margin(cosine, i, j)])
        copies = self.final >= THRESHOLD
        np.fill_diagonal(copies, False)
        self.xc = self.xe.copy()  # rule 15: ranks and margins among non-copies of the partner
        self.xc[:, 3:7] = np.column_stack(_among_others(self.final, copies, i, j))
        self.xc[:, 11:15] = np.column_stack(_among_others(cosine, copies, i, j))
        self.embedded = _similarity(self.nodes, EVERY, embedded=True).toarray()[i, j]


class Monotone:
    """Rule 17: logistic regression on standardised features (L2, C = 1, the intercept free) with
    the weight of every "more alike" feature held at zero or more (L-BFGS-B with bounds)."""

    def __init__(self, columns: list[int]) -> None:
        self.free = [k for k, c in enumerate(columns) if c in EITHER_WAY]

    def fit(self, x: np.ndarray, y: np.ndarray) -> Monotone:
        from scipy.optimize import minimize

        self.scaler = StandardScaler().fit(x)
        z = self.scaler.transform(x)
        t = y.astype(np.float64)
        d = z.shape[1]

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            w, b = theta[:d], theta[d]
            m = z @ w + b
            g = 1 / (1 + np.exp(-m)) - t
            value = np.sum(np.logaddexp(0, m) - t * m) + 0.5 * w @ w
            return float(value), np.concatenate([z.T @ g + w, [g.sum()]])

        bounds = [(None, None) if k in self.free else (0.0, None) for k in range(d)]
        found = minimize(
            loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", bounds=[*bounds, (None, None)]
        )
        self.coef, self.intercept = found.x[:d], found.x[d]
        return self

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        p = 1 / (1 + np.exp(-(self.scaler.transform(x) @ self.coef + self.intercept)))
        return np.column_stack([1 - p, p])


def _fit(parts: list[Part2], columns: list[int], rule: int) -> object:
    model = (
        Monotone(columns)
        if rule in MONOTONE
        else make_pipeline(StandardScaler(), LogisticRegression(max_iter=4000))
    )
    x = np.vstack([getattr(q, FEATURES[rule])[:, columns] for q in parts])
    model.fit(x, np.concatenate([q.y for q in parts]))
    return model


def _looked_at(rule: int) -> list[str]:
    return ["train", "holdout", *(f"holdout{n}" for n in range(2, RULES[rule][1]))]


def _show(label: str, figures: dict[str, float]) -> None:
    keys = ("found", "same", "near misses grouped", "recall", "near-miss precision")
    rest = ("precision over every grouped pair", "F1")
    print(label, {k: figures[k] for k in (*keys, *rest)})


def cross_validate(rule: int) -> None:
    parts = [Part2(n) for n in _looked_at(rule)]
    _show("shipped words:", pooled(parts, [p.groups(p.x[:, 0], THRESHOLD) for p in parts]))
    _show("shipped embedding:", pooled(parts, [p.groups(p.embedded, embedding.CUT) for p in parts]))
    for label, columns in RULES[rule][0].items():
        predicted = []
        for part in parts:
            model = _fit([q for q in parts if q is not part], columns, rule)
            x = getattr(part, FEATURES[rule])[:, columns]
            predicted.append(model.predict_proba(x)[:, 1])  # type: ignore[attr-defined]
        figures = {
            c: pooled(parts, [p.groups(s, c) for p, s in zip(parts, predicted, strict=True)])
            for c in CUTS
        }
        best = max(CUTS, key=lambda c: figures[c]["F1"])
        held = [c for c in CUTS if figures[c]["near-miss precision"] >= 0.88]
        best_held = max(held, key=lambda c: figures[c]["F1"]) if held else None
        for cut in CUTS:
            mark = " <- best F1" if cut == best else ""
            mark += " <- best F1 at near-miss precision >= 0.88" if cut == best_held else ""
            _show(f"{label} cut {cut:.2f}{mark}:", figures[cut])


def score_once(rule: int, names: list[str], cuts: dict[str, float]) -> None:
    looked = [Part2(n) for n in _looked_at(rule)]
    fresh = [Part2(n) for n in names]
    _show("shipped words:", pooled(fresh, [p.groups(p.x[:, 0], THRESHOLD) for p in fresh]))
    _show("shipped embedding:", pooled(fresh, [p.groups(p.embedded, embedding.CUT) for p in fresh]))
    for label, columns in RULES[rule][0].items():
        model = _fit(looked, columns, rule)
        scores = [
            model.predict_proba(getattr(p, FEATURES[rule])[:, columns])[:, 1]  # type: ignore[attr-defined]
            for p in fresh
        ]
        _show(
            f"{label} cut {cuts[label]:.2f}:",
            pooled(fresh, [p.groups(s, cuts[label]) for p, s in zip(fresh, scores, strict=True)]),
        )


def seed(rule: int, cuts: dict[str, float]) -> None:
    """The bundled catalogue's groups of two or more: shipped, and with the rule's learned scores
    (learned from the parts the rule looked at)."""
    looked = [Part2(n) for n in _looked_at(rule)]
    part = Part2("seed", load_catalogue())
    print("shipped words:", part.grouped_ids(part.x[:, 0], THRESHOLD))
    print("shipped embedding:", part.grouped_ids(part.embedded, embedding.CUT))
    for label, columns in RULES[rule][0].items():
        model = _fit(looked, columns, rule)
        x = getattr(part, FEATURES[rule])[:, columns]
        score = model.predict_proba(x)[:, 1]  # type: ignore[attr-defined]
        print(f"{label} cut {cuts[label]:.2f}:", part.grouped_ids(score, cuts[label]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rule", type=int, choices=sorted(RULES), default=13)
    parser.add_argument("--score", nargs="+", help="score these parts once")
    parser.add_argument("--seed", action="store_true", help="group the bundled catalogue")
    parser.add_argument("--cut", nargs="*", default=[], help="VARIANT=CUT, e.g. LW=0.15 LE=0.25")
    args = parser.parse_args()
    cuts = {k: float(v) for k, v in (c.split("=") for c in args.cut)}
    if args.seed:
        seed(args.rule, cuts)
    elif args.score:
        score_once(args.rule, args.score, cuts)
    else:
        cross_validate(args.rule)


if __name__ == "__main__":
    main()
