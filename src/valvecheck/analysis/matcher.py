"""The matcher: which measures an activity delivers, learned from labelled examples as well as words.

Four kinds of evidence, each measured on text nobody tuned them on (docs/benchmarks.md):

- **the measure's own words and the field's concepts**: the ``domain`` scorer of ``analysis.suggest``;
- **labelled examples**: the bundled corpus (``analysis.corpus``) of council activities, each labelled
  with the measures it delivers. An activity is compared with every example (TF-IDF over word 1-2 grams
  and character 3-5 grams); its nearest examples vote for their measures (a nearest-neighbour scheme);
- **equivalences**: an example labelled with a seed measure also counts for every measure of another
  agreement that says the same thing (found by the same text comparison), so imported agreements
  benefit from the corpus too; a measure worded too differently for that counts through its
  common-measure group (``common``, with people's decisions), when the group holds a labelled one;
- **the council's own links**: every activity a council has linked is one more example, its rationale
  part of its text, compared in word and character features fitted on the council's own texts, so
  its project names count though no other council uses them (the nearest linked activity and the
  vote of the nearest ones, the two features the combiner learned for them), counting less where the
  corpus alone is already sure of an activity; a suggestion that comes mostly from one of them says
  so ("like SEN-12, which you linked to bury-4").

Whether an activity is about SEND at all is a logistic regression over the same text features, trained
on the corpus (whose near misses -- children's homes, transport, admissions -- are labelled "none").
The SEND classifier reads the field's concepts beside the words, and counts the seed measures' own
texts as SEND examples. A second logistic regression turns the evidence for each (activity, measure)
pair into one probability (the evidence includes the cosine with each measure's examples taken
together, their centroid, as well as the nearest one); it is trained on the corpus with every feature
computed leave-one-source-out, so it learns how far to trust an example from *another* council's
document. Whether an activity delivers any measure at all is then decided once per activity (the
gate: a third logistic regression over its best pair, the SEND classifier and the share of its
nearest labelled examples that deliver a measure), and the score shown
combines the two (``Model.decide``). Every choice here was made by cross-validation on the corpus's
train part only (docs/benchmarks.md).
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from valvecheck.analysis.evaluate import Labelled
from valvecheck.analysis.language import about_send, concepts
from valvecheck.analysis.suggest import CharGrams, Method, Suggester, Words
from valvecheck.analysis.vocabulary import CONCEPTS

if TYPE_CHECKING:
    from sklearn.linear_model import LogisticRegression

NEIGHBOURS = 7  # examples that vote for an activity's measures
CHUNK = 512  # rows worked at a time (a product's or a search's scratch stays small)
# How alike (cosine in the examples' space) a labelled example must be to be named as a
# suggestion's reason ("like '...' in another council's plan"): below it, the words say more.
EXAMPLE_SHOWN = 0.3
DUPLICATE = 0.8  # a linked activity this close (plain cosine) also counts as a corpus example
LINK_DAMPING = 4.0  # how far a confident corpus reading holds back the links (``scores``)
EQUIVALENT = 0.5  # text cosine at or above which another agreement's measure counts as the same one
FEATURES = (
    "base", "nearest", "vote", "send", "base_share", "nearest_share", "own", "own_vote",
    "send x base", "send x nearest", "send x vote", "centroid", "centroid_share", "send x centroid",
)  # fmt: skip
USE = set(FEATURES)  # the features the combiner uses (all; a smaller set for experiments)
OWN = ("own", "own_vote")  # the features that read the council's own links


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


KNOWN_WORDS = 200_000  # words whose n-gram columns ``TextSpace`` keeps (a few tens of MB)


class TextSpace:
    """Word (stemmed 1-2 grams) and character (3-5 grams) TF-IDF, one unit vector per text."""

    def __init__(self, texts: Sequence[str], char_weight: float = 0.5) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.char_weight = char_weight
        self.words = TfidfVectorizer(
            analyzer=Words(), sublinear_tf=True, min_df=1, dtype=np.float32
        ).fit(texts)
        self.chars = TfidfVectorizer(
            analyzer=CharGrams(3, 5), sublinear_tf=True, min_df=2, dtype=np.float32
        ).fit(texts)

    def vectors(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """One row per text; a text given more than once (agreements that copy DfE's wording,
        a tracker's repeated lines) is read once."""
        distinct = list(dict.fromkeys(texts))
        if len(distinct) == len(texts):
            return self._read(texts)
        row = {text: i for i, text in enumerate(distinct)}
        read = self._read(distinct)
        return read[[row[text] for text in texts]]

    def _read(self, texts: Sequence[str]) -> sparse.csr_matrix:
        from sklearn.preprocessing import normalize

        if not texts:
            width = len(self.words.vocabulary_) + len(self.chars.vocabulary_)
            return sparse.csr_matrix((0, width), dtype=np.float32)
        w = self.words.transform(texts)
        c = self._char_vectors(texts)
        a = math.sqrt(1 - self.char_weight)
        b = math.sqrt(self.char_weight)
        return normalize(sparse.hstack([w * a, c * b], format="csr"))

    def _char_vectors(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """``self.chars.transform(texts)``, the same numbers, with each word's n-grams looked up
        in the vocabulary once per word rather than once per n-gram of every text (a third of
        a large run's reading was scikit-learn counting n-grams one by one)."""
        from sklearn.preprocessing import normalize

        known: dict[str, np.ndarray] = self.__dict__.setdefault("_grams", {})
        vocabulary, analyse = self.chars.vocabulary_, self.chars.analyzer
        found: list[np.ndarray] = []
        lengths = np.zeros(len(texts), dtype=np.int64)
        for i, text in enumerate(texts):
            for word in analyse.words(text):
                columns = known.get(word)
                if columns is None:
                    if len(known) >= KNOWN_WORDS:
                        known.clear()
                    grams = analyse.grams(word)
                    columns = known[word] = np.array(
                        [vocabulary[g] for g in grams if g in vocabulary], dtype=np.int32
                    )
                found.append(columns)
                lengths[i] += len(columns)
        columns = np.concatenate(found) if found else np.zeros(0, dtype=np.int32)
        counts = sparse.csr_matrix(
            (np.ones(len(columns), dtype=np.float32), columns, np.r_[0, np.cumsum(lengths)]),
            shape=(len(texts), len(vocabulary)),
        )
        counts.sum_duplicates()  # counts per n-gram, columns sorted, as scikit-learn's
        np.log(counts.data, out=counts.data)  # sublinear tf: 1 + log(count)
        counts.data += 1
        counts.data *= self.chars.idf_.astype(np.float32)[counts.indices]
        return normalize(counts)

    def __getstate__(self) -> dict[str, object]:
        # the per-word lookups are rebuilt as texts are read; the model cache keeps the fit only
        return {k: v for k, v in self.__dict__.items() if k != "_grams"}


VOTE_POWER = 2.0  # the gate's SEND vote weighs each of the nearest examples by similarity**this
LIFT = 0.5  # a SEND activity's measures are shown at no less than this x gate x share of best


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def _top_k(sims: np.ndarray, k: int | None = None) -> np.ndarray:
    """The columns of each row's ``k`` (default ``NEIGHBOURS``) largest values, in no order."""
    k = min(NEIGHBOURS if k is None else k, sims.shape[1])
    out = np.empty((sims.shape[0], k), dtype=np.intp)
    for start in range(0, sims.shape[0], CHUNK):  # a chunk at a time: 12 bytes a cell of scratch
        part = sims[start : start + CHUNK]
        out[start : start + CHUNK] = np.argpartition(-part, k - 1, axis=1)[:, :k]
    return out


def _top_k_joined(first: np.ndarray, top: np.ndarray, second: np.ndarray) -> np.ndarray:
    """``_top_k(np.hstack([first, second]))`` from ``top``, ``_top_k(first)`` found
    already: the k largest of a row are among the k largest of each part, so the wide part
    (the bundled examples) is searched once for the two votes that read it (``Matcher.scores``)."""
    if second.shape[1] == 0:
        return top
    other = _top_k(second)
    columns = np.hstack([top, other + first.shape[1]])
    values = np.hstack(
        [np.take_along_axis(first, top, axis=1), np.take_along_axis(second, other, axis=1)]
    )
    return np.take_along_axis(columns, _top_k(values), axis=1)


def _send_vote(sims: np.ndarray, is_send: np.ndarray, top: np.ndarray | None = None) -> np.ndarray:
    """Per text (rows of ``sims``, its similarity to each labelled example): the share of its
    ``NEIGHBOURS`` nearest examples that deliver some measure, each weighted by its similarity to
    the power ``VOTE_POWER`` (so the nearest counts most). The near misses a SEND
    team also runs (transport, children's homes, admissions) are examples too, so a text that reads
    like them leans "none" even where it shares words with SEND work, and a SEND activity written
    without the field's words still leans SEND when its nearest examples do."""
    n = sims.shape[0]
    if n == 0 or sims.shape[1] == 0:
        return np.zeros(n)
    top = _top_k(sims) if top is None else top  # ``top``: ``_top_k(sims)``, found already
    kept = np.take_along_axis(sims, top, axis=1).clip(min=0) ** VOTE_POWER
    total = kept.sum(axis=1)
    total[total <= 0] = np.inf
    return np.asarray((kept * is_send[top]).sum(axis=1) / total, dtype=np.float64)


def _gate_features(best: np.ndarray, send: np.ndarray, vote: np.ndarray) -> np.ndarray:
    """Per activity: the logits of its best pair's probability, of the SEND classifier's and of
    its nearest examples' SEND vote (kept off 0 and 1)."""
    return np.column_stack([_logit(best), _logit(send), _logit(0.05 + 0.9 * vote)])


# The character n-grams' share in the space fitted on a council's own texts, as in ``TextSpace``
# (0: words only).
OWN_CHARS = 0.5


def council_similarity(texts: Sequence[str], linked: Sequence[str]) -> np.ndarray:
    """Cosine of a council's texts with its own linked texts, in word and character features
    fitted on the council's texts alone: its own project names ("SEDIS", "Cluster Inclusion
    Fund"), which no other council's document uses and the corpus's features therefore lack,
    count, and words most of its texts share (its tracker's boilerplate) count little."""
    if not texts or not linked:
        return np.zeros((len(texts), len(linked)), dtype=np.float32)
    x = _council_vectors(_Counts([*texts, *linked]), np.arange(len(texts) + len(linked)))
    return np.asarray((x[: len(texts)] @ x[len(texts) :].T).toarray(), np.float32)


class _Counts:
    """Word and character n-gram counts of some texts, from which the TF-IDF of any subset of
    them, fitted on that subset alone, is worked out (``_council_vectors``) without reading the
    texts again."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.words = _counts([Words()(t) for t in texts])
        self.chars = _char_counts(texts, CharGrams(3, 5)) if OWN_CHARS else None


def _counts(features: Sequence[Sequence[str]]) -> sparse.csr_matrix:
    """What scikit-learn's ``CountVectorizer(dtype=float32).fit_transform`` gives for texts whose
    features are these: a column per feature, in sorted order, and each text's counts."""
    column: dict[str, int] = {}
    found = [np.array([column.setdefault(f, len(column)) for f in fs], np.int64) for fs in features]
    return _sorted_counts(found, column)


def _char_counts(texts: Sequence[str], grams: CharGrams) -> sparse.csr_matrix:
    """``_counts`` of the texts' character n-grams, each word's n-grams found once per word."""
    column: dict[str, int] = {}
    of_word: dict[str, np.ndarray] = {}
    found = []
    for text in texts:
        parts = []
        for word in grams.words(text):
            ids = of_word.get(word)
            if ids is None:
                g = grams.grams(word)
                ids = of_word[word] = np.array(
                    [column.setdefault(x, len(column)) for x in g], dtype=np.int64
                )
            parts.append(ids)
        found.append(np.concatenate(parts) if parts else np.zeros(0, np.int64))
    return _sorted_counts(found, column)


def _sorted_counts(found: list[np.ndarray], column: dict[str, int]) -> sparse.csr_matrix:
    """The counts with their columns in the features' sorted order, as scikit-learn's."""
    # (sorted in Python: a NumPy string array is as wide as its longest feature, and one pasted
    # 20,000-letter "word" made that gigabytes)
    keys = list(column)
    order = np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)
    rank = np.empty(len(column), dtype=np.int64)
    rank[order] = np.arange(len(column))
    lengths = np.array([len(f) for f in found], dtype=np.int64)
    indices = rank[np.concatenate(found).astype(np.int64)] if found else np.zeros(0, np.int64)
    counts = sparse.csr_matrix(
        (np.ones(len(indices), np.float32), indices, np.r_[0, np.cumsum(lengths)]),
        shape=(len(found), len(column)),
    )
    counts.sum_duplicates()
    return counts


def _local_tfidf(counts: sparse.csr_matrix, min_df: int) -> sparse.csr_matrix:
    """TF-IDF (sublinear tf, smooth idf, unit rows, as ``TextSpace``) fitted on these rows, over
    the features found in at least ``min_df`` of them."""
    from sklearn.feature_extraction.text import TfidfTransformer

    kept = np.flatnonzero(np.bincount(counts.indices, minlength=counts.shape[1]) >= min_df)
    x = counts[:, kept].tocsr()
    return TfidfTransformer(sublinear_tf=True).fit_transform(x) if len(kept) else x


def _council_vectors(counts: _Counts, rows: np.ndarray) -> sparse.csr_matrix:
    """Unit vectors for ``rows`` of ``counts``, TF-IDF fitted on those rows alone (the words, and
    the character n-grams found in two or more of them, weighted as in ``TextSpace``)."""
    from sklearn.preprocessing import normalize

    parts = [_local_tfidf(counts.words[rows], 1) * math.sqrt(1 - OWN_CHARS)]
    if counts.chars is not None:
        parts.append(_local_tfidf(counts.chars[rows], 2) * math.sqrt(OWN_CHARS))
    x = sparse.hstack(parts, format="csr")
    return normalize(x) if x.shape[1] else x


def same_source_similarity(texts: Sequence[str], sources: np.ndarray) -> np.ndarray:
    """Examples x examples: how alike two examples from the same source are as one council's own
    texts (``council_similarity``'s measure, fitted per source); 0 across sources and for an
    example with itself. What the combiner learns the council's own links from."""
    out = np.zeros((len(texts), len(texts)), dtype=np.float32)
    counts = _Counts(texts)
    for source in set(sources.tolist()):
        rows = np.flatnonzero(sources == source)
        mine = _council_vectors(counts, rows)
        out[np.ix_(rows, rows)] = (mine @ mine.T).toarray()
    np.fill_diagonal(out, 0.0)
    return out


CONCEPT_WEIGHT = 0.3  # the field's concepts beside the words, in the SEND classifier


def _about_send_column(texts: Sequence[str]) -> sparse.csr_matrix:
    """Per text: does it name SEND in the field's words, and which of the field's concepts it
    names (scaled by ``CONCEPT_WEIGHT``, so the words still count most)."""
    names = list(CONCEPTS)
    rows = []
    for t in texts:
        found = concepts(t)
        rows.append(
            [1.0 if c in found else 0.0 for c in names] + [1.0 if about_send(t, found) else 0.0]
        )
    return sparse.csr_matrix(
        np.array(rows, dtype=np.float64).reshape(len(texts), len(names) + 1) * CONCEPT_WEIGHT
    )


def _share(x: np.ndarray) -> np.ndarray:
    """Each row divided by its largest value (0 for a row of zeros)."""
    top = x.max(axis=1, keepdims=True) if x.shape[1] else np.zeros((x.shape[0], 1), x.dtype)
    top[top <= 0] = np.inf
    return x / top


@dataclass
class Evidence:
    """The evidence for every (activity, measure) pair: arrays of texts x measures (``send``: one
    value per text). Combined by ``Model.combine``: the corpus's features in the order of
    ``FEATURES`` (``corpus_logits``), then the council's own links' (``own_logits``)."""

    base: np.ndarray
    nearest: np.ndarray
    vote: np.ndarray
    send: np.ndarray
    own: np.ndarray
    own_vote: np.ndarray
    centroid: np.ndarray

    def column(self, name: str) -> np.ndarray:
        """One feature, (texts x measures), computed when asked for."""
        send = self.send.astype(np.float32)[:, None]
        if name == "send":
            return np.broadcast_to(send, self.base.shape)
        if name.startswith("send x "):
            return send * getattr(self, name[7:])
        if name.endswith("_share"):
            return _share(getattr(self, name[:-6]))
        return getattr(self, name)

    def columns(self) -> list[np.ndarray]:
        return [self.column(f) for f in FEATURES if f in USE]


def _send_classifier() -> LogisticRegression:
    from sklearn.linear_model import LogisticRegression

    # the dual problem: far fewer examples than features, so it converges many times faster
    return LogisticRegression(
        C=4.0,
        class_weight="balanced",
        solver="liblinear",
        dual=True,
        max_iter=1000,
        random_state=0,  # liblinear shuffles: the same corpus always learns the same model
    )


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
        self.seed_vectors = self.space.vectors([t for _, t in seed])
        y_send = np.array([bool(e.measures) for e in self.examples])
        X = self._send_matrix(self.vectors, texts)
        # The measure texts are SEND by definition: examples for the classifier too.
        if seed:
            X_seed = self._send_matrix(self.seed_vectors, [t for _, t in seed])
            X_fit = sparse.vstack([X, X_seed], format="csr")
            y_fit = np.concatenate([y_send, np.ones(len(seed), dtype=bool)])
        else:
            X_seed, X_fit, y_fit = None, X, y_send
        self.send = _send_classifier().fit(X_fit, y_fit)

        # The pair combiner learns from features computed leave-one-source-out: an example never
        # votes for itself or for another example written from the same document.
        send_oof = np.zeros(len(texts))
        items = list(examples)
        for train, test in folds(items, 5):
            if X_seed is not None:
                clf = _send_classifier().fit(
                    sparse.vstack([X[train], X_seed], format="csr"),
                    np.concatenate([y_send[train], np.ones(X_seed.shape[0], dtype=bool)]),
                )
            else:
                clf = _send_classifier().fit(X[train], y_send[train])
            send_oof[test] = clf.predict_proba(X[test])[:, 1]
        base = Suggester(seed, base_method, names).scores(texts, [i.title for i in items])
        ids = [mid for mid, _ in seed]
        labels = _label_matrix(self.examples, {m: [(j, 1.0)] for j, m in enumerate(ids)}, len(ids))
        sources = np.array([e.source for e in self.examples])
        same = sources[:, None] == sources[None, :]
        split = self.__dict__["_split"] = SplitCosines(self.vectors)  # kept for scoring too
        others = np.where(same, 0.0, split(self.vectors))
        top = _top_k(others)  # searched once, for both votes
        nearest, vote = _neighbour_scores(others, labels, top)
        centroid = _centroids_from_other_sources(others, labels, self.vectors, sources)
        # A council's own earlier links are written the way its other activities are: the examples
        # from the same document (never the example itself) stand in for them. The combiner sees
        # every example twice, without and with such links, as a council does before and after.
        own, own_vote = _neighbour_scores(same_source_similarity(texts, sources), labels)
        none = np.zeros_like(base)
        blocks = [
            Evidence(base, nearest, vote, send_oof, none, none, centroid).columns(),
            Evidence(base, nearest, vote, send_oof, own, own_vote, centroid).columns(),
        ]
        F = np.vstack([np.stack([c.ravel() for c in cols], axis=1) for cols in blocks])
        target = np.array([[m in e.measures for m in ids] for e in self.examples]).ravel()
        self.combiner = LogisticRegression(C=1.0, solver="liblinear", random_state=0).fit(
            F, np.tile(target, 2)
        )
        # Whether an activity delivers any measure at all, decided once per activity: the best
        # pair's probability, the SEND classifier's and the SEND vote of the nearest examples,
        # weighed by a logistic regression on the same leave-one-source-out evidence (so it is
        # calibrated on text from other documents).
        pairs = self.combine(Evidence(base, nearest, vote, send_oof, none, none, centroid))
        X_gate = _gate_features(pairs.max(axis=1), send_oof, _send_vote(others, y_send, top))
        self.gate = LogisticRegression(C=1.0, solver="lbfgs").fit(X_gate, y_send)
        self.is_send = y_send

    def example_cosines(self, vectors: sparse.csr_matrix) -> np.ndarray:
        """Texts x bundled examples: each text's cosine with each example (``SplitCosines``)."""
        split = self.__dict__.get("_split")
        if split is None:
            with _SPLITTING:
                split = self.__dict__.setdefault("_split", SplitCosines(self.vectors))
        return split(vectors)

    def __getstate__(self) -> dict[str, object]:
        # the split product is rebuilt by each process; the model cache keeps the fit only
        return {k: v for k, v in self.__dict__.items() if k != "_split"}

    def _send_matrix(self, vectors: sparse.csr_matrix, texts: Sequence[str]) -> sparse.csr_matrix:
        return sparse.hstack([vectors, _about_send_column(texts)], format="csr", dtype=np.float64)

    def p_send(self, vectors: sparse.csr_matrix, texts: Sequence[str]) -> np.ndarray:
        """How likely each text is about SEND or high needs (0..1)."""
        return self.send.predict_proba(self._send_matrix(vectors, texts))[:, 1]

    def decide(self, pairs: np.ndarray, send: np.ndarray, vote: np.ndarray) -> np.ndarray:
        """The scores shown, from the pairs' probabilities and the gate (the chance that the
        activity delivers any measure at all): each pair's probability capped by the gate, and
        never less than ``LIFT`` x the gate x its share of the activity's best pair. So a SEND
        activity whose evidence is weak still shows its best measures (at up to ``LIFT``), while
        only a pair whose own probability and gate are both high clears the accept bar (set above
        ``LIFT``). Within an activity the order of its measures is that of the pairs."""
        if pairs.shape[1] == 0:
            return pairs
        best = pairs.max(axis=1)
        gate = self.gate.predict_proba(_gate_features(best, send, vote))[:, 1].astype(np.float32)
        best[best <= 0] = 1.0
        lifted = pairs / best[:, None].astype(np.float32)
        lifted *= (LIFT * gate)[:, None]
        np.minimum(pairs, gate[:, None], out=pairs)
        return np.maximum(pairs, lifted, out=pairs)

    def combine(self, evidence: Evidence) -> np.ndarray:
        """The probability for every pair: the combiner's logistic function of the evidence,
        worked in place in single precision (a large catalogue makes these arrays big)."""
        z = self.corpus_logits(evidence)
        z += self.own_logits(evidence.own, evidence.own_vote)
        return _logistic(z)

    def _weights(self) -> dict[str, np.float32]:
        names = [f for f in FEATURES if f in USE]
        return dict(zip(names, self.combiner.coef_[0].astype(np.float32), strict=True))

    def corpus_logits(self, evidence: Evidence) -> np.ndarray:
        """The combiner's logit for every pair from all but the council's own links' evidence."""
        w = self._weights()
        e = evidence
        z = np.full(e.base.shape, np.float32(self.combiner.intercept_[0]), dtype=np.float32)
        mixed = np.zeros_like(z)
        send = e.send.astype(np.float32)[:, None]
        for name in w:
            if name in OWN:
                continue
            if name == "send":
                z += w[name] * send
            elif name.startswith("send x "):
                mixed += w[name] * getattr(e, name[7:])
            else:
                z += w[name] * e.column(name)
        mixed *= send
        z += mixed
        return z

    def own_logits(self, own: np.ndarray, own_vote: np.ndarray) -> np.ndarray:
        """What the council's own links add to each pair's logit."""
        w = self._weights()
        z = w.get("own", np.float32(0)) * own
        z += w.get("own_vote", np.float32(0)) * own_vote
        return z


def _logistic(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z), worked in place."""
    np.negative(z, out=z)
    np.exp(z, out=z)
    z += 1.0
    return np.reciprocal(z, out=z)


def _label_matrix(
    examples: Sequence[Example], targets: dict[str, list[tuple[int, float]]], width: int
) -> sparse.csc_matrix:
    """Examples x measures: how much each example's labels count for each measure (the largest
    weight among its labelled measures' targets). Worked as arrays: a large catalogue gives each
    seed measure thousands of targets."""
    keys = {k: n for n, k in enumerate(targets)}
    counts = np.array([len(targets[k]) for k in keys], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)])
    flat = [t for k in keys for t in targets[k]]
    columns = np.array([j for j, _ in flat], dtype=np.int64)
    weights = np.array([w for _, w in flat], dtype=np.float32)
    owner = [
        (i, keys[m]) for i, e in enumerate(examples) for m in dict.fromkeys(e.measures) if m in keys
    ]
    if not owner or not len(flat):
        return sparse.csc_matrix((len(examples), width), dtype=np.float32)
    rows_, key_ = (np.array(x, dtype=np.int64) for x in zip(*owner, strict=True))
    n = counts[key_]
    at = np.repeat(starts[key_] - np.concatenate([[0], np.cumsum(n)[:-1]]), n) + np.arange(n.sum())
    rows, cols, vals = np.repeat(rows_, n), columns[at], weights[at]
    # the largest weight per (example, measure): sort, then reduce each run of equal pairs
    # (one int64 key per pair: a quarter of the time of sorting on the two columns)
    key = rows * width + cols
    order = np.argsort(key, kind="stable")
    key, rows, cols, vals = key[order], rows[order], cols[order], vals[order]
    first = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
    return sparse.csc_matrix(
        (np.maximum.reduceat(vals, first), (rows[first], cols[first])),
        shape=(len(examples), width),
        dtype=np.float32,
    )


def _patterns(labels: sparse.csc_matrix) -> list[list[int]]:
    """Measures whose label columns are the same, worked out once: for thousands of imported
    measures there are a few equivalence patterns (or none)."""
    patterns: dict[tuple[bytes, bytes], list[int]] = {}
    for j in range(labels.shape[1]):
        start, end = labels.indptr[j], labels.indptr[j + 1]
        if end > start:
            key = (labels.indices[start:end].tobytes(), labels.data[start:end].tobytes())
            patterns.setdefault(key, []).append(j)
    return list(patterns.values())


def _neighbour_scores(
    sims: np.ndarray, labels: sparse.csc_matrix, top: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per (text, measure): the nearest labelled example's similarity, and the weighted vote of
    the nearest ``NEIGHBOURS`` examples (``top``: ``_top_k(sims)``, where found already)."""
    n, m = sims.shape[0], labels.shape[1]
    nearest = np.zeros((n, m), dtype=np.float32)
    if n == 0 or m == 0 or labels.nnz == 0 or sims.shape[1] == 0:
        return nearest, np.zeros((n, m), dtype=np.float32)
    for cols in _patterns(labels):
        j = cols[0]
        start, end = labels.indptr[j], labels.indptr[j + 1]
        rows, weights = labels.indices[start:end], labels.data[start:end]
        best = (sims[:, rows] * weights).max(axis=1)
        nearest[:, cols] = best[:, None]
    top = _top_k(sims) if top is None else top
    k = top.shape[1]
    kept = np.take_along_axis(sims, top, axis=1).clip(min=0)
    voters = sparse.csr_matrix(
        (kept.ravel(), top.ravel(), np.arange(0, n * k + 1, k)), shape=sims.shape
    )
    total = kept.sum(axis=1, keepdims=True)
    total[total <= 0] = np.inf
    vote = (voters @ labels.tocsr()).toarray().astype(np.float32, copy=False)
    vote /= total.astype(np.float32)
    return nearest, vote


@dataclass(frozen=True)
class _Centroid:
    """The examples of the measures that share one label pattern, their weights, and the length
    of the examples' weighted sum."""

    measures: list[int]
    rows: np.ndarray
    weights: np.ndarray
    norm: float


def _centroids(
    labels: sparse.csc_matrix, vectors: sparse.csr_matrix | np.ndarray
) -> list[_Centroid]:
    """Each label pattern's centroid (``vectors``: the examples' unit rows, sparse or dense), its
    length worked from the weighted sum of the examples' vectors itself: no cosines of every
    example with every other are needed, however many links a council has."""
    patterns = _patterns(labels)
    if not patterns:
        return []
    sums = labels[:, [cols[0] for cols in patterns]].T @ vectors
    if sparse.issparse(sums):
        squares = np.asarray(sums.multiply(sums).sum(axis=1)).ravel()
    else:
        squares = np.einsum("ij,ij->i", sums, sums)
    out = []
    for cols, square in zip(patterns, squares.tolist(), strict=True):
        start, end = labels.indptr[cols[0]], labels.indptr[cols[0] + 1]
        rows, weights = labels.indices[start:end], labels.data[start:end]
        out.append(_Centroid(cols, rows, weights, math.sqrt(max(square, 1e-12))))
    return out


def _centroids_from_other_sources(
    others: np.ndarray, labels: sparse.csc_matrix, vectors: sparse.csr_matrix, sources: np.ndarray
) -> np.ndarray:
    """Per (example, measure): ``_centroid_scores`` of the example with the centroids of the
    measure's examples from other sources than its own (``others``: the examples' cosines, 0
    within a source). The sums over every example are worked out once and each source's own
    taken away, rather than every source's centroids again from the start (a quarter of learning
    the model)."""
    out = np.zeros((others.shape[0], labels.shape[1]), dtype=np.float32)
    if not labels.nnz:
        return out
    rows_of = labels.tocsr()
    sums = (labels.T @ vectors).tocsr()  # measures x features
    # a row's cosines are 0 within its source, so its dot with every example's label is its dot
    # with the other sources' alone
    dots = np.asarray((labels.T @ others.T).T, dtype=np.float32)
    counts = np.diff(labels.indptr)  # examples per measure
    for source in dict.fromkeys(sources.tolist()):
        rows = np.flatnonzero(sources == source)
        own = rows_of[rows]
        kept = sums - own.T @ vectors[rows]
        squares = np.asarray(kept.multiply(kept).sum(axis=1)).ravel()
        norms = np.sqrt(np.maximum(squares, 1e-12)).astype(np.float32)
        scores = dots[rows] / norms
        scores[:, counts - np.diff(own.tocsc().indptr) == 0] = 0.0  # no example left: none
        out[rows] = scores
    return out


def _centroid_scores(sims: np.ndarray, centroids: Sequence[_Centroid], width: int) -> np.ndarray:
    """Per (text, measure): the cosine of the text with the sum of the measure's examples (each
    weighted by its label), worked once per label pattern (``_centroids``); ``width`` measures."""
    n = sims.shape[0]
    out = np.zeros((n, width), dtype=np.float32)
    if n == 0 or sims.shape[1] == 0:
        return out
    for c in centroids:
        out[:, c.measures] = ((sims[:, c.rows] @ c.weights) / c.norm)[:, None]
    return out


SHARED_FROM = 128  # texts from which the product is shared between cores (fewer: one is faster)


def _cores() -> int:
    """The cores this process may run on (at most 4: past that the product's parts are small)."""
    found = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(found or 1, 4))


