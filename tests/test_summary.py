"""Coverage arithmetic on small hand-made catalogues (no database), and the coverage line
everywhere it is printed."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

import pytest
from web_support import page, site, site_template, text  # noqa: F401 (fixtures)

from valvecheck.analysis.summary import coverage, coverage_base, summarise
from valvecheck.domain.model import Agreement, Authority, Catalogue, Measure, Placement
from valvecheck.domain.rag import Rag


def small() -> Catalogue:
    c = Catalogue(
        authorities=[Authority("a", "A"), Authority("b", "B")],
        agreements=[Agreement("a", "A", ("a",)), Agreement("b", "B", ("b",))],
    )
    c.measures = [
        Measure("a", 1, "two sub-themes", (Placement("T1", "S1"), Placement("T1", "S2"))),
        Measure("a", 2, "theme only", (Placement("T1"),)),
        Measure("b", 1, "same sub-theme name, other theme", (Placement("T2", "S1"),)),
        Measure("b", 2, "not placed"),
    ]
    for m in c.measures:
        for p in m.placements:
            c.programme.add(p.theme, p.sub_theme)
    return c


def test_a_measure_with_two_sub_themes_counts_under_each_and_once_under_its_theme():
    s = summarise(small(), {"a-1": Rag.GREEN, "b-1": Rag.RED})
    t1 = next(t for t in s.themes if t.name == "T1")
    assert len(t1.measure_ids) == 2
    assert {sub.name: sub.measure_ids for sub in t1.sub_themes} == {"S1": ["a-1"], "S2": ["a-1"]}
    t2 = next(t for t in s.themes if t.name == "T2")
    assert t2.sub_themes[0].measure_ids == ["b-1"]
    assert t2.rag["red"] == 1


def test_unplaced_measures_are_counted_not_lost():
    s = summarise(small(), {})
    assert sum(1 for t in s.themes for _ in t.measure_ids) == 4
    assert s.measures == 4


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        ({}, 0.0),
        ({"a-1": Rag.GREEN}, 1 / 4),
        ({"a-1": Rag.GREEN, "a-2": Rag.AMBER}, 2 / 4),
        ({"a-1": Rag.GREEN, "b-2": Rag.NOT_APPLICABLE}, 1 / 3),
        ({"a-1": Rag.RED, "a-2": Rag.RED}, 0.0),
    ],
)
def test_coverage_is_green_and_amber_over_applicable(ratings, expected):
    s = summarise(small(), ratings)
    assert s.coverage == pytest.approx(expected)


def test_coverage_of_nothing_is_zero():
    assert coverage({r.value: 0 for r in Rag}) == 0.0


@pytest.mark.parametrize(
    ("counts", "said"),
    [
        ({"green": 1, "red": 26, "not_applicable": 0}, "27 measures"),
        ({"green": 1, "red": 36, "not_applicable": 1}, "37 applicable measures"),
        ({"green": 1, "not_applicable": 3}, "1 applicable measure"),
    ],
)
def test_coverage_says_its_base(counts, said):
    assert coverage_base(counts) == said


def test_the_coverage_line_names_the_measures_it_is_a_share_of_everywhere(site, cli, tmp_path):
    """One measure not applicable: 7 of the seed's 27 are green or amber, so 7/26 = 27%."""
    from valvecheck.services import ratings
    from valvecheck.services.measures import load_state
    from valvecheck.services.workspace import unit_of_work

    with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        measure = next(v.id for v in load_state(ctx).views if not v.history)
        ratings.rate(ctx, measure, "not-applicable", "an academy trust's duty")
    db = site.ws.engine.url.database or ""
    code, out, err = cli("--council", "Bristol", "summary", db=db)
    assert code == 0, err
    assert "Coverage (green + amber): 27% of 26 applicable measures (27 in all) from " in out
    code, _, err = cli("--council", "Bristol", "report", "-f", "md", "-o", str(tmp_path), db=db)
    assert code == 0, err
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "27 measures; coverage (green and amber) 27% of 26 applicable measures." in markdown
    board = page(site.client("ed").get("/"))
    said = " ".join(text(p) for p in board.iter() if p.tag.endswith("}p") or p.tag == "p")
    assert "coverage (green or amber) of 26 applicable measures" in said
