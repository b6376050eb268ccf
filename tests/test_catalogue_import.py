"""import catalogue: the seed's table as Word, PDF, Excel and CSV files reads to the bundled catalogue."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from catalogue_files import build_csv, build_docx, build_xlsx, to_pdf
from conftest import SEED, need
from sqlalchemy import func, select
from support import load_state

from valvecheck.catalogue.loader import load_assessment, load_catalogue
from valvecheck.domain.model import Catalogue
from valvecheck.importers.catalogue_pdf import read_pdf
from valvecheck.store import repository as repo
from valvecheck.store.db import Workspace
from valvecheck.store.models import CouncilRow, MeasureRow, MeasureVersionRow


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The seed's appendix as .docx, .pdf (LibreOffice from that .docx), .xlsx and .csv."""
    need(SEED.exists(), f"the seed file is not at {SEED}")
    folder = tmp_path_factory.mktemp("appendix")
    docx = build_docx(SEED, folder / "appendix.docx")
    out = {
        "docx": docx,
        "xlsx": build_xlsx(SEED, folder / "appendix.xlsx"),
        "csv": build_csv(SEED, folder / "appendix.csv"),
    }
    if shutil.which("libreoffice"):
        out["pdf"] = to_pdf(docx, folder, folder / "lo-profile")
    return out


def catalogue_of(ws: Workspace) -> Catalogue:
    """The catalogue with the placements of the workspace's council (its first and only)."""
    with ws.session(all_councils=True) as session:  # as maintenance: a council's rows too
        council = session.scalar(select(func.min(CouncilRow.id)))
        return repo.load_catalogue(session, council)


def assert_bundled(found: Catalogue) -> None:
    bundled = load_catalogue()
    assert [(m.id, m.text, m.placements) for m in found.measures] == [
        (m.id, m.text, m.placements) for m in bundled.measures
    ]
    assert found.agreements == bundled.agreements
    assert found.authorities == bundled.authorities
    assert found.programme == bundled.programme


@pytest.mark.parametrize("kind", ["docx", "pdf", "xlsx", "csv"])
def test_seed_table_imports_to_the_bundled_catalogue(kind, files, empty_ws, cli):
    if kind == "pdf":
        need("pdf" in files, "libreoffice is not installed")
    path = files[kind]
    extra = ["--source-title", "DfE Safety Valve Agreements: Mitigation Validation Exercise"]
    code, out, err = cli(
        "import",
        "catalogue",
        str(path),
        "--agreement-year",
        "2020-21",
        *extra[: 2 * (kind == "csv")],
    )
    assert code == 0, err
    assert "27 new measures" in out
    found = catalogue_of(empty_ws)
    assert_bundled(found)
    # the RAG column became the same ratings as the seed's assessment (10 of 27 rated)
    rated = {k: v for k, v in load_state(empty_ws).ratings.items() if v.value != "unrated"}
    assert rated == load_assessment().ratings
    locators = {m.id: m.source_locator for m in found.measures}
    expected = {
        "docx": r"table row \d+",
        "pdf": r"page \d, row \d+",
        "xlsx": r"sheet Appendix A, row \d+",
        "csv": r"row \d+",
    }[kind]
    assert all(re.fullmatch(expected, loc) for loc in locators.values()), locators
    if kind in ("docx", "pdf"):
        # both count the table's data rows as the bundled catalogue does
        bundled = {m.id: m.source_locator for m in load_catalogue().measures}
        assert {k: v.split("row ")[-1] for k, v in locators.items()} == {
            k: v.split("row ")[-1] for k, v in bundled.items()
        }
    if kind == "pdf":
        pages = {int(v.split(",")[0].split()[-1]) for v in locators.values()}
        assert len(pages) > 1  # the table really did run over pages


