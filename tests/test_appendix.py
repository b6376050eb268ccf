"""The seed's document form: every quirk the seed teaches, and every problem code."""

from __future__ import annotations

import pytest

from valvecheck.catalogue.loader import load_assessment, load_catalogue, reference_authorities
from valvecheck.importers.appendix import read_appendix, to_catalogue

HEADER = "LA\tRecommendation\tTheme\tSub-Theme\tRAG"


def parse(text: str | bytes, year: str = ""):
    data = text.encode("utf-8") if isinstance(text, str) else text
    parsed, hints = read_appendix(data, "test.txt")
    assert parsed.problems == []
    catalogue, ratings, problems = to_catalogue(
        parsed.rows, "test.txt", reference_authorities(), year=year, source_title=hints.title
    )
    assert problems == []
    return catalogue, ratings


def test_seed_gives_exactly_the_bundled_catalogue_and_assessment(seed_path):
    catalogue, ratings = parse(seed_path.read_bytes(), year="2020-21")
    bundled = load_catalogue()
    assert catalogue.measures == bundled.measures
    assert catalogue.agreements == bundled.agreements
    assert catalogue.authorities == bundled.authorities
    assert catalogue.programme == bundled.programme
    assert ratings == load_assessment().ratings


def test_seed_facts(seed_path):
    catalogue, ratings = parse(seed_path.read_bytes())
    ids = [m.id for m in catalogue.measures]
    assert len(ids) == 27 and ids[0] == "bury-1" and ids[-1] == "stoke-on-trent-8"
    assert [a.slug for a in catalogue.agreements] == [
        "bury",
        "hammersmith-fulham",
        "kingston-richmond",
        "stoke-on-trent",
    ]
    bury1 = catalogue.measures[0]
    assert [p.sub_theme for p in bury1.placements] == ["EHCP Assessment and Review", "Transitions"]
    themes_with_commissioning = [
        t for t, subs in catalogue.programme.themes.items() if "Commissioning" in subs
    ]
    assert len(themes_with_commissioning) == 2
    counts = {}
    for rag in ratings.values():
        counts[rag.value] = counts.get(rag.value, 0) + 1
    assert counts == {"amber": 4, "red": 3, "green": 3}


def rows(*lines: str) -> str:
    return "\n".join([HEADER, *lines])


ROW = "Stoke on Trent\tReform post-16 offer.\tLocal Offer\t\tYellow"


@pytest.mark.parametrize(
    "text",
    [
        rows(ROW).replace("\n", "\r\n"),  # CRLF
        rows(ROW + "   "),  # trailing spaces
        rows('"Stoke on Trent"\t"Reform post-16 offer."\t"Local Offer"\t""\t"Yellow"'),  # quoted
        rows("Stoke-On-Trent\tReform post-16 offer.\tLocal Offer\t\tyellow"),  # name variant
        "\ufeff" + rows(ROW),  # BOM
        "APPENDIX A\n\nSome prose: about the table.\n\n" + rows(ROW) + "\n\nAPPENDIX A\n" + HEADER,
    ],
    ids=["crlf", "trailing-spaces", "quoted", "name-variant", "bom", "repeated-header"],
)
def test_variants_read_the_same(text):
    catalogue, ratings = parse(text)
    assert [m.id for m in catalogue.measures] == ["stoke-on-trent-1"]
    assert catalogue.measures[0].text == "Reform post-16 offer."
    assert catalogue.authorities[0].name == "Stoke-on-Trent"
    assert ratings == {"stoke-on-trent-1": ratings["stoke-on-trent-1"]}
    assert ratings["stoke-on-trent-1"].value == "amber"


def test_shared_agreement_and_unknown_authority():
    catalogue, _ = parse(
        rows(
            "Kingston Upon Thames/Richmond upon Thames\tDo a thing.\tT\t\t",
            "Newtown Borough Council\tDo another thing.\tT\tS\t",
            "Newtown Borough Council\tDo another thing.\tT\tS2\t",
        )
    )
    assert [m.id for m in catalogue.measures] == [
        "kingston-richmond-1",
        "newtown-1",
    ]
    assert len(catalogue.measures[1].placements) == 2


@pytest.mark.parametrize(
    ("text", "code", "line", "column"),
    [
        (b"", "empty-file", None, None),
        (b"   \n\n", "empty-file", None, None),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not-text", None, None),
        ("Just some prose\nwith no table at all.", "missing-header", None, None),
        ("LA\tRecommendation\tTheme\tRAG\nBury\tx\tT\tRed", "bad-header", 1, None),
        (rows("Bury\tDo a thing.\tT"), "missing-column", 2, "Sub-Theme"),
        (rows("Bury\tDo a thing.\tT\t\tPurple"), "unknown-rag", 2, "RAG"),
        (rows("\tDo a thing.\tT\t\t"), "missing-value", 2, "LA"),
        (rows("Bury\t\tT\t\t"), "missing-value", 2, "Recommendation"),
        (rows("Bury\tDo a thing.\t\tS\t"), "sub-theme-without-theme", 2, "Theme"),
        (rows("Bury\tDo a thing.\tT\t\t\tsurprise"), "extra-column", 2, "6"),
        (HEADER, "no-rows", None, None),
        (rows("Bury\tDo a thing.\tT\t\tN/A"), "reason-required", 2, "RAG"),
        (
            rows("Bury\tA \u2018quoted\u2019 thing.\tT\t\t").encode() + b"\nBury\t\xa3\tT\t\t",
            "mixed-encoding",
            3,
            "6",
        ),
    ],
)
def test_problem_codes(text, code, line, column):
    data = text.encode() if isinstance(text, str) else text
    parsed, _ = read_appendix(data, "bad.txt")
    assert parsed.problems, "expected a problem"
    problem = parsed.problems[0]
    assert (problem.code, problem.line, problem.column, problem.file) == (
        code,
        line,
        column,
        "bad.txt",
    )
    assert "bad.txt" in str(problem)


