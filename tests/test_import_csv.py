"""CSV as the csv module reads it (a doubled quote anywhere in the file), and what each row says
of itself (its own source URL) kept per row, into the workspace and the data package."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from valvecheck.catalogue.loader import reference_authorities
from valvecheck.importers.activities import read_activities
from valvecheck.importers.appendix import to_catalogue
from valvecheck.importers.catalogue import read_catalogue

QUOTED = 'Deliver the "Inclusion Charter" across all schools, as agreed'
FILLER = "Support schools to meet need in mainstream settings"


def _text(rows: list[list[str]], delimiter: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_a_doubled_quote_past_the_first_8_kb_is_read_as_one_quote(delimiter):
    rows = [["LA", "Recommendation", "Theme"]]
    rows += [["Bury", f"{FILLER} ({n})", "Demand"] for n in range(1, 200)]
    rows.append(["Bury", QUOTED, "Demand"])
    data = _text(rows, delimiter).encode()
    assert data.index(b'""') > 8192 and b'"' not in data[:8192]
    found = read_catalogue(data, "measures.csv")
    assert not found.problems, found.problems
    assert found.rows[-1].recommendation == QUOTED
    assert len(found.rows) == 200


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_activities_a_doubled_quote_after_the_header_line_is_read_as_one_quote(delimiter):
    rows = [["ID", "Title", "Description"]]
    rows += [[f"a-{n}", f"Activity {n}", f"{FILLER} ({n})"] for n in range(1, 200)]
    rows.append(["a-200", "Charter", QUOTED])
    data = _text(rows, delimiter).encode()
    assert data.index(b'""') > 8192 and b'"' not in data[:8192]
    parsed = read_activities(data, "activities.csv")
    assert not parsed.problems, parsed.problems
    assert parsed.rows[-1].description == QUOTED and len(parsed.rows) == 200


def test_a_semicolon_file_whose_cells_hold_commas_is_split_on_semicolons():
    text = "LA;Recommendation;Theme\nBury;Review, reform and recommission outreach;Finance\n"
    found = read_catalogue(text.encode(), "m.csv")
    assert [(r.la, r.recommendation, r.theme) for r in found.rows] == [
        ("Bury", "Review, reform and recommission outreach", "Finance")
    ]


URLS = [f"https://www.gov.uk/government/publications/bury-{n}" for n in range(1, 4)]


def _sourced(tmp_path: Path) -> Path:
    path = tmp_path / "sourced.csv"
    rows = [["LA", "Recommendation", "Year", "Source URL"]]
    rows += [["Bury", f"Measure {n}.", "2020-21", url] for n, url in enumerate(URLS, start=1)]
    path.write_text(_text(rows, ","), encoding="utf-8")
    return path


def test_a_source_url_on_each_row_is_kept_on_each_measure(tmp_path):
    path = _sourced(tmp_path)
    found = read_catalogue(path.read_bytes(), path.name)
    catalogue, _, problems = to_catalogue(found.rows, path.name, reference_authorities())
    assert not problems
    assert [m.source_url for m in catalogue.measures] == URLS


def test_each_rows_source_url_reaches_show_and_the_data_package(tmp_path, cli):
    path = _sourced(tmp_path)
    assert cli("init", "--empty")[0] == 0
    code, _, err = cli("import", "catalogue", str(path))
    assert code == 0, err
    code, out, _ = cli("show", "bury-3")
    assert f"<{URLS[2]}>" in out
    code, _, err = cli("export", "--format", "datapackage", "--out", str(tmp_path / "pkg"))
    assert code == 0, err
    descriptor = json.loads((tmp_path / "pkg" / "datapackage.json").read_text())
    measures = next(r for r in descriptor["resources"] if r["name"] == "measures")["path"]
    with (tmp_path / "pkg" / measures).open(encoding="utf-8") as f:
        assert [r["source_url"] for r in csv.DictReader(f)] == URLS
