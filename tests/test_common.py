"""Common measures: templates shared across agreements group together; shared generic words do not."""

from __future__ import annotations

import json

import pytest

from valvecheck.analysis import common
from valvecheck.analysis.common import (
    _unigrams,
    content_terms,
    contrast,
    group_measures,
    name_pattern,
    one_sentence,
    pairs_catalogue,
    prevalence,
)
from valvecheck.analysis.summary import summarise
from valvecheck.catalogue.loader import load_catalogue
from valvecheck.domain.model import Agreement, Authority, Catalogue, Measure
from valvecheck.domain.rag import Rag


@pytest.fixture(scope="module")
def seed_groups() -> list[list[str]]:
    return [list(g.members) for g in group_measures(load_catalogue())]


def group_of(groups: list[list[str]], measure_id: str) -> list[str]:
    return next(g for g in groups if measure_id in g)


# The must-hold groups: the same template in several agreements.
TOGETHER = [
    ("bury-4", "hammersmith-fulham-4", "stoke-on-trent-5"),  # support and drive schools in <LA>
    ("kingston-richmond-7", "stoke-on-trent-7"),  # reform (the authority's) post-16 offer
    ("bury-3", "stoke-on-trent-1"),  # reduce independent school places / local provision
]

# Pairs that share only generic or topic words, and the decision for each.
APART = [
    # "Review and reform of ..." is how, not what: AP model, outreach services, the EHCP offer.
    ("hammersmith-fulham-3", "hammersmith-fulham-5"),
    ("hammersmith-fulham-3", "stoke-on-trent-2"),
    ("hammersmith-fulham-5", "stoke-on-trent-2"),
    ("stoke-on-trent-2", "stoke-on-trent-4"),  # review and reform EHCP offer / Early Years pathways
    # Commissioning: one is about cost (Bristol places it under Financial Efficiencies), the other about
    # sufficiency of places (under Local Placement Sufficiency). Same topic word, different commitment.
    ("kingston-richmond-4", "stoke-on-trent-6"),
    # Funding: recharging partners accurately (bury-5), a council contribution to the deficit (kr-8) and
    # financial planning with other funding streams (stoke-8) are three different commitments.
    ("bury-5", "kingston-richmond-8"),
    ("bury-5", "stoke-on-trent-8"),
    ("kingston-richmond-8", "stoke-on-trent-8"),
    ("bury-5", "kingston-richmond-5"),  # contributions from funding sources / from health and care
    # "Development of ...": a local offer, a transition action plan, new post-16 provision.
    ("hammersmith-fulham-2", "stoke-on-trent-3"),
    ("hammersmith-fulham-2", "kingston-richmond-7"),
    # Schools and demand, but not the "support and drive schools" template.
    ("kingston-richmond-1", "bury-4"),
]


@pytest.mark.parametrize("members", TOGETHER, ids=lambda m: m[0])
def test_template_copies_are_one_group(seed_groups, members):
    assert sorted(group_of(seed_groups, members[0])) == sorted(members)


@pytest.mark.parametrize(("a", "b"), APART, ids=lambda x: x)
def test_measures_sharing_only_generic_words_stay_apart(seed_groups, a, b):
    assert b not in group_of(seed_groups, a)


def test_every_other_seed_measure_is_a_group_of_one(seed_groups):
    grouped = {m for members in TOGETHER for m in members}
    for members in seed_groups:
        if not grouped & set(members):
            assert len(members) == 1, members
    assert sum(len(g) for g in seed_groups) == 27


def test_common_json_through_the_cli(cli):
    assert cli("init")[0] == 0
    code, out, err = cli("common", "--json")
    assert code == 0, err
    groups = json.loads(out)
    members = [set(g["members"]) for g in groups]
    for together in TOGETHER:
        assert set(together) in members
    assert sum(len(m) for m in members) == 27
    first = groups[0]
    assert first["prevalence"] == 3
    assert first["authorities"] == ["Bury", "Hammersmith and Fulham", "Stoke-on-Trent"]
    assert first["representative"].startswith("Support and drive schools in <LA> to meet")
    # Most widely shared first.
    assert [g["prevalence"] for g in groups] == sorted(
        (g["prevalence"] for g in groups), reverse=True
    )


def test_min_prevalence_leaves_out_one_offs(cli):
    assert cli("init")[0] == 0
    code, out, err = cli("common", "--json", "--min-prevalence", "2")
    assert code == 0, err
    assert sorted(sorted(g["members"]) for g in json.loads(out)) == sorted(
        sorted(t) for t in TOGETHER
    )
    code, out, _ = cli("common", "--min-prevalence", "2")
    assert code == 0
    assert "stoke-on-trent-1" in out and "hammersmith-fulham-3" not in out


