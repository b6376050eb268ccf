"""The matcher: which measures an activity delivers, learned from labelled examples as well as words.

Four kinds of evidence, each measured on text nobody tuned them on (docs/benchmarks.md):

- **the measure's own words and the field's concepts**: the ``domain`` scorer of ``analysis.suggest``;
- **labelled examples**: the bundled corpus (``analysis.corpus``) of council activities, each labelled
  with the measures it delivers. An activity is compared with every example (TF-IDF over word 1-2 grams
  and character 3-5 grams); its nearest examples vote for their measures (a nearest-neighbour scheme);
- **equivalences**: an example labelled with a seed measure also counts for every measure of another
  agreement that says the same thing (found by the same text comparison), so imported agreements
  benefit from the corpus too;
- **the council's own links**: every activity a council has linked is one more example, its rationale
  part of its text, and a suggestion that comes mostly from one of them says so ("like SEN-12, which
  you linked to bury-4").

Whether an activity is about SEND at all is a logistic regression over the same text features, trained
on the corpus (whose near misses -- children's homes, transport, admissions -- are labelled "none").
A second logistic regression turns the evidence for each (activity, measure) pair into one probability;
it is trained on the corpus with every feature computed leave-one-source-out, so it learns how far
to trust an example from *another* council's document. The score shown is that probability.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache

import numpy as np
from scipy import sparse

from valvecheck.analysis.evaluate import Labelled
from valvecheck.analysis.language import about_send, normalise
from valvecheck.analysis.suggest import Method, Suggester, Words

NEIGHBOURS = 7  # examples that vote for an activity's measures
EQUIVALENT = 0.5  # text cosine at or above which another agreement's measure counts as the same one
FEATURES = (
    "base", "nearest", "vote", "send", "base_share", "nearest_share", "own",
    "send x base", "send x nearest", "send x vote",
)  # fmt: skip


@dataclass(frozen=True)
class Example:
    """A labelled activity the matcher learns from; ``own`` when the council linked it itself."""

    id: str
    text: str
    measures: tuple[str, ...]
    source: str = ""
    own: bool = False


def examples_from(items: Sequence[Labelled]) -> list[Example]:
    return [Example(i.id, i.text, i.expected, i.source or i.id) for i in items]


class TextSpace:
    """Word (stemmed 1-2 grams) and character (3-5 grams) TF-IDF, one unit vector per text."""

    def __init__(self, texts: Sequence[str], char_weight: float = 0.5) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.char_weight = char_weight
        self.words = TfidfVectorizer(
            analyzer=Words(), sublinear_tf=True, min_df=1, dtype=np.float32
        ).fit(texts)
        self.chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2, dtype=np.float32
        ).fit([normalise(t) for t in texts])

    def vectors(self, texts: Sequence[str]) -> sparse.csr_matrix:
        from sklearn.preprocessing import normalize

        w = self.words.transform(texts)
        c = self.chars.transform([normalise(t) for t in texts])
        a = math.sqrt(1 - self.char_weight)
        b = math.sqrt(self.char_weight)
        return normalize(sparse.hstack([w * a, c * b], format="csr"))


def _about_send_column(texts: Sequence[str]) -> sparse.csr_matrix:
    return sparse.csr_matrix(np.array([[1.0 if about_send(t) else 0.0] for t in texts]))


def _share(x: np.ndarray) -> np.ndarray:
    top = x.max(axis=1, keepdims=True) if x.shape[1] else np.zeros((x.shape[0], 1))
    return np.divide(x, top, out=np.zeros_like(x), where=top > 0)


def _features(
    base: np.ndarray, nearest: np.ndarray, vote: np.ndarray, send: np.ndarray, own: np.ndarray
) -> list[np.ndarray]:
    """The evidence for every (activity, measure) pair, in the order of ``FEATURES``."""
    send_col = np.broadcast_to(send[:, None], base.shape)
    return [
        base, nearest, vote, send_col, _share(base), _share(nearest), own,
        send_col * base, send_col * nearest, send_col * vote,
    ]  # fmt: skip


class Model:
    """What the matcher learns from labelled examples; independent of any one catalogue."""

    def __init__(
        self,
        examples: Sequence[Labelled],
        seed: Sequence[tuple[str, str]],
        names: Sequence[str] = (),
        base_method: Method | str = "domain",
    ) -> None:
        from sklearn.linear_model import LogisticRegression

        from valvecheck.analysis.corpus import folds

        self.examples = examples_from(examples)
        self.seed = list(seed)
        self.names = list(names)
        self.base_method = base_method
        texts = [e.text for e in self.examples]
        self.space = TextSpace(texts + [t for _, t in seed])
        self.vectors = self.space.vectors(texts)
        y_send = np.array([bool(e.measures) for e in self.examples])
        X = self._send_matrix(self.vectors, texts)
        self.send = LogisticRegression(C=4.0, class_weight="balanced", solver="liblinear").fit(
            X, y_send
        )

        # The pair combiner learns from features computed leave-one-source-out: an example never
        # votes for itself or for another example written from the same document.
        send_oof = np.zeros(len(texts))
        items = list(examples)
        for train, test in folds(items, 5):
            clf = LogisticRegression(C=4.0, class_weight="balanced", solver="liblinear")
            clf.fit(X[train], y_send[train])
            send_oof[test] = clf.predict_proba(X[test])[:, 1]
        base = Suggester(seed, base_method, names).scores(texts, [i.title for i in items])
        ids = [mid for mid, _ in seed]
        labels = _label_matrix(self.examples, {m: [(j, 1.0)] for j, m in enumerate(ids)}, len(ids))
        sources = np.array([e.source for e in self.examples])
        same = sources[:, None] == sources[None, :]
        full = (self.vectors @ self.vectors.T).toarray()
        sims = np.where(same, 0.0, full)
        nearest, vote, _ = _neighbour_scores(sims, labels)
        # A council's own earlier links are written the way its other activities are: the examples
        # from the same document (never the example itself) stand in for them. The combiner sees
        # every example twice, without and with such links, as a council does before and after.
        np.fill_diagonal(same, False)
        own, _, _ = _neighbour_scores(np.where(same, full, 0.0), labels)
        blocks = [
            _features(base, nearest, vote, send_oof, np.zeros_like(base)),
            _features(base, nearest, vote, send_oof, own),
        ]
        F = np.vstack([np.stack([c.ravel() for c in cols], axis=1) for cols in blocks])
        target = np.array([[m in e.measures for m in ids] for e in self.examples]).ravel()
        self.combiner = LogisticRegression(C=1.0, solver="liblinear").fit(F, np.tile(target, 2))

    def _send_matrix(self, vectors: sparse.csr_matrix, texts: Sequence[str]) -> sparse.csr_matrix:
        return sparse.hstack([vectors, _about_send_column(texts)], format="csr")

    def p_send(self, vectors: sparse.csr_matrix, texts: Sequence[str]) -> np.ndarray:
        """How likely each text is about SEND or high needs (0..1)."""
        return self.send.predict_proba(self._send_matrix(vectors, texts))[:, 1]

    def combine(self, columns: list[np.ndarray]) -> np.ndarray:
        w = self.combiner.coef_[0]
        z = np.full(columns[0].shape, self.combiner.intercept_[0], dtype=np.float64)
        for weight, column in zip(w, columns, strict=True):
            z += weight * column
        return 1.0 / (1.0 + np.exp(-z))


def _label_matrix(
    examples: Sequence[Example], targets: dict[str, list[tuple[int, float]]], width: int
) -> sparse.csc_matrix:
    """Examples x measures: how much each example's labels count for each measure."""
    rows, cols, vals = [], [], []
    for i, e in enumerate(examples):
        best: dict[int, float] = {}
        for mid in e.measures:
            for j, w in targets.get(mid, ()):
                best[j] = max(best.get(j, 0.0), w)
        for j, w in best.items():
            rows.append(i)
            cols.append(j)
            vals.append(w)
    return sparse.csc_matrix((vals, (rows, cols)), shape=(len(examples), width), dtype=np.float64)


