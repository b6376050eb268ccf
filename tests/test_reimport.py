"""A re-import never rewrites a measure: a measure is its agreement's text, not its place in a file.

A file that is a subset, a reordering or a repetition of an agreement adds or confirms; only an
explicit revision changes a text, and then the ratings on it need review.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from catalogue_files import seed_rows
from conftest import SEED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import admin

from valvecheck.services import imports, summary
from valvecheck.services.workspace import init_workspace
from valvecheck.store.db import Workspace

HEADER = "LA\tRecommendation\tTheme\tSub-Theme\tRAG\n"
ROWS = seed_rows(SEED)


def appendix(rows: list[list[str]]) -> bytes:
    return (HEADER + "".join("\t".join(r) + "\n" for r in rows)).encode()


def state(ws: Workspace) -> dict[str, tuple[str, str, str]]:
    """Every measure's text, rating and rationale."""
    with admin(ws, write=False) as ctx:
        data = json.loads(summary.export(ctx, "json"))
    return {m["id"]: (m["recommendation"], m["rag"], m["rationale"]) for m in data["measures"]}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "seed.db"
    ws = Workspace(str(path))
    init_workspace(ws)
    ws.dispose()
    return path


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(picks=st.lists(st.integers(min_value=0, max_value=len(ROWS) - 1), min_size=1, max_size=40))
def test_any_subset_reordering_or_repetition_changes_nothing(template, tmp_path, picks):
    db = tmp_path / f"w{abs(hash(tuple(picks)))}.db"
    shutil.copy(template, db)
    ws = Workspace(str(db))
    before = state(ws)
    with admin(ws) as ctx:
        done = imports.import_appendix(ctx, appendix([ROWS[i] for i in picks]), "variant.txt")
    assert done.added["measures"] == 0 and done.added["revised"] == 0
    assert state(ws) == before
    ws.dispose()
    db.unlink()


def test_a_reworded_row_is_refused_never_a_second_measure_nor_a_rewrite(ws, cli, tmp_path):
    """Hammersmith and Fulham's rows with row 6 reworded: a plain import neither adds a second
    copy of measure 6 beside the old one nor rewrites it; it says to run with --revise."""
    hf = [r[:] for r in ROWS if r[0] == "Hammersmith and Fulham"]
    hf[5][1] = "Reworded: " + hf[5][1]
    before = state(ws)
    path = tmp_path / "hf.txt"
    path.write_bytes(appendix(hf))
    code, out, err = cli("import", "appendix", str(path))
    assert code == 1, out
    flat = " ".join(err.split())
    assert f"{path}, line 7, column Recommendation: this text rewords measure" in flat
    assert "hammersmith-fulham-6" in flat and "--revise" in flat and "[reworded-measure]" in flat
    assert state(ws) == before  # nothing written: no new measure, hammersmith-fulham-6 kept


def test_a_reworded_catalogue_row_is_refused_and_revise_still_revises_it(ws, cli, tmp_path):
    """The reviewer's case: `import catalogue` of a whole agreement with one row reworded."""
    bury = [r[:] for r in ROWS if r[0] == "Bury"]
    bury[2][1] = bury[2][1].rstrip(".") + " during 2023-24 and 2024-25."  # bury-2
    path = tmp_path / "bury-v2.csv"
    path.write_text(
        "LA,Recommendation,Theme,Sub-Theme\n"
        + "".join(f'{r[0]},"{r[1]}",{r[2]},{r[3]}\n' for r in bury)
    )
    before = state(ws)
    code, out, err = cli("import", "catalogue", str(path))
    assert code == 1, out
    flat = " ".join(err.split())
    assert f"{path}, line 4, column Recommendation: this text rewords measure bury-2" in flat
    assert "run again with --revise" in flat and "nothing was imported" in flat
    assert state(ws) == before
    code, out, err = cli("import", "catalogue", str(path), "--revise", "--yes")
    assert code == 0, err
    assert "0 new measures, 1 revised" in out
    assert state(ws)["bury-2"][0] == bury[2][1] and len(state(ws)) == len(before)


def test_a_changed_text_standing_in_a_left_out_measures_place_is_refused(ws, cli, tmp_path):
    """A whole agreement with row 6 rewritten beyond recognition: a revision would take it as
    measure 6's new text, so a plain import refuses it rather than guess."""
    hf = [r[:] for r in ROWS if r[0] == "Hammersmith and Fulham"]
    hf[5][1] = "Open a new special free school for 120 autistic children by September 2026."
    path = tmp_path / "hf.txt"
    path.write_bytes(appendix(hf))
    before = state(ws)
    code, _, err = cli("import", "appendix", str(path))
    assert code == 1
    assert "stands in the place of measure hammersmith-fulham-6" in " ".join(err.split())
    assert state(ws) == before