def test_common_needs_a_workspace(cli, tmp_path):
    code, _, err = cli("common", db=str(tmp_path / "none.db"))
    assert code == 1 and err.startswith("error:")


TEMPLATE = [
    "Support and drive schools in {la} to meet a higher level of need in a more cost-effective "
    "way within mainstream settings, while maintaining the quality of provision.",
    "Support and drive schools within {la} to meet a higher level of need in a cost-effective way "
    "within mainstream settings while maintaining quality of provision, by March 2024.",
    "Support and drive {la}'s schools to meet a higher level of need in a more cost effective way "
    "within mainstream settings, maintaining the quality of provision.",
    "Support and drive schools in {la} to meet a higher level of need in a more cost-effective "
    "way within mainstream settings, while maintaining the quality of provision from 2023-24.",
    "Support and drive schools across {la} to meet higher levels of need in a more cost-effective "
    "way within mainstream settings, while maintaining the quality of provision.",
]
INVENTED = ["Wessex Vale", "Northam-on-Sea", "Borsetshire", "Casterbridge", "Barchester"]
GENERIC = [
    "Review and reform of the Alternative Provision model.",
    "Review and reform of outreach services.",
    "Review and reform the transport policy.",
    "Improve quality of management information.",
    "Development of a more robust local offer.",
]


def invented_catalogue() -> Catalogue:
    c = Catalogue()
    for i, name in enumerate(INVENTED):
        slug = name.lower().replace(" ", "-")
        c.authorities.append(Authority(slug, name))
        c.agreements.append(Agreement(slug, f"{name} agreement", (slug,), "2023-24"))
        c.measures.append(Measure(slug, 1, GENERIC[i]))
        c.measures.append(Measure(slug, 2, TEMPLATE[i].format(la=name)))
    return c


def test_the_same_template_in_five_invented_agreements_has_prevalence_five():
    groups = group_measures(invented_catalogue())
    assert groups[0].members == tuple(f"{n.lower().replace(' ', '-')}-2" for n in INVENTED)
    assert groups[0].prevalence == 5
    assert groups[0].authorities == tuple(INVENTED)
    assert "<LA>" in groups[0].representative
    assert not any(n in groups[0].representative for n in INVENTED)
    assert [g.prevalence for g in groups[1:]] == [1] * 5  # the generic ones stay alone


def test_one_agreement_never_counts_twice():
    c = Catalogue(
        authorities=[Authority("a", "Ayton"), Authority("b", "Beeton")],
        agreements=[Agreement("a", "A", ("a",)), Agreement("b", "B", ("b",))],
        measures=[
            Measure("a", 1, TEMPLATE[0].format(la="Ayton")),
            Measure("a", 2, TEMPLATE[0].format(la="Ayton")),
            Measure("b", 1, TEMPLATE[0].format(la="Beeton")),
        ],
    )
    groups = group_measures(c)
    assert max(g.prevalence for g in groups) == 2
    assert all(len({m.split("-")[0] for m in g.members}) == len(g.members) for g in groups)


def test_an_empty_catalogue_has_no_groups():
    assert group_measures(Catalogue()) == []


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("Support and drive schools in Stoke on Trent to meet need", "stoke"),
        ("Support schools within Hammersmith & Fulham", "fulham"),
        ("Reduce the authority's use of independent places", "authority"),
        ("Reform post-16 offer from 2021 onwards", "2021"),
        ("Review and reform of the EHCP offer by March 2022", "march"),
    ],
)
def test_names_dates_and_generic_words_do_not_count(text, absent):
    names = name_pattern(["Stoke-on-Trent", "Hammersmith and Fulham"])
    terms = " ".join(content_terms(text, names))
    assert absent not in terms
    assert "review" not in terms and "reform" not in terms


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        ("Support deaf children from diagnosis to age 25.", ["age25"]),
        ("Speech and language pathway for children aged 0-5", ["age0", "age5"]),
        ("Speech and language pathway for children aged 0 to 5", ["age0", "age5"]),
        ("Grow places for 16 to 25 year olds in local colleges", ["age16", "age25"]),
        ("A special free school for pupils aged 4–19", ["age4", "age19"]),
    ],
)
def test_an_age_is_a_word_of_its_own(text, ages):
    """An age says which children a measure serves: it is kept where other numbers are dropped."""
    assert [t for t in _unigrams(content_terms(text)) if t[3:].isdigit()] == ages


def test_a_date_is_still_no_age():
    terms = content_terms("Reform the post-16 offer by 2025 for young people of school age 2024-25")
    assert not [t for t in terms if t[3:].isdigit()]


