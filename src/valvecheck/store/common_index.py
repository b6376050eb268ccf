"""The common-measure index in the tables: each measure's prevalence for one catalogue."""

from __future__ import annotations

import hashlib

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from valvecheck.domain.model import Catalogue
from valvecheck.store.models import CommonIndexRow, MeasureRow


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


def load(session: Session, key: str, measures: int) -> dict[str, int] | None:
    """Measure id -> prevalence, if the index was worked out for this catalogue."""
    rows = session.execute(
        select(MeasureRow.code, CommonIndexRow.prevalence)
        .join(MeasureRow, MeasureRow.id == CommonIndexRow.measure_id)
        .where(CommonIndexRow.fingerprint == key)
    ).all()
    if len(rows) != measures or not measures:
        return None
    return {code: prevalence for code, prevalence in rows}


def save(session: Session, key: str, prevalence: dict[str, int]) -> None:
    session.execute(delete(CommonIndexRow))
    ids = {code: mid for code, mid in session.execute(select(MeasureRow.code, MeasureRow.id))}
    rows = [
        {"measure_id": ids[code], "prevalence": n, "fingerprint": key}
        for code, n in prevalence.items()
        if code in ids
    ]
    if rows:
        session.execute(insert(CommonIndexRow), rows)
