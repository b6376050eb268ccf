"""A learned pair score for the grouping, tried and not taken (thirteenth round, rule 8).

    .venv/bin/python bench/pairs_learned.py

Logistic regression over every text pair of a pairs part (label: labelled the same) on ten
features: the final score, the reading, the TF-IDF word cosine, each text's rank of the other
(the better and the worse of the two), each text's margin over its best other partner (the same),
the contrast flag, the Jaccard of the content words and the length ratio. Leave-one-part-out over
the eighteen looked-at parts (``train`` to ``holdout17``); groups by complete linkage on the
predicted probability, contrasts kept apart; pooled recall, near-miss precision, precision over
every grouped pair and their F1 for each probability cut, beside the shipped grouping. The parts
set aside (``corpus.PAIRS_SET_ASIDE``) are never read.
"""

from __future__ import annotations

import numpy as np
from pairs_minilm import figures
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from valvecheck.analysis.common import (
    THRESHOLD,
    _complete_linkage,
    _meaning,
    _nodes,
    _similarity,
    _unigrams,
    contrast,
    pairs_catalogue,
)
from valvecheck.analysis.corpus import PAIRS_SET_ASIDE, measure_pairs
from valvecheck.domain.model import Catalogue

LOOKED_AT = ("train", "holdout", *(f"holdout{n}" for n in range(2, 18)))
CUTS = tuple(round(0.10 + 0.05 * i, 2) for i in range(17))


class Part:
    """One pairs part as its own catalogue, with a feature row per two distinct texts."""

    def __init__(self, name: str, catalogue: Catalogue | None = None) -> None:
        """A pairs part, or (``catalogue``) a whole catalogue with no labels, as ``common``
        would group it."""
        self.pairs = (
            [] if catalogue else [(p.text_a, p.text_b, p.same) for p in measure_pairs(name)]
        )
        if catalogue is None:
            self.texts = list(dict.fromkeys(t for a, b, _ in self.pairs for t in (a, b)))
            catalogue = pairs_catalogue(self.texts)
        else:
            self.texts = [m.text for m in catalogue.measures]
        self.measures = catalogue.measures
        self.nodes = nodes = _nodes(catalogue)
        final = _similarity(nodes, -5.0).toarray()
        reading = _meaning(nodes.texts, -5.0)[0].toarray()
        tfidf = TfidfVectorizer(analyzer=lambda terms: terms, sublinear_tf=True)
        x = tfidf.fit_transform(nodes.docs)
        words = (x @ x.T).toarray()
        uni = [_unigrams(d) for d in nodes.docs]
        node_of = {t: int(nodes.of[k]) for k, t in enumerate(self.texts)}  # pairs' texts only
        same = {
            (min(node_of[a], node_of[b]), max(node_of[a], node_of[b]))
            for a, b, label in self.pairs
            if label
        }
        self.upper = i, j = np.triu_indices(len(uni), 1)
        others = final.copy()
        np.fill_diagonal(others, -np.inf)
        rank = (-others).argsort(axis=1).argsort(axis=1)  # 0: the text's best partner
        ordered = np.sort(others, axis=1)
        s = final[i, j]
        margin_i = s - np.where(np.isclose(ordered[i, -1], s), ordered[i, -2], ordered[i, -1])
        margin_j = s - np.where(np.isclose(ordered[j, -1], s), ordered[j, -2], ordered[j, -1])
        sets = [set(u) for u in uni]
        pairs = list(zip(i, j, strict=True))
        jaccard = np.array(
            [len(sets[a] & sets[b]) / max(1, len(sets[a] | sets[b])) for a, b in pairs]
        )
        lengths = np.array([len(u) for u in uni], dtype=float)
        ratio = np.minimum(lengths[i], lengths[j]) / np.maximum(
            1, np.maximum(lengths[i], lengths[j])
        )
        self.contrast = np.array([float(contrast(uni[a], uni[b])) for a, b in pairs])
        self.x = np.column_stack(
            [
                s,
                reading[i, j],
                words[i, j],
                1 / (1 + np.minimum(rank[i, j], rank[j, i])),
                1 / (1 + np.maximum(rank[i, j], rank[j, i])),
                np.minimum(margin_i, margin_j),
                np.maximum(margin_i, margin_j),
                self.contrast,
                jaccard,
                ratio,
            ]
        )
        self.y = np.array([pair in same for pair in pairs])
        self.final = final

    def _clusters(self, score: np.ndarray, cut: float) -> list[list[int]]:
        """Complete linkage over the pairs scoring ``cut`` or more, contrasts kept apart."""
        n = len(self.nodes.docs)
        i, j = self.upper
        value = np.where(self.contrast > 0, -np.inf, score)
        keep = value >= cut
        matrix = np.zeros((n, n))
        matrix[i[keep], j[keep]] = value[keep]
        return _complete_linkage(self.measures, self.nodes, sparse.csr_matrix(matrix + matrix.T))

    def groups(self, score: np.ndarray, cut: float) -> dict[str, int]:
        """Text -> group."""
        return {self.texts[m]: g for g, c in enumerate(self._clusters(score, cut)) for m in c}

    def grouped_ids(self, score: np.ndarray, cut: float) -> list[list[str]]:
        """The groups of two or more measures, by id."""
        clusters = self._clusters(score, cut)
        return [sorted(self.measures[m].id for m in c) for c in clusters if len(c) > 1]


def pooled(parts: list[Part], grouped: list[dict[str, int]]) -> dict[str, float]:
    found = figures([(p.pairs, p.texts, g) for p, g in zip(parts, grouped, strict=True)])
    return {k: round(v, 4) for k, v in found.items()}


def main() -> None:
    parts = [Part(name) for name in LOOKED_AT if name not in PAIRS_SET_ASIDE]
    print("shipped:", pooled(parts, [p.groups(p.x[:, 0], THRESHOLD) for p in parts]))
    predicted = []
    for part in parts:
        rest = [q for q in parts if q is not part]
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        model.fit(np.vstack([q.x for q in rest]), np.concatenate([q.y for q in rest]))
        predicted.append(model.predict_proba(part.x)[:, 1])
    for cut in CUTS:
        grouped = [p.groups(score, cut) for p, score in zip(parts, predicted, strict=True)]
        print(f"learned, cut {cut:.2f}:", pooled(parts, grouped))


if __name__ == "__main__":
    main()