@pytest.fixture(scope="module")
def one_table_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed as one Word table, each authority's LA cell merged down over all its rows (so over
    page breaks too), printed to PDF by LibreOffice."""
    need(SEED.exists(), f"the seed file is not at {SEED}")
    need(shutil.which("libreoffice") is not None, "libreoffice is not installed")
    folder = tmp_path_factory.mktemp("one-table")
    docx = build_docx(SEED, folder / "one-table.docx", one_table=True)
    return to_pdf(docx, folder, folder / "lo-profile")


def test_la_merged_over_a_page_break_imports_to_the_bundled_catalogue(one_table_pdf, empty_ws, cli):
    # the PDF really has a page whose table starts with rows of an empty LA, carried on from before
    blocks = read_pdf(one_table_pdf.read_bytes(), str(one_table_pdf)).blocks
    tops = [next(r for r in b.rows if r.line == 2) for b in blocks[1:] if b.continues]
    assert tops and any(r.cells[0] == "" for r in tops), tops
    code, out, err = cli("import", "catalogue", str(one_table_pdf), "--agreement-year", "2020-21")
    assert code == 0, err
    assert "27 new measures" in out
    assert_bundled(catalogue_of(empty_ws))


def test_reimport_changes_nothing(files, ws, cli):
    before = cli("export", "--format", "json")[1]
    for _ in range(2):
        code, out, err = cli(
            "import", "catalogue", str(files["docx"]), "--agreement-year", "2020-21"
        )
        assert code == 0, err
        assert "0 new measures, 0 revised, 0 new agreements, 0 new placements" in out
        assert cli("export", "--format", "json")[1] == before


def test_changed_text_is_a_new_version_with_the_old_kept(files, ws, cli, tmp_path):
    old = load_catalogue().measure("bury-4")
    assert old is not None
    changed = build_docx(SEED, tmp_path / "appendix-2.docx", texts={5: "Support schools in Bury."})
    args = ("import", "catalogue", str(changed), "--source", "https://example.org/a2", "--revise")
    # A revision is shown first and applied only when confirmed.
    code, out, err = cli(*args)
    assert code == 0, err
    assert "would change 1 measure text" in out and "Support schools in Bury." in out
    assert "Nothing was changed" in out
    assert old.text in cli("show", "bury-4")[1]
    code, out, err = cli(*args, "--yes")
    assert code == 0, err
    assert "0 new measures, 1 revised" in out
    with ws.session() as session:
        row = session.scalar(select(MeasureRow).where(MeasureRow.code == "bury-4"))
        assert (row.text, row.version, row.source_url) == (
            "Support schools in Bury.",
            2,
            "https://example.org/a2",
        )
        kept = session.scalars(select(MeasureVersionRow)).all()
        assert [(v.measure_id, v.version, v.text) for v in kept] == [(row.id, 1, old.text)]
    code, out, _ = cli("show", "bury-4")
    assert "Support schools in Bury." in out and "<https://example.org/a2>" in out
    assert "Version 2: 1 earlier text kept" in out


def test_provenance_in_show_and_exports(files, empty_ws, cli):
    url = "https://democracy.bristol.gov.uk/appendix-a.pdf"
    code, _, err = cli(
        "import", "catalogue", str(files["docx"]), "--agreement-year", "2020-21", "--source", url
    )
    assert code == 0, err
    code, out, _ = cli("show", "kingston-richmond-4")
    assert "Authorities: Kingston upon Thames, Richmond upon Thames" in out
    assert "2020-21" in out
    assert (
        f"Source: DfE Safety Valve Agreements: Mitigation Validation Exercise, table row 16 <{url}>"
        in out
    )
    assert re.search(r"Imported: \d{4}-\d\d-\d\d", out)
    records = json.loads(cli("export", "--format", "json")[1])["measures"]
    first = next(r for r in records if r["id"] == "kingston-richmond-4")
    assert (first["year"], first["source_url"], first["source_locator"]) == (
        "2020-21",
        url,
        "table row 16",
    )
    assert first["imported_at"].startswith(out.split("Imported: ")[1][:10])
    header = cli("export", "--format", "csv")[1].splitlines()[0].split(",")
    assert {"year", "source", "source_url", "source_locator", "imported_at"} <= set(header)


def test_column_map_and_problems_name_the_files_own_headings(empty_ws, cli, tmp_path):
    path = build_csv(
        SEED,
        tmp_path / "renamed.csv",
        ["Local area", "Measure text", "Theme", "Sub-Theme", "Colour"],
    )
    mapping = "Recommendation=Measure text,LA=Local area,RAG=Colour"
    code, out, err = cli("import", "catalogue", str(path), "--column-map", mapping)
    assert code == 0, err
    assert [m.text for m in catalogue_of(empty_ws).measures] == [
        m.text for m in load_catalogue().measures
    ]
    text = path.read_text(encoding="utf-8").replace("Yellow", "Purple", 1)
    (bad := tmp_path / "bad.csv").write_text(text, encoding="utf-8")
    code, _, err = cli("import", "catalogue", str(bad), "--column-map", mapping)
    assert code == 1
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if "Purple" in t)
    assert f"bad.csv, line {line}, column Colour:" in err and "[unknown-rag]" in err


def test_a_column_map_to_a_heading_the_file_lacks_says_so(cli, tmp_path):
    cli("init", "--empty")
    f = tmp_path / "s1.csv"
    f.write_text("LA,Measure text,Theme\nBury,Do x,T\n")
    code, _, err = cli("import", "catalogue", str(f), "--column-map", "Recommendation=Nope")
    assert code == 1
    assert "column map says the Recommendation column is headed 'nope'" in err
    assert "LA, Measure text, Theme" in err
