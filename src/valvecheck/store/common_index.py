"""The common-measure index in the tables: each measure's prevalence for one catalogue."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, insert, select

from valvecheck.domain.model import Catalogue
from valvecheck.store.tables import common_index, measure

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def fingerprint(catalogue: Catalogue) -> str:
    """What the grouping depends on: the measures' texts and the agreements' authorities."""
    digest = hashlib.sha256()
    for m in catalogue.measures:
        digest.update(f"m\x1f{m.id}\x1f{m.agreement}\x1f{m.text}\x1e".encode())
    for a in catalogue.agreements:
        digest.update(f"a\x1f{a.slug}\x1f{'|'.join(a.authorities)}\x1e".encode())
    for t in catalogue.authorities:
        digest.update(f"t\x1f{t.slug}\x1f{t.name}\x1f{'|'.join(t.aliases)}\x1e".encode())
    return digest.hexdigest()


def load(db: Connection | Session, key: str, measures: int) -> dict[str, int] | None:
    """Measure id -> prevalence, if the index was worked out for this catalogue."""
    rows = db.execute(
        select(measure.c.code, common_index.c.prevalence)
        .join(measure, measure.c.id == common_index.c.measure_id)
        .where(common_index.c.fingerprint == key)
    ).all()
    if len(rows) != measures or not measures:
        return None
    return {code: prevalence for code, prevalence in rows}


def save(db: Connection | Session, key: str, prevalence: dict[str, int]) -> None:
    db.execute(delete(common_index))
    ids = {code: mid for code, mid in db.execute(select(measure.c.code, measure.c.id))}
    rows = [
        {"measure_id": ids[code], "prevalence": n, "fingerprint": key}
        for code, n in prevalence.items()
        if code in ids
    ]
    if rows:
        db.execute(insert(common_index), rows)
