"""Suggestions: which measures an activity is about, ranked, with the words that matched.

The default scores a pair of texts on two things and adds them up:

- the field's *concepts* (``analysis.language``): "ISS" and "independent special schools" are one
  idea, "EHCP QA" and "Education Health and Care Plans" meet; near ideas count in part (a soft
  cosine over concepts weighted by how rare each is among the measures);
- the *words* they share: TF-IDF over word unigrams and bigrams fitted on the measures (scikit-learn).

An activity that names nothing about SEND or high needs (school meals, roofs) scores at a fraction:
every Safety Valve measure is about high needs. Below the threshold, "no measure" is the answer.
``METHODS`` holds the other approaches compared in docs/benchmarks.md (plain TF-IDF, BM25,
character n-grams), so the comparison can be re-run with ``valvecheck eval-suggest --method``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import numpy as np

from valvecheck.analysis.language import about_send, concepts, normalise, spelled_out
from valvecheck.analysis.methods import DEFAULT, METHODS, Method
from valvecheck.analysis.vocabulary import CONCEPTS, RELATED, WEAK

if TYPE_CHECKING:
    from valvecheck.analysis.matcher import Example, Matcher, Model


_OUR_STOP = {
    "including", "limited", "throughout", "period", "agreement", "authority", "council", "local",
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "new", "use", "year", "years", "week", "weeks",
}  # fmt: skip


@cache
def _stop_words() -> frozenset[str]:
    # scikit-learn is imported when first needed: it takes seconds, and most commands never do
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | _OUR_STOP


_WORD = re.compile(r"[a-z][a-z0-9']*")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stemmer: enough that 'placements' meets 'placement', 'reviewing' 'review'."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


class Words:
    """Turns text into content-word stems, remembering which written word each stem came from."""

    def __init__(self, extra_stop: set[str] = frozenset(), bigrams: bool = True):  # type: ignore[assignment]
        self.stop = _stop_words() | extra_stop
        self.bigrams = bigrams
        # A text is read several times (fitting, scoring, explaining): its words are kept.
        self._seen: dict[str, list[str]] = {}

    def stems(self, text: str) -> list[str]:
        found = self._seen.get(text)
        if found is None:
            if len(self._seen) > 100_000:
                self._seen.clear()
            found = self._seen[text] = [
                stem(w)
                for w in _WORD.findall(spelled_out(text))
                if w not in self.stop and len(w) > 2
            ]
        return found

    def __call__(self, text: str) -> list[str]:
        unigrams = self.stems(text)
        if not self.bigrams:
            return unigrams
        return unigrams + [f"{a} {b}" for a, b in zip(unigrams, unigrams[1:], strict=False)]

    def surface(self, text: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for w in _WORD.findall(normalise(text)):
            if w not in self.stop and len(w) > 2:
                out.setdefault(stem(w), w)
        return out


@lru_cache(maxsize=200_000)
def _word_grams(word: str, low: int, high: int) -> tuple[str, ...]:
    """scikit-learn's ``char_wb`` n-grams of one word, worked out once per word."""
    w = f" {word} "
    out: list[str] = []
    for n in range(low, high + 1):
        if len(w) <= n:
            out.append(w)  # a short word counts once, whole
            break
        out.extend(w[i : i + n] for i in range(len(w) - n + 1))
    return tuple(out)


class CharGrams:
    """Character n-grams within word boundaries (``char_wb``) of normalised text, cached per word:
    the same features as scikit-learn's analyser, several times faster on a large catalogue."""

    def __init__(self, low: int = 3, high: int = 5) -> None:
        self.low, self.high = low, high

    def __call__(self, text: str) -> list[str]:
        return [g for w in self.words(text) for g in self.grams(w)]

    def words(self, text: str) -> list[str]:
        return normalise(text).split()

    def grams(self, word: str) -> tuple[str, ...]:
        return _word_grams(word, self.low, self.high)


@dataclass(frozen=True)
class Match:
    """One shared idea: its name, and the phrases found for it on each side."""

    concept: str
    label: str
    activity_phrases: tuple[str, ...]
    measure_phrases: tuple[str, ...]

    def __str__(self) -> str:
        a = ", ".join(f"'{p}'" for p in self.activity_phrases)
        m = ", ".join(f"'{p}'" for p in self.measure_phrases)
        return f"{self.label}: {a}" if a == m else f"{self.label}: {a} ~ {m}"


