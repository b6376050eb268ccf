"""A synthetic catalogue for benchmarks: N agreements x M measures in the seed's own words.

Measure texts are the seed's 27 recommendations with the authority name swapped, so the
vocabulary (and so the cost of text analysis) is realistic.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from valvecheck.catalogue.loader import load_catalogue
from valvecheck.domain.model import Agreement, Authority, Catalogue, Measure
from valvecheck.domain.rag import RATED, Rag
from valvecheck.domain.rating import Rating
from valvecheck.store import repository as repo
from valvecheck.store.db import Workspace
from valvecheck.store.models import AssessmentRow


def synthetic_catalogue(agreements: int = 150, per_agreement: int = 25, seed: int = 7) -> Catalogue:
    rng = random.Random(seed)
    base = load_catalogue()
    templates = base.measures
    names = {a.slug: a.name for a in base.authorities}
    out = Catalogue(programme=base.programme)
    for i in range(1, agreements + 1):
        slug = f"council-{i:03d}"
        name = f"Council {i:03d}"
        out.authorities.append(Authority(slug, name))
        out.agreements.append(Agreement(slug, f"{name} Safety Valve agreement", (slug,), "2022-23"))
        for n in range(1, per_agreement + 1):
            t = rng.choice(templates)
            text = t.text
            for original in names.values():
                text = text.replace(original, name)
            out.measures.append(Measure(slug, n, text, t.placements, f"table row {n}"))
    return out


def synthetic_workspace(
    agreements: int = 150, per_agreement: int = 25, folder: str | None = None
) -> tuple[Workspace, Catalogue]:
    """A SQLite workspace holding the synthetic catalogue and one assessment, about 60% rated."""
    folder = folder or tempfile.mkdtemp(prefix="valvecheck-bench-")
    ws = Workspace(str(Path(folder) / "bench.db"))
    ws.migrate()
    catalogue = synthetic_catalogue(agreements, per_agreement)
    rng = random.Random(11)
    at = repo.now()
    with ws.session() as session:
        repo.save_catalogue(session, catalogue, at)
        assessment = AssessmentRow(name="Bench", council="Bench", created_at=at, created_by="bench")
        session.add(assessment)
        session.flush()
        codes = {m.code: m for m in session.scalars(repo.select(repo.MeasureRow))}
        for m in catalogue.measures:
            if rng.random() < 0.6:
                rag: Rag = rng.choice(RATED)
                repo.add_rating(
                    session, assessment.id, codes[m.id], Rating(m.id, rag, "bench", by="b", at=at)
                )
    return ws, catalogue
