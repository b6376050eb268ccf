"""Measure numbers when an agreement's document is imported again."""

import json

import pytest

from valvecheck.domain.numbering import number_measures

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


@pytest.mark.parametrize(
    ("incoming", "expected"),
    [
        (["A", "B2", "C"], [1, 2, 3]),  # edited in place: a revision of 2
        (["A", "X", "B", "C"], [1, 4, 2, 3]),  # inserted mid-list: still one new measure
        (["B2", "A"], [4, 1]),  # B2 stands in place 1, which A (unchanged, moved) keeps
    ],
)
def test_a_revision_numbers_changed_texts_by_place(incoming, expected):
    assert number_measures(incoming, OLD, revise=True) == expected


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
    assert "1 new measures, 0 revised" in out
    data = json.loads(cli("export", "--format", "json")[1])
    got = {m["id"]: (m["recommendation"], m["rag"]) for m in data["measures"]}
    assert got == {
        "bury-1": ("Alpha.", "unrated"),
        "bury-2": ("Beta.", "unrated"),
        "bury-3": ("Gamma.", "red"),
        "bury-4": ("New one.", "unrated"),
    }
