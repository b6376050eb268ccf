"""Each measure's prevalence, kept with the catalogue (the common-measure index).

Grouping a catalogue by meaning needs scikit-learn and takes seconds; every summary, report and
dashboard asks for prevalence. So it is worked out when the catalogue changes (an import, a new
workspace) and stored with a fingerprint of the catalogue; readers take it from there, and work
it out afresh only when the stored one is for another catalogue (a workspace made before the
index existed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection

from valvecheck.domain.model import Catalogue
from valvecheck.store import common_index
from valvecheck.store.queries import load_catalogue

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def prevalence_of(db: Connection | Session, catalogue: Catalogue) -> dict[str, int]:
    """Measure id -> how many agreements share it, from the index when it is current."""
    key = common_index.fingerprint(catalogue)
    stored = common_index.load(db, key, len(catalogue.measures))
    if stored is not None:
        return stored
    from valvecheck.analysis.common import prevalence  # scikit-learn: only when needed

    return prevalence(catalogue)


def refresh(db: Connection | Session) -> None:
    """Work the index out again for the catalogue as it now is (after the catalogue changed)."""
    from valvecheck.analysis.common import prevalence

    catalogue = load_catalogue(db)
    key = common_index.fingerprint(catalogue)
    if common_index.load(db, key, len(catalogue.measures)) is not None:
        return
    common_index.save(db, key, prevalence(catalogue))