def cosines(texts: sparse.csr_matrix, others: sparse.csr_matrix) -> np.ndarray:
    """``texts @ others.T`` as a dense array: every text's cosine with every other text (the rows
    are unit vectors). The texts' rows are shared between the process's cores, each part a
    thread (SciPy's sparse product runs without the GIL): the product of 1,000 activities with
    the bundled examples is a third of a suggestion run (docs/benchmarks.md, twenty-third round)."""
    return _product(texts, others.T.tocsr())


def _product(
    texts: sparse.csr_matrix, other: sparse.csr_matrix, out: np.ndarray | None = None
) -> np.ndarray:
    """``(texts @ other).toarray()``, added to ``out`` when given, the texts' rows shared between
    the cores in chunks (``cosines``), each written into its rows of the answer."""
    if out is None:
        out = np.zeros((texts.shape[0], other.shape[1]), dtype=np.result_type(texts, other))
    n = texts.shape[0]
    threads = min(_cores(), n // SHARED_FROM)
    chunk = CHUNK if threads > 1 else max(n, 1)
    starts = range(0, n, chunk)

    def add(start: int) -> None:
        part = texts[start : start + chunk] @ other
        out[start : start + chunk] += part.toarray()

    if threads < 2:
        for start in starts:
            add(start)
        return out
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(add, starts))
    return out


