"""Savings, weights and trajectories in the tables. Money is stored in whole pence; no rules here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from valvecheck.domain.impact import (
    Saving,
    TrajectoryChange,
    TrajectoryEntry,
    TrajectoryYear,
    year_changes,
)
from valvecheck.domain.moments import aware as _aware
from valvecheck.domain.money import PENNY
from valvecheck.store.models import (
    ActivityRow,
    AssessmentRow,
    ImpactEntryRow,
    ImpactWeightRow,
    MeasureRow,
    TrajectoryRow,
)
from valvecheck.store.queries import AssessmentRecord
from valvecheck.store.tenancy import only, owned


def pence(amount: Decimal | None) -> int | None:
    return None if amount is None else int(amount / PENNY)


def pounds(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value) * PENNY


def counts_text(counts: Mapping[str, int]) -> str:
    return ";".join(f"{k}={v}" for k, v in counts.items())


def counts_of(text: str) -> dict[str, int]:
    return {k: int(v) for k, _, v in (p.partition("=") for p in text.split(";") if p)}


def _saving(code: str, row: Any) -> Saving:
    """An entry from its row (an ORM row or a plain row with the same column names)."""
    return Saving(
        activity=code,
        year=row.year,
        expected=pounds(row.expected_pence),
        actual=pounds(row.actual_pence),
        cohort=row.cohort,
        unit=pounds(row.unit_pence),
        counts=counts_of(row.counts),
        note=row.note,
        by=row.by,
        at=_aware(row.at),
        version=row.version,
        source=row.source,
    )


def entries(
    session: Session, council_id: int, activity_id: int | None = None
) -> list[tuple[int, Saving]]:
    """Every saving entry of a council (or one activity) as (activity row id, entry), in the
    order written. Read as plain rows: a roll-up reads thousands."""
    table = ImpactEntryRow.__table__
    stmt = (
        select(ActivityRow.code, *table.c)
        .join(ActivityRow, ActivityRow.id == table.c.activity_id)
        .where(table.c.council_id == council_id)
        .order_by(table.c.id)
    )
    if activity_id is not None:
        stmt = stmt.where(table.c.activity_id == activity_id)
    return [(row.activity_id, _saving(row.code, row)) for row in session.execute(stmt)]


def current(
    session: Session, council_id: int, until: datetime | None = None
) -> dict[tuple[int, str], Saving]:
    """The entry in force per (activity row id, year): the latest written (before ``until``)."""
    latest: dict[tuple[int, str], Saving] = {}
    for aid, s in entries(session, council_id):
        if until is not None and s.at is not None and s.at >= until:
            continue
        if (aid, s.year) not in latest or latest[(aid, s.year)].version < s.version:
            latest[(aid, s.year)] = s
    return latest


def add_entries(session: Session, items: Sequence[tuple[ActivityRow, Saving]]) -> None:
    """Append entries (each Saving carries its version, who and when), in one statement."""
    if not items:
        return
    session.execute(
        insert(ImpactEntryRow),
        [
            {
                "council_id": activity.council_id,
                "activity_id": activity.id,
                "year": saving.year,
                "version": saving.version,
                "expected_pence": pence(saving.expected),
                "actual_pence": pence(saving.actual),
                "cohort": saving.cohort,
                "unit_pence": pence(saving.unit),
                "counts": counts_text(saving.counts),
                "note": saving.note,
                "by": saving.by,
                "at": saving.at,
                "source": saving.source,
            }
            for activity, saving in items
        ],
    )


def weights(
    session: Session, council_id: int, until: datetime | None = None
) -> dict[str, dict[str, Decimal]]:
    """{activity id: {measure id: weight}} for the activities with weights in force (at
    ``until``: those set before it and not ended by then)."""
    out: dict[str, dict[str, Decimal]] = {}
    for activity, measure, weight, at, ended in _weight_rows(session, council_id):
        if until is None:
            if ended is not None:
                continue
        elif at >= until or (ended is not None and ended < until):
            continue
        out.setdefault(activity, {})[measure] = Decimal(weight)
    return out


def _weight_rows(session: Session, council_id: int) -> list[Any]:
    columns = [
        ActivityRow.code,
        MeasureRow.code,
        ImpactWeightRow.weight,
        ImpactWeightRow.at,
        ImpactWeightRow.ended_at,
    ]
    rows = session.execute(
        only(
            select(*columns)
            .join(ActivityRow, ActivityRow.id == ImpactWeightRow.activity_id)
            .join(MeasureRow, MeasureRow.id == ImpactWeightRow.measure_id)
            .order_by(ImpactWeightRow.id),
            ImpactWeightRow,
            council_id,
        )
    )
    out = []
    for row in rows:
        r: Any = tuple(row)
        out.append((r[0], r[1], r[2], _aware(r[3]), r[4] and _aware(r[4])))
    return out


def replace_weights(
    session: Session,
    activity: ActivityRow,
    given: Sequence[tuple[MeasureRow, Decimal]],
    by: str,
    at: datetime,
) -> None:
    """The activity's weights become ``given`` (none: equal shares); the ones before are ended,
    not deleted, so the history is kept."""
    session.execute(
        update(ImpactWeightRow)
        .where(
            ImpactWeightRow.council_id == activity.council_id,
            ImpactWeightRow.activity_id == activity.id,
            ImpactWeightRow.ended_at.is_(None),
        )
        .values(ended_at=at)
    )
    for measure, weight in given:
        session.add(
            ImpactWeightRow(
                council_id=activity.council_id,
                activity_id=activity.id,
                measure_id=measure.id,
                weight=f"{weight:f}",
                by=by,
                at=at,
            )
        )
    session.flush()


def _year(row: Any) -> TrajectoryYear:
    unmitigated = pounds(row.unmitigated_pence)
    assert unmitigated is not None
    return TrajectoryYear(
        row.year,
        unmitigated,
        pounds(row.target_pence),
        pounds(row.actual_pence),
        row.by,
        _aware(row.at),
        row.file,
    )


def _entry(row: Any) -> TrajectoryEntry:
    return TrajectoryEntry(
        _year(row),
        row.version,
        row.ended_by,
        row.ended_at and _aware(row.ended_at),
        row.ended_file,
    )


def trajectory_entries(
    session: Session, assessment: AssessmentRecord | AssessmentRow
) -> list[TrajectoryEntry]:
    """Every version of the assessment's trajectory years, in force or ended, in the order
    written."""
    table = TrajectoryRow.__table__
    rows = session.execute(
        only(
            select(table)
            .where(table.c.assessment_id == assessment.id)
            .order_by(table.c.year, table.c.id),
            table,
            assessment.council_id,
        )
    )
    return [_entry(r) for r in rows]


def trajectory(
    session: Session, assessment: AssessmentRecord | AssessmentRow
) -> list[TrajectoryYear]:
    """The trajectory in force: one row per year, in year order."""
    rows = session.scalars(
        owned(TrajectoryRow, assessment.council_id)
        .where(TrajectoryRow.assessment_id == assessment.id, TrajectoryRow.ended_at.is_(None))
        .order_by(TrajectoryRow.year)
    )
    return [_year(r) for r in rows]


def put_years(
    session: Session,
    assessment: AssessmentRecord | AssessmentRow,
    years: Sequence[TrajectoryYear],
    replace: bool = False,
    *,
    by: str = "",
    at: datetime | None = None,
    file: str = "",
    write: bool = True,
) -> list[TrajectoryChange]:
    """Write trajectory years, keeping the history, and say what changed (``write`` False: say
    it, writing nothing, as an import's preview does). A year whose figures
    are the same as those in force is left as it is (its who and when kept); a year whose
    figures differ ends the row in force (by the new figures' who, at their when) and gets a
    new one. ``replace``: the assessment's trajectory becomes exactly these years, and the
    years held but not given are ended too, ``by`` at ``at`` (``file``: the import that left
    them out): nothing is deleted."""
    held = {
        r.year: r
        for r in session.scalars(
            owned(TrajectoryRow, assessment.council_id).where(
                TrajectoryRow.assessment_id == assessment.id
            )
        )
    }
    in_force = {y: r for y, r in held.items() if r.ended_at is None}
    versions: dict[str, int] = {}
    for r in held.values():
        versions[r.year] = max(versions.get(r.year, 0), r.version)
    changes: list[TrajectoryChange] = []
    given = {y.year for y in years}
    ended: list[tuple[int, str, datetime | None, str]] = []  # row id, by, at, file
    new: list[dict[str, object]] = []
    if replace:
        assert at is not None, "a replace ends the years left out: at a moment"
        for year, row in sorted(in_force.items()):
            if year not in given:
                changes += year_changes(_year(row), None, by, at, file)
                ended.append((row.id, by, at, file))
    for y in years:
        found = in_force.get(y.year)
        before = _year(found) if found is not None else None
        if before is not None and before.same_figures(y):
            continue
        changes += year_changes(before, y, y.by, y.at, y.file)
        if found is not None:
            ended.append((found.id, y.by, y.at, ""))
        new.append(
            {
                "council_id": assessment.council_id,
                "assessment_id": assessment.id,
                "year": y.year,
                "unmitigated_pence": pence(y.unmitigated),
                "target_pence": pence(y.target),
                "actual_pence": pence(y.actual),
                "by": y.by,
                "at": y.at,
                "version": versions.get(y.year, 0) + 1,
                "file": y.file,
                "ended_by": "",
                "ended_at": None,
                "ended_file": "",
            }
        )
    if not write:
        return changes
    # the rows ended first: one row in force per year at every moment
    for row_id, ended_by, ended_at, ended_file in ended:
        session.execute(
            update(TrajectoryRow)
            .where(TrajectoryRow.id == row_id, TrajectoryRow.council_id == assessment.council_id)
            .values(ended_by=ended_by, ended_at=ended_at, ended_file=ended_file)
        )
    if new:
        session.execute(insert(TrajectoryRow), new)
    return changes
