"""Common measures: the same commitment written into several agreements.

DfE works from templates: "Support and drive schools in <LA> to meet a higher level of need ..." appears
in three of the seed's four agreements with only the authority's name changed. The grouping here is plain
TF-IDF over content words and their bigrams, after removing what legitimately differs between copies of a
template (the authorities' names and aliases, dates, "the authority's") and the vocabulary every SEND
reform shares ("review and reform", "improve", "development of"). Two measures that share only that
vocabulary therefore score near zero, however alike their openings look.

Groups are built by complete linkage: a measure joins a group only if it is similar enough to *every*
member, and never a group that already holds a measure of its own agreement. Complete linkage (rather than
connected components) stops chains such as "review and reform of X" -> "... of Y" -> "... of Z" from
pulling unrelated measures together through one middle member.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from valvecheck.analysis.deadlines import phrase_spans
from valvecheck.domain.model import Catalogue, Measure
from valvecheck.domain.names import fold

# Cosine similarity at or above which two measures say the same thing. On the seed, template copies score
# 0.55-0.85; the closest other pair (bury-4, kingston-richmond-1: schools and demand) scores 0.23.
THRESHOLD = 0.35


def _words(text: str) -> list[str]:
    return text.split()


# Words found in SEND reform measures of every kind: they say *how* (review, reform, improve, develop),
# not *what*, so sharing them is no sign of a common measure.
GENERIC_WORDS = _words(
    """
    review reviewing reform reforms reforming improve improving improvement improvements development develop
    developing ensure ensuring increase increasing including include includes limited create creating
    implement implementing implementation deliver delivering delivery establish establishment strengthen
    robust new continue continuing work working action actions approach authority authority's council
    la send agreement period year years month months academic financial end
    efficient efficiently efficiency efficiencies savings saving largely fully
