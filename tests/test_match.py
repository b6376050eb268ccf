"""The matcher: the bundled corpus, figures on its held-out part (computed here, never typed in),
learning from the council's own links, and common measures on reworded pairs."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

import numpy as np
import pytest

from valvecheck.analysis import matcher as matcher_module
from valvecheck.analysis.common import evaluate_pairs, group_measures
from valvecheck.analysis.corpus import PARTS, folds, labelled, measure_pairs
from valvecheck.analysis.evaluate import Evaluation, figures
from valvecheck.analysis.matcher import Example, bundled_model
from valvecheck.analysis.suggest import METHODS, Suggester
from valvecheck.analysis.validation import LEARN_FROM, _seed, held_out, learning_curve
from valvecheck.domain.model import Agreement, Catalogue, Measure


@cache
def _held_out() -> Evaluation:
    return held_out()


@cache
def _baseline() -> Evaluation:
    """The previous default (words and concepts, no learning) on the same held-out part."""
    seed, names = _seed()
    items = labelled("holdout")
    engine = Suggester(seed, "domain", names)
    matrix = engine.scores([i.text for i in items], [i.title for i in items])
    return figures(engine.ids, METHODS["domain"], matrix, items)


def test_corpus_is_labelled_against_seed_measures_and_split_by_source() -> None:
    seed = {mid for mid, _ in _seed()[0]}
    rows = labelled()
    assert len(rows) >= 300
    assert len({r.id for r in rows}) == len(rows)
    assert {m for r in rows for m in r.expected} <= seed
    assert sum(1 for r in rows if not r.expected) >= 0.2 * len(rows)  # near misses, labelled none
    parts = [{r.source for r in labelled(part)} for part in PARTS]
    assert all(parts)
    assert all(not a & b for k, a in enumerate(parts) for b in parts[k + 1 :])
    sources = resources.files("valvecheck.analysis").joinpath("data", "SOURCES.md").read_text()
    for group in set().union(*parts):
        assert group in sources, f"{group} is not in SOURCES.md"


def test_second_held_out_part_is_large_enough_and_has_near_misses() -> None:
    rows = labelled("holdout2")
    assert len(rows) >= 100
    assert 0.25 * len(rows) <= sum(1 for r in rows if not r.expected) <= 0.45 * len(rows)


def test_a_held_out_part_is_never_scored_by_a_model_learned_from_it() -> None:
    with pytest.raises(ValueError, match="holdout2"):
        held_out(part="holdout2", learn_from=("train", "holdout2"))
    with pytest.raises(ValueError, match="holdout3"):
        held_out(part="holdout3", learn_from=("train", "holdout3"))
    with pytest.raises(ValueError, match="holdout4"):
        held_out(part="holdout4", learn_from=("train", "holdout3", "holdout4"))
    with pytest.raises(ValueError, match="holdout5"):
        held_out(part="holdout5", learn_from=("train", "holdout5"))
    assert set(LEARN_FROM) == set(PARTS) - {"train"}
    assert all(part not in learnt for part, learnt in LEARN_FROM.items())


@pytest.mark.parametrize("part", ["holdout3", "holdout4", "holdout5", "holdout6", "holdout7"])
def test_the_later_held_out_parts_have_several_councils_each_with_send_rows(part: str) -> None:
    """Set aside to be scored once: this test reads their labels, never the matcher's figures."""
    rows = labelled(part)
    by_source: dict[str, list[bool]] = {}
    for r in rows:
        by_source.setdefault(r.source, []).append(bool(r.expected))
    assert len(by_source) >= 3
    assert all(20 <= len(v) <= 40 and sum(v) >= 8 for v in by_source.values())


@cache
def _held_out2() -> Evaluation:
    return held_out(part="holdout2")


@pytest.mark.parametrize(
    ("figure", "floor"),
    [("mrr", 0.80), ("hit_at_3", 0.80), ("none_accuracy", 0.75), ("accept_precision", 0.85)],
)
def test_second_held_out_figures(figure: str, floor: float) -> None:
    """Floors below the figures docs/benchmarks.md reports for holdout2 (never tuned on)."""
    value = _held_out2().as_dict()[figure]
    assert isinstance(value, float) and value >= floor


