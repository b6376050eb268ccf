"""How good are the suggestions? Ranking and "no measure" figures against labelled activities.

Ranking figures (hit@1, hit@3, MRR, recall@5) are over the activities that have expected
measures, and count only the suggestions at or above the threshold: a measure scored below it is
not suggested, so a person never sees it. The threshold is also judged on its own: the
none-accuracy (activities with no expected measure that get no suggestion) and the false-none rate
(activities with expected measures that get none). A figure with no activity to measure (the
ranking figures when no activity has an expected measure) is None: not applicable, not 0.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from valvecheck.analysis.suggest import Method, Suggester

ACCEPT_TOP = 5  # what suggest --accept links per activity by default (its --top)


@dataclass(frozen=True)
class Labelled:
    """An activity and the measures a person said it aligns to (empty: none)."""

    id: str
    title: str
    description: str
    expected: tuple[str, ...]
    source: str = ""  # the document group it was drawn from (bundled corpus only)
    part: str = ""  # "train" or "holdout" (bundled corpus only)

    @property
    def text(self) -> str:
        return f"{self.title}. {self.description}".strip()


@dataclass
class Evaluation:
    method: str
    n: int
    hit_at_1: float | None
    hit_at_3: float | None
    mrr: float | None
    recall_at_5: float | None
    none_accuracy: float | None
    false_none_rate: float | None
    seconds: float
    accept_precision: float | None = None
    accept_recall: float | None = None
    per_measure: dict[str, float] = field(default_factory=dict)
    misses: list[tuple[str, list[str], list[str]]] = field(default_factory=list)
    links: int = 0  # the council's own linked activities used as evidence
    curve: list[tuple[int, Evaluation]] = field(default_factory=list)  # (linked, figures)
    none_linked: Evaluation | None = None  # a curve point's activities with none of the file linked

    def as_dict(self) -> dict[str, object]:
        """The figures, under the keys the issue and the docs name (None: not applicable)."""
        return {
            "hit_at_1": _round(self.hit_at_1),
            "hit_at_3": _round(self.hit_at_3),
            "mrr": _round(self.mrr),
            "recall_at_5": _round(self.recall_at_5),
            "none_accuracy": _round(self.none_accuracy),
            "false_none_rate": _round(self.false_none_rate),
            "accept_precision": _round(self.accept_precision),
            "accept_recall": _round(self.accept_recall),
            "n": self.n,
            "seconds": round(self.seconds, 3),
            "links": self.links,
            "curve": [e._curve_point(n) for n, e in self.curve],
        }

    def _curve_point(self, linked: int) -> dict[str, object]:
        point: dict[str, object] = {"linked": linked, **self._curve_figures()}
        if self.none_linked is not None:
            point["none_linked"] = self.none_linked._curve_figures()
        return point

    def _curve_figures(self) -> dict[str, object]:
        return {k: v for k, v in self.as_dict().items() if k in CURVE_KEYS}


CURVE_KEYS = ("hit_at_3", "mrr", "recall_at_5", "none_accuracy", "false_none_rate", "n")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _mean(values: list[float]) -> float | None:
    """None when there is nothing to average: the figure does not apply."""
    return float(np.mean(values)) if values else None


def evaluate(
    suggester: Suggester, labelled: list[Labelled], started: float | None = None
) -> Evaluation:
    """Score every labelled activity against the suggester's measures and compare."""
    start = time.perf_counter() if started is None else started
    # ids: an activity the council has linked is not scored with its own link
    matrix = suggester.scores(
        [i.text for i in labelled], [i.title for i in labelled], [i.id for i in labelled]
    )
    seconds = time.perf_counter() - start
    return figures(suggester.ids, suggester.method, matrix, labelled, seconds)


def figures(
    ids: list[str],
    method: Method,
    matrix: np.ndarray,
    labelled: list[Labelled],
    seconds: float = 0.0,
    top: int = ACCEPT_TOP,
) -> Evaluation:
    """The figures for a (labelled x measures) score matrix, at the method's thresholds.

    ``--accept`` links the top ``top`` measures at or above the accept threshold (the threshold
    itself when the method has no stricter one); its precision is the share of those links a
    person expected, its recall the share of expected links it makes.
    """
    threshold = method.threshold
    accept_at = method.accept_threshold if method.accept_threshold is not None else threshold
    hits1, hits3, rr, recall, false_none, true_none = [], [], [], [], [], []
    linked = correct = wanted = 0
    per_measure: dict[str, list[float]] = {}
    misses: list[tuple[str, list[str], list[str]]] = []
    for item, row in zip(labelled, matrix, strict=True):
        # Only what a person is shown counts: suggestions below the threshold are not made.
        order = np.argsort(-row, kind="stable")
        ranking = [ids[j] for j in order if row[j] >= threshold]
        accepted = {ids[j] for j in order[:top] if row[j] >= accept_at}
        expected = set(item.expected)
        linked += len(accepted)
        correct += len(accepted & expected)
        wanted += len(expected)
        nothing = not ranking
        if not item.expected:
            true_none.append(float(nothing))
            if not nothing:
                misses.append((item.id, [], ranking[:3]))
            continue
        false_none.append(float(nothing))
        first = next((i for i, mid in enumerate(ranking) if mid in expected), None)
        hits1.append(float(first == 0))
        hits3.append(float(first is not None and first < 3))
        rr.append(1.0 / (first + 1) if first is not None else 0.0)
        top5 = set(ranking[:5])
        recall.append(len(expected & top5) / len(expected))
        for mid in item.expected:
            per_measure.setdefault(mid, []).append(float(mid in top5))
        if first is None or first >= 3 or nothing:
            misses.append((item.id, list(item.expected), ranking[:3]))
    return Evaluation(
        method=method.name,
        n=len(labelled),
        hit_at_1=_mean(hits1),
        hit_at_3=_mean(hits3),
        mrr=_mean(rr),
        recall_at_5=_mean(recall),
        none_accuracy=_mean(true_none),
        false_none_rate=_mean(false_none),
        seconds=seconds,
        accept_precision=correct / linked if linked else None,
        accept_recall=correct / wanted if wanted else None,
        per_measure={mid: float(np.mean(v)) for mid, v in sorted(per_measure.items())},
        misses=misses,
    )