@dataclass(frozen=True)
class Suggestion:
    activity_id: str
    measure_id: str
    score: float
    rank: int
    matches: tuple[Match, ...] = ()
    words: tuple[str, ...] = ()
    learned_from: str | None = None  # the council's own linked activity it resembles most
    linked_to: str | None = None  # the measure that activity is linked to (or its equivalent)
    example: str | None = None  # else the bundled labelled activity most like it, for this measure

    @property
    def explanation(self) -> str:
        parts = [str(m) for m in self.matches]
        if self.learned_from:
            linked = self.linked_to or self.measure_id
            same = "" if linked == self.measure_id else ", which says the same"
            parts.insert(0, f"like {self.learned_from}, which you linked to {linked}{same}")
        elif self.example:
            parts.insert(0, f"like '{self.example}' in {BUNDLED_EXAMPLES}")
        if self.words:
            parts.append("shared words: " + ", ".join(self.words))
        return "; ".join(parts) or "no shared words or ideas"

    @property
    def reason(self) -> str:
        """The explanation as one plain sentence for a page: the ideas both texts share, and
        the link or example it is most like ("Both mention funding contributions and income,
        and joint commissioning with health; it is like your activity SEN-12, which you linked
        to bury-4.")."""
        ideas = list(dict.fromkeys(m.label for m in self.matches))
        words = [w for w in self.words if not any(w in i.lower() for i in ideas)]
        said = []
        if ideas:
            said.append("Both mention " + _and(ideas))
        if words:
            quoted = _and([f"‘{w}’" for w in words])
            said.append(
                ("and both use " if ideas else "Both use ")
                + f"the word{'s' * (len(words) > 1)} {quoted}"
            )
        first = ", ".join(said)
        if self.learned_from:
            linked = self.linked_to or self.measure_id
            same = "" if linked == self.measure_id else ", which says the same"
            like = f"like your activity {self.learned_from}, which you linked to {linked}{same}"
        elif self.example:
            like = f"like an example in {BUNDLED_EXAMPLES} (‘{self.example}’)"
        else:
            like = ""
        if first and like:
            return f"{first}; it is {like}."
        if like:
            return f"It is {like}."
        return f"{first}." if first else "The two share no words or ideas Valvecheck knows."

    def as_dict(self) -> dict[str, object]:
        return {
            "activity": self.activity_id,
            "measure": self.measure_id,
            "score": round(self.score, 4),
            "rank": self.rank,
            "explanation": self.explanation,
            "concepts": [
                {
                    "concept": m.concept,
                    "label": m.label,
                    "activity": list(m.activity_phrases),
                    "measure": list(m.measure_phrases),
                }
                for m in self.matches
            ],
            "words": list(self.words),
            "learned_from": self.learned_from,
            "example": self.example,
        }


# The labelled activities bundled with Valvecheck (from published plans), as a council reads them.
BUNDLED_EXAMPLES = "Valvecheck's bundled examples"