COMMON_FEATURES = 1000  # the examples' features whose part of their cosines is a dense product


class SplitCosines:
    """``cosines(texts, rows)`` for one fixed set of unit rows (the bundled examples), the same
    numbers to float rounding in about half the time. Nearly all of the sparse product's work is
    in the few features most rows have (character n-grams such as " th" and "ing", in most texts):
    their part is a dense product (BLAS, every core), the rest stays sparse (docs/benchmarks.md,
    twenty-ninth round). Built once a process: the dense part is 4 bytes x rows x features."""

    def __init__(self, rows: sparse.csr_matrix, common: int = COMMON_FEATURES) -> None:
        df = np.bincount(rows.indices, minlength=rows.shape[1])
        top = np.argsort(-df, kind="stable")[: min(common, rows.shape[1])]
        self.common = np.sort(top)
        rest = np.ones(rows.shape[1], dtype=bool)
        rest[self.common] = False
        self.rest = np.flatnonzero(rest)
        self.dense = np.ascontiguousarray(rows[:, self.common].toarray().T)  # features x rows
        self.sparse = rows[:, self.rest].T.tocsr()
        self.width = rows.shape[0]

    def __call__(self, texts: sparse.csr_matrix) -> np.ndarray:
        if texts.shape[0] == 0:
            return np.zeros((0, self.width), dtype=np.float32)
        out = texts[:, self.common].toarray() @ self.dense
        return _product(texts[:, self.rest].tocsr(), self.sparse, out)


