"""Measure versions in and out of the ``measure_version`` table."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from valvecheck.domain.provenance import MeasureVersion
from valvecheck.store.models import MeasureRow, MeasureVersionRow


def current_versions(session: Session) -> dict[str, int]:
    """The version number of each measure's current text."""
    return {
        code: version
        for code, version in session.execute(select(MeasureRow.code, MeasureRow.version))
    }


def measure_versions(session: Session) -> list[tuple[str, int]]:
    """Each measure's id and the version number of its current text, in the order they were
    added (what a lock records: services/ratings.lock_assessment)."""
    return [
        (code, version)
        for code, version in session.execute(
            select(MeasureRow.code, MeasureRow.version).order_by(MeasureRow.id)
        )
    ]


def load_versions(session: Session) -> list[MeasureVersion]:
    """Every earlier text, by measure id then version."""
    rows = session.execute(
        select(MeasureRow.code, MeasureVersionRow)
        .join(MeasureRow, MeasureRow.id == MeasureVersionRow.measure_id)
        .order_by(MeasureRow.code, MeasureVersionRow.version)
    ).all()
    return [
        MeasureVersion(code, v.version, v.text, v.source_title, v.imported_at) for code, v in rows
    ]


def restore_versions(
    session: Session, measures: set[str], current: dict[str, int], versions: list[MeasureVersion]
) -> int:
    """Give the named (just added) measures their version numbers and earlier texts."""
    rows = {
        r.code: r for r in session.scalars(select(MeasureRow).where(MeasureRow.code.in_(measures)))
    }
    for code, row in rows.items():
        row.version = current.get(code, row.version)
    added = 0
    for v in versions:
        if v.measure_id in rows:
            session.add(
                MeasureVersionRow(
                    measure_id=rows[v.measure_id].id,
                    version=v.version,
                    text=v.text,
                    source_title=v.source_title,
                    imported_at=v.imported_at,
                )
            )
            added += 1
    session.flush()
    return added
