"""The common-measure index in the tables: each measure's group and prevalence for one catalogue."""

from __future__ import annotations

import functools
import hashlib
from importlib import resources
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, func, insert, select

from valvecheck.domain.model import Catalogue
from valvecheck.store.tables import common_index, measure

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.orm import Session

    from valvecheck.analysis.common import Decision


# The grouping method's version (analysis/common.py): bump it when the method changes, so that
# every workspace's index is worked out again the next time it is read.
GROUPING = "10: complete linkage on locally scaled scores, cut 0.575, two readings (the profile unscaled), contrasts apart (at the ends too)"


@functools.cache
def _method() -> bytes:
    """The method's version and what it reads measures with (the bundled labelled corpus and the
    seed measures the matcher learns from): a new release that changes either regroups."""
    digest = hashlib.sha256(GROUPING.encode())
    for package, name in (
        ("valvecheck.analysis", "labelled.csv"),
        ("valvecheck.catalogue", "measures.csv"),
    ):
        digest.update(resources.files(package).joinpath("data", name).read_bytes())
    return digest.digest()


def fingerprint(catalogue: Catalogue, decisions: Sequence[Decision] = ()) -> str:
    """What the grouping depends on: the measures' texts, the agreements' authorities, people's
    decisions that two measures are (or are not) the same, and the method itself (``_method``,
    and whether the sentence embedding is mixed in)."""
    from valvecheck.analysis import embedding

    digest = hashlib.sha256(_method())
    # The sentence embedding mixed in (VALVECHECK_EMBEDDINGS) makes another grouping.
    if embedding.wanted():
        digest.update(f"embedding\x1f{embedding.MODEL}\x1e".encode())
    for one, other, same in decisions:
        digest.update(f"d\x1f{one}\x1f{other}\x1f{int(same)}\x1e".encode())
    for m in catalogue.measures:
        digest.update(f"m\x1f{m.id}\x1f{m.agreement}\x1f{m.text}\x1e".encode())
    for a in catalogue.agreements:
        digest.update(f"a\x1f{a.slug}\x1f{'|'.join(a.authorities)}\x1e".encode())
    for t in catalogue.authorities:
        digest.update(f"t\x1f{t.slug}\x1f{t.name}\x1f{'|'.join(t.aliases)}\x1e".encode())
    return digest.hexdigest()


def _rows(db: Connection | Session, key: str, measures: int) -> list[tuple[str, int, int]] | None:
    rows = db.execute(
        select(measure.c.code, common_index.c.prevalence, common_index.c.group_number)
        .join(measure, measure.c.id == common_index.c.measure_id)
        .where(common_index.c.fingerprint == key)
    ).all()
    if len(rows) != measures or not measures or any(row[2] is None for row in rows):
        return None  # another catalogue's, or made before groups were kept (0007)
    return [(code, prevalence, group) for code, prevalence, group in rows]


def load(db: Connection | Session, key: str, measures: int) -> dict[str, int] | None:
    """Measure id -> prevalence, if the index was worked out for this catalogue."""
    rows = _rows(db, key, measures)
    return None if rows is None else {code: prevalence for code, prevalence, _ in rows}


def load_groups(db: Connection | Session, key: str, measures: int) -> dict[str, int] | None:
    """Measure id -> its group's number, if the index was worked out for this catalogue."""
    rows = _rows(db, key, measures)
    return None if rows is None else {code: group for code, _, group in rows}


def group_members(db: Connection | Session, key: str, measures: int, code: str) -> list[str] | None:
    """The measure ids of ``code``'s group (itself included), if the index was worked out for
    this catalogue: one measure's page reads its group only, not the whole index."""
    rows, grouped = db.execute(
        select(func.count(), func.count(common_index.c.group_number)).where(
            common_index.c.fingerprint == key
        )
    ).one()
    if rows != measures or grouped != measures or not measures:
        return None
    mine = (
        select(common_index.c.group_number)
        .join(measure, measure.c.id == common_index.c.measure_id)
        .where(measure.c.code == code)
        .scalar_subquery()
    )
    return list(
        db.scalars(
            select(measure.c.code)
            .join(common_index, measure.c.id == common_index.c.measure_id)
            .where(common_index.c.group_number == mine)
        )
    )


def save(db: Connection | Session, key: str, grouping: dict[str, tuple[int, int]]) -> None:
    """Keep ``analysis.common.grouping``'s answer: measure id -> (group number, prevalence)."""
    db.execute(delete(common_index))
    ids = {code: mid for code, mid in db.execute(select(measure.c.code, measure.c.id))}
    rows = [
        {"measure_id": ids[code], "prevalence": n, "group_number": group, "fingerprint": key}
        for code, (group, n) in grouping.items()
        if code in ids
    ]
    if rows:
        db.execute(insert(common_index), rows)
