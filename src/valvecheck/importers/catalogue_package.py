"""Reading a catalogue data package (``datapackage.json`` and its CSV files) back in.

The descriptor and every row are checked against the table definitions the writer uses
(``catalogue.datapackage``): the resources present, their paths (inside the package's folder),
headers, types, required cells, primary keys and foreign keys. Each problem names the file, the
line and the column, as frictionless' own report would.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from valvecheck.catalogue.datapackage import BY_NAME, RESOURCES, Resource
from valvecheck.domain.equivalence import DECIDED, EquivalenceDecision
from valvecheck.domain.model import Agreement, Authority, Catalogue, Measure, Placement, measure_id
from valvecheck.domain.problems import Problem
from valvecheck.domain.provenance import MeasureVersion
from valvecheck.importers.container import too_large
from valvecheck.importers.text import decode

Row = dict[str, str]


@dataclass
class PackageContents:
    catalogue: Catalogue
    versions: list[MeasureVersion]
    current: dict[str, int]  # measure id -> version number of its current text
    decisions: list[EquivalenceDecision] = field(default_factory=list)  # its same_measures


@dataclass
class _Table:
    resource: Resource
    file: str
    rows: list[tuple[int, Row]]  # (line, row)


def read_package(path: Path) -> tuple[PackageContents | None, list[Problem]]:
    """The package's catalogue, or the problems that stop it being imported."""
    file = str(path)
    problems: list[Problem] = []
    if (problem := too_large(path.stat().st_size, file)) is not None:
        return None, [problem]
    try:
        descriptor = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        return None, [Problem("bad-descriptor", "the descriptor is not UTF-8 text", file)]
    except json.JSONDecodeError as exc:
        return None, [Problem("bad-descriptor", f"not valid JSON: {exc.msg}", file, exc.lineno)]
    listed = _resources(descriptor, file, problems)
    files = {name: _path(path.parent, res, file, problems) for name, res in listed.items()}
    if problems:
        return None, problems
    total = sum(p.stat().st_size for p in files.values() if p is not None)
    if (problem := too_large(total, file)) is not None:
        return None, [problem]
    tables = {name: _read(BY_NAME[name], p, problems) for name, p in files.items() if p is not None}
    _check_keys(tables, problems)
    if problems:
        return None, problems
    contents = _build(tables, problems)
    return (None, problems) if problems else (contents, [])


def _resources(descriptor: object, file: str, problems: list[Problem]) -> dict[str, dict]:
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list):
        problems.append(Problem("bad-descriptor", "there is no list of 'resources'", file))
        return {}
    listed: dict[str, dict] = {}
    for res in resources:
        if isinstance(res, dict) and res.get("name") in BY_NAME:
            listed[res["name"]] = res
    for r in RESOURCES:
        if not r.optional and r.name not in listed:
            problems.append(
                Problem("missing-resource", f"the package has no '{r.name}' resource", file)
            )
        elif r.name in listed:
            fields = listed[r.name].get("schema", {}).get("fields", [])
            names = [f.get("name") for f in fields if isinstance(f, dict)]
            if names != r.names:
                problems.append(
                    Problem(
                        "bad-schema",
                        f"the '{r.name}' schema must have the fields {', '.join(r.names)}",
                        file,
                    )
                )
    return listed


def _path(folder: Path, res: dict, file: str, problems: list[Problem]) -> Path | None:
    rel = res.get("path")
    name = res.get("name")
    if not isinstance(rel, str) or not rel or Path(rel).is_absolute() or ".." in Path(rel).parts:
        problems.append(
            Problem(
                "bad-path", f"resource '{name}' must have a relative path inside the folder", file
            )
        )
        return None
    target = folder / rel
    if not target.is_file():
        problems.append(Problem("missing-file", f"resource '{name}': no file {target}", file))
        return None
    return target


def _read(resource: Resource, path: Path, problems: list[Problem]) -> _Table:
    file = str(path)
    table = _Table(resource, file, [])
    text, found = decode(path.read_bytes(), file)
    if text is None:
        problems.extend(found)
        return table
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    if header != resource.names:
        problems.append(
            Problem(
                "bad-header",
                f"the header must be {', '.join(resource.names)}; found {', '.join(header)}",
                file,
                1,
            )
        )
        return table
    line = 2
    for cells in reader:
        if len(cells) != len(header):
            problems.append(
                Problem(
                    "wrong-cell-count",
                    f"{len(cells)} cells where the header has {len(header)}",
                    file,
                    line,
                )
            )
        else:
            row = dict(zip(header, cells, strict=True))
            if _check_cells(resource, row, file, line, problems):
                table.rows.append((line, row))
        line = reader.line_num + 1
    return table


