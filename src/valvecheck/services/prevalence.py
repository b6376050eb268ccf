"""Each measure's prevalence and common-measure group, kept with the catalogue (the index).

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
from valvecheck.store import common_index, equivalence
from valvecheck.store.queries import load_catalogue

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


Decided = tuple[tuple[str, str, bool], ...]  # as the grouping takes them: (measure, other, same?)


def decisions(db: Connection | Session) -> Decided:
    """People's decisions in force, as the grouping takes them: (measure, other, same?)."""
    return tuple((d.measure, d.other, d.decision == "same") for d in equivalence.current(db))


def _keyed(db: Connection | Session, catalogue: Catalogue) -> tuple[Decided, str]:
    """The decisions in force and the index's key for this catalogue with them."""
    decided = decisions(db)
    return decided, common_index.fingerprint(catalogue, decided)


def _grouped(catalogue: Catalogue, decided: Decided) -> dict[str, tuple[int, int]]:
    """Grouped afresh, when the index is another catalogue's (scikit-learn: only then)."""
    from valvecheck.analysis.common import grouping

    return grouping(catalogue, decisions=decided)


def prevalence_of(db: Connection | Session, catalogue: Catalogue) -> dict[str, int]:
    """Measure id -> how many agreements share it, from the index when it is current."""
    decided, key = _keyed(db, catalogue)
    stored = common_index.load(db, key, len(catalogue.measures))
    if stored is not None:
        return stored
    return {mid: n for mid, (_, n) in _grouped(catalogue, decided).items()}


def refresh(db: Connection | Session) -> None:
    """Work the index out again for the catalogue as it now is (after the catalogue changed)."""
    catalogue = load_catalogue(db, None)  # every council's: texts only
    decided, key = _keyed(db, catalogue)
    if common_index.load(db, key, len(catalogue.measures)) is not None:
        return
    common_index.save(db, key, _grouped(catalogue, decided))


def groups_in_index(db: Connection | Session, catalogue: Catalogue) -> dict[str, int]:
    """Measure id -> its common-measure group's number, from the index when it is current."""
    decided, key = _keyed(db, catalogue)
    groups = common_index.load_groups(db, key, len(catalogue.measures))
    if groups is None:
        groups = {mid: g for mid, (g, _) in _grouped(catalogue, decided).items()}
    return groups


def equivalents_of(db: Connection | Session, catalogue: Catalogue, measure_id: str) -> list[str]:
    """The other measures of ``measure_id``'s common-measure group (the same commitment read in
    other agreements), in catalogue order, from the index when it is current (reading the
    measure's group only)."""
    _, key = _keyed(db, catalogue)
    members = common_index.group_members(db, key, len(catalogue.measures), measure_id)
    if members is None:
        return list(equivalents(db, catalogue).get(measure_id, ()))
    found = set(members) - {measure_id}
    return [m.id for m in catalogue.measures if m.id in found]


def equivalents(db: Connection | Session, catalogue: Catalogue) -> dict[str, tuple[str, ...]]:
    """Every measure -> the other measures of its common-measure group, in catalogue order (a
    report's "Also in"), from the index when it is current."""
    groups = groups_in_index(db, catalogue)
    members: dict[int, list[str]] = {}
    for m in catalogue.measures:
        if m.id in groups:
            members.setdefault(groups[m.id], []).append(m.id)
    return {
        mid: tuple(x for x in members[group] if x != mid)
        for mid, group in groups.items()
        if group in members
    }