def test_education_health_and_care_plan_is_one_term():
    assert content_terms("Education, Health and Care Plans (EHCPs)") == ["ehcp"]


def test_opportunities_rank_by_prevalence_then_catalogue_order():
    c = load_catalogue()
    ratings = {"hammersmith-fulham-5": Rag.RED, "stoke-on-trent-5": Rag.RED, "bury-2": Rag.RED}
    ratings |= {"kingston-richmond-7": Rag.RED}
    s = summarise(c, ratings)
    assert s.opportunities == [
        "stoke-on-trent-5",  # in 3 agreements
        "kingston-richmond-7",  # in 2
        "bury-2",  # 1 each, in catalogue order
        "hammersmith-fulham-5",
    ]
    assert s.prevalence == {
        "stoke-on-trent-5": 3,
        "kingston-richmond-7": 2,
        "bury-2": 1,
        "hammersmith-fulham-5": 1,
    }
    assert prevalence(c)["bury-4"] == 3


def test_given_prevalence_is_used_and_ties_keep_document_order():
    c = load_catalogue()
    ratings = {m.id: Rag.RED for m in c.measures[:4]}
    s = summarise(c, ratings, prevalence={"bury-3": 5})
    assert s.opportunities == ["bury-3", "bury-1", "bury-2", "bury-4"]


def test_summary_shows_prevalence_next_to_each_opportunity(cli):
    assert cli("init")[0] == 0
    assert cli("rate", "stoke-on-trent-5", "red", "--rationale", "not started")[0] == 0
    code, out, err = cli("summary", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["opportunities"][0] == "stoke-on-trent-5"
    assert data["prevalence"]["stoke-on-trent-5"] == 3
    code, out, _ = cli("summary")
    line = next(x for x in out.splitlines() if x.startswith("Opportunities"))
    assert "stoke-on-trent-5 (in 3 agreements), hammersmith-fulham-5 (in 1 agreement)" in line


def test_a_councils_later_agreement_does_not_count_as_another_council():
    text = TEMPLATE[0]
    c = Catalogue(
        authorities=[Authority("a", "Ayton"), Authority("b", "Beeton")],
        agreements=[
            Agreement("a", "A 2020-21", ("a",), "2020-21"),
            Agreement("a-2023-24", "A 2023-24", ("a",), "2023-24"),
            Agreement("b", "B", ("b",), "2020-21"),
        ],
        measures=[
            Measure("a", 1, text.format(la="Ayton")),
            Measure("a-2023-24", 1, text.format(la="Ayton")),
            Measure("b", 1, text.format(la="Beeton")),
        ],
    )
    group = group_measures(c)[0]
    assert len(group.members) == 3 and len(group.agreements) == 3
    assert group.prevalence == 2  # two councils


def test_a_template_in_more_agreements_than_the_neighbour_cap_is_one_group():
    """Copies of one text are one node, so a template copied into many agreements is one group:
    its prevalence is not capped by the candidates kept per measure."""
    from valvecheck.analysis.common import NEIGHBOURS

    c = Catalogue()
    count = NEIGHBOURS + 20
    for i in range(count):
        name = f"Shire {i:03d}"
        slug = f"shire-{i:03d}"
        c.authorities.append(Authority(slug, name))
        c.agreements.append(Agreement(slug, f"{name} agreement", (slug,), "2023-24"))
        c.measures.append(Measure(slug, 1, TEMPLATE[0].format(la=name)))
        c.measures.append(Measure(slug, 2, GENERIC[i % len(GENERIC)]))
    groups = group_measures(c)
    assert groups[0].prevalence == count
    assert groups[0].members == tuple(f"shire-{i:03d}-1" for i in range(count))
    # the generic measures are copies too, one text in count/5 agreements each
    assert sorted(g.prevalence for g in groups[1:]) == [count // len(GENERIC)] * len(GENERIC)


def test_one_agreement_holding_a_text_twice_is_never_grouped_with_itself():
    texts = [TEMPLATE[0].format(la="Wessex Vale")] * 2
    c = Catalogue(
        agreements=[Agreement("one", "one", ()), Agreement("two", "two", ())],
        measures=[Measure("one", n, t) for n, t in enumerate(texts, start=1)]
        + [Measure("two", 1, texts[0])],
    )
    groups = group_measures(c)
    for g in groups:
        assert len({m.rsplit("-", 1)[0] for m in g.members}) == len(g.members)
    assert sorted(len(g.members) for g in groups) == [1, 2]


PAIRS = (
    "text_a,text_b,same\n"
    '"Expand specialist provision to avoid placements in independent special schools.",'
    '"Expanding specialist provision locally to reduce reliance on independent placements.",1\n'
    '"Review and reform of the Alternative Provision model.","Review and reform the transport '
    'policy.",0\n'
)


def test_eval_common_reports_recall_and_precision(cli, tmp_path):
    path = tmp_path / "pairs.csv"
    path.write_text(PAIRS, encoding="utf-8")
    code, out, err = cli("eval-common", str(path), "--json")  # no workspace needed
    assert code == 0, err
    data = json.loads(out)
    assert (data["pairs"], data["found"], data["recall"]) == (1, 1, 1.0)
    assert (data["grouped_different"], data["precision"]) == (0, 1.0)
    # without a same column every row is one measure twice: precision needs a pair labelled 0
    only = tmp_path / "same.csv"
    only.write_text("\n".join(line.rsplit(",", 1)[0] for line in PAIRS.splitlines()[:2]) + "\n")
    data = json.loads(cli("eval-common", str(only), "--json")[1])
    assert data["recall"] == 1.0 and data["precision"] is None
    assert data["precision_lower_bound"] == 1.0
    code, out, err = cli("eval-common", str(path))
    assert code == 0 and "recall\t1.0" in out


def test_eval_common_cut_trades_pairs_found_for_surer_groups(cli, tmp_path):
    path = tmp_path / "pairs.csv"
    path.write_text(PAIRS, encoding="utf-8")
    found = {}
    for cut in ("-1.0", "0.575", "3.5"):
        code, out, err = cli("eval-common", str(path), "--json", "--cut", cut)
        assert code == 0, err
        found[cut] = json.loads(out)
    assert found["-1.0"]["grouped_different"] == 1  # everything grouped, the near miss too
    assert found["0.575"] == json.loads(cli("eval-common", str(path), "--json")[1])  # the default
    assert found["3.5"]["found"] == 0  # nothing reaches it
    code, out, err = cli("eval-common", str(path), "--cut", "9")
    assert code == 2 and "--cut" in err


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("text_a,other\nx,y\n", "[missing-column]"),
        ("text_a,text_b\nx,\n", "[missing-value]"),
        ("text_a,text_b,same\nx,y,maybe\n", "[bad-value]"),
        ("text_a,text_b\nReduce costs by £250,000,Cut spending\n", "[bad-csv]"),
    ],
)
def test_eval_common_refuses_a_bad_file_naming_the_problem(cli, tmp_path, content, code):
    path = tmp_path / "pairs.csv"
    path.write_text(content, encoding="utf-8")
    status, out, err = cli("eval-common", str(path))
    assert status == 1 and out == ""
    assert code in err and "the file was not evaluated" in err