def test_decision_shows_a_send_activity_s_best_measure_but_accepts_only_strong_pairs() -> None:
    model = bundled_model("train")
    pairs = np.array([[0.10, 0.05, 0.01], [0.90, 0.85, 0.02], [0.10, 0.05, 0.01]], np.float32)
    send = np.array([0.99, 0.99, 0.01])
    vote = np.array([1.0, 1.0, 0.0])
    shown = model.decide(pairs.copy(), send, vote)
    threshold = METHODS["matcher"].threshold
    accept = METHODS["matcher"].accept_threshold
    assert accept is not None and accept > matcher_module.LIFT
    assert shown[0, 0] >= threshold > shown[2, 0]  # weak pairs: the gate decides
    assert shown[0, 0] < accept  # ... but a weak pair is never linked without a look
    assert shown[1, 0] >= accept and shown[1, 1] >= accept and shown[1, 2] < threshold
    assert list(np.argsort(-shown[0])) == list(np.argsort(-pairs[0]))  # order kept


def test_the_gate_counts_the_nearest_examples_send_vote() -> None:
    sims = np.array([[0.9, 0.8, 0.1, 0.0], [0.1, 0.0, 0.7, 0.6], [0.5, 0.0, 0.5, 0.0]])
    is_send = np.array([True, True, False, False])
    with pytest.MonkeyPatch.context() as m:
        m.setattr(matcher_module, "NEIGHBOURS", 2)
        vote = matcher_module._send_vote(sims, is_send)
    assert vote == pytest.approx([1.0, 0.0, 0.5])
    # same best pair and SEND classifier; nearest examples that are SEND raise the gate
    model = bundled_model("train")
    pairs = np.array([[0.20, 0.05], [0.20, 0.05]], np.float32)
    shown = model.decide(pairs.copy(), np.array([0.5, 0.5]), np.array([0.9, 0.1]))
    assert shown[0, 0] > shown[1, 0]


def test_folds_never_split_a_source() -> None:
    items = labelled("train")
    for train, test in folds(items, 5):
        assert not {items[i].source for i in train} & {items[i].source for i in test}


@pytest.mark.parametrize(
    ("figure", "floor"),
    [
        ("mrr", 0.80),
        ("recall_at_5", 0.80),
        ("hit_at_3", 0.85),
        ("accept_precision", 0.85),
        ("accept_recall", 0.60),
        ("none_accuracy", 0.75),
    ],
)
def test_held_out_figures(figure: str, floor: float) -> None:
    """Floors the held-out part meets (docs/benchmarks.md has the figures and the issue's
    targets, some of which it does not meet)."""
    value = _held_out().as_dict()[figure]
    assert isinstance(value, float) and value >= floor


def test_held_out_false_none_rate_stays_low() -> None:
    value = _held_out().false_none_rate
    assert value is not None and value <= 0.10


@pytest.mark.parametrize("figure", ["hit_at_3", "mrr", "recall_at_5", "accept_precision"])
def test_matcher_beats_the_unlearned_scorer_on_held_out(figure: str) -> None:
    assert _held_out().as_dict()[figure] > _baseline().as_dict()[figure]  # type: ignore[operator]


