"""Read (and write) the bundled catalogue: plain CSV files a person can open and check."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from valvecheck.domain.model import Agreement, Authority, Catalogue, Measure, Placement
from valvecheck.domain.rag import Rag

DATA = "valvecheck.catalogue"


@dataclass
class BundledAssessment:
    name: str
    council: str
    description: str
    ratings: dict[str, Rag] = field(default_factory=dict)


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files(DATA).joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(";") if v.strip())


def reference_authorities() -> list[Authority]:
    """Known authorities and their aliases: used to recognise names even in an empty workspace."""
    return [Authority(r["slug"], r["name"], _split(r["aliases"])) for r in _read("authorities.csv")]


def load_catalogue() -> Catalogue:
    placements: dict[str, list[Placement]] = {}
    for r in _read("placements.csv"):
        placements.setdefault(r["measure_id"], []).append(
            Placement(r["theme"], r["sub_theme"] or None)
        )
    catalogue = Catalogue()
    agreements = [
        Agreement(
            slug=r["slug"],
            title=r["title"],
            authorities=_split(r["authorities"]),
            year=r["year"],
            source_title=r["source_title"],
            source_url=r["source_url"],
            kind=r["kind"],
        )
        for r in _read("agreements.csv")
    ]
    used = {slug for a in agreements for slug in a.authorities}
    catalogue.authorities = [a for a in reference_authorities() if a.slug in used]
    catalogue.agreements = agreements
    for r in _read("measures.csv"):
        catalogue.measures.append(
            Measure(
                agreement=r["agreement"],
                number=int(r["number"]),
                text=r["text"],
                placements=tuple(placements.get(r["id"], ())),
                source_locator=r["source_locator"],
            )
        )
    for r in _read("programme.csv"):
        catalogue.programme.add(r["theme"], r["sub_theme"] or None)
    return catalogue


def load_assessment() -> BundledAssessment:
    meta = _read("assessment.csv")[0]
    ratings = {r["measure_id"]: Rag.parse(r["rag"]) for r in _read("ratings.csv")}
    return BundledAssessment(meta["name"], meta["council"], meta["description"], ratings)


def write_catalogue(catalogue: Catalogue, folder: Path) -> None:
    """Write a catalogue in the bundled layout (used to build the package data from the seed)."""

    def write(name: str, header: list[str], rows: list[list[str]]) -> None:
        with open(folder / name, "w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh, lineterminator="\n")
            out.writerow(header)
            out.writerows(rows)

    write(
        "agreements.csv",
        ["slug", "title", "authorities", "year", "kind", "source_title", "source_url"],
        [
            [a.slug, a.title, ";".join(a.authorities), a.year, a.kind, a.source_title, a.source_url]
            for a in catalogue.agreements
        ],
    )
    write(
        "measures.csv",
        ["id", "agreement", "number", "text", "source_locator"],
        [[m.id, m.agreement, str(m.number), m.text, m.source_locator] for m in catalogue.measures],
    )
    write(
        "placements.csv",
        ["measure_id", "theme", "sub_theme"],
        [[m.id, p.theme, p.sub_theme or ""] for m in catalogue.measures for p in m.placements],
    )
    write(
        "programme.csv",
        ["theme", "sub_theme"],
        [[p.theme, p.sub_theme or ""] for p in catalogue.programme.pairs()],
    )