def _neighbour_scores(
    sims: np.ndarray, labels: sparse.csc_matrix
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per (text, measure): the nearest labelled example's similarity, the weighted vote of the
    nearest ``NEIGHBOURS`` examples, and which example was nearest (-1: none)."""
    n, m = sims.shape[0], labels.shape[1]
    nearest = np.zeros((n, m))
    which = np.full((n, m), -1, dtype=np.int64)
    if n == 0 or m == 0 or labels.nnz == 0:
        return nearest, np.zeros((n, m)), which
    # Measures whose columns are the same (the usual case for thousands of imported measures: a
    # few equivalence patterns, or none) are worked out once.
    patterns: dict[tuple, list[int]] = {}
    for j in range(m):
        start, end = labels.indptr[j], labels.indptr[j + 1]
        if end > start:
            key = (labels.indices[start:end].tobytes(), labels.data[start:end].tobytes())
            patterns.setdefault(key, []).append(j)
    for cols in patterns.values():
        j = cols[0]
        start, end = labels.indptr[j], labels.indptr[j + 1]
        rows, weights = labels.indices[start:end], labels.data[start:end]
        weighted = sims[:, rows] * weights
        best = weighted.argmax(axis=1)
        nearest[:, cols] = weighted[np.arange(n), best][:, None]
        which[:, cols] = rows[best][:, None]
    k = min(NEIGHBOURS, sims.shape[1])
    top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    kept = np.take_along_axis(sims, top, axis=1).clip(min=0)
    voters = sparse.csr_matrix(
        (kept.ravel(), top.ravel(), np.arange(0, n * k + 1, k)), shape=sims.shape
    )
    total = kept.sum(axis=1, keepdims=True)
    vote = (voters @ labels.tocsr()).toarray()
    vote = np.divide(vote, total, out=np.zeros_like(vote), where=total > 0)
    return nearest, vote, which


@cache
def _bundled_model(part: str | None) -> Model:
    from valvecheck.analysis.corpus import labelled
    from valvecheck.catalogue.loader import load_catalogue

    catalogue = load_catalogue()
    return Model(
        labelled(part),
        [(m.id, m.text) for m in catalogue.measures],
        [n for a in catalogue.authorities for n in (a.name, *a.aliases)],
    )


def bundled_model(part: str | None = None) -> Model:
    """The model learned from the bundled corpus (every row, or one part), fitted once a process."""
    return _bundled_model(part)


class Matcher:
    """Scores for a catalogue's measures from a fitted ``Model`` and the council's own links.

    ``Suggester`` with a learned method (``matcher``) scores through this class; use that.
    """

    def __init__(
        self,
        measures: Sequence[tuple[str, str]],
        names: Sequence[str] = (),
        model: Model | None = None,
        links: Sequence[Example] = (),
    ) -> None:
        self.ids = [mid for mid, _ in measures]
        self.texts = [text for _, text in measures]
        self.model = model if model is not None else bundled_model()
        self.base = Suggester(measures, self.model.base_method, names)
        self.links = [replace(e, own=True) for e in links]
        self._examples = self.model.examples + self.links
        self._vectors = self.model.vectors
        if self.links:
            self._vectors = sparse.vstack(
                [self._vectors, self.model.space.vectors([e.text for e in self.links])], "csr"
            )
        self._labels = _label_matrix(self._examples, self._targets(), len(self.ids))
        self._own = np.array([e.own for e in self._examples])
        self._which = np.full((0, len(self.ids)), -1, dtype=np.int64)

    def _targets(self) -> dict[str, list[tuple[int, float]]]:
        """Each labelled measure id -> the catalogue's measures it counts for, with a weight.

        A catalogue measure with the same id counts fully; one from another agreement whose text is
        close enough to the labelled measure's counts as its equivalent.
        """
        index = {mid: j for j, mid in enumerate(self.ids)}
        out: dict[str, list[tuple[int, float]]] = {}
        seed = self.model.seed
        if self.texts and seed:
            sims = (
                self.model.space.vectors([t for _, t in seed])
                @ self.model.space.vectors(self.texts).T
            ).toarray()
            for k, (mid, _) in enumerate(seed):
                out[mid] = [(int(j), 1.0) for j in np.flatnonzero(sims[k] >= EQUIVALENT)]
        for mid, j in index.items():
            found = dict(out.get(mid, []))
            found[j] = 1.0
            out[mid] = list(found.items())
        return out

    def scores(self, texts: Sequence[str], titles: Sequence[str] | None = None) -> np.ndarray:
        """A (texts x measures) matrix of probabilities that the activity delivers the measure."""
        if not texts or not self.texts:
            return np.zeros((len(texts), len(self.texts)))
        base = self.base.scores(texts, titles)
        vectors = self.model.space.vectors(texts)
        sims = (vectors @ self._vectors.T).toarray()
        nearest, vote, which = _neighbour_scores(sims, self._labels)
        own = np.zeros_like(nearest)
        if self.links:
            own, _, _ = _neighbour_scores(np.where(self._own[None, :], sims, 0.0), self._labels)
        send = self.model.p_send(vectors, texts)
        self._which = which
        return self.model.combine(_features(base, nearest, vote, send, own))

    def learned_from(self, i: int, j: int) -> Example | None:
        """The council's own link behind the last scores' (text i, measure j), if it was one."""
        if i >= self._which.shape[0] or self._which[i, j] < 0:
            return None
        e = self._examples[int(self._which[i, j])]
        return e if e.own else None