def test_learning_from_own_links_raises_mrr_on_the_rest() -> None:
    seed, names = _seed()
    model = bundled_model("train")
    items = [i for i in labelled("holdout") if i.source in ("tracker-met", "tracker-shire")]
    curve = learning_curve(
        lambda links: Suggester(seed, "matcher", names, links=links, model=model),
        items,
        (0, len(items) // 2),
        repeats=5,
    )
    (_, none), (_, half) = curve
    assert none.mrr is not None and half.mrr is not None
    assert half.mrr > none.mrr
    # the same activities with none linked: a paired reading of what the links added
    assert none.none_linked is None and half.none_linked is not None
    assert half.none_linked.n == half.n and half.none_linked.mrr is not None
    assert half.mrr > half.none_linked.mrr


def test_a_curve_point_s_none_linked_figures_are_those_of_its_own_activities() -> None:
    """A method that reads no links scores every point exactly as with none linked; the
    activities are those of the point (the draw's rest), not the whole file."""
    seed, names = _seed()
    items = [i for i in labelled("holdout") if i.source in ("tracker-met", "tracker-shire")]
    curve = learning_curve(lambda links: Suggester(seed, "domain", names), items, (0, 10))
    (_, none), (_, ten) = curve
    assert ten.none_linked is not None
    assert ten.none_linked.as_dict() | {"seconds": 0} == ten.as_dict() | {"seconds": 0}
    assert ten.n == 3 * (len(items) - 10) != none.n


def test_a_suggestion_names_the_link_it_learned_from() -> None:
    seed, names = _seed()
    link = Example("sen-12", "Project Kestrel: Kestrel hubs in Northgate", ("bury-4",), own=True)
    engine = Suggester(seed, "matcher", names, links=[link])
    found = engine.for_activities([("a-2", "Project Kestrel: Kestrel hubs in Southgate")], top=5)
    learned = [s for s in found["a-2"] if s.learned_from]
    assert learned and learned[0].measure_id == "bury-4"
    assert "like sen-12, which you linked to bury-4" in learned[0].explanation
    assert learned[0].as_dict()["learned_from"] == "sen-12"


def test_a_link_counts_as_a_corpus_example_only_when_it_is_a_near_duplicate() -> None:
    """A council's link counts through its own features (``own``, ``own_vote``), as the combiner
    learned it; it also enters the corpus features (nearest example, vote, centroid) only when it
    is nearly the same text, so a link merely from the same tracker cannot outvote the corpus."""
    from valvecheck.analysis.matcher import DUPLICATE, Matcher

    seed, names = _seed()
    model = bundled_model("train")
    link = Example("sen-12", "Project Kestrel: Kestrel hubs in Northgate", ("bury-4",), own=True)
    texts = [
        "Project Kestrel: Kestrel hubs in Northgate",  # the same text under another id
        "Heron families project: a parenting course in Southgate library",  # not alike
    ]
    vectors = model.space.vectors([link.text, *texts])
    plain = (vectors[1:] @ vectors[0].T).toarray().ravel()
    assert plain[0] >= DUPLICATE > plain[1]
    alone = Matcher(seed, names, model)
    alone.scores(texts, ids=["a-1", "a-2"])
    linked = Matcher(seed, names, model, [link])
    linked.scores(texts, ids=["a-1", "a-2"])
    j = linked.ids.index("bury-4")
    assert linked._nearest[0, j] > alone._nearest[0, j]  # the duplicate is a corpus example too
    assert linked._nearest[1, j] == alone._nearest[1, j]  # the other is not
    assert linked._own[1, j] > 0  # but still counts through the council's own features


def test_a_link_nearly_the_same_in_the_councils_own_words_is_a_corpus_example_too() -> None:
    """Two rows of one project that differ by a place name: in the corpus's features a word they
    share may be common enough to read them apart; in the council's own words they are nearly
    the same, so the link enters the corpus features and the activity is not gated "none"."""
    from valvecheck.analysis.matcher import DUPLICATE, Matcher, council_similarity

    seed, names = _seed()
    model = bundled_model()
    link = Example("sen-12", "Project Kestrel: Kestrel hubs in Northgate", ("bury-4",), own=True)
    text = "Project Kestrel: Kestrel hubs in Southgate"
    own = council_similarity([text], [link.text])[0, 0]
    assert own >= DUPLICATE
    linked = Matcher(seed, names, model, [link])
    shown = linked.scores([text], ids=["a-2"])
    j = linked.ids.index("bury-4")
    alone = Matcher(seed, names, model)
    alone.scores([text], ids=["a-2"])
    assert linked._nearest[0, j] >= own > alone._nearest[0, j]
    assert shown[0].argmax() == j and shown[0, j] >= METHODS["matcher"].threshold  # suggested


@pytest.mark.parametrize(
    ("part", "recall", "grouped_right"), [("train", 0.31, 0.27), ("holdout", 0.8, 0.8)]
)
def test_grouping_on_reworded_pairs(part: str, recall: float, grouped_right: float) -> None:
    """Floors under the figures docs/benchmarks.md reports (train 18 of 48 with `bench/fresh13`
    in the corpus, which the grouping's reading learns from; 15 with `bench/fresh12`, 16 from
    `bench/fresh6` on: the floor sits under the lowest; 18 in the twenty-third round,
    19 before it, when the twenty-second round read the profile unscaled; 372 of 824 pairs over
    the looked-at parts either way; none of train's near misses, 0.276 of all grouped pairs
    joined by its same pairs;
    holdout 10 of 10, all grouped pairs right). The floor on every grouped pair is what stops
    topic-sized groups."""
    found = evaluate_pairs([(p.text_a, p.text_b, p.same) for p in measure_pairs(part)])
    assert found.precision is not None and found.precision >= 0.9
    assert found.recall is not None and found.recall >= recall
    assert found.precision_lower_bound is not None
    assert found.precision_lower_bound >= grouped_right


def test_a_crowded_topic_is_not_one_group() -> None:
    """Eight measures about specialist places (from the looked-at pairs part holdout9): the two
    wordings of one commitment group, and the topic does not become one group of eight (the
    grouping before the eleventh round put all eight together)."""
    texts = [
        "Reduce spending on independent special school placements by commissioning more "
        "maintained specialist places in the borough.",
        "Bring down the annual cost of INMSS placements, currently above what the council spends "
        "on its own SEND settings, by growing in-house capacity.",
        "Carry out an annual sufficiency assessment of specialist capacity against pupils' needs.",
        "Open a new special free school for pupils aged 5 to 16 with complex learning needs.",
        "Review the per-place funding paid to special resource provisions in mainstream schools.",
        "Establish post-16 places at a special school for autistic students.",
        "Open new SEMH resource bases in mainstream primary schools.",
        "Approve £18.6m of capital to add nearly 200 specialist school places.",
    ]
    measures = [Measure(f"la{i}", 1, t) for i, t in enumerate(texts)]
    catalogue = Catalogue(
        agreements=[Agreement(m.agreement, m.agreement, ()) for m in measures], measures=measures
    )
    groups = {m: g.members for g in group_measures(catalogue) for m in g.members}
    assert groups["la0-1"] == ("la0-1", "la1-1")
    assert groups["la2-1"] == ("la2-1",) and groups["la3-1"] == ("la3-1",)
    assert max(len(g) for g in groups.values()) <= 2


def _catalogue(order: list[str]) -> Catalogue:
    texts = {
        "alpha": "Expand specialist provision to avoid placements in independent special schools.",
        "beta": "Expanding specialist provision locally to reduce reliance on independent placements.",
        "gamma": "Decrease reliance on INMSS placements by increasing local capacity.",
    }
    measures = [Measure(slug, 1, texts[slug]) for slug in order]
    return Catalogue(agreements=[Agreement(s, s, (s,)) for s in order], measures=measures)


def test_representative_does_not_depend_on_import_order() -> None:
    first = group_measures(_catalogue(["alpha", "beta", "gamma"]))
    second = group_measures(_catalogue(["gamma", "beta", "alpha"]))

    def shape(groups: list) -> dict[str, list[str]]:  # type: ignore[type-arg]
        return {g.representative_id: sorted(g.members) for g in groups}

    assert shape(first) == shape(second)
    assert first[0].representative_id == "alpha-1" and first[0].prevalence >= 2


def test_two_measures_of_one_agreement_are_never_grouped() -> None:
    texts = [
        "Expand specialist provision to avoid placements in independent special schools.",
        "Expanding specialist provision locally to reduce reliance on independent placements.",
    ]
    catalogue = Catalogue(
        agreements=[Agreement("one", "one", ())],
        measures=[Measure("one", n, t) for n, t in enumerate(texts, start=1)],
    )
    assert all(len(g.members) == 1 for g in group_measures(catalogue))


def test_bundled_pairs_file_has_the_documented_columns() -> None:
    text = resources.files("valvecheck.analysis").joinpath("data", "measure-pairs.csv").read_text()
    header = next(csv.reader([text.splitlines()[0]]))
    assert header[:2] == ["text_a", "text_b"]


def test_links_move_a_reading_the_corpus_is_sure_of_less_than_an_unsure_one(monkeypatch) -> None:
    from valvecheck.analysis.matcher import Matcher

    seed, names = _seed()
    model = bundled_model("train")
    link = Example("sen-12", "Project Kestrel: Kestrel hubs in Northgate", ("bury-4",), own=True)
    texts = [
        "Project Kestrel: clear the backlog of overdue EHCP annual reviews in Northgate",  # sure
        "Project Kestrel: Kestrel hubs in Southgate",  # unsure
    ]
    alone = Matcher(seed, names, model).scores(texts, decided=False)
    j = Matcher(seed, names, model).ids.index("bury-4")
    damped = Matcher(seed, names, model, [link]).scores(texts, decided=False) - alone
    monkeypatch.setattr(matcher_module, "LINK_DAMPING", 1e9)  # the links in full, everywhere
    full = Matcher(seed, names, model, [link]).scores(texts, decided=False) - alone
    assert alone[0].max() > 0.9 > alone[1].max()
    assert 0 <= damped[0, j] < 0.5 * full[0, j]  # the sure reading: held back
    assert damped[1, j] > 0.5 * full[1, j] > 0  # the unsure one: nearly in full


def test_a_councils_own_project_name_counts_when_its_links_are_compared() -> None:
    """ "Zyqvarn" is in no labelled document, nor are most of its letters' n-grams, so the
    corpus's features barely see it; compared in the council's own words, the activity is
    nearest the link that shares the name. (The name was "Quillmoor" until `bench/fresh14`
    joined the corpus: its n-grams, as in "moor", are in council texts now, and it counted.)"""
    from valvecheck.analysis.matcher import council_similarity

    activity = "Zyqvarn: staff"
    linked = ["Zyqvarn: open the first hub", "Staff training on annual reviews"]
    own = council_similarity([activity], linked)[0]
    assert own[0] > own[1]
    space = bundled_model().space
    corpus = (space.vectors([activity]) @ space.vectors(linked).T).toarray()[0]
    assert corpus[0] < corpus[1]  # in the corpus's features the everyday word wins


def test_the_product_shared_between_cores_is_the_product(monkeypatch) -> None:
    """``cosines`` splits 1,000 texts between threads; every part lands in its own rows."""
    from scipy import sparse

    from valvecheck.analysis import matcher

    rng = np.random.default_rng(7)
    texts = sparse.random(1000, 300, density=0.05, format="csr", random_state=rng)
    others = sparse.random(40, 300, density=0.2, format="csr", random_state=rng)
    whole = (texts @ others.T).toarray()
    for cores in (1, 2, 3):
        monkeypatch.setattr(matcher, "_cores", lambda cores=cores: cores)
        found = matcher.cosines(texts, others)
        assert found.shape == (1000, 40) and np.allclose(found, whole)
    assert np.abs(whole).sum() > 0


def test_the_character_reader_gives_scikit_learns_numbers() -> None:
    """``TextSpace`` reads an n-gram's column once per word; the vectors are scikit-learn's own,
    for texts it has seen, texts it has not, repeated words, accents, symbols and empty text."""
    space = bundled_model().space
    texts = [e.text for e in bundled_model().examples[:300]] + [
        "",
        "x",
        "EHCP  reviews -- SEMH ARP! EHCP EHCP",
        "Ça va: naïve café, £4.6m (2025-26)",
        "zzqy wibble",
    ]
    ours, theirs = space._char_vectors(texts), space.chars.transform(texts)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    assert ours.nnz == theirs.nnz > 0 and abs(ours - theirs).max() < 1e-6
    again = space._char_vectors(texts)  # the words now known
    assert abs(again - theirs).max() < 1e-6


def test_the_label_matrix_keeps_each_examples_largest_weight_for_a_measure() -> None:
    """Worked as arrays; the same as reading every example's labels one by one."""
    from valvecheck.analysis.matcher import _label_matrix

    rng = np.random.default_rng(3)
    width, keys = 40, [f"m{k}" for k in range(12)]
    targets = {
        k: [(int(j), float(rng.choice([0.25, 0.5, 1.0]))) for j in rng.choice(width, 9, False)]
        for k in keys
    }
    examples = [
        Example(f"e{i}", "", tuple(rng.choice(keys + ["unknown"], rng.integers(0, 4))))
        for i in range(60)
    ]
    expected = np.zeros((len(examples), width), dtype=np.float32)
    for i, e in enumerate(examples):
        for m in e.measures:
            for j, w in targets.get(m, []):
                expected[i, j] = max(expected[i, j], w)
    found = _label_matrix(examples, targets, width).toarray()
    assert np.array_equal(found, expected) and expected.max() == 1.0 and (expected == 0.25).any()


def test_a_centroids_length_is_that_of_its_examples_weighted_sum() -> None:
    """``_centroids`` works each label pattern's length from the summed vectors; the same as
    from every pair of its examples' cosines (w . G . w), sparse or dense."""
    from scipy import sparse

    from valvecheck.analysis.matcher import _centroid_scores, _centroids

    rng = np.random.default_rng(11)
    vectors = sparse.random(30, 50, density=0.3, format="csr", random_state=rng)
    norms = np.sqrt(np.asarray(vectors.multiply(vectors).sum(axis=1))).ravel()
    vectors = sparse.diags(1 / norms) @ vectors
    dense = sparse.random(30, 8, density=0.2, random_state=rng, dtype=np.float32).toarray()
    dense[:, 5] = dense[:, 2]  # two measures with one pattern
    dense[:, 7] = 0  # a measure nobody labelled
    labels = sparse.csc_matrix(dense)
    gram = (vectors @ vectors.T).toarray()
    sims = rng.random((4, 30))
    for found in (_centroids(labels, vectors), _centroids(labels, vectors.toarray())):
        scores = _centroid_scores(sims, found, 8)
        for j in range(7):
            w = labels[:, j].toarray().ravel()
            expected = (sims @ w) / np.sqrt(w @ gram @ w)
            assert np.allclose(scores[:, j], expected, rtol=1e-5)
        assert np.array_equal(scores[:, 2], scores[:, 5]) and not scores[:, 7].any()


def test_the_links_add_to_the_corpus_logit_and_nothing_without_them() -> None:
    """``combine`` is the logistic of the corpus's logit plus the links'; with no links their
    share is exactly nothing, so a council with none meets the corpus's scores."""
    from valvecheck.analysis.matcher import Evidence

    model = bundled_model("train")
    rng = np.random.default_rng(5)
    shape = (6, 27)

    def some() -> np.ndarray:
        return rng.random(shape, dtype=np.float32)

    base, nearest, vote, centroid, own, own_vote = (some() for _ in range(6))
    send = rng.random(6)
    with_links = Evidence(base, nearest, vote, send, own, own_vote, centroid)
    zero = np.zeros(shape, dtype=np.float32)
    without = Evidence(base, nearest, vote, send, zero, zero, centroid)
    z = model.corpus_logits(with_links)
    assert np.array_equal(z, model.corpus_logits(without))
    assert not model.own_logits(zero, zero).any()
    assert np.allclose(
        model.combine(with_links), 1 / (1 + np.exp(-(z + model.own_logits(own, own_vote))))
    )
    assert not np.allclose(model.combine(with_links), model.combine(without))


def test_a_councils_own_counts_are_scikit_learns() -> None:
    """``council_similarity`` counts a council's words and n-grams itself, each word's n-grams
    found once: the same columns, in the same order, and the same counts as CountVectorizer."""
    from sklearn.feature_extraction.text import CountVectorizer

    from valvecheck.analysis.matcher import _Counts
    from valvecheck.analysis.suggest import CharGrams, Words

    texts = [e.text for e in bundled_model().examples[:200]] + ["", "EHCP EHCP ehcp", "Ça va"]
    ours = _Counts(texts)
    for mine, analyzer in ((ours.words, Words()), (ours.chars, CharGrams(3, 5))):
        theirs = CountVectorizer(analyzer=analyzer, dtype=np.float32).fit_transform(texts)
        assert mine is not None and mine.shape == theirs.shape and mine.dtype == theirs.dtype
        assert (mine != theirs).nnz == 0 and mine.sum() == theirs.sum() > 0
    assert _Counts([""]).words.shape == (1, 0)  # no feature at all: an empty matrix, no error


def test_one_pasted_very_long_word_costs_no_more_than_its_own_n_grams() -> None:
    """A 20,000-letter "word" (a pasted link or image) among ordinary texts: the counts sort
    their columns without making every column as wide as it (that took gigabytes)."""
    import resource

    from valvecheck.analysis.matcher import _Counts

    texts = [e.text for e in bundled_model().examples[:1000]] + ["x" + "ab" * 10_000]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    counts = _Counts(texts)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert counts.chars is not None and counts.chars[-1].sum() > 0
    assert grown_mb < 500


def test_the_nearest_of_two_parts_are_the_nearest_of_the_whole() -> None:
    """The bundled examples are searched once for both votes that read them (a speed-up): the
    nearest of [examples | the council's links] found from each part's nearest are the same."""
    rng = np.random.default_rng(7)
    for wide, narrow in ((50, 30), (50, 3), (4, 2), (5, 0)):
        first = rng.random((40, wide), dtype=np.float32)
        second = rng.random((40, narrow), dtype=np.float32)
        joined = matcher_module._top_k_joined(first, matcher_module._top_k(first), second)
        whole = matcher_module._top_k(np.hstack([first, second]))
        assert np.array_equal(np.sort(joined, axis=1), np.sort(whole, axis=1))


def test_the_split_product_gives_the_cosines() -> None:
    """The examples' common features as a dense product, the rest sparse: the same cosines."""
    from scipy import sparse
    from sklearn.preprocessing import normalize

    rng = np.random.default_rng(3)
    rows = normalize(sparse.random(300, 2000, density=0.02, random_state=1, dtype=np.float32))
    texts = normalize(sparse.random(200, 2000, density=0.03, random_state=2, dtype=np.float32))
    rows = sparse.csr_matrix(rows)
    split = matcher_module.SplitCosines(rows, common=int(rng.integers(50, 400)))
    assert np.allclose(
        split(sparse.csr_matrix(texts)), matcher_module.cosines(texts, rows), atol=1e-6
    )
    assert split(sparse.csr_matrix((0, 2000), dtype=np.float32)).shape == (0, 300)


def test_another_agreements_measure_is_suggested_through_its_common_measure_group() -> None:
    """A measure of an imported agreement worded its own way has no labelled example and no seed
    measure close enough in words: it was never suggested, even for an activity of its very
    text. Read through its common-measure group it counts for the group's labelled measure;
    the seed's own measures keep their scores."""
    from valvecheck.analysis.matcher import Matcher

    seed, names = _seed()
    model = bundled_model("train")
    toolkit = ("wakefield-1", "Introduce a graduated approach toolkit for mainstream schools")
    measures = [*seed, toolkit]
    texts = [
        "Graduated approach toolkit for SENCOs in mainstream schools",
        "A new children's home in Northgate",
    ]
    alone = Matcher(measures, names, model).scores(texts)
    group = {"wakefield-1": ["kingston-richmond-1"], "kingston-richmond-1": ["wakefield-1"]}
    grouped = Matcher(measures, names, model, equivalents=group)
    read = grouped.scores(texts)
    w, k = grouped.ids.index("wakefield-1"), grouped.ids.index("kingston-richmond-1")
    assert alone[0, w] < 0.2 <= read[0, w]  # never suggested before; now it is
    assert read[0, w] == pytest.approx(read[0, k], abs=0.1)
    assert read[1, w] < 0.2  # not about the measure: still not suggested
    assert np.array_equal(np.delete(alone, w, axis=1), np.delete(read, w, axis=1))
    # a measure labels reach by its own words is left as it was, whatever its group says
    both = {"bury-4": ["kingston-richmond-1"], "kingston-richmond-1": ["bury-4"]}
    near = Matcher(measures, names, model, equivalents=both)
    assert np.array_equal(near.scores(texts), alone)
