"""Honest figures for the matcher: k-fold cross-validation by source, the held-out part, learning curves.

Every figure here scores an activity with a model that never saw it, nor any other activity written
from the same source document.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from valvecheck.analysis.corpus import PARTS, folds, labelled
from valvecheck.analysis.evaluate import Evaluation, Labelled, figures
from valvecheck.analysis.matcher import Example, Model
from valvecheck.analysis.suggest import METHODS, Method, Suggester

CURVE = (0, 10, 20, 40)


def _seed() -> tuple[list[tuple[str, str]], list[str]]:
    from valvecheck.catalogue.loader import load_catalogue

    catalogue = load_catalogue()
    return (
        [(m.id, m.text) for m in catalogue.measures],
        [n for a in catalogue.authorities for n in (a.name, *a.aliases)],
    )


def _method(method: Method | str | None) -> Method:
    if method is None:
        return METHODS["matcher"]
    return METHODS[method] if isinstance(method, str) else method


def cross_validate(
    items: Sequence[Labelled] | None = None, k: int = 5, method: Method | str | None = None
) -> Evaluation:
    """k-fold cross-validation on labelled activities (default: the corpus's train part)."""
    items = list(labelled("train") if items is None else items)
    chosen = _method(method)
    return figures(_ids(), chosen, cross_validated_scores(items, k, chosen), items)


def cross_validated_scores(
    items: Sequence[Labelled], k: int = 5, method: Method | str | None = None
) -> np.ndarray:
    """The (items x seed measures) scores, each fold's rows scored by a model learned from the
    other folds (whole source groups); the figures at other thresholds come from this matrix."""
    seed, names = _seed()
    chosen = _method(method)
    matrix = np.zeros((len(items), len(seed)))
    for train, test in folds(items, k):
        model = Model([items[i] for i in train], seed, names)
        matcher = Suggester(seed, chosen, names, model=model)
        part = [items[i] for i in test]
        matrix[test] = matcher.scores([i.text for i in part], [i.title for i in part])
    return matrix


def _ids() -> list[str]:
    return [mid for mid, _ in _seed()[0]]


LEARN_FROM = {
    "holdout": ("train",),
    "holdout2": ("train", "holdout"),
    "holdout3": ("train", "holdout", "holdout2"),
    "holdout4": ("train", "holdout", "holdout2", "holdout3"),
    "holdout5": ("train", "holdout", "holdout2", "holdout3", "holdout4"),
    "holdout6": ("train", "holdout", "holdout2", "holdout3", "holdout4", "holdout5"),
    "holdout7": ("train", "holdout", "holdout2", "holdout3", "holdout4", "holdout5", "holdout6"),
    "fresh": PARTS[:-1],
}


def held_out(
    method: Method | str | None = None,
    part: str = "holdout",
    learn_from: Sequence[str] | None = None,
) -> Evaluation:
    """A held-out part of the corpus, scored by a model learned from other parts only.

    By default ``holdout`` is scored by a model learned from ``train``, and ``holdout2`` (written
    after the first was looked at while tuning) by one learned from ``train`` and ``holdout``, and
    ``holdout3`` by one learned from the three parts before it, ``holdout4`` by one learned from
    the four before it, and ``holdout5`` (written after ``holdout4`` was scored) by one learned from
    the five before it (the shipped model learns from every row, so it never scores a held-out part).
    """
    from valvecheck.analysis.matcher import bundled_model

    sources = tuple(LEARN_FROM.get(part, ("train",)) if learn_from is None else learn_from)
    if part in sources:
        raise ValueError(f"the {part} part cannot be scored by a model learned from itself")
    seed, names = _seed()
    chosen = _method(method)
    items = labelled(part)
    if len(sources) == 1:
        model = bundled_model(sources[0])
    else:
        model = Model([i for p in sources for i in labelled(p)], seed, names)
    matcher = Suggester(seed, chosen, names, model=model)
    matrix = matcher.scores([i.text for i in items], [i.title for i in items])
    return figures([mid for mid, _ in seed], chosen, matrix, items)


def links_of(items: Sequence[Labelled]) -> list[Example]:
    """Labelled activities as a council's own links (a link per expected measure)."""
    return [Example(i.id, i.text, i.expected, "council", own=True) for i in items if i.expected]


def learning_curve(
    matcher_for: object,
    items: Sequence[Labelled],
    sizes: Sequence[int] = CURVE,
    repeats: int = 3,
    seed: int = 0,
) -> list[tuple[int, Evaluation]]:
    """Quality on a labelled file when ``n`` of its activities are already linked.

    For each size, ``repeats`` random draws of ``n`` activities become the council's links and the
    figures are taken on the *other* activities only (never on one its own link taught), then
    pooled over the draws. ``matcher_for(links)`` builds a matcher with those links. Each point
    with links also carries, as its ``none_linked``, the figures on the very same activities with
    none of the file linked: the rise the links give is read on one set of activities, not on
    the whole file against a part of it.
    """
    rng = random.Random(seed)
    out: list[tuple[int, Evaluation]] = []
    alone = matcher_for(links_of([]))  # type: ignore[operator]
    # every scoring names the activities, so none is scored with a link the workspace already
    # has to it (a council measuring the matcher on its own linked programme)
    before = alone.scores([x.text for x in items], [x.title for x in items], [x.id for x in items])
    for n in sizes:
        if n >= len(items):
            break
        rows: list[Labelled] = []
        blocks: list[np.ndarray] = []
        unlinked: list[np.ndarray] = []
        ids: list[str] = alone.ids
        method: Method = alone.method
        for r in range(repeats if n else 1):
            chosen = set(rng.sample(range(len(items)), n))
            kept = [i for i in range(len(items)) if i not in chosen]
            rest = [replace(items[i], id=f"{items[i].id}#{r}") for i in kept]
            unlinked.append(before[kept])
            if n:
                matcher = matcher_for(links_of([items[i] for i in sorted(chosen)]))  # type: ignore[operator]
                blocks.append(
                    matcher.scores(
                        [x.text for x in rest], [x.title for x in rest], [items[i].id for i in kept]
                    )
                )
            rows.extend(rest)
        point = figures(ids, method, np.vstack(blocks or unlinked), rows)
        if n:
            point.none_linked = figures(ids, method, np.vstack(unlinked), rows)
        out.append((n, point))
    return out