"""
)

MONTHS = [
    name.lower()
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number], "sept")
]

_YEAR = re.compile(r"\b(?:19|20)\d\d(?:\s*[/\-–]\s*(?:19|20)?\d\d)?\b")
_POST_16 = re.compile(r"\b(post|pre)[\s\-–]+(\d+)\b")
# One concept, one term: otherwise "Education Health and Care Plan (EHCP)" weighs as nine shared terms.
_EHCP = re.compile(
    r"\beducation,?\s+health,?\s+(?:and|&)\s+care\s+plans?(?:\s*\(\s*ehcps?\s*\))?|\behcps\b"
)
_IN_PLACE = re.compile(r"\b(?:be|are|is|put)\s+in\s+place\b")
_WORD = re.compile(r"[a-z][a-z0-9]*(?:'[a-z]+)?|\d+")


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A deliberately light stemmer: plurals, -ing, -ed and a final -e (reduce/reducing/reduced)."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            if len(word) > 2 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


@functools.cache
def _stop_words() -> frozenset[str]:
    # scikit-learn is imported when first needed: it takes seconds, and most commands never do
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(stem(w) for w in [*ENGLISH_STOP_WORDS, *GENERIC_WORDS, *MONTHS])


def name_pattern(names: list[str]) -> re.Pattern[str] | None:
    """One pattern for the given names as they may be written (any case, hyphens or spaces between words)."""
    parts = sorted({fold(n) for n in names if fold(n)}, key=len, reverse=True)
    if not parts:
        return None
    alternatives = [r"[\s\-–]+".join(_word_pattern(w) for w in p.split()) for p in parts]
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")(?:'s)?\b", re.IGNORECASE)


def _word_pattern(word: str) -> str:
    return r"(?:and|&)" if word == "and" else re.escape(word)


def content_terms(text: str, names: re.Pattern[str] | None = None) -> list[str]:
    """The stemmed content words of a measure, then the bigrams of neighbouring content words."""
    # Dates differ between copies of a template: drop the whole phrase, not just its numbers.
    for start, end in reversed(phrase_spans(text)):
        text = text[:start] + " " + text[end:]
    text = text.lower().replace("’", "'")
    text = _EHCP.sub(" ehcp ", text)
    text = _IN_PLACE.sub(" ", text)
    if names is not None:
        text = names.sub(" ", text)
    text = _YEAR.sub(" ", text)
    text = _POST_16.sub(r"\1\2", text)
    words = [stem(w) for w in _WORD.findall(text) if not w.isdigit()]
    stop = _stop_words()
    words = [w for w in words if w not in stop and len(w) > 1]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


@dataclass(frozen=True)
class CommonGroup:
    """Measures from different agreements that say the same thing."""

    id: str
    members: tuple[str, ...]  # measure ids, in catalogue order
    agreements: tuple[str, ...]  # agreement slugs, in catalogue order
    authorities: tuple[str, ...]  # authority names, in catalogue order
    representative: str  # the medoid's text, its authority's name shown as <LA> when shared
    representative_id: str
    councils: int = 0  # distinct councils (authority sets) among the agreements

    @property
    def prevalence(self) -> int:
        """How many agreements contain this measure, a council's successive agreements once.

        A measure DfE reuses across councils is a strong signal; one council re-signing its own
        measure in a later agreement is not a second council doing it.
        """
        return self.councils or len(self.agreements)

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "members": list(self.members),
            "authorities": list(self.authorities),
            "agreements": list(self.agreements),
            "representative": self.representative,
            "representative_id": self.representative_id,
            "prevalence": self.prevalence,
        }


def similarity(catalogue: Catalogue) -> sparse.csr_matrix:
    """Cosine similarity of every pair of measures (sparse: most pairs share no content word)."""
    measures = catalogue.measures
    if not measures:
        return sparse.csr_matrix((0, 0))
    # Every known name, not only the agreement's own: a template may be copied with the wrong one.
    names = name_pattern([n for names in _names_by_agreement(catalogue).values() for n in names])
    docs = [content_terms(m.text, names) for m in measures]
    if not any(docs):
        return sparse.csr_matrix((len(docs), len(docs)))
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectoriser = TfidfVectorizer(analyzer=lambda terms: terms, sublinear_tf=True)
    matrix = vectoriser.fit_transform(docs)  # rows are L2-normalised: X @ X.T is cosine
    return (matrix @ matrix.T).tocsr()


def group_measures(catalogue: Catalogue, threshold: float = THRESHOLD) -> list[CommonGroup]:
    """Every measure in exactly one group; a measure like no other is a group of one (prevalence 1).

    Groups are ordered by prevalence (most agreements first), then by their first member's place in the
    catalogue.
    """
    measures = catalogue.measures
    sims = similarity(catalogue)
    clusters = _complete_linkage(measures, sims, threshold)
    context = _Context(catalogue)
    groups = [context.group(sorted(c), sims) for c in clusters]
    place = {m.id: i for i, m in enumerate(measures)}
    groups.sort(key=lambda g: (-g.prevalence, place[g.members[0]]))
    return groups


def prevalence(catalogue: Catalogue, threshold: float = THRESHOLD) -> dict[str, int]:
    """Measure id -> how many agreements contain that measure (1 when no other agreement does).

    Grouping a large catalogue takes a second; every summary asks for it. The answer depends only
    on the catalogue's texts and names, so the last few answers are kept for an unchanged one.
    """
    key = (
        threshold,
        tuple((m.id, m.agreement, m.text) for m in catalogue.measures),
        tuple((a.slug, a.authorities) for a in catalogue.agreements),
        tuple((a.slug, a.name, a.aliases) for a in catalogue.authorities),
    )
    found = _PREVALENCE.get(key)
    if found is None:
        groups = group_measures(catalogue, threshold)
        found = {mid: g.prevalence for g in groups for mid in g.members}
        if len(_PREVALENCE) >= 4:
            _PREVALENCE.pop(next(iter(_PREVALENCE)))
        _PREVALENCE[key] = found
    return dict(found)


_PREVALENCE: dict[tuple, dict[str, int]] = {}


def _names_by_agreement(catalogue: Catalogue) -> dict[str, list[str]]:
    """Each agreement's authorities' names and aliases (a slug stands in for an unlisted authority)."""
    by_slug = {a.slug: a for a in catalogue.authorities}
    out: dict[str, list[str]] = {
        "": [n for a in catalogue.authorities for n in (a.name, *a.aliases)]
    }
    for agreement in catalogue.agreements:
        out[agreement.slug] = [
            n
            for s in agreement.authorities
            for n in (
                (by_slug[s].name, *by_slug[s].aliases) if s in by_slug else (s.replace("-", " "),)
            )
        ]
    return out


def _complete_linkage(
    measures: list[Measure], sims: sparse.csr_matrix, threshold: float
) -> list[set[int]]:
    n = len(measures)
    cluster_of = list(range(n))
    clusters: dict[int, set[int]] = {i: {i} for i in range(n)}
    agreements: dict[int, set[str]] = {i: {measures[i].agreement} for i in range(n)}
    close = sims.multiply(sims >= threshold).tocsr()
    neighbours = [
        set(close.indices[close.indptr[i] : close.indptr[i + 1]].tolist()) for i in range(n)
    ]
    coo = sparse.triu(close, k=1).tocoo()
    rows, cols, vals = coo.row, coo.col, coo.data
    # Strongest pairs first; ties in catalogue order so the result does not depend on sort stability.
    for k in np.lexsort((cols, rows, -vals)):
        a, b = cluster_of[rows[k]], cluster_of[cols[k]]
        if a == b or agreements[a] & agreements[b]:
            continue
        members_b = clusters[b]
        if not all(members_b <= neighbours[i] for i in clusters[a]):
            continue  # complete linkage: every member close to every other
        for i in members_b:
            cluster_of[i] = a
        clusters[a] |= clusters.pop(b)
        agreements[a] |= agreements.pop(b)
    return list(clusters.values())


class _Context:
    """What naming a group needs from the catalogue, worked out once."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.measures = catalogue.measures
        self.order = {a.slug: i for i, a in enumerate(catalogue.agreements)}
        self.agreements = {a.slug: a for a in catalogue.agreements}
        self.authority_names = {a.slug: a.name for a in catalogue.authorities}
        self.names = _names_by_agreement(catalogue)

    def group(self, indices: list[int], sims: sparse.csr_matrix) -> CommonGroup:
        measures = [self.measures[i] for i in indices]
        medoid = measures[0]
        if len(indices) > 1:
            closeness = sims[indices][:, indices].toarray().sum(axis=1)
            medoid = measures[int(np.argmax(closeness))]  # the first in catalogue order on ties
        slugs = sorted(
            {m.agreement for m in measures}, key=lambda s: self.order.get(s, len(self.order))
        )
        authorities = [
            self.authority_names.get(s, s)
            for slug in slugs
            if slug in self.agreements
            for s in self.agreements[slug].authorities
        ]
        text = medoid.text
        pattern = name_pattern(self.names.get(medoid.agreement, []))
        if len(slugs) > 1 and pattern is not None:
            text = pattern.sub("<LA>", text)
        return CommonGroup(
            id=f"common-{measures[0].id}",
            members=tuple(m.id for m in measures),
            agreements=tuple(slugs),
            authorities=tuple(dict.fromkeys(authorities)),
            representative=text,
            representative_id=medoid.id,
            councils=len(
                {self.agreements[s].authorities if s in self.agreements else (s,) for s in slugs}
            ),
        )
