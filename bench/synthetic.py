"""A synthetic catalogue for benchmarks: N agreements x M measures in the seed's own words.

Measure texts are the seed's 27 recommendations with the authority name swapped, so the
vocabulary (and so the cost of text analysis) is realistic. Each agreement draws its measures
from the 27 without repeating one (a measure is its text: one agreement cannot hold the same text
twice), so every template recurs in most agreements: a harder case for grouping common measures
than real agreements, where most measures are one-offs.

The workspace is built the way a council builds one: an empty workspace, then the catalogue
imported from a CSV file with a RAG column (about 60% of measures rated).
"""

from __future__ import annotations

import csv
import io
import random
import tempfile
from pathlib import Path

from valvecheck.catalogue.loader import load_catalogue
from valvecheck.domain.model import Agreement, Authority, Catalogue, Measure
from valvecheck.domain.rag import RATED
from valvecheck.store.db import Workspace

COUNCIL = "Bench"


def synthetic_catalogue(agreements: int = 150, per_agreement: int = 25, seed: int = 7) -> Catalogue:
    rng = random.Random(seed)
    base = load_catalogue()
    templates = base.measures
    names = {a.slug: a.name for a in base.authorities}
    out = Catalogue(programme=base.programme)
    for i in range(1, agreements + 1):
        slug = f"council-{i:05d}"
        name = f"Council {i:05d}"
        out.authorities.append(Authority(slug, name))
        out.agreements.append(Agreement(slug, f"{name} Safety Valve agreement", (slug,), "2022-23"))
        drawn = rng.sample(templates, min(per_agreement, len(templates)))
        for n, t in enumerate(drawn, start=1):
            text = t.text
            for original in names.values():
                text = text.replace(original, name)
            out.measures.append(Measure(slug, n, text, t.placements, f"table row {n}"))
    return out


def catalogue_csv(catalogue: Catalogue, rated: float = 0.6, seed: int = 11) -> bytes:
    """The catalogue as `import catalogue` reads it: a row per placement, a RAG column."""
    rng = random.Random(seed)
    names = {a.slug: a.name for a in catalogue.authorities}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["LA", "Recommendation", "Theme", "Sub-Theme", "RAG"])
    for m in catalogue.measures:
        rag = rng.choice(RATED).label if rng.random() < rated else ""
        for p in m.placements:
            writer.writerow([names[m.agreement], m.text, p.theme, p.sub_theme or "", rag])
    return out.getvalue().encode("utf-8")


def synthetic_workspace(
    agreements: int = 150, per_agreement: int = 25, folder: str | None = None
) -> tuple[Workspace, Catalogue]:
    """A SQLite workspace holding the synthetic catalogue and the council's ratings."""
    from valvecheck.services.catalogue import import_catalogue
    from valvecheck.services.workspace import init_workspace, unit_of_work

    folder = folder or tempfile.mkdtemp(prefix="valvecheck-bench-")
    ws = Workspace(str(Path(folder) / "bench.db"))
    init_workspace(ws, empty=True, council=COUNCIL)
    catalogue = synthetic_catalogue(agreements, per_agreement)
    for n, part in enumerate(catalogue_files(catalogue)):
        with unit_of_work(ws, write=True, by="bench") as ctx:
            import_catalogue(ctx, part, f"synthetic-{n}.csv", council=COUNCIL)
    return ws, catalogue


def catalogue_files(catalogue: Catalogue, rated: float = 0.6, seed: int = 11) -> list[bytes]:
    """``catalogue_csv`` cut into files a catalogue import takes (``limits.MAX_CATALOGUE_ROWS``
    rows at most, whole agreements each), as a council would import several agreements."""
    from valvecheck.importers.limits import MAX_CATALOGUE_ROWS

    header, *rows = catalogue_csv(catalogue, rated, seed).decode("utf-8").splitlines()
    files: list[list[str]] = [[]]
    by_agreement: dict[str, list[str]] = {}
    for row in rows:
        by_agreement.setdefault(row.split(",", 1)[0], []).append(row)
    for agreement_rows in by_agreement.values():
        if len(files[-1]) + len(agreement_rows) > MAX_CATALOGUE_ROWS:
            files.append([])
        files[-1].extend(agreement_rows)
    return ["\n".join([header, *f, ""]).encode("utf-8") for f in files if f]
