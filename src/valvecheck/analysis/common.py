"""Common measures: the same commitment written into several agreements.

DfE works from templates: "Support and drive schools in <LA> to meet a higher level of need ..." appears
in three of the seed's four agreements with only the authority's name changed. The grouping here is plain
TF-IDF over content words and their bigrams, after removing what legitimately differs between copies of a
template (the authorities' names and aliases, dates, "the authority's") and the vocabulary every SEND
reform shares ("review and reform", "improve", "development of"). Two measures that share only that
vocabulary therefore score near zero, however alike their openings look. Reworded copies, which share
few words, are found by the matcher's reading of each text instead (``_meaning``).

Groups are built by complete linkage: a measure joins a group only if it scores at least the
threshold with *every* member, and never a group that already holds a measure of its own agreement.
Requiring every member (rather than connected components) stops chains such as "review and reform
of X" -> "... of Y" -> "... of Z" from pulling unrelated measures together through one middle member.
Each score is taken relative to how crowded its two texts' topic is (``_local``): the matcher reads
every "more specialist places" measure as alike, and only a text's own copy stands out from the rest
(measured on the reworded pairs, docs/benchmarks.md "Eleventh round"). Two measures written mostly in
the same words, in the same order, that swap a phrase inside for an unrelated one ("... in mainstream
secondary schools ..." / "... in mainstream primary schools ...") are never grouped (``contrast``):
that is one commitment's template turned into another, not a copy (docs/benchmarks.md "Twelfth round").
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import numpy as np
from scipy import sparse

from valvecheck.analysis.deadlines import phrase_spans
from valvecheck.analysis.language import spelled_out

if TYPE_CHECKING:
    from valvecheck.analysis.matcher import Matcher
from valvecheck.domain.model import Catalogue, Measure
from valvecheck.domain.names import fold

# The pair score at or above which two measures say the same thing. A pair's score is its word cosine
# or its reading by the matcher, whichever is higher, less how alike each of the two is to its own
# two nearest texts (``_local``): a measure in a crowded topic ("more specialist places") is alike
# to many others, and only the one it is much closer to than to the rest is its copy. Chosen with the
# readings' weights on the ten looked-at pairs parts: the best F1 of recall and of precision over
# every grouped pair, with precision on the near misses >= 0.90 (docs/benchmarks.md, "Eleventh round").
THRESHOLD = 0.575
LOCAL = 2  # the nearest texts whose mean score stands for how crowded a text's topic is


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
# An age is what a measure is about, not a date of a template's copy: "from diagnosis to age 25" and
# "... to age 5" serve different children. Each age becomes a word of its own ("age25").
_AGES = re.compile(
    r"\b(?:ages?|aged)\s+(\d{1,2})(?:\s*(?:-|–|to|and)\s*(\d{1,2}))?\b"
    r"|\b(\d{1,2})\s*(?:-|–|to)\s*(\d{1,2})[\s\-–]*years?[\s\-–]*olds?\b"
)
_DIGITS = re.compile(r"\d+")
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
    # The authorities' names go first: copies of a template then read the same, and are read once.
    if names is not None:
        text = names.sub(" ", text)
    return list(_terms(text))


@functools.lru_cache(maxsize=65536)
def _terms(text: str) -> tuple[str, ...]:
    # Dates differ between copies of a template: drop the whole phrase, not just its numbers.
    for start, end in reversed(phrase_spans(text)):
        text = text[:start] + " " + text[end:]
    text = text.lower().replace("’", "'")
    text = _EHCP.sub(" ehcp ", text)
    text = _AGES.sub(_ages, text)
    text = spelled_out(text)  # the field's acronyms beside what they stand for
    text = _IN_PLACE.sub(" ", text)
    text = _YEAR.sub(" ", text)
    text = _POST_16.sub(r"\1\2", text)
    words = [stem(w) for w in _WORD.findall(text) if not w.isdigit()]
    stop = _stop_words()
    words = [w for w in words if w not in stop and len(w) > 1]
    return (*words, *(f"{a} {b}" for a, b in zip(words, words[1:], strict=False)))


def _ages(found: re.Match[str]) -> str:
    return " ".join(f"age{n}" for n in found.groups() if n is not None)


@dataclass(frozen=True)
class CommonGroup:
    """Measures from different agreements that say the same thing."""

    id: str
    members: tuple[str, ...]  # measure ids, in catalogue order
    agreements: tuple[str, ...]  # agreement slugs, in catalogue order
    authorities: tuple[str, ...]  # authority names, in catalogue order
    representative: str  # the lowest id's text, its authority's name shown as <LA> when shared
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


@dataclass(frozen=True)
class _Nodes:
    """Measures whose content terms are identical (a template copied with only the authority's
    name or the dates changed) are compared once, as one node: grouping then costs by the
    number of distinct texts, and a template copied into a thousand agreements is one group."""

    of: np.ndarray  # measure index -> node index
    members: list[list[int]]  # node index -> measure indices, in catalogue order
    docs: list[list[str]]  # node index -> content terms
    texts: list[str]  # node index -> its first member's text (names kept out)


def _nodes(catalogue: Catalogue) -> _Nodes:
    # Every known name, not only the agreement's own: a template may be copied with the wrong one.
    names = name_pattern([n for names in _names_by_agreement(catalogue).values() for n in names])
    index: dict[tuple[tuple[str, ...], int], int] = {}
    seen: dict[tuple[str, tuple[str, ...]], int] = {}
    of = np.zeros(len(catalogue.measures), dtype=np.int64)
    members: list[list[int]] = []
    docs: list[list[str]] = []
    texts: list[str] = []
    for i, m in enumerate(catalogue.measures):
        terms = content_terms(m.text, names)
        key = tuple(terms)
        # one agreement's two measures with the same words stay two nodes: never grouped
        copy = seen.get((m.agreement, key), -1) + 1
        seen[(m.agreement, key)] = copy
        node = index.setdefault((key, copy), len(members))
        if node == len(members):
            members.append([])
            docs.append(terms)
            texts.append(names.sub("the authority", m.text) if names is not None else m.text)
        members[node].append(i)
        of[i] = node
    return _Nodes(of, members, docs, texts)


def one_text(catalogue: Catalogue, a: str, b: str) -> bool:
    """Are measures ``a`` and ``b`` one text to the grouping (the same content words once names
    and dates are left out)? Such copies cannot be kept apart."""
    nodes = _nodes(catalogue)
    index = {m.id: i for i, m in enumerate(catalogue.measures)}
    return bool(nodes.of[index[a]] == nodes.of[index[b]])


def cut() -> float:
    """The grouping's cut for the reading in use: ``THRESHOLD``, or the embedding's own
    (``embedding.CUT``) when ``VALVECHECK_EMBEDDINGS`` is on."""
    from valvecheck.analysis import embedding

    return embedding.CUT if embedding.wanted() else THRESHOLD


def _similarity(
    nodes: _Nodes, floor: float = THRESHOLD, embedded: bool = False
) -> sparse.csr_matrix:
    """How alike each pair of distinct measure texts is (sparse: pairs scoring below ``floor``
    are dropped, as they can never be grouped); rows and columns are the nodes of ``_nodes``
    (identical content terms).

    Two measures are alike when they share rare content words (template copies), or when they read
    alike to the matcher (reworded copies: "Decrease reliance on INMSS placements" and "Reduce the
    number of children placed in independent special schools" share no content word but the same
    meaning): the same seed measures, the same nearest labelled activities (``_meaning``). Each
    text keeps its ``NEIGHBOURS`` closest, and each score is then taken relative to how alike the
    two texts are to their other neighbours (``_local``). With ``embedded``, a sentence
    embedding's score is added to every pair's (``_with_embedding``) before the cut.
    """
    n = len(nodes.docs)
    if not n:
        return sparse.csr_matrix((0, 0))
    # A pair is kept only if 2 s - (near(a) + near(b)) / 2 >= floor, so never with s < floor / 2;
    # with the embedding added, any candidate may reach the floor.
    keep = (EVERY if embedded else floor) / 2
    words, words_top = sparse.csr_matrix((n, n)), _Top.empty(n)
    if any(nodes.docs):
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectoriser = TfidfVectorizer(analyzer=lambda terms: terms, sublinear_tf=True)
        matrix = vectoriser.fit_transform(nodes.docs)  # rows are L2-normalised: X @ X.T is cosine
        words, words_top = _top_neighbours(matrix, NEIGHBOURS, keep)
    meaning, meaning_top = _meaning(nodes.texts, keep)
    raw = words.maximum(words.T).maximum(meaning).tocsr()
    near = _nearness(raw, words_top, meaning_top)
    if not embedded:
        return _without_contrasts(_local(raw, near, floor), nodes)
    from valvecheck.analysis import embedding

    final = _local(raw, near, EVERY)
    return _without_contrasts(_with_embedding(final, embedding.encode(nodes.texts), floor), nodes)


EVERY = -5.0  # a floor no score reaches: every candidate pair kept


def _with_embedding(
    final: sparse.csr_matrix, vectors: np.ndarray, floor: float
) -> sparse.csr_matrix:
    """Each pair's score plus ``WEIGHT x SCALE`` times its embedding cosine, locally scaled as the
    words are (``2 c - (near(a) + near(b)) / 2``, near = the mean of a text's two nearest), for
    every pair of texts; the pairs at ``floor`` or above. Worked ``CHUNK`` rows at a time."""
    from valvecheck.analysis.embedding import SCALE, WEIGHT

    n = len(vectors)
    near = np.empty(n, dtype=np.float64)
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        block = vectors[start:stop] @ vectors.T
        block[np.arange(stop - start), np.arange(start, stop)] = -1.0
        top = np.partition(block, n - 2, axis=1)[:, -2:] if n >= 2 else block
        near[start:stop] = top.mean(axis=1)
    rows, cols, vals = [], [], []
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        cosine = vectors[start:stop] @ vectors.T
        score = final[start:stop].toarray() + WEIGHT * SCALE * (
            2 * cosine - (near[start:stop, None] + near[None, :]) / 2
        )
        score[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        r, c = np.nonzero(score >= floor)
        rows.append(r + start)
        cols.append(c)
        vals.append(score[r, c])
    if not rows:
        return sparse.csr_matrix((0, 0))
    return sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
    )


CONTRAST_SAME = 0.6  # a pair is checked for a contrast when this share of its words match, in order
CONTRAST_ALIKE = 0.6  # two spans whose character trigrams overlap this much are one word's forms
CONTRAST_SHARED = 3  # words shared in order for a swap at a text's start or end to count


def _unigrams(doc: list[str]) -> list[str]:
    """The content words of ``content_terms`` in order, without its bigrams."""
    return [term for term in doc if " " not in term]


def _trigrams(words: list[str]) -> set[str]:
    text = " ".join(words)
    return {text[i : i + 3] for i in range(len(text) - 2)}


def _alike(a: list[str], b: list[str]) -> bool:
    if set(a) & set(b):
        return True
    if _DIGITS.findall(" ".join(a)) != _DIGITS.findall(" ".join(b)):
        return False  # "age25" / "age5": another age is another group of children
    x, y = _trigrams(a), _trigrams(b)
    return bool(x and y) and len(x & y) / min(len(x), len(y)) >= CONTRAST_ALIKE


def _inner_own(words: list[str], other: set[str]) -> bool:
    """Has ``words`` a word ``other`` lacks with a word of ``other`` before it and after it?"""
    shared = [k for k, w in enumerate(words) if w in other]
    return len(shared) >= 2 and any(w not in other for w in words[shared[0] + 1 : shared[-1]])


def contrast(a: list[str], b: list[str], ends: bool = False) -> bool:
    """Do two measures that mostly share their words swap one phrase for another?
    ("... in mainstream secondary schools for pupils at risk of exclusion" / "... in mainstream
    primary schools ..."; "an autism assessment for children and young people within 26 weeks" /
    "... for adults ..."). A swap at the very start or end counts too when the texts share at least
    ``CONTRAST_SHARED`` words in order ("pay the additional top-up into ..." / "withdraw the
    additional top-up paid into ..."; "deliver trauma-informed practice training to staff in every
    school" / "... to every foster carer"), if ``ends``: the grouping asks it only of two texts of
    one sentence each, since agreements add a sentence of their own to a template ("Support and
    drive schools in <LA> ... Develop a culture in which demand is ..." / "... This includes
    recruiting a dedicated Strategic Manager"). A template copied with a clause added or dropped at
    either end is no contrast, nor is a phrase swapped for another form of the same words
    ("placements" / "places"). ``a`` and ``b`` are stemmed content words in order (``_unigrams``
    of ``content_terms``)."""
    inner = _inner_own(a, set(b)) and _inner_own(b, set(a))  # own words between shared ones
    if not (inner or (ends and set(a) - set(b) and set(b) - set(a))):
        return False  # each side needs words of its own
    from difflib import SequenceMatcher

    same = SequenceMatcher(None, a, b, autojunk=False)
    if same.real_quick_ratio() < CONTRAST_SAME or same.ratio() < CONTRAST_SAME:
        return False
    codes = same.get_opcodes()
    if inner and any(
        tag == "replace" and 0 < k < len(codes) - 1 and not _alike(a[i1:i2], b[j1:j2])
        for k, (tag, i1, i2, j1, j2) in enumerate(codes)
    ):
        return True  # a phrase swapped inside
    if not ends or sum(block.size for block in same.get_matching_blocks()) < CONTRAST_SHARED:
        return False
    return any(
        tag == "replace" and not _alike(a[i1:i2], b[j1:j2])
        for tag, i1, i2, j1, j2 in (codes[0], codes[-1])
    )


_SENTENCE_END = re.compile(r"[.!?;]\s+(?=[A-Z0-9])")


def one_sentence(text: str) -> bool:
    """Is ``text`` one sentence (a measure with no sentence of its own added)?"""
    return not _SENTENCE_END.search(text.strip())


def _without_contrasts(sims: sparse.csr_matrix, nodes: _Nodes) -> sparse.csr_matrix:
    """``sims`` without the pairs that are a ``contrast`` (they can then never share a group);
    a swap at an end counts between two texts of one sentence each."""
    coo = sims.tocoo()
    words = [_unigrams(d) for d in nodes.docs]
    single = [one_sentence(t) for t in nodes.texts]
    upper = np.flatnonzero(coo.row < coo.col)
    apart = [
        (i, j)
        for i, j in zip(coo.row[upper], coo.col[upper], strict=True)
        if contrast(words[i], words[j], single[i] and single[j])
    ]
    return _without(sims, apart)


def _without(sims: sparse.csr_matrix, pairs: list[tuple[int, int]]) -> sparse.csr_matrix:
    """``sims`` without the given pairs of nodes (either way round)."""
    if not pairs:
        return sims
    n = sims.shape[0]
    coo = sims.tocoo()
    pair = np.minimum(coo.row, coo.col).astype(np.int64) * n + np.maximum(coo.row, coo.col)
    drop = [min(a, b) * n + max(a, b) for a, b in pairs]
    keep = ~np.isin(pair, np.array(drop, dtype=np.int64))
    return sparse.csr_matrix((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=sims.shape)


@dataclass(frozen=True)
class _Top:
    """Each row's ``LOCAL`` largest scores over every other text: columns (-1: none) and values."""

    columns: np.ndarray
    values: np.ndarray

    @classmethod
    def empty(cls, n: int) -> _Top:
        return cls(np.full((n, LOCAL), -1), np.zeros((n, LOCAL)))


def _nearness(raw: sparse.csr_matrix, *tops: _Top) -> np.ndarray:
    """Per text, the mean of its ``LOCAL`` largest scores, the score of a pair being the higher of
    its two readings. Those are found among each reading's own largest (a text beaten in both
    readings by LOCAL others is beaten in the higher of the two), so each reading's top is enough;
    a candidate's score is the higher of what either reading knows of it (``raw`` holds both)."""
    n = raw.shape[0]
    columns = np.hstack([t.columns for t in tops])
    values = np.hstack([t.values for t in tops])
    found = columns >= 0
    rows = np.repeat(np.arange(n), columns.shape[1]).reshape(columns.shape)
    if found.any() and raw.nnz:
        stored = np.asarray(raw[rows[found], columns[found]]).ravel()
        values[found] = np.maximum(values[found], stored)
    values[~found] = 0
    for b in range(1, columns.shape[1]):  # one text found by both readings counts once
        for a in range(b):
            values[(columns[:, b] == columns[:, a]) & found[:, b], b] = 0
    values.sort(axis=1)
    return values[:, ::-1][:, :LOCAL].sum(axis=1) / LOCAL


def _local(raw: sparse.csr_matrix, near: np.ndarray, floor: float) -> sparse.csr_matrix:
    """Each score less the mean of how alike its two texts are to their ``LOCAL`` nearest:
    ``2 s(a, b) - (near(a) + near(b)) / 2``. Two wordings of one commitment are each other's
    nearest, while a measure in a crowded topic is alike to many others without being any of them
    (the hubness correction of cross-domain similarity local scaling). Scores below ``floor`` go."""
    coo = raw.tocoo()
    values = 2 * coo.data - (near[coo.row] + near[coo.col]) / 2
    keep = values >= floor
    return sparse.csr_matrix((values[keep], (coo.row[keep], coo.col[keep])), shape=raw.shape)


NEIGHBOURS = 60  # candidates kept per distinct text (copies of one text are one node: no cap)
CHUNK = 2000  # rows worked at once: bounds memory on a large catalogue
# The reworded-copy score: the mean of two readings of two texts, each 0..1:
MEANING_WEIGHT = 1.0  # the matcher's profile over the seed measures (what each measure delivers)
EXAMPLES_WEIGHT = 1.0  # the labelled activities nearest to each (what it is like, finer-grained)
NEAREST_EXAMPLES = 40  # labelled activities that stand for a measure's meaning
PINNED = 0.8  # a text this close to a seed measure's (cosine) is read as that measure itself


def _top_neighbours(a: sparse.csr_matrix, k: int, floor: float) -> tuple[sparse.csr_matrix, _Top]:
    """a @ a.T without the diagonal, keeping each row's k largest entries at or above ``floor``,
    and each row's ``LOCAL`` largest at any level; worked in chunks to bound memory."""
    rows: list[sparse.csr_matrix] = []
    columns: list[np.ndarray] = []
    values: list[np.ndarray] = []
    for start in range(0, a.shape[0], CHUNK):
        block = (a[start : start + CHUNK] @ a.T).tocsr()
        block.setdiag(0, k=start)  # a text is not its own neighbour
        block.eliminate_zeros()
        top = _row_top(block, LOCAL)
        columns.append(top.columns)
        values.append(top.values)
        block.data[block.data < floor] = 0
        block.eliminate_zeros()
        rows.append(_keep_top(block, k))
    return sparse.vstack(rows, format="csr"), _Top(np.vstack(columns), np.vstack(values))


def _row_top(block: sparse.csr_matrix, k: int) -> _Top:
    """Each row's k largest entries, found by taking each row's largest k times (no sort)."""
    n = block.shape[0]
    out = _Top.empty(n)
    data = block.data.astype(np.float64)
    counts = np.diff(block.indptr)
    row = np.repeat(np.arange(n), counts)
    for r in range(k):
        filled = np.flatnonzero(counts > r)
        if not len(filled):
            break
        best = np.full(n, -np.inf)
        np.maximum.at(best, row, data)
        first = np.flatnonzero(data == best[row])
        rows_, at = np.unique(row[first], return_index=True)
        chosen = first[at]
        out.columns[rows_, r] = block.indices[chosen]
        out.values[rows_, r] = data[chosen]
        data[chosen] = -np.inf
    return out


def _keep_top(block: sparse.csr_matrix, k: int) -> sparse.csr_matrix:
    """Each row's k largest entries: rows with more are sorted once by (row, -value), then cut."""
    counts = np.diff(block.indptr)
    if counts.max(initial=0) <= k:
        return block
    row = np.repeat(np.arange(block.shape[0]), counts)
    order = np.lexsort((-block.data, row))
    rank = np.arange(len(order)) - np.repeat(block.indptr[:-1], counts)
    keep = order[rank < k]
    return sparse.csr_matrix(
        (block.data[keep], (row[keep], block.indices[keep])), shape=block.shape
    )


def _unit_rows(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def _pins(vectors: sparse.csr_matrix) -> np.ndarray:
    """Per text, the seed measure it is a near copy of (-1: none). The seed measures are the
    matcher's reference points, so it reads two of them (or copies of two) as alike whenever
    the corpus labels them together; whether they are one commitment is left to their words."""
    model = _reader().model
    if not model.seed:
        return np.full(vectors.shape[0], -1)
    sims = (vectors @ model.seed_vectors.T).toarray()
    best = sims.argmax(axis=1)
    return np.where(sims.max(axis=1) >= PINNED, best, -1)


def _readings(texts: list[str], vectors: sparse.csr_matrix) -> tuple[np.ndarray, sparse.csr_matrix]:
    """Two unit vectors per text, whose dot products are the two readings of a pair: its
    profile over the seed measures and its nearest labelled activities (a sparse row over the
    corpus, each weighted by its cosine). The profile's shape is read, not its height: a measure
    no seed measure covers (co-production, a health service's own waits) scores low on every
    one, and two wordings of it still share the pattern of their low scores."""
    reader = _reader()
    model = reader.model
    profile = reader.scores(texts, decided=False, vectors=vectors).astype(np.float64)
    meaning = _unit_rows(profile)
    sims = (vectors @ model.vectors.T).toarray()
    k = min(NEAREST_EXAMPLES, sims.shape[1])
    nearest = sparse.csr_matrix(sims.shape, dtype=np.float64)
    if k:
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        values = np.take_along_axis(sims, top, axis=1).clip(min=0)
        values = _unit_rows(values)
        nearest = sparse.csr_matrix(
            (values.ravel(), top.ravel(), np.arange(0, len(texts) * k + 1, k)), shape=sims.shape
        )
    return meaning, nearest


def _meaning(texts: list[str], floor: float) -> tuple[sparse.csr_matrix, _Top]:
    """The reworded-copy score of every two texts (each text's ``NEIGHBOURS`` best at or above
    ``floor`` kept, and its ``LOCAL`` best at any level): the
    weighted mean of the two readings of ``_readings``, which depends on the two texts only (not
    on which of them stands for a group). Every pair is compared, worked in chunks: two wordings
    of one commitment are often read as different seed measures of one family (a resourced
    provision as "mainstream" or as "specialist places"), so no block by seed measure."""
    n = len(texts)
    if n < 2:
        return sparse.csr_matrix((n, n)), _Top.empty(n)
    vectors = _reader().model.space.vectors(texts)  # once: the readings and the pins share it
    meaning, nearest = _readings(texts, vectors)
    pins = _pins(vectors)
    total = MEANING_WEIGHT + EXAMPLES_WEIGHT
    k = min(NEIGHBOURS + 1, n)
    local = min(LOCAL, n - 1)
    best = _Top.empty(n)
    rows_: list[np.ndarray] = []
    cols_: list[np.ndarray] = []
    vals_: list[np.ndarray] = []
    for start in range(0, n, CHUNK):
        chunk = np.arange(start, min(start + CHUNK, n))
        score = MEANING_WEIGHT * (meaning[chunk] @ meaning.T)
        score += EXAMPLES_WEIGHT * (nearest[chunk] @ nearest.T).toarray()
        score /= total
        pinned = pins[chunk]
        score[
            (pinned[:, None] >= 0) & (pins[None, :] >= 0) & (pinned[:, None] != pins[None, :])
        ] = 0
        score[np.arange(len(chunk)), chunk] = -1  # a text is not its own neighbour
        top = np.argpartition(-score, k - 1, axis=1)[:, :k]
        nearest_ = np.argpartition(-score, local - 1, axis=1)[:, :local]
        best.columns[chunk, :local] = nearest_
        best.values[chunk, :local] = np.take_along_axis(score, nearest_, axis=1).clip(min=0)
        rows = np.repeat(chunk, k)
        cols = top.ravel()
        vals = np.take_along_axis(score, top, axis=1).ravel()
        keep = (rows != cols) & (vals >= floor) & (vals > 0)
        rows_.append(rows[keep])
        cols_.append(cols[keep])
        vals_.append(vals[keep])
    out = sparse.csr_matrix(
        (np.concatenate(vals_), (np.concatenate(rows_), np.concatenate(cols_))), shape=(n, n)
    )
    return out.maximum(out.T), best


@functools.cache
def _reader() -> Matcher:
    """The matcher over the seed measures: its pair probabilities are a measure's meaning
    profile (before the per-activity decision of ``Model.decide``, which is for suggestions)."""
    from valvecheck.analysis.matcher import Matcher, bundled_model

    model = bundled_model()
    return Matcher(model.seed, model.names, model=model)


# A person's decision that two measures (by id) are the same commitment (True) or not (False).
Decision = tuple[str, str, bool]
H = TypeVar("H", bound=Hashable)


def group_measures(
    catalogue: Catalogue, threshold: float | None = None, decisions: Sequence[Decision] = ()
) -> list[CommonGroup]:
    """Every measure in exactly one group; a measure like no other is a group of one (prevalence 1).

    ``decisions`` are people's: two measures decided the same end in one group (with all that
    each was grouped with), two decided different are never grouped together by the reading
    (both stay free to join other measures). Groups are ordered by prevalence (most agreements
    first), then by their first member's place in the catalogue.
    """
    measures = catalogue.measures
    nodes = _nodes(catalogue)
    sims = _kept_similarity(nodes, cut() if threshold is None else threshold)
    index = {m.id: i for i, m in enumerate(measures)}
    known = [(index[a], index[b], same) for a, b, same in decisions if a in index and b in index]
    apart = [(nodes.of[a], nodes.of[b]) for a, b, same in known if not same]
    if apart:
        sims = _without(sims, apart)
    clusters = _joined(_complete_linkage(measures, nodes, sims), [(a, b) for a, b, s in known if s])
    return _named(catalogue, clusters)


def groups_of(catalogue: Catalogue, group_of: dict[str, int]) -> list[CommonGroup]:
    """The groups ``group_measures`` gave, from each measure's group number (as ``grouping``
    and the stored index keep them): named again without reading a text."""
    index = {m.id: i for i, m in enumerate(catalogue.measures)}
    clusters: dict[int, list[int]] = {}
    for mid, g in group_of.items():
        if mid in index:
            clusters.setdefault(g, []).append(index[mid])
    return _named(catalogue, list(clusters.values()))


def _named(catalogue: Catalogue, clusters: list[list[int]]) -> list[CommonGroup]:
    """Clusters of measure indices as groups, most widely shared first, then catalogue order."""
    context = _Context(catalogue)
    groups = [context.group(sorted(c)) for c in clusters]
    place = {m.id: i for i, m in enumerate(catalogue.measures)}
    groups.sort(key=lambda g: (-g.prevalence, place[g.members[0]]))
    return groups


def _kept_similarity(nodes: _Nodes, threshold: float) -> sparse.csr_matrix:
    """``_similarity`` (only pairs at the threshold or above), kept for the last few sets of texts:
    reading the texts is most of the grouping's cost, and a person's decision (``decisions``)
    changes only the linkage after it. The module's settings are not part of the key: code that
    changes them clears ``_SIMILARITY``; the embedding's being on or off is."""
    from valvecheck.analysis import embedding

    embedded = embedding.wanted()
    key = (threshold, embedded, tuple(nodes.texts), tuple(tuple(d) for d in nodes.docs))
    found = _SIMILARITY.get(key)
    if found is None:
        found = _similarity(nodes, threshold, embedded)
        if len(_SIMILARITY) >= 2:
            _SIMILARITY.pop(next(iter(_SIMILARITY)))
        _SIMILARITY[key] = found
    return found


_SIMILARITY: dict[tuple, sparse.csr_matrix] = {}


def _joined(clusters: list[list[int]], same: list[tuple[int, int]]) -> list[list[int]]:
    """``clusters`` with the clusters of every pair decided the same made one."""
    if not same:
        return clusters
    of = {m: k for k, c in enumerate(clusters) for m in c}
    root = _components(list(range(len(clusters))), [(of[a], of[b]) for a, b in same])
    merged: dict[int, list[int]] = {}
    for k, c in enumerate(clusters):
        merged.setdefault(root[k], []).extend(c)
    return list(merged.values())


def prevalence(
    catalogue: Catalogue, threshold: float | None = None, decisions: Sequence[Decision] = ()
) -> dict[str, int]:
    """Measure id -> how many agreements contain that measure (1 when no other agreement does)."""
    return {mid: n for mid, (_, n) in grouping(catalogue, threshold, decisions).items()}


def grouping(
    catalogue: Catalogue, threshold: float | None = None, decisions: Sequence[Decision] = ()
) -> dict[str, tuple[int, int]]:
    """Measure id -> (its group's number in ``group_measures`` order, the group's prevalence).

    Grouping a large catalogue takes seconds; every summary asks for it. The answer depends only
    on the catalogue's texts and names and people's decisions, so the last few answers are kept.
    """
    from valvecheck.analysis import embedding

    threshold = cut() if threshold is None else threshold
    key = (
        threshold,
        embedding.wanted(),
        tuple((m.id, m.agreement, m.text) for m in catalogue.measures),
        tuple((a.slug, a.authorities) for a in catalogue.agreements),
        tuple((a.slug, a.name, a.aliases) for a in catalogue.authorities),
        tuple(decisions),
    )
    found = _PREVALENCE.get(key)
    if found is None:
        groups = group_measures(catalogue, threshold, decisions)
        found = {mid: (n, g.prevalence) for n, g in enumerate(groups) for mid in g.members}
        if len(_PREVALENCE) >= 4:
            _PREVALENCE.pop(next(iter(_PREVALENCE)))
        _PREVALENCE[key] = found
    return dict(found)


_PREVALENCE: dict[tuple, dict[str, tuple[int, int]]] = {}


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
    measures: list[Measure], nodes: _Nodes, sims: sparse.csr_matrix
) -> list[list[int]]:
    """Clusters of measure indices: nodes joined strongest pair first, each join only when every
    member of one cluster scores the threshold with every member of the other (complete linkage):
    ``sims`` holds only the pairs at the threshold or above."""
    n = len(nodes.members)
    cluster_of = list(range(n))
    clusters: dict[int, set[int]] = {i: {i} for i in range(n)}
    agreements: dict[int, set[str]] = {
        i: {measures[m].agreement for m in nodes.members[i]} for i in range(n)
    }
    sims = sims.tocsr()
    neighbours = [set(sims.indices[sims.indptr[i] : sims.indptr[i + 1]].tolist()) for i in range(n)]
    coo = sparse.triu(sims, k=1).tocoo()
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
    return [[m for node in c for m in nodes.members[node]] for c in clusters.values()]


def _natural(measure_id: str) -> tuple:
    """bury-2 before bury-10."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", measure_id))


class _Context:
    """What naming a group needs from the catalogue, worked out once."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.measures = catalogue.measures
        self.order = {a.slug: i for i, a in enumerate(catalogue.agreements)}
        self.agreements = {a.slug: a for a in catalogue.agreements}
        self.authority_names = {a.slug: a.name for a in catalogue.authorities}
        self.names = _names_by_agreement(catalogue)

    def group(self, indices: list[int]) -> CommonGroup:
        measures = [self.measures[i] for i in indices]
        # The lowest id stands for the group: the same texts give the same representative in every
        # workspace, whatever order their agreements were imported in.
        medoid = min(measures, key=lambda m: _natural(m.id))
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
            id=f"common-{medoid.id}",
            members=tuple(m.id for m in measures),
            agreements=tuple(slugs),
            authorities=tuple(dict.fromkeys(authorities)),
            representative=text,
            representative_id=medoid.id,
            councils=len(
                {self.agreements[s].authorities if s in self.agreements else (s,) for s in slugs}
            ),
        )


@dataclass(frozen=True)
class PairEvaluation:
    """How well grouping finds equivalent measures among labelled pairs of measure texts."""

    pairs: int  # pairs labelled the same
    found: int  # of those, how many ended in one group
    grouped_different: int  # pairs labelled different that were grouped together
    recall: float | None
    precision: float | None  # over the labelled pairs (None when no pair is labelled different)
    # Every two texts grouped together that no chain of pairs labelled the same joins counts as
    # wrong: a lower bound, exact when the file's rows are all different commitments.
    precision_lower_bound: float | None = None
    grouped_unjoined: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "recall": _r(self.recall),
            "precision": _r(self.precision),
            "precision_lower_bound": _r(self.precision_lower_bound),
            "pairs": self.pairs,
            "found": self.found,
            "grouped_different": self.grouped_different,
            "grouped_unjoined": self.grouped_unjoined,
        }


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def pairs_catalogue(texts: list[str]) -> Catalogue:
    """A catalogue holding each text as the one measure of its own agreement (``pair-1`` ...):
    how pairs of measure texts are grouped for evaluation."""
    from valvecheck.domain.model import Agreement

    measures = [Measure(f"pair-{i + 1}", 1, t) for i, t in enumerate(texts)]
    return Catalogue(
        agreements=[Agreement(m.agreement, m.agreement, ()) for m in measures], measures=measures
    )


def evaluate_pairs(
    pairs: list[tuple[str, str, bool]], threshold: float | None = None
) -> PairEvaluation:
    """Group every text of the pairs (each text its own agreement) and compare with the labels.

    Recall is the share of pairs labelled the same that end in one group. Precision is the share
    of labelled pairs grouped together that are labelled the same (a pair nobody labelled is not
    counted either way). ``precision_lower_bound`` takes the labels as the whole truth: any two
    texts grouped together that no chain of pairs labelled the same joins count as wrong.
    """
    texts = list(dict.fromkeys(t for a, b, _ in pairs for t in (a, b)))
    groups = group_measures(pairs_catalogue(texts), threshold)
    group_of = {texts[int(mid.split("-")[1]) - 1]: g.id for g in groups for mid in g.members}
    same = [group_of[a] == group_of[b] for a, b, label in pairs if label]
    different = [group_of[a] == group_of[b] for a, b, label in pairs if not label]
    found, wrong = sum(same), sum(different)
    truth = _components(texts, [(a, b) for a, b, label in pairs if label])
    together = [
        (texts[int(x.split("-")[1]) - 1], texts[int(y.split("-")[1]) - 1])
        for g in groups
        for k, x in enumerate(g.members)
        for y in g.members[k + 1 :]
    ]
    right = sum(truth[a] == truth[b] for a, b in together)
    return PairEvaluation(
        pairs=len(same),
        found=found,
        grouped_different=wrong,
        recall=found / len(same) if same else None,
        precision=found / (found + wrong) if different and found + wrong else None,
        precision_lower_bound=right / len(together) if together else None,
        grouped_unjoined=len(together) - right,
    )


def _components(texts: list[H], joined: list[tuple[H, H]]) -> dict[H, H]:
    """Each text (or any item) -> a representative of those joined to it by a chain of pairs."""
    parent = {t: t for t in texts}

    def root(t: H) -> H:
        while parent[t] != t:
            parent[t] = parent[parent[t]]
            t = parent[t]
        return t

    for a, b in joined:
        parent[root(a)] = root(b)
    return {t: root(t) for t in texts}
