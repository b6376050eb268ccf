"""Measure numbers when an agreement's document is imported again."""

import json

import pytest

from valvecheck.domain.numbering import SIMILAR, number_measures, similarity

OLD = {1: "A", 2: "B", 3: "C"}


@pytest.mark.parametrize(
    ("incoming", "expected"),
    [
        (["A", "B", "C"], [1, 2, 3]),  # the same document
        (["a ", "B", "C"], [1, 2, 3]),  # case and spacing do not make a new text
        (["A", "X", "B", "C"], [1, 4, 2, 3]),  # inserted mid-list: one new measure
        (["X", "A", "B", "C"], [4, 1, 2, 3]),
        (["A", "B2", "C"], [1, 4, 3]),  # edited in place: a new text is a new measure
        (["A", "C"], [1, 3]),  # removed from the document: C keeps its number
        (["C", "B", "A"], [3, 2, 1]),  # reordered
        (["A", "B", "C", "D"], [1, 2, 3, 4]),  # added at the end
    ],
)
def test_numbers_follow_the_text(incoming, expected):
    assert number_measures(incoming, OLD) == expected


# An agreement's measures in real words, and rewordings of each as a revised document has them.
TEXTS = {
    1: "Review and reform of the Alternative Provision (AP) model and pathways.",
    2: "Review and reform of outreach services to create savings from the high needs block.",
    3: "Development of a more robust local offer.",
    4: "Implementation of a case management system to facilitate prompt decisions.",
}
REWORDED = {
    1: "Review and reform of the Alternative Provision (AP) model and pathways by March 2024.",
    2: "Review and reform of outreach services to create savings from the high needs block "
    "and the schools block.",
    3: "Development of a more robust and inclusive local offer.",
    4: "Implementation of a new case management system to facilitate prompt decisions.",
}
NEW = "Create a SEND sufficiency capital programme for 300 new specialist places."


@pytest.mark.parametrize(
    ("incoming", "expected"),
    [
        ([TEXTS[1], REWORDED[2], TEXTS[3], TEXTS[4]], [1, 2, 3, 4]),  # edited in place
        ([TEXTS[1], NEW, TEXTS[2], TEXTS[3], TEXTS[4]], [1, 5, 2, 3, 4]),  # inserted: one new
        ([REWORDED[2], TEXTS[1]], [2, 1]),  # moved and partial: still paired by its words
        ([REWORDED[4]], [4]),  # a one-row file revising the last measure revises only it
        ([REWORDED[3], REWORDED[1]], [3, 1]),  # partial and out of order
        ([TEXTS[1], TEXTS[3], REWORDED[4]], [1, 3, 4]),  # a measure dropped before a reworded one
        ([NEW], [5]),  # a text like none of the measures is new, never a rewrite of measure 1
        ([TEXTS[2], NEW], [2, 5]),
        ([NEW, TEXTS[3]], [5, 3]),  # at row 1 of a partial file: not a rewrite of measure 1
        # the whole agreement with measure 2 rewritten, however much: it stands in 2's place
        ([TEXTS[1], NEW, TEXTS[3], TEXTS[4]], [1, 2, 3, 4]),
        ([NEW, TEXTS[2], TEXTS[3], TEXTS[4]], [1, 2, 3, 4]),
        ([TEXTS[1], TEXTS[2], TEXTS[3], NEW], [1, 2, 3, 4]),
    ],
)
def test_a_revision_pairs_changed_texts_by_their_words_or_their_place_among_the_others(
    incoming, expected
):
    assert number_measures(incoming, TEXTS, revise=True) == expected


def test_two_measures_on_one_template_are_not_a_revision_of_each_other():
    # Like the seed's two most alike measures of one agreement ("Review and reform of ...").
    assert similarity(TEXTS[1], TEXTS[2]) < SIMILAR
    assert number_measures([TEXTS[2]], {1: TEXTS[1], 3: TEXTS[3]}, revise=True) == [4]
    for n, text in REWORDED.items():
        assert similarity(text, TEXTS[n]) >= SIMILAR


def test_a_new_agreement_is_numbered_in_document_order():
    assert number_measures(["x", "y", "z"]) == [1, 2, 3]


def test_reimport_with_an_inserted_recommendation_adds_one_measure(cli, tmp_path):
    cli("init", "--empty")
    header = "LA\tRecommendation\tTheme\tSub-Theme\tRAG\n"
    first = tmp_path / "v1.txt"
    first.write_text(header + "Bury\tAlpha.\tT\t\t\nBury\tBeta.\tT\t\t\nBury\tGamma.\tT\t\tRed\n")
    second = tmp_path / "v2.txt"
    second.write_text(
        header + "Bury\tAlpha.\tT\t\t\nBury\tNew one.\tT\t\t\nBury\tBeta.\tT\t\t\n"
        "Bury\tGamma.\tT\t\tRed\n"
    )
    assert cli("import", "appendix", str(first))[0] == 0
    code, out, err = cli("import", "appendix", str(second))
    assert code == 0, err
    assert "1 new measure, 0 revised" in out
    data = json.loads(cli("export", "--format", "json")[1])
    got = {m["id"]: (m["recommendation"], m["rag"]) for m in data["measures"]}
    assert got == {
        "bury-1": ("Alpha.", "unrated"),
        "bury-2": ("Beta.", "unrated"),
        "bury-3": ("Gamma.", "red"),
        "bury-4": ("New one.", "unrated"),
    }
