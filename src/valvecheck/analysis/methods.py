"""The ways of scoring an activity against a measure, by name (`eval-suggest --method`).

Kept apart from ``analysis.suggest`` (which needs numpy) so that the command line can list them
in its help without loading the scoring itself.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Method:
    """One way of scoring; weights are shares of the final score (they are normalised to sum 1)."""

    name: str
    words: float = 1.0  # word TF-IDF cosine (or BM25 when bm25=True)
    bigrams: bool = True
    concepts: float = 0.0  # soft cosine over the field's concepts
    chars: float = 0.0  # character 3-5-gram TF-IDF cosine
    bm25: bool = False
    send_gate: float = 1.0  # score multiplier for an activity that says nothing about SEND
    threshold: float = 0.1
    title_weight: float = 0.0  # extra weight for what the title names (it says what it is about)
    description: str = ""
    learned: bool = False  # scores are the matcher's probabilities (analysis.matcher)
    accept_threshold: float | None = None  # the stricter bar for linking without a look

    def band(self, score: float) -> str:
        """How good a suggestion is, in words for a page (a score tells a person nothing):
        "High" at or above the accept bar (precise enough to link without a look), "Medium"
        from halfway between the threshold and that bar, "Low" below it (shown, but check it).
        A method with no accept bar takes the point two thirds of the way from its threshold
        to 1 as the bar."""
        bar = self.accept_threshold
        if bar is None:
            bar = self.threshold + (1 - self.threshold) * 2 / 3
        if score >= bar:
            return "High"
        return "Medium" if score >= (self.threshold + bar) / 2 else "Low"


METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method("tfidf", bigrams=False, threshold=0.15, description="TF-IDF, word unigrams"),
        Method("tfidf-bigrams", threshold=0.15, description="TF-IDF, word 1-2 grams"),
        Method("chars", words=0.0, chars=1.0, threshold=0.2, description="TF-IDF, char 3-5 grams"),
        Method("bm25", bm25=True, bigrams=False, threshold=0.3, description="BM25, word unigrams"),
        Method(
            "tfidf+gate", send_gate=0.4, threshold=0.1,
            description="TF-IDF 1-2 grams + SEND gate, no concepts",
        ),
        Method(
            "concepts-only", words=0.0, concepts=1.0, send_gate=0.4, title_weight=0.5,
            threshold=0.4, description="domain concepts only (soft cosine) + SEND gate",
        ),
        Method(
            "bm25+concepts", bm25=True, bigrams=False, words=0.35, concepts=0.65, send_gate=0.4,
            title_weight=0.5, threshold=0.33, description="BM25 words + domain concepts + SEND gate",
        ),
        Method(
            "domain", words=0.35, concepts=0.65, send_gate=0.4, title_weight=0.5, threshold=0.33,
            description="TF-IDF 1-2 grams + domain concepts + SEND gate",
        ),
        Method(
            "domain+chars", words=0.2, chars=0.15, concepts=0.65, send_gate=0.4,
            title_weight=0.5, threshold=0.33, description="domain + char 3-5 grams",
        ),
        # Operating points chosen by cross-validation on the looked-at parts with the margins
        # fresh councils have cost before (docs/benchmarks.md, "Eighth round"): the lowest
        # threshold keeping none-accuracy >= 0.85. The accept bar: the highest keeping the
        # cross-validated recall of --accept >= 0.65 ("Twentieth round"; fresh councils' files
        # cost precision 0.09 and recall 0.02-0.04 against the cross-validation).
        Method(
            "matcher", learned=True, threshold=0.2, accept_threshold=0.83,
            description="domain + labelled examples + equivalences + the council's links (default)",
        ),
    )
}  # fmt: skip
DEFAULT = "matcher"