def _words(text: str) -> list[str]:
    return _unigrams(content_terms(text))


# One commitment's template turned into another by swapping a phrase inside it (the near misses
# of the looked-at pairs parts; docs/benchmarks.md "Twelfth round").
CONTRASTS = [
    (
        "Open four in-school alternative provision hubs in mainstream secondary schools for pupils at risk of exclusion.",
        "Open four in-school alternative provision hubs in mainstream primary schools for pupils at risk of exclusion.",
    ),
    (
        "Reduce the wait for a diagnostic autism assessment for children and young people to under 26 weeks.",
        "Reduce the wait for a diagnostic autism assessment for adults to under 26 weeks.",
    ),
    (
        "Commission a new provider of speech and language therapy assessments for children from November 2025.",
        "Commission a new provider of occupational therapy assessments for children from November 2025.",
    ),
]

# The same commitment for other children: only an age differs (holdout10, holdout24).
AGE_CONTRASTS = [
    (
        "Have the sensory impairment service support deaf children from diagnosis to age 25.",
        "Have the sensory impairment service support deaf children from diagnosis to age 5.",
    ),
    (
        "Give free travel to pupils aged 5 to 7 who live more than two miles from their nearest suitable school.",
        "Give free travel to pupils aged 8 to 16 who live more than three miles from their nearest suitable school.",
    ),
]


@pytest.mark.parametrize(("a", "b"), AGE_CONTRASTS)
def test_another_age_is_a_contrast_and_never_grouped(a, b):
    assert contrast(_words(a), _words(b), ends=True) and contrast(_words(b), _words(a), ends=True)
    groups = group_measures(pairs_catalogue([a, b]))
    assert all(len(g.members) == 1 for g in groups)


def test_one_age_written_two_ways_is_no_contrast():
    a = "Launch an online speech and language pathway for children aged 0-5 and their parents."
    b = "Launch an online speech and language pathway for children aged 0 to 5 and their parents."
    assert not contrast(_words(a), _words(b), ends=True)
    assert [len(g.members) for g in group_measures(pairs_catalogue([a, b]))] == [2]