def test_all_bad_rows_are_reported_not_just_the_first():
    parsed, _ = read_appendix(
        rows("Bury\tA.\tT\t\tPurple", "Bury\tB.\tT", "Bury\tC.\tT\t\tGreen").encode(), "f.txt"
    )
    assert [(p.code, p.line) for p in parsed.problems] == [
        ("unknown-rag", 2),
        ("missing-column", 3),
    ]


def test_conflicting_ratings_for_a_repeated_recommendation():
    parsed, _ = read_appendix(
        rows("Bury\tA.\tT\tS1\tRed", "Bury\tA.\tT\tS2\tGreen").encode(), "f.txt"
    )
    _, _, problems = to_catalogue(parsed.rows, "f.txt", reference_authorities())
    assert [(p.code, p.line, p.column) for p in problems] == [("conflicting-rag", 3, "RAG")]


def test_a_second_agreement_of_another_year_is_its_own_agreement():
    text = rows("Bury\tFirst agreement measure.\tT\t\t")
    parsed, _ = read_appendix(text.encode(), "f.txt")
    catalogue, _, _ = to_catalogue(
        parsed.rows, "f.txt", reference_authorities(), year="2023-24", existing={"bury": "2020-21"}
    )
    assert [a.slug for a in catalogue.agreements] == ["bury-2023-24"]
    assert [m.id for m in catalogue.measures] == ["bury-2023-24-1"]
    # the same year, or no year given, is the same agreement
    for year in ("2020-21", ""):
        catalogue, _, _ = to_catalogue(
            parsed.rows, "f.txt", reference_authorities(), year=year, existing={"bury": "2020-21"}
        )
        assert [m.id for m in catalogue.measures] == ["bury-1"]


def test_one_file_with_two_years_for_one_council_gives_two_agreements():
    parsed, _ = read_appendix(rows("Bury\tA.\tT\t\t", "Bury\tB.\tT\t\t").encode(), "f.txt")
    first, second = parsed.rows
    from dataclasses import replace

    both = [replace(first, year="2020-21"), replace(second, year="2022-23")]
    catalogue, _, _ = to_catalogue(both, "f.txt", reference_authorities())
    assert [m.id for m in catalogue.measures] == ["bury-1", "bury-2022-23-1"]


@pytest.mark.parametrize(
    ("written", "year"),
    [
        ("2020-21", "2020-21"),
        ("2020/21", "2020-21"),
        (" 2020-21 ", "2020-21"),
        ("2020-2021", "2020-21"),
        ("2020 – 21", "2020-21"),
        ("1999-00", "1999-00"),
        ("2021", "2021"),
        ("", ""),
    ],
)
def test_agreement_year_spellings(written, year):
    from valvecheck.domain.names import agreement_year

    assert agreement_year(written) == year


@pytest.mark.parametrize("written", ["twenty", "2021-23", "2020-2022", "21-22", "2020-21x"])
def test_agreement_year_refused(written):
    from valvecheck.domain.names import agreement_year
    from valvecheck.errors import InputError

    with pytest.raises(InputError, match="2020-21"):
        agreement_year(written)


@pytest.mark.parametrize(
    ("written", "core"),
    [
        ("North Somerset Council", "North Somerset"),
        ("London Borough of Hammersmith and Fulham", "Hammersmith and Fulham"),
        ("Royal Borough of Kingston upon Thames", "Kingston upon Thames"),
        ("Kingston upon Hull City Council", "Kingston upon Hull"),
        ("Norfolk County Council", "Norfolk"),
        ("Barnsley Metropolitan Borough Council", "Barnsley"),
        ("Bury MBC", "Bury"),
        ("Council", "Council"),
    ],
)
def test_core_name(written, core):
    from valvecheck.domain.authorities import core_name

    assert core_name(written) == core


def test_council_and_its_plain_name_are_one_authority():
    catalogue, _ = parse(
        rows(
            "North Somerset Council\tA.\tT\t\t", "North Somerset\tB.\tT\t\t", "Bury MBC\tC.\tT\t\t"
        )
    )
    assert [a.slug for a in catalogue.agreements] == ["north-somerset", "bury"]
    assert catalogue.authorities[0].name == "North Somerset"
    assert [m.id for m in catalogue.measures] == ["north-somerset-1", "north-somerset-2", "bury-1"]


def test_prose_with_tabs_before_the_table_is_prose():
    text = (
        "Two goals:\n\u2022\tmanaging demand for EHCPs\n\u2022\tcost-effective provision\n"
        "Hammersmith & Fulham has cross-referenced its programme.\n" + rows(ROW)
    )
    parsed, hints = read_appendix(text.encode(), "f.txt")
    assert parsed.problems == [] and len(parsed.rows) == 1
    assert hints.council == "Hammersmith & Fulham"