def _check_cells(
    resource: Resource, row: Row, file: str, line: int, problems: list[Problem]
) -> bool:
    ok = True
    for f in resource.fields:
        value = row[f.name]
        message = ""
        if not value:
            message = "this cell must not be empty" if f.required else ""
        elif f.type == "integer" and not re.fullmatch(r"[1-9]\d*", value):
            message = f"'{value}' is not a whole number from 1"
        elif f.type == "datetime":
            try:
                datetime.fromisoformat(value)
            except ValueError:
                message = f"'{value}' is not a date and time (ISO 8601)"
        if message:
            code = "missing-value" if not value else f"bad-{f.type}"
            problems.append(Problem(code, message, file, line, f.name))
            ok = False
    return ok


def _key(row: Row, fields: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(row[f] for f in fields)


def _check_keys(tables: dict[str, _Table], problems: list[Problem]) -> None:
    keys: dict[str, set[tuple[str, ...]]] = {}
    for name, table in tables.items():
        pk = table.resource.primary_key
        seen: set[tuple[str, ...]] = set()
        for line, row in table.rows:
            key = _key(row, pk)
            if key in seen:
                problems.append(
                    Problem(
                        "duplicate-key",
                        f"{', '.join(key)} appears twice ({', '.join(pk)} must be unique)",
                        table.file,
                        line,
                        pk[0],
                    )
                )
            seen.add(key)
        keys[name] = seen
    for table in tables.values():
        for fk in table.resource.foreign_keys:
            targets = (
                {_key(r, fk.reference) for _, r in tables[fk.resource].rows}
                if fk.resource in tables
                else set()
            )
            for line, row in table.rows:
                if _key(row, fk.fields) not in targets:
                    problems.append(
                        Problem(
                            "unknown-reference",
                            f"{', '.join(_key(row, fk.fields))} is not in {fk.resource}",
                            table.file,
                            line,
                            fk.fields[-1]
                            if len(fk.fields) > 1 and not row[fk.fields[0]]
                            else fk.fields[0],
                        )
                    )


def _rows(tables: dict[str, _Table], name: str) -> list[tuple[int, Row]]:
    return tables[name].rows if name in tables else []


def _build(tables: dict[str, _Table], problems: list[Problem]) -> PackageContents:
    catalogue = Catalogue()
    catalogue.authorities = [
        Authority(
            r["slug"], r["name"], tuple(a.strip() for a in r["aliases"].split(";") if a.strip())
        )
        for _, r in _rows(tables, "authorities")
    ]
    parties: dict[str, list[tuple[int, str]]] = {}
    for _, r in _rows(tables, "agreement_authorities"):
        parties.setdefault(r["agreement"], []).append((int(r["position"]), r["authority"]))
    catalogue.agreements = [
        Agreement(
            slug=r["slug"],
            title=r["title"],
            authorities=tuple(slug for _, slug in sorted(parties.get(r["slug"], []))),
            year=r["year"],
            source_title=r["source_title"],
            source_url=r["source_url"],
            kind=r["kind"],
        )
        for _, r in _rows(tables, "agreements")
    ]
    for _, r in _rows(tables, "programme"):
        catalogue.programme.add(r["theme"], r["sub_theme"] or None)
    placements: dict[str, list[tuple[int, Placement]]] = {}
    for _, r in _rows(tables, "placements"):
        placements.setdefault(r["measure_id"], []).append(
            (int(r["position"]), Placement(r["theme"], r["sub_theme"] or None))
        )
    current: dict[str, int] = {}
    measures_file = tables["measures"].file
    for line, r in _rows(tables, "measures"):
        if r["id"] != measure_id(r["agreement"], int(r["number"])):
            problems.append(
                Problem(
                    "bad-id",
                    f"the id must be <agreement>-<number>: "
                    f"{measure_id(r['agreement'], int(r['number']))}",
                    measures_file,
                    line,
                    "id",
                )
            )
            continue
        current[r["id"]] = int(r["version"])
        catalogue.measures.append(
            Measure(
                agreement=r["agreement"],
                number=int(r["number"]),
                text=r["text"],
                placements=tuple(
                    p for _, p in sorted(placements.get(r["id"], []), key=lambda x: x[0])
                ),
                source_locator=r["source_locator"],
                source_title=r["source_title"],
                source_url=r["source_url"],
                imported_at=datetime.fromisoformat(r["imported_at"]),
            )
        )
    versions = [
        MeasureVersion(
            r["measure_id"],
            int(r["version"]),
            r["text"],
            r["source_title"],
            datetime.fromisoformat(r["imported_at"]),
        )
        for _, r in _rows(tables, "measure_versions")
    ]
    decisions = []
    for line, r in _rows(tables, "same_measures"):
        if r["decision"] not in DECIDED:
            problems.append(
                Problem(
                    "bad-decision",
                    f"'{r['decision']}' is not a decision: same or different",
                    tables["same_measures"].file,
                    line,
                    "decision",
                )
            )
            continue
        decisions.append(
            EquivalenceDecision(
                r["measure_id"],
                r["other_id"],
                r["decision"],
                r["rationale"],
                r["by"],
                datetime.fromisoformat(r["at"]),
            )
        )
    return PackageContents(catalogue, versions, current, decisions)