def test_a_reworded_row_beside_its_old_row_is_a_new_measure(ws, cli, tmp_path):
    """What the refusal advises for a genuinely new measure: keep the old row in the file too."""
    hf = [r[:] for r in ROWS if r[0] == "Hammersmith and Fulham"]
    new = [*hf[5][:1], "Reworded: " + hf[5][1], *hf[5][2:]]
    before = state(ws)
    path = tmp_path / "hf.txt"
    path.write_bytes(appendix([*hf, new]))
    code, out, err = cli("import", "appendix", str(path))
    assert code == 0, err
    assert "1 new measure, 0 revised" in out
    after = state(ws)
    assert {k: after[k] for k in before} == before
    (added,) = set(after) - set(before)
    assert after[added][0] == new[1]


@pytest.mark.parametrize(
    "rows",
    [
        [ROWS[2], ROWS[2]],  # a two-row Bury file whose second row repeats the first
        [ROWS[3]],  # a one-row appendix file
        [ROWS[5], ROWS[2], ROWS[3]],  # out of order
    ],
    ids=["repeated", "one-row", "reordered"],
)
def test_a_partial_file_confirms_and_never_renumbers(ws, cli, tmp_path, rows):
    before = state(ws)
    path = tmp_path / "part.txt"
    path.write_bytes(appendix(rows))
    code, out, err = cli("import", "appendix", str(path))
    assert code == 0, err
    assert "0 new measures, 0 revised" in out
    assert state(ws) == before


def test_a_revision_is_explicit_and_its_ratings_need_review(ws, cli, tmp_path):
    hf = [r[:] for r in ROWS if r[0] == "Hammersmith and Fulham"]
    old = hf[5][1]
    hf[5][1] = old.replace("Hammersmith and Fulham", "H&F", 1) + " Revised in 2023."
    path = tmp_path / "hf-2023.txt"
    path.write_bytes(appendix(hf))
    code, out, _ = cli("import", "appendix", str(path), "--revise")
    assert code == 0 and "would change 1 measure text" in out and "Nothing was changed" in out
    assert state(ws)["hammersmith-fulham-6"][0] == old
    code, out, err = cli("import", "appendix", str(path), "--revise", "--yes")
    assert code == 0, err
    assert "1 revised" in out and "need review" in out
    assert state(ws)["hammersmith-fulham-6"] == (hf[5][1], "green", "as rated in the seed appendix")
    data = json.loads(cli("summary", "--json")[1])
    assert data["needs_review"] == ["hammersmith-fulham-6"]
    assert "Needs review" in cli("show", "hammersmith-fulham-6")[1]
    assert "hammersmith-fulham-6" in cli("summary")[1].split("Needs review")[1]
    # Rating it again, against the new text, settles the review.
    cli("rate", "hammersmith-fulham-6", "green", "--rationale", "checked against the 2023 text")
    assert json.loads(cli("summary", "--json")[1])["needs_review"] == []


def test_a_theme_retyped_in_another_case_or_punctuation_is_the_same_theme(ws, cli, tmp_path):
    """A Word table retyped: "FINANCIAL EFFICIENCIES" / "commissioning", or "Data Outcomes and
    Digital" without its comma, is the theme already there; no second theme, no second placement."""
    rows = [
        ("Financial Efficiencies", "Commissioning"),
        ("FINANCIAL EFFICIENCIES", "commissioning"),
        ("Financial  Efficiencies", "Commissioning"),
    ]
    for n, (theme, sub) in enumerate(rows):
        path = tmp_path / f"t{n}.csv"
        path.write_text(
            "LA,Recommendation,Theme,Sub-Theme\n"
            f"Leeds,Commission a new SEND transport framework,{theme},{sub}\n"
        )
        code, out, err = cli("import", "catalogue", str(path), "--agreement-year", "2024-25")
        assert code == 0, err
        assert ("1 new placement" in out) == (n == 0), out
    shown = cli("show", "leeds-1")[1]
    assert shown.count("Placed under:") == 1
    names = [t["name"] for t in json.loads(cli("summary", "--json")[1])["themes"]]
    assert names.count("Financial Efficiencies") == 1 and "FINANCIAL EFFICIENCIES" not in names