def _and(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _title(text: str) -> str:
    """A labelled example as an explanation names it: its first line, cut at a word."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    first = first.split(". ", 1)[0]  # examples are "title. description"
    return first if len(first) <= 80 else first[:77].rsplit(" ", 1)[0] + "..."


def _concept_matrix() -> tuple[list[str], np.ndarray]:
    names = list(CONCEPTS)
    index = {n: i for i, n in enumerate(names)}
    closeness = np.eye(len(names))
    for a, b, w in RELATED:
        closeness[index[a], index[b]] = closeness[index[b], index[a]] = w
    return names, closeness


# What ``Suggester`` fits on the measures' words and concepts (a learned method shares its base's).
_FITTED = (
    "words", "_measure_concepts", "_concept_names", "_closeness", "_concept_weight",
    "_m_concepts", "_word_vec", "_m_words",
)  # fmt: skip


class Suggester:
    """Scores activities against a fixed list of measures (id, text), fitted once."""

    def __init__(
        self,
        measures: Sequence[tuple[str, str]],
        method: Method | str = DEFAULT,
        names: Sequence[str] = (),
        links: Sequence[Example] = (),
        model: Model | None = None,
        equivalents: Mapping[str, Sequence[str]] | None = None,
    ):
        """``links`` (the council's own links), ``model`` and ``equivalents`` (each measure's
        common-measure group, ``Matcher``) count only for a learned method."""
        self.method = METHODS[method] if isinstance(method, str) else method
        self.ids = [mid for mid, _ in measures]
        self.texts = [text for _, text in measures]
        # Authority names say where a measure comes from, not what it is about.
        extra = {w for n in names for w in _WORD.findall(normalise(n))}
        self.words = Words(extra, bigrams=self.method.bigrams)
        m = self.method
        self._matcher: Matcher | None = None
        if m.learned:
            from valvecheck.analysis.matcher import Matcher  # it builds on this module

            self._matcher = Matcher(measures, names, model, links, equivalents)
            base = self._matcher.base
            if base.words.bigrams == self.words.bigrams and not (m.bm25 or m.chars):
                # The words and concepts this learned method explains with are the ones its base
                # scorer fitted on the same measures: shared, not fitted twice.
                self.__dict__.update({k: base.__dict__[k] for k in _FITTED})
                return
        self._measure_concepts = [concepts(t) for t in self.texts]
        self._concept_names, self._closeness = _concept_matrix()
        df = Counter(c for found in self._measure_concepts for c in found)
        n = max(len(self.texts), 1)
        self._concept_weight = np.array(
            [
                WEAK.get(c, 1.0) * (math.log((1 + n) / (1 + df.get(c, 0))) + 1)
                for c in self._concept_names
            ]
        )
        self._m_concepts = self._concept_vectors(self._measure_concepts)
        from sklearn.feature_extraction.text import (
            TfidfVectorizer,  # slow to import: see _stop_words
        )

        self._word_vec = TfidfVectorizer(
            analyzer=self.words, sublinear_tf=True, norm="l2", dtype=np.float32
        )
        self._m_words = self._word_vec.fit_transform(self.texts) if self.texts else None
        if m.bm25 and self.texts:
            self._bm25_fit()
        if m.chars and self.texts:
            self._char_vec = TfidfVectorizer(
                analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float32
            )
            self._m_chars = self._char_vec.fit_transform([normalise(t) for t in self.texts])

    # -- scoring ---------------------------------------------------------------------------------

    def _concept_vectors(self, found: list[dict], boost: list[dict] | None = None) -> np.ndarray:
        out = np.zeros((len(found), len(self._concept_names)))
        col = {c: i for i, c in enumerate(self._concept_names)}
        for row, hits in enumerate(found):
            for c in hits:
                out[row, col[c]] = 1.0
            for c in boost[row] if boost else ():
                out[row, col[c]] += self.method.title_weight
        return out * self._concept_weight

    def _soft_cosine(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        s = self._closeness
        na = np.sqrt(np.einsum("ij,jk,ik->i", a, s, a))
        nb = np.sqrt(np.einsum("ij,jk,ik->i", b, s, b))
        # rows scaled to unit length first: one product, no outer product of the norms
        ua = np.divide(a, na[:, None], out=np.zeros_like(a), where=na[:, None] > 0)
        ub = np.divide(b, nb[:, None], out=np.zeros_like(b), where=nb[:, None] > 0)
        return (ua @ s).astype(np.float32) @ ub.T.astype(np.float32)

    def _bm25_fit(self, k1: float = 1.2, b: float = 0.75) -> None:
        docs = [Counter(self.words.stems(t)) for t in self.texts]
        lengths = np.array([sum(d.values()) for d in docs], dtype=float)
        avg = lengths.mean() or 1.0
        df = Counter(w for d in docs for w in d)
        n = len(docs)
        self._bm25_idf = {w: math.log(1 + (n - f + 0.5) / (f + 0.5)) for w, f in df.items()}
        self._bm25_docs = [
            {w: tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths[i] / avg)) for w, tf in d.items()}
            for i, d in enumerate(docs)
        ]

    def _bm25(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(self.texts)))
        for i, text in enumerate(texts):
            query = set(self.words.stems(text))
            for j, doc in enumerate(self._bm25_docs):
                out[i, j] = sum(self._bm25_idf[w] * doc[w] for w in query if w in doc)
        # squashed to 0..1 so it can be added to the cosines and cut by one threshold
        return out / (out + 8.0)

    def scores(
        self,
        texts: Sequence[str],
        titles: Sequence[str] | None = None,
        ids: Sequence[str] | None = None,
    ) -> np.ndarray:
        """A (texts x measures) matrix of scores in 0..1; ``titles``, when given, count extra.

        ``ids`` (a learned method): the activities' ids, so none is scored with its own link."""
        m = self.method
        if self._matcher is not None:
            return self._matcher.scores(texts, titles, ids)
        if titles is None or not m.title_weight:
            titles = None
        found = [concepts(t) for t in texts]
        out = np.zeros((len(texts), len(self.texts)), dtype=np.float32)
        if not texts or not self.texts:
            return out
        total = m.words + m.concepts + m.chars
        if m.words:
            if m.bm25:
                part = self._bm25(texts)
            else:
                assert self._m_words is not None, "fit() first"
                part = (self._word_vec.transform(texts) @ self._m_words.T).toarray()
            out += m.words * part
        if m.concepts:
            boost = [concepts(t) for t in titles] if titles else None
            a = self._concept_vectors(found, boost)
            out += m.concepts * self._soft_cosine(a, self._m_concepts)
        if m.chars:
            a = self._char_vec.transform([normalise(t) for t in texts])
            from sklearn.preprocessing import normalize

            out += m.chars * (normalize(a) @ normalize(self._m_chars).T).toarray()
        out /= total
        if m.send_gate < 1.0:
            gate = np.array(
                [
                    1.0 if about_send(t, f) else m.send_gate
                    for t, f in zip(texts, found, strict=True)
                ]
            )
            out *= gate[:, None]
        return out

    # -- explaining --------------------------------------------------------------------------------

    def _idf(self) -> dict[str, float]:
        if not hasattr(self, "_idf_cache"):
            names = self._word_vec.get_feature_names_out()
            self._idf_cache = dict(zip(names, self._word_vec.idf_.tolist(), strict=True))
        return self._idf_cache

    def explain(
        self, text: str, j: int, ours: dict[str, str] | None = None
    ) -> tuple[tuple[Match, ...], tuple[str, ...]]:
        """The ideas and the words an activity's text shares with measure ``j`` (``ours``: the
        text's words by stem, when the caller has read them already for another measure)."""
        mine = concepts(text)
        theirs = self._measure_concepts[j]
        matches = [
            Match(c, CONCEPTS[c][0], mine[c].phrases, theirs[c].phrases)
            for c in self._concept_names
            if c in mine and c in theirs
        ]
        ours = self.words.surface(text) if ours is None else ours
        shared = set(ours) & set(self.words.stems(self.texts[j]))
        idf = self._idf()
        ranked = sorted(shared, key=lambda s: (-idf.get(s, 0.0), s))[:6]
        return tuple(matches), tuple(ours[s] for s in ranked)

    def rank(
        self, activity_id: str, text: str, row: np.ndarray, top: int | None, index: int = -1
    ) -> list[Suggestion]:
        """Measures for one activity, best first; only those at or above the threshold.

        ``index``: the activity's row in the last ``scores`` call, to name the council's own link
        a suggestion learned from."""
        out: list[Suggestion] = []
        ours: dict[str, str] | None = None  # the text's words, read once for all its measures
        for j in _best(row, top):
            if row[j] < self.method.threshold:
                break
            if ours is None:
                ours = self.words.surface(text)
            matches, words = self.explain(text, int(j), ours)
            out.append(
                Suggestion(
                    activity_id, self.ids[j], float(row[j]), len(out) + 1, matches, words,
                    *self._learned_from(index, int(j)),
                )
            )  # fmt: skip
        return out

    def for_activities(
        self,
        activities: Sequence[tuple[str, str]],
        top: int | None = 5,
        titles: Sequence[str] | None = None,
    ) -> dict[str, list[Suggestion]]:
        """For each activity (id, text): its measures above the threshold, best first."""
        matrix = self.scores([t for _, t in activities], titles)
        return {
            aid: self.rank(aid, text, matrix[i], top, i) for i, (aid, text) in enumerate(activities)
        }

    def _learned_from(self, i: int, j: int) -> tuple[str | None, str | None, str | None]:
        """The council's linked activity behind a suggestion and the measure it is linked to;
        else the bundled labelled activity behind it (its title)."""
        if self._matcher is None or i < 0:
            return None, None, None
        found = self._matcher.learned_from(i, j)
        if found is None:
            example = self._matcher.example_for(i, j)
            return None, None, _title(example.text) if example is not None else None
        measure = self.ids[j]
        linked = measure if measure in found.measures else next(iter(found.measures), measure)
        return found.id, linked, None

    def for_measures(
        self,
        activities: Sequence[tuple[str, str]],
        top: int | None = 5,
        titles: Sequence[str] | None = None,
    ) -> dict[str, list[Suggestion]]:
        """For each measure: the activities above the threshold, best first."""
        matrix = self.scores([t for _, t in activities], titles)
        out: dict[str, list[Suggestion]] = {}
        for j, mid in enumerate(self.ids):
            column = matrix[:, j]
            found: list[Suggestion] = []
            for i in _best(column, top):
                if column[i] < self.method.threshold:
                    break
                aid, text = activities[int(i)]
                matches, words = self.explain(text, j)
                found.append(
                    Suggestion(
                        aid, mid, float(column[i]), len(found) + 1, matches, words,
                        *self._learned_from(int(i), j),
                    )
                )  # fmt: skip
            out[mid] = found
        return out


def _best(row: np.ndarray, top: int | None) -> np.ndarray:
    """The positions of the ``top`` largest values, largest first (ties in order)."""
    if top and top < len(row):
        part = np.argpartition(-row, top - 1)[:top]
        cut = row[part].min()
        candidates = np.flatnonzero(row >= cut)  # every tie at the cut, so order stays stable
        return candidates[np.argsort(-row[candidates], kind="stable")][:top]
    return np.argsort(-row, kind="stable")