# Copies of one commitment: a clause added or dropped at an end, a name or a date changed, or a
# word swapped for another form of itself.
NOT_CONTRASTS = [
    ("bury-4", "stoke-on-trent-5"),
    ("bury-4", "hammersmith-fulham-4"),
    ("bury-3", "stoke-on-trent-1"),
    ("kingston-richmond-7", "stoke-on-trent-7"),
]


@pytest.mark.parametrize(("a", "b"), CONTRASTS)
def test_a_phrase_swapped_inside_a_template_is_a_contrast(a, b):
    assert contrast(_words(a), _words(b))
    assert contrast(_words(b), _words(a))


@pytest.mark.parametrize(("a", "b"), NOT_CONTRASTS)
def test_the_seed_template_copies_are_no_contrast(a, b):
    text = {m.id: m.text for m in load_catalogue().measures}
    names = name_pattern(
        ["Bury", "Stoke-on-Trent", "Hammersmith and Fulham", "Kingston", "Richmond"]
    )
    assert not contrast(
        _unigrams(content_terms(text[a], names)), _unigrams(content_terms(text[b], names))
    )


# A phrase swapped at the very start or end (the looked-at pairs parts' near misses; docs/benchmarks.md
# "Fifteenth round").
END_CONTRASTS = [
    (
        "Deliver trauma-informed practice training to staff in every school.",
        "Deliver trauma-informed practice training to every foster carer.",
    ),
    (
        "Pay additional top-up into the notional SEN budgets of schools with many pupils with EHC plans.",
        "Withdraw the additional top-up paid into the notional SEN budgets of schools with many pupils with EHC plans.",
    ),
    (
        "Issue a regular newsletter to schools, parents and councillors on progress with the high needs deficit recovery plan.",
        "Issue a regular newsletter to schools, parents and councillors on progress with the family hubs programme.",
    ),
]


@pytest.mark.parametrize(("a", "b"), END_CONTRASTS)
def test_a_phrase_swapped_at_the_start_or_end_is_a_contrast(a, b):
    assert contrast(_words(a), _words(b), ends=True)
    assert contrast(_words(b), _words(a), ends=True)
    assert not contrast(_words(a), _words(b))  # asked of two texts of one sentence each only


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # a clause added at the end: the same commitment, in more words
        (
            "Review the banding framework for top-up funding.",
            "Review the banding framework for top-up funding in consultation with schools.",
        ),
        # too little shared for the ends to say anything (fewer than CONTRAST_SHARED words)
        ("Expand resource bases.", "Expand outreach."),
    ],
)
def test_a_clause_added_at_an_end_or_a_short_text_is_no_contrast(a, b):
    assert not contrast(_words(a), _words(b), ends=True)


def test_a_sentence_of_its_own_added_to_a_template_is_no_swapped_end():
    """The seed's DfE template copies end in a sentence each agreement added: they still group."""
    text = {m.id: m.text for m in load_catalogue().measures}
    assert not one_sentence(text["bury-4"]) and not one_sentence(text["stoke-on-trent-5"])
    assert one_sentence("Reduce the use of INMSS placements by March 2024.")
    groups = group_measures(load_catalogue())
    together = next(g.members for g in groups if "bury-4" in g.members)
    assert set(together) == {"bury-4", "hammersmith-fulham-4", "stoke-on-trent-5"}


def test_another_form_of_one_word_is_no_contrast():
    a = "Reduce the use of independent school placements by increasing local provision."
    b = "Reduce the use of independent school places by increasing local provision."
    assert not contrast(_words(a), _words(b))


def test_a_template_turned_into_another_commitment_is_kept_out_of_its_group(monkeypatch):
    """A copy groups with its template; the near miss that swaps "secondary" for "primary" would
    join them on its words alone, and the contrast keeps it out."""
    template, near_miss = CONTRASTS[0]
    c = Catalogue(
        agreements=[Agreement(s, s.upper(), ()) for s in ("a", "b", "c")],
        measures=[Measure("a", 1, template), Measure("b", 1, template), Measure("c", 1, near_miss)],
    )

    def members(groups):
        return sorted(sorted(g.members) for g in groups)

    assert members(group_measures(c)) == [["a-1", "b-1"], ["c-1"]]
    monkeypatch.setattr(common, "_without_contrasts", lambda sims, nodes: sims)
    monkeypatch.setattr(common, "_SIMILARITY", {})  # the reading kept above had the contrast out
    assert members(group_measures(c)) == [["a-1", "b-1", "c-1"]]
