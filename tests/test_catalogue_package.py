"""export --format datapackage: valid by the real frictionless validator, and it reads back whole."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import frictionless
import pytest
from catalogue_files import build_docx
from conftest import SEED

from valvecheck.catalogue.datapackage import RESOURCES
from valvecheck.services.workspace import init_workspace
from valvecheck.store.db import Workspace


@pytest.fixture
def revised(ws, cli, tmp_path):  # type: ignore[no-untyped-def]
    """The bundled workspace after a second document changed bury-4's text and added a URL, and
    an administrator decided bury-1 and stoke-on-trent-2 are one commitment."""
    doc = build_docx(SEED, tmp_path / "appendix-2023.docx", texts={5: "Support schools in Bury."})
    code, _, err = cli(
        "import", "catalogue", str(doc), "--source", "https://example.org/a", "--revise", "--yes"
    )
    assert code == 0, err
    code, _, err = cli("same-as", "bury-1", "stoke-on-trent-2", "--rationale", "both EHCP, quality")
    assert code == 0, err
    return ws


def export(cli, folder: Path, db: str | None = None) -> Path:  # type: ignore[no-untyped-def]
    code, out, err = cli("export", "--format", "datapackage", "--out", str(folder), db=db)
    assert code == 0, err
    return folder / "datapackage.json"


def tables(folder: Path) -> dict[str, list[list[str]]]:
    return {
        p.stem: list(csv.reader(io.StringIO(p.read_text(encoding="utf-8"), newline="")))
        for p in sorted(folder.glob("*.csv"))
    }


def test_package_is_valid_by_frictionless(revised, cli, tmp_path):
    descriptor = export(cli, tmp_path / "pkg")
    report = frictionless.validate(str(descriptor))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    names = [r["name"] for r in json.loads(descriptor.read_text())["resources"]]
    assert names == [r.name for r in RESOURCES]  # measure_versions too: bury-4 was revised
    schema = json.loads(descriptor.read_text())["resources"][5]["schema"]
    assert schema["primaryKey"] == ["measure_id", "position"]
    assert {
        "fields": ["theme", "sub_theme"],
        "reference": {"resource": "programme", "fields": ["theme", "sub_theme"]},
    } in schema["foreignKeys"]


def test_frictionless_catches_a_broken_reference(revised, cli, tmp_path):
    """The validator really checks the keys the schema declares (so 'valid' above means it)."""
    descriptor = export(cli, tmp_path / "pkg")
    placements = tmp_path / "pkg" / "placements.csv"
    placements.write_text(
        placements.read_text(encoding="utf-8").replace(",Transitions", ",Transition", 1),
        encoding="utf-8",
    )
    report = frictionless.validate(str(descriptor))
    assert not report.valid
    assert "foreign-key" in {e.type for task in report.tasks for e in task.errors}


def test_package_round_trips_into_an_empty_workspace(revised, cli, tmp_path):
    first = export(cli, tmp_path / "first").parent
    other = str(tmp_path / "other.db")
    init_workspace(Workspace(other), empty=True)
    package = str(first / "datapackage.json")
    code, _, err = cli("import", "catalogue", package, db=other)
    assert code == 1 and "no council yet" in err  # its programme is a council's: name it
    code, out, err = cli("import", "catalogue", package, "--council", "Bristol", db=other)
    assert code == 0, err
    assert "27 new measures" in out
    second = export(cli, tmp_path / "second", db=other).parent
    assert tables(second) == tables(first)  # every measure, placement, provenance field, version
    assert (second / "datapackage.json").read_text() == (first / "datapackage.json").read_text()
    versions = tables(second)["measure_versions"]
    assert [r[:2] for r in versions[1:]] == [["bury-4", "1"]]
    decided = tables(second)["same_measures"]
    assert [r[:4] for r in decided[1:]] == [
        ["bury-1", "stoke-on-trent-2", "same", "both EHCP, quality"]
    ]
    shown = cli("show", "bury-1", db=other)[1]  # and the other workspace's grouping follows it
    assert "The same measure in other agreements: stoke-on-trent-2 (Stoke-on-Trent)" in shown
    # and the workspaces agree measure by measure, provenance included
    ratings = ("rag", "rationale", "evidence", "rated_by", "rated_at", "overdue", "due")

    def measures(db: str | None) -> list[dict]:
        records = json.loads(cli("export", "--format", "json", db=db)[1])["measures"]
        return [{k: v for k, v in r.items() if k not in ratings} for r in records]

    assert measures(other) == measures(None)
    # importing it again changes nothing
    code, out, err = cli("import", "catalogue", str(first / "datapackage.json"), db=other)
    assert "0 new measures, 0 revised, 0 new agreements, 0 new placements" in out
    assert tables(export(cli, tmp_path / "third", db=other).parent) == tables(first)


def _edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def _drop_resource(folder: Path, name: str) -> None:
    path = folder / "datapackage.json"
    data = json.loads(path.read_text())
    data["resources"] = [r for r in data["resources"] if r["name"] != name]
    path.write_text(json.dumps(data))


def _set_path(folder: Path, name: str, value: str) -> None:
    path = folder / "datapackage.json"
    data = json.loads(path.read_text())
    next(r for r in data["resources"] if r["name"] == name)["path"] = value
    path.write_text(json.dumps(data))


BROKEN = [
    # (break it, code, file, line, column)
    (
        lambda f: _edit(f, "datapackage.json", "{", "{,"),
        "bad-descriptor",
        "datapackage.json",
        1,
        None,
    ),
    (lambda f: _drop_resource(f, "measures"), "missing-resource", "datapackage.json", None, None),
    (
        lambda f: _set_path(f, "measures", "../measures.csv"),
        "bad-path",
        "datapackage.json",
        None,
        None,
    ),
    (
        lambda f: _edit(f, "measures.csv", ",bury,1,", ",bury,one,"),
        "bad-integer",
        "measures.csv",
        2,
        "number",
    ),
    (
        lambda f: _edit(f, "measures.csv", "+00:00", "yesterday"),
        "bad-datetime",
        "measures.csv",
        2,
        "imported_at",
    ),
    (
        lambda f: _edit(f, "placements.csv", "bury-1,2,", "bury-1,1,"),
        "duplicate-key",
        "placements.csv",
        3,
        "measure_id",
    ),
    (
        lambda f: _edit(f, "placements.csv", ",Transitions", ",Transition"),
        "unknown-reference",
        "placements.csv",
        3,
        "theme",
    ),
    (
        lambda f: _edit(f, "measures.csv", "bury-2,bury,2,", "bury-2,bury,7,"),
        "bad-id",
        "measures.csv",
        3,
        "id",
    ),
    (
        lambda f: _edit(f, "authorities.csv", "slug,name", "slug,title"),
        "bad-header",
        "authorities.csv",
        1,
        None,
    ),
]


@pytest.mark.parametrize(("breaks", "code", "file", "line", "column"), BROKEN)
def test_broken_package_is_refused_with_where(ws, cli, tmp_path, breaks, code, file, line, column):
    folder = export(cli, tmp_path / "pkg").parent
    breaks(folder)
    other = str(tmp_path / "other.db")
    init_workspace(Workspace(other), empty=True)
    before = cli("export", "--format", "json", db=other)[1]
    exit_code, _, err = cli("import", "catalogue", str(folder / "datapackage.json"), db=other)
    assert exit_code == 1
    where = (
        str(folder / file)
        + (f", line {line}" if line else "")
        + (f", column {column}" if column else "")
    )
    assert f"{where}:" in err and f"[{code}]" in err, err
    assert cli("export", "--format", "json", db=other)[1] == before


@pytest.mark.parametrize(
    ("old", "new", "code", "column"),
    [
        (",same,", ",maybe,", "bad-decision", "decision"),
        ("stoke-on-trent-2,", "kent-3,", "unknown-reference", "other_id"),
    ],
)
def test_a_broken_decision_is_refused_with_where(revised, cli, tmp_path, old, new, code, column):
    folder = export(cli, tmp_path / "pkg").parent
    _edit(folder, "same_measures.csv", old, new)
    other = str(tmp_path / "other.db")
    init_workspace(Workspace(other), empty=True)
    exit_code, _, err = cli("import", "catalogue", str(folder / "datapackage.json"), db=other)
    assert exit_code == 1
    assert (
        f"{folder / 'same_measures.csv'}, line 2, column {column}:" in err and f"[{code}]" in err
    ), err
    assert json.loads(cli("export", "--format", "json", db=other)[1])["measures"] == []