@cache
def _bundled_model(part: str | None) -> Model:
    from valvecheck.analysis.model_cache import learned

    return learned(part, Model, lambda: _learn(part))


def _learn(part: str | None) -> Model:
    from valvecheck.analysis.corpus import labelled
    from valvecheck.catalogue.loader import load_catalogue

    catalogue = load_catalogue()
    return Model(
        labelled(part),
        [(m.id, m.text) for m in catalogue.measures],
        [n for a in catalogue.authorities for n in (a.name, *a.aliases)],
    )


_LEARNING = threading.Lock()
_SPLITTING = threading.Lock()  # one thread builds a model's split product; the others wait


def bundled_model(part: str | None = None) -> Model:
    """The model learned from the bundled corpus (every row, or one part), fitted once a process
    (a second thread that asks while it is being learned waits for it, rather than learning it
    again) and read from the cache folder by the next process (analysis/model_cache.py)."""
    with _LEARNING:
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
        equivalents: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """``equivalents``: each measure -> the other measures of its common-measure group (the
        same commitment in other agreements, as ``common`` groups them and people decide)."""
        self.ids = [mid for mid, _ in measures]
        self._equivalents = equivalents or {}
        self.texts = [text for _, text in measures]
        self.model = model if model is not None else bundled_model()
        self.base = Suggester(measures, self.model.base_method, names)
        self.links = [replace(e, own=True) for e in links]
        self._measure_vectors = self.model.space.vectors(self.texts) if self.texts else None
        targets = self._targets()
        self._labels = _label_matrix(self.model.examples + self.links, targets, len(self.ids))
        self._link_vectors = self.model.space.vectors([e.text for e in self.links])
        # the links' own rows of it (each example's row is worked out alone)
        self._link_labels = self._labels[len(self.model.examples) :].tocsc()
        self._link_keys = [e.id.strip().casefold() for e in self.links]
        vectors = self.model.vectors
        if self.links:
            vectors = sparse.vstack([vectors, self._link_vectors], format="csr")
        self._centroids = _centroids(self._labels, vectors)
        self._own_sims = np.zeros((0, len(self.links)), dtype=np.float32)
        self._own = self._nearest = np.zeros((0, len(self.ids)), dtype=np.float32)
        self._examples_of: dict[int, np.ndarray] = {}  # measure -> its bundled examples' rows

    def _targets(self) -> dict[str, list[tuple[int, float]]]:
        """Each labelled measure id -> the catalogue's measures it counts for, with a weight.

        A catalogue measure with the same id counts fully; one from another agreement whose text is
        close enough to the labelled measure's counts as its equivalent. A council's link to a
        measure counts for that measure's equivalents in the catalogue too.
        """
        out: dict[str, list[tuple[int, float]]] = {}
        if self._measure_vectors is None:
            return out
        index = {mid: j for j, mid in enumerate(self.ids)}
        if self.model.seed:
            sims = cosines(self.model.seed_vectors, self._measure_vectors)
            for k, (mid, _) in enumerate(self.model.seed):
                out[mid] = [(int(j), 1.0) for j in np.flatnonzero(sims[k] >= EQUIVALENT)]
        linked = sorted({m for e in self.links for m in e.measures if m in index} - set(out))
        if linked:
            rows = self._measure_vectors[[index[m] for m in linked]]
            if len(linked) >= SHARED_FROM:  # hundreds of linked measures: the split pays
                sims = SplitCosines(self._measure_vectors)(rows)
            else:
                sims = cosines(rows, self._measure_vectors)
            for k, mid in enumerate(linked):
                out[mid] = [(int(j), 1.0) for j in np.flatnonzero(sims[k] >= EQUIVALENT)]
        self._through_groups(out, index)
        for mid, j in index.items():
            found = dict(out.get(mid, []))
            found[j] = 1.0
            out[mid] = list(found.items())
        return out

    def _through_groups(
        self, out: dict[str, list[tuple[int, float]]], index: dict[str, int]
    ) -> None:
        """A measure no labelled measure counts for by its text (another agreement's, worded its
        own way) counts for the labelled measures of its common-measure group: an activity that
        delivers kingston-richmond-1 delivers Wakefield's "graduated approach toolkit" too, when
        ``common`` reads them as one commitment. Measures a label already reaches keep their
        evidence as it was."""
        if not self._equivalents:
            return
        reached = {j for targets in out.values() for j, _ in targets}
        for mid, targets in out.items():
            more = {
                index[other]: weight
                for j, weight in targets
                for other in self._equivalents.get(self.ids[j], ())
                if other in index and index[other] not in reached
            }
            if more:
                out[mid] = [*targets, *((k, w) for k, w in more.items() if k not in dict(targets))]

    def scores(
        self,
        texts: Sequence[str],
        titles: Sequence[str] | None = None,
        ids: Sequence[str] | None = None,
        decided: bool = True,
        vectors: sparse.csr_matrix | None = None,
    ) -> np.ndarray:
        """A (texts x measures) matrix of the scores shown (``Model.decide``), or with
        ``decided=False`` of each pair's own probability (what common measures compare).

        ``ids``: the activities' ids, so that an activity the council linked itself is never
        scored with the help of its own link. ``vectors``: the texts' vectors in the model's space,
        where the caller has them already."""
        if not texts or not self.texts:
            return np.zeros((len(texts), len(self.texts)), dtype=np.float32)
        base = self.base.scores(texts, titles).astype(np.float32, copy=False)
        if vectors is None:
            vectors = self.model.space.vectors(texts)
        sims = self.model.example_cosines(vectors)
        own_sims = council_similarity(texts, [e.text for e in self.links])
        if ids is not None and self.links:
            keys = np.array([i.strip().casefold() for i in ids])
            own_sims[keys[:, None] == np.array(self._link_keys)[None, :]] = 0.0
        # The council's links count through the two features the combiner learned them for (``own``,
        # ``own_vote``). The corpus features (nearest, vote, centroid) were learned from other
        # councils' examples, so a link enters them only when it is nearly the same text.
        plain = (vectors @ self._link_vectors.T).toarray() if self.links else own_sims
        if ids is not None and self.links:
            plain[keys[:, None] == np.array(self._link_keys)[None, :]] = 0.0
        # nearly the same text, in the corpus's words or in the council's own (two rows of one
        # project that differ by a place name read apart in the corpus's features when a
        # word they share is common in the corpus)
        close = (plain >= DUPLICATE) | (own_sims >= DUPLICATE)
        top = _top_k(sims)  # the bundled examples searched once, for both votes that read them
        alike = np.where(close, own_sims, 0.0).astype(np.float32, copy=False)
        nearest, vote = _neighbour_scores(
            np.hstack([sims, alike]), self._labels, _top_k_joined(sims, top, alike)
        )
        own, own_vote = _neighbour_scores(own_sims, self._link_labels)
        centroid = _centroid_scores(
            np.hstack([sims, np.where(close, plain, 0.0)]), self._centroids, len(self.ids)
        )
        send = self.model.p_send(vectors, texts)
        self._own_sims, self._own, self._nearest = own_sims, own, nearest
        self._sims = sims  # the texts x bundled examples cosines: what ``example_for`` reads
        evidence = Evidence(base, nearest, vote, send, own, own_vote, centroid)
        z = self.model.corpus_logits(evidence)
        if self.links:
            # Where the corpus alone is already sure of an activity's best measure, the council's
            # links move its scores little; where it is unsure, they count in full. A link from a
            # tracker that mixes two neighbouring measures' language then rarely overturns a
            # confident reading (chosen by cross-validation on train, docs/benchmarks.md).
            pairs = _logistic(z + self.model.own_logits(own, own_vote))
            corpus = _logistic(z)
            trust = 1 - corpus.max(axis=1, keepdims=True) ** LINK_DAMPING
            pairs -= corpus
            pairs *= trust
            pairs += corpus
        else:
            pairs = _logistic(z)
        if not decided:
            return pairs
        # The council's own linked activities are among the nearest examples too (each delivers a
        # measure), so an activity written like the council's earlier links is not gated "none".
        if self.links:
            near = np.hstack([sims, plain])
            is_send = np.concatenate([self.model.is_send, np.ones(len(self.links), dtype=bool)])
            top = _top_k_joined(sims, top, plain)
        else:
            near, is_send = sims, self.model.is_send
        # Nearly the same text as an activity the council linked: the council has already said
        # that such work delivers a measure, so the gate does not answer "none" for it (its pairs
        # are kept before ``decide``, which works in place).
        again = close.any(axis=1)
        undecided = pairs[again]  # a copy of those rows only
        shown = self.model.decide(pairs, send, _send_vote(near, is_send, top))
        shown[again] = np.maximum(shown[again], undecided)
        return shown

    def example_for(self, i: int, j: int) -> Example | None:
        """The bundled labelled example behind the last scores' (text i, measure j): the one
        most like text i among those labelled with measure j (or a measure saying the same),
        when it is alike enough to say so ("like 'EOTAS packages review' in another council's
        plan")."""
        sims = getattr(self, "_sims", None)
        if sims is None or i >= sims.shape[0]:
            return None
        rows = self._examples_of.get(j)
        if rows is None:  # CSC over examples, then the council's links: column j's rows
            labels = self._labels
            found = labels.indices[labels.indptr[j] : labels.indptr[j + 1]]
            rows = self._examples_of[j] = found[found < len(self.model.examples)]
        if not len(rows):
            return None
        alike = sims[i, rows]
        k = int(np.argmax(alike))
        return self.model.examples[int(rows[k])] if alike[k] >= EXAMPLE_SHOWN else None

    def learned_from(self, i: int, j: int) -> Example | None:
        """The council's own link behind the last scores' (text i, measure j): the linked activity
        most like text i among those whose links count for measure j."""
        if not self.links or i >= self._own_sims.shape[0]:
            return None
        if self._own[i, j] <= 0 or self._own[i, j] < self._nearest[i, j]:
            return None  # another council's example is nearer: the suggestion is not mostly ours
        labels = self._link_labels  # CSC: column j's rows and weights are one slice
        start, end = labels.indptr[j], labels.indptr[j + 1]
        rows = labels.indices[start:end]
        if not len(rows):
            return None
        weighted = self._own_sims[i, rows] * labels.data[start:end]
        k = int(np.argmax(weighted))
        return self.links[int(rows[k])] if weighted[k] > 0 else None
