"""The catalogue as a Frictionless data package: one CSV per table and ``datapackage.json``.

Written with ``csv`` and ``json`` only (frictionless is needed to validate it, not to write it).
Every schema sets ``missingValues`` to none, so an empty cell is an empty string: a placement
with no sub-theme refers to the programme row (theme, "") and keys stay whole. The same table
definitions drive the writer here and the reader in ``importers.catalogue_package``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from valvecheck.domain.equivalence import EquivalenceDecision
from valvecheck.domain.model import Catalogue
from valvecheck.domain.moments import aware
from valvecheck.domain.provenance import MeasureVersion

DESCRIPTOR = "datapackage.json"


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # string, integer or datetime
    description: str
    required: bool = False


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str
    reference: tuple[str, ...]


@dataclass(frozen=True)
class Resource:
    name: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    optional: bool = False  # written only when it has rows

    @property
    def path(self) -> str:
        return f"{self.name}.csv"

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]


STR, INT, DT = "string", "integer", "datetime"
RESOURCES = (
    Resource(
        "authorities",
        "Local authorities, with the other names they are known by.",
        (
            Field("slug", STR, "Identifier, e.g. stoke-on-trent", True),
            Field("name", STR, "Canonical name", True),
            Field("aliases", STR, "Other names, separated by ';'"),
        ),
        ("slug",),
    ),
    Resource(
        "agreements",
        "Published Safety Valve agreements (or frameworks), in catalogue order.",
        (
            Field("slug", STR, "Identifier, e.g. kingston-richmond", True),
            Field("title", STR, "Title"),
            Field("year", STR, "Year, e.g. 2020-21"),
            Field("kind", STR, "safety-valve or another framework", True),
            Field("source_title", STR, "Title of the document the agreement was read from"),
            Field("source_url", STR, "Where that document is published"),
        ),
        ("slug",),
    ),
    Resource(
        "agreement_authorities",
        "The authorities party to each agreement, in order.",
        (
            Field("agreement", STR, "Agreement slug", True),
            Field("authority", STR, "Authority slug", True),
            Field("position", INT, "Order among the agreement's authorities (from 1)", True),
        ),
        ("agreement", "authority"),
        (
            ForeignKey(("agreement",), "agreements", ("slug",)),
            ForeignKey(("authority",), "authorities", ("slug",)),
        ),
    ),
    Resource(
        "programme",
        "The assessing council's programme: each theme (with an empty sub_theme) and its sub-themes.",
        (
            Field("theme", STR, "Theme", True),
            Field("sub_theme", STR, "Sub-theme; empty for the theme itself"),
        ),
        ("theme", "sub_theme"),
    ),
    Resource(
        "measures",
        "Measures (recommendations, conditions) with their provenance.",
        (
            Field("id", STR, "Identifier: <agreement>-<number>", True),
            Field("agreement", STR, "Agreement slug", True),
            Field("number", INT, "Position in the agreement (from 1)", True),
            Field("text", STR, "The measure as published", True),
            Field("version", INT, "Version of the text (earlier ones in measure_versions)", True),
            Field("source_title", STR, "Document the text was read from"),
            Field("source_url", STR, "Where that document is published"),
            Field("source_locator", STR, "Page and/or table row in that document"),
            Field("imported_at", DT, "When the text was imported (UTC)", True),
        ),
        ("id",),
        (ForeignKey(("agreement",), "agreements", ("slug",)),),
    ),
    Resource(
        "placements",
        "Where each measure sits in the programme (a measure may have several placements).",
        (
            Field("measure_id", STR, "Measure id", True),
            Field("position", INT, "Order among the measure's placements (from 1)", True),
            Field("theme", STR, "Theme", True),
            Field("sub_theme", STR, "Sub-theme; empty when placed under the theme only"),
        ),
        ("measure_id", "position"),
        (
            ForeignKey(("measure_id",), "measures", ("id",)),
            ForeignKey(("theme", "sub_theme"), "programme", ("theme", "sub_theme")),
        ),
    ),
    Resource(
        "measure_versions",
        "Earlier texts of measures, kept when a re-import changed the wording.",
        (
            Field("measure_id", STR, "Measure id", True),
            Field("version", INT, "The version this text was", True),
            Field("text", STR, "The earlier text", True),
            Field("source_title", STR, "Document the earlier text was read from"),
            Field("imported_at", DT, "When the earlier text was imported (UTC)", True),
        ),
        ("measure_id", "version"),
        (ForeignKey(("measure_id",), "measures", ("id",)),),
        optional=True,
    ),
    Resource(
        "same_measures",
        "People's decisions in force that two agreements' measures are, or are not, the same "
        "commitment (what the common-measure grouping follows).",
        (
            Field("measure_id", STR, "Measure id", True),
            Field("other_id", STR, "The other agreement's measure id", True),
            Field("decision", STR, "same, or different (never grouped together)", True),
            Field("rationale", STR, "Why"),
            Field("by", STR, "Who decided"),
            Field("at", DT, "When (UTC)", True),
        ),
        ("measure_id", "other_id"),
        (
            ForeignKey(("measure_id",), "measures", ("id",)),
            ForeignKey(("other_id",), "measures", ("id",)),
        ),
        optional=True,
    ),
)
BY_NAME = {r.name: r for r in RESOURCES}


def stamp(at: datetime | None) -> str:
    """ISO 8601 in UTC; a naive time (SQLite keeps no zone) is already UTC."""
    if at is None:
        return ""
    return aware(at).astimezone(UTC).isoformat()


def schema(resource: Resource) -> dict[str, object]:
    fields = []
    for f in resource.fields:
        out: dict[str, object] = {"name": f.name, "type": f.type, "description": f.description}
        if f.required:
            out["constraints"] = {"required": True} | ({"minLength": 1} if f.type == STR else {})
        fields.append(out)
    descriptor: dict[str, object] = {
        "fields": fields,
        "missingValues": [],
        "primaryKey": list(resource.primary_key),
    }
    if resource.foreign_keys:
        descriptor["foreignKeys"] = [
            {
                "fields": list(k.fields),
                "reference": {"resource": k.resource, "fields": list(k.reference)},
            }
            for k in resource.foreign_keys
        ]
    return descriptor


def descriptor(names: list[str]) -> dict[str, object]:
    return {
        "profile": "tabular-data-package",
        "name": "valvecheck-catalogue",
        "title": "Valvecheck catalogue: Safety Valve agreements, their measures and placements",
        "resources": [
            {
                "name": r.name,
                "path": r.path,
                "profile": "tabular-data-resource",
                "description": r.description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema(r),
            }
            for r in RESOURCES
            if r.name in names
        ],
    }


def tables(
    catalogue: Catalogue,
    versions: list[MeasureVersion],
    current: dict[str, int],
    decisions: Sequence[EquivalenceDecision] = (),
) -> dict[str, list[list[str]]]:
    """Each resource's rows (as text), in catalogue order."""
    return {
        "authorities": [[a.slug, a.name, ";".join(a.aliases)] for a in catalogue.authorities],
        "agreements": [
            [a.slug, a.title, a.year, a.kind, a.source_title, a.source_url]
            for a in catalogue.agreements
        ],
        "agreement_authorities": [
            [a.slug, slug, str(i)]
            for a in catalogue.agreements
            for i, slug in enumerate(a.authorities, start=1)
        ],
        "programme": [[p.theme, p.sub_theme or ""] for p in catalogue.programme.pairs()],
        "measures": [
            [
                m.id,
                m.agreement,
                str(m.number),
                m.text,
                str(current.get(m.id, 1)),
                m.source_title,
                m.source_url,
                m.source_locator,
                stamp(m.imported_at),
            ]
            for m in catalogue.measures
        ],
        "placements": [
            [m.id, str(i), p.theme, p.sub_theme or ""]
            for m in catalogue.measures
            for i, p in enumerate(m.placements, start=1)
        ],
        "measure_versions": [
            [v.measure_id, str(v.version), v.text, v.source_title, stamp(v.imported_at)]
            for v in versions
        ],
        "same_measures": [
            [d.measure, d.other, d.decision, d.rationale, d.by, stamp(d.at)] for d in decisions
        ],
    }


def package_files(
    catalogue: Catalogue,
    versions: list[MeasureVersion],
    current: dict[str, int],
    decisions: Sequence[EquivalenceDecision] = (),
) -> dict[str, bytes]:
    """The package's files by name: each resource's CSV and ``datapackage.json``."""
    rows = tables(catalogue, versions, current, decisions)
    names = [r.name for r in RESOURCES if rows[r.name] or not r.optional]
    files: dict[str, bytes] = {}
    for name in names:
        resource = BY_NAME[name]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(resource.names)
        writer.writerows(rows[name])
        files[resource.path] = out.getvalue().encode("utf-8")
    files[DESCRIPTOR] = (
        json.dumps(descriptor(names), indent=2, ensure_ascii=False) + "\n"
    ).encode()
    return files


def write_package(folder: Path, files: dict[str, bytes]) -> Path:
    """Write a package's files into ``folder``; returns the descriptor's path."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return folder / DESCRIPTOR
