import pytest

from valvecheck.domain.rag import SCALE, Rag
from valvecheck.domain.rating import check_rating
from valvecheck.errors import InputError


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("green", Rag.GREEN),
        ("Green", Rag.GREEN),
        (" GREEN ", Rag.GREEN),
        ("G", Rag.GREEN),
        ("g", Rag.GREEN),
        ("amber", Rag.AMBER),
        ("Amber", Rag.AMBER),
        ("A", Rag.AMBER),
        ("Yellow", Rag.AMBER),
        ("yellow ", Rag.AMBER),
        ("red", Rag.RED),
        ("R", Rag.RED),
        ('"Red"', Rag.RED),
        ("unrated", Rag.UNRATED),
        ("not-applicable", Rag.NOT_APPLICABLE),
        ("Not applicable", Rag.NOT_APPLICABLE),
        ("n/a", Rag.NOT_APPLICABLE),
        ("not_applicable", Rag.NOT_APPLICABLE),
    ],
)
def test_parse_aliases(written, expected):
    assert Rag.parse(written) is expected


@pytest.mark.parametrize("written", ["purple", "", "gren", "5", "amber-ish"])
def test_parse_rejects_unknown_and_lists_allowed(written):
    with pytest.raises(InputError) as raised:
        Rag.parse(written)
    message = str(raised.value)
    for allowed in ("green", "amber", "red", "unrated", "not-applicable"):
        assert allowed in message


@pytest.mark.parametrize("blank", [None, "", "   ", '""'])
def test_blank_cell_is_unrated(blank):
    assert Rag.parse_cell(blank) is Rag.UNRATED


def test_seed_definitions_are_part_of_the_scale():
    assert Rag.GREEN.definition == "our work in this area is well scoped and progressing well"
    assert Rag.AMBER.definition == "our work in this area is emerging and developing"
    assert Rag.RED.definition.startswith("we are not currently doing anything in this space")
    assert "opportunity" in Rag.RED.definition


def test_every_rating_has_a_distinct_word_and_colour():
    assert len({r.label for r in SCALE}) == len(SCALE)
    assert len({r.colour for r in SCALE}) == len(SCALE)


def test_not_applicable_needs_a_reason():
    with pytest.raises(InputError):
        check_rating(Rag.NOT_APPLICABLE, "  ")
    check_rating(Rag.NOT_APPLICABLE, "we have no independent special schools")
    check_rating(Rag.RED, "")
