"""Reads written against the Core tables: no ORM objects, so a command that only reads (a
summary) never loads the ORM. Each takes the unit of work's connection, or an ORM session when
the use-case also writes (then the reads see its pending changes). The web app, the API and the
command line all read through these; store/repository.py re-exports them beside the writes.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, select

from valvecheck.domain.activity import Activity, Status
from valvecheck.domain.model import Agreement, Authority, Catalogue, Measure, Placement
from valvecheck.domain.moments import aware
from valvecheck.domain.names import fold
from valvecheck.domain.provenance import MeasureVersion
from valvecheck.domain.rag import Rag
from valvecheck.domain.rating import Rating
from valvecheck.errors import NotFound
from valvecheck.store import tables as t
from valvecheck.store.tenancy import only

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    Db = Connection | Session


# -- catalogue ------------------------------------------------------------------------------


def load_catalogue(db: Db, council_id: int | None) -> Catalogue:
    """The whole catalogue, with council ``council_id``'s programme and placements (None: the
    shared catalogue alone, for work that never reads a programme), read set-based: one query
    per table, rows as tuples (no ORM objects), so its cost grows with the rows and no more.

    Each query may see a later moment than the one before (PostgreSQL reads committed work
    statement by statement) while others import: so a table is read before those it refers
    to (a measure before its agreement, an agreement's authorities before the authorities),
    which are never deleted, and a placement is read with its theme's and sub-theme's names in
    one statement (a theme emptied and dropped meanwhile is then still named)."""
    catalogue = Catalogue()
    m = t.measure.c
    rows = list(
        db.execute(
            select(
                m.id,
                m.agreement_id,
                m.number,
                m.text,
                m.source_locator,
                m.source_title,
                m.source_url,
                m.imported_at,
                m.version,
            )
        )
    )
    a = t.agreement.c
    agreements = list(
        db.execute(
            select(a.id, a.slug, a.title, a.year, a.source_title, a.source_url, a.kind).order_by(
                a.position, a.id
            )
        )
    )
    members: dict[int, list[int]] = {}
    ag = t.agreement_authority.c
    for agreement_id, authority_id in db.execute(
        select(ag.agreement_id, ag.authority_id).order_by(ag.agreement_id, ag.position)
    ):
        members.setdefault(agreement_id, []).append(authority_id)
    au = t.authority.c
    authorities = list(db.execute(select(au.id, au.slug, au.name).order_by(au.id)))
    aliases: dict[int, list[str]] = {}
    aa = t.authority_alias.c
    for authority_id, alias in db.execute(select(aa.authority_id, aa.alias).order_by(aa.id)):
        aliases.setdefault(authority_id, []).append(alias)
    authority_slug = {}
    for aid, slug, name in authorities:
        authority_slug[aid] = slug
        catalogue.authorities.append(Authority(slug, name, tuple(aliases.get(aid, ()))))
    slug_of: dict[int, str] = {}
    position: dict[int, int] = {}
    for arow in agreements:
        slug_of[arow.id] = arow.slug
        position[arow.id] = len(position)
        catalogue.agreements.append(
            Agreement(
                slug=arow.slug,
                title=arow.title,
                authorities=tuple(authority_slug[i] for i in members.get(arow.id, ())),
                year=arow.year,
                source_title=arow.source_title,
                source_url=arow.source_url,
                kind=arow.kind,
            )
        )
    placed = {} if council_id is None else _read_programme(db, council_id, catalogue)
    rows.sort(key=lambda r: (position[r.agreement_id], r.number))
    catalogue.measures = [
        Measure(
            agreement=slug_of[r.agreement_id],
            number=r.number,
            text=r.text,
            placements=tuple(placed.get(r.id, ())),
            source_locator=r.source_locator,
            source_title=r.source_title,
            source_url=r.source_url,
            imported_at=r.imported_at,
            version=r.version,
        )
        for r in rows
    ]
    return catalogue


def _read_programme(db: Db, council_id: int, catalogue: Catalogue) -> dict[int, list[Placement]]:
    """Council ``council_id``'s programme, into ``catalogue``; returns its placements by the
    measure's row id. A placement's theme or sub-theme made after the programme was read (by
    someone importing meanwhile) is added after the rest."""
    theme_name: dict[int, str] = {}
    th = t.theme.c
    for tid, name in db.execute(
        only(select(th.id, th.name), t.theme, council_id).order_by(th.position, th.id)
    ):
        theme_name[tid] = name
        catalogue.programme.add(name)
    subs_of: dict[int, list[str]] = {}
    st = t.sub_theme.c
    for theme_id, name in db.execute(
        only(select(st.theme_id, st.name), t.sub_theme, council_id).order_by(
            st.theme_id, st.position, st.id
        )
    ):
        subs_of.setdefault(theme_id, []).append(name)
    for tid, name in theme_name.items():
        for sub in subs_of.get(tid, ()):
            catalogue.programme.add(name, sub)
    placed: dict[int, list[Placement]] = {}
    p = t.placement.c
    query = (
        select(p.measure_id, th.name, st.name)
        .join(t.theme, th.id == p.theme_id)
        .outerjoin(t.sub_theme, st.id == p.sub_theme_id)
    )
    for measure_id_, theme, sub in db.execute(
        only(query, t.placement, council_id).order_by(p.measure_id, p.position, p.id)
    ):
        catalogue.programme.add(theme, sub)
        placed.setdefault(measure_id_, []).append(Placement(theme, sub))
    return placed


# -- assessments and ratings (a council's own: every query names the council) -----------------


@dataclass(frozen=True)
class AssessmentRecord:
    """An assessment's row as read (a write changes the ORM row, models.AssessmentRow)."""

    id: int
    council_id: int
    name: str
    council: str
    description: str
    created_at: datetime
    created_by: str
    locked_at: datetime | None
    locked_by: str


# An assessment's row but the catalogue its lock recorded (thousands of measures: read only
# when the state of a locked assessment is, `locked_measures`)
_RECORD_COLUMNS = [c for c in t.assessment.c if c.name != "locked_measures"]


def _assessments(council_id: int) -> Any:
    return only(select(*_RECORD_COLUMNS), t.assessment, council_id)


def _record(row: Row[Any] | None) -> AssessmentRecord | None:
    return None if row is None else AssessmentRecord(**row._mapping)


def assessments(db: Db, council_id: int) -> list[AssessmentRecord]:
    rows = db.execute(_assessments(council_id).order_by(t.assessment.c.id))
    return [AssessmentRecord(**r._mapping) for r in rows]


def current_assessment(db: Db, council_id: int) -> AssessmentRecord | None:
    """The council's chosen assessment, else its latest; None when it has none."""
    a = t.assessment.c
    chosen = db.execute(
        select(t.council.c.current_assessment_id).where(t.council.c.id == council_id)
    ).scalar()
    if chosen is not None:
        row = _record(db.execute(_assessments(council_id).where(a.id == chosen)).first())
        if row is not None:
            return row
    return _record(db.execute(_assessments(council_id).order_by(a.id.desc()).limit(1)).first())


def assessment_row(db: Db, council_id: int, name: str | None) -> AssessmentRecord:
    """The named assessment of the council, or its current one when no name is given."""
    if name is None:
        row = current_assessment(db, council_id)
        if row is None:
            raise NotFound("this council has no assessment yet", field="assessment")
        return row
    found = _record(db.execute(_assessments(council_id).where(t.assessment.c.name == name)).first())
    if found is not None:
        return found
    # named in another case or spacing: the one the council has (a new one is never made so:
    # services/ratings.new_assessment), as a council's themes and activity ids are found
    every = assessments(db, council_id)
    alike = [a for a in every if fold(a.name) == fold(name)]
    if len(alike) == 1:
        return alike[0]
    names = ", ".join(f"'{a.name}'" for a in every) or "none"
    raise NotFound(f"there is no assessment '{name}' (there are: {names})", field="assessment")


def assessment_by_id(db: Db, council_id: int, assessment_id: int) -> AssessmentRecord:
    found = _record(
        db.execute(_assessments(council_id).where(t.assessment.c.id == assessment_id)).first()
    )
    if found is None:
        raise NotFound(f"there is no assessment {assessment_id}", field="assessment")
    return found


def locked_measures(db: Db, assessment: AssessmentRecord) -> str | None:
    """The catalogue's measures and their text versions recorded when the assessment was locked
    (compact JSON: domain/locked_catalogue.py); None while it is open, or when it was locked
    before they were recorded (schema 0018)."""
    a = t.assessment.c
    return db.execute(
        only(select(a.locked_measures), t.assessment, assessment.council_id).where(
            a.id == assessment.id
        )
    ).scalar()


def has_measure(db: Db, code: str) -> bool:
    """Whether the catalogue has the measure ``code`` now."""
    m = t.measure.c
    return db.execute(select(m.id).where(m.code == code)).first() is not None


def earlier_texts(db: Db, codes: Collection[str]) -> list[MeasureVersion]:
    """The earlier texts of the measures ``codes``, by measure then version."""
    if not codes:
        return []
    m, v = t.measure.c, t.measure_version.c
    rows = db.execute(
        select(m.code, v.version, v.text, v.source_title, v.imported_at)
        .join(t.measure, m.id == v.measure_id)
        .where(m.code.in_(sorted(codes)))
        .order_by(m.code, v.version)
    )
    return [MeasureVersion(*row) for row in rows]


_RAGS = {rag.value: rag for rag in Rag}


def to_rating(code: str, row: Any) -> Rating:
    """A rating row (a Row of the rating table, or models.RatingRow) as the domain's Rating."""
    return Rating(
        measure_id=code,
        rag=_RAGS[row.rag],
        rationale=row.rationale,
        evidence=row.evidence,
        by=row.by,
        at=row.at,
        previous=_RAGS[row.previous],
        version=row.version,
        source=row.source,
        measure_version=row.measure_version,
    )


def _ratings(*more: Any) -> Any:
    """Rating rows with their measure's id (code), as to_rating reads them; ``more`` columns."""
    r = t.rating.c
    return select(
        *more,
        t.measure.c.code,
        r.rag,
        r.rationale,
        r.evidence,
        r.by,
        r.at,
        r.previous,
        r.version,
        r.source,
        r.measure_version,
    ).join(t.measure, t.measure.c.id == r.measure_id)


def rating_history(db: Db, assessment: AssessmentRecord | Any) -> dict[str, list[Rating]]:
    """Every rating event of an assessment, per measure id, oldest first (read as tuples)."""
    r = t.rating.c
    stmt = only(_ratings(), t.rating, assessment.council_id)
    out: dict[str, list[Rating]] = {}
    for row in db.execute(stmt.where(r.assessment_id == assessment.id).order_by(r.id)):
        out.setdefault(row.code, []).append(to_rating(row.code, row))
    return out


def latest_rating_by_assessment(
    db: Db, council_id: int, measure_code: str
) -> list[tuple[AssessmentRecord, Rating]]:
    """A measure's latest rating in each of the council's assessments that rated it, in the
    order the assessments were made."""
    r = t.rating.c
    made = assessments(db, council_id)
    # by (assessment, measure): the rating index's own order, so a big history is not scanned
    stmt = only(_ratings(r.assessment_id), t.rating, council_id).where(
        r.assessment_id.in_([a.id for a in made]), t.measure.c.code == measure_code
    )
    latest: dict[int, Rating] = {}
    for row in db.execute(stmt.order_by(r.id)):
        latest[row.assessment_id] = to_rating(row.code, row)
    return [(a, latest[a.id]) for a in made if a.id in latest]


# -- activities and their links -----------------------------------------------------------------


def to_activity(row: Any) -> Activity:
    """An activity row (a Row of the activity table, or models.ActivityRow) as the domain's."""
    return Activity(
        id=row.code,
        title=row.title,
        description=row.description,
        theme=row.theme,
        sub_theme=row.sub_theme,
        owner=row.owner,
        status=Status(row.status) if row.status else None,
        start=row.start_date,
        end=row.end_date,
        link=row.link,
    )


def activities(db: Db, council_id: int) -> list[Activity]:
    rows = db.execute(only(select(t.activity), t.activity, council_id).order_by(t.activity.c.id))
    return [to_activity(r) for r in rows]


def link_events(db: Db, council_id: int) -> list[tuple[str, str, Row[Any]]]:
    """Every link/unlink event of a council as (activity id, measure id, event), oldest first;
    the event is a row of the link_event table."""
    e = t.link_event
    rows = db.execute(
        only(
            select(t.activity.c.code, t.measure.c.code, e)
            .join(t.activity, t.activity.c.id == e.c.activity_id)
            .join(t.measure, t.measure.c.id == e.c.measure_id)
            .order_by(e.c.id),
            e,
            council_id,
        )
    ).all()
    return [(row[0], row[1], row) for row in rows]


def current_links(
    db: Db, council_id: int, until: datetime | None = None
) -> list[tuple[str, str, Row[Any]]]:
    """The links in force: for each (activity, measure) pair whose latest event is a link.

    ``until``: as they stood then (events recorded at or after it left out, so a pair unlinked
    since is still in force and one linked since is not)."""
    latest: dict[tuple[str, str], Row[Any]] = {}
    for activity, measure, event in link_events(db, council_id):
        if until is not None and aware(event.at) >= until:
            continue
        latest[(activity, measure)] = event
    return [(a, m, e) for (a, m), e in latest.items() if e.linked]


def detail_changes(db: Db, council_id: int, activity_row_id: int) -> list[Row[Any]]:
    """Every change of one activity's details, oldest first: rows of the activity_change table."""
    c = t.activity_change
    stmt = select(c).where(c.c.activity_id == activity_row_id).order_by(c.c.id)
    return list(db.execute(only(stmt, c, council_id)).all())


def placement_events(db: Db, council_id: int, measure_code: str | None = None) -> list[Row[Any]]:
    """Every placement of one measure (None: of every measure) made or taken away in the
    council's programme, oldest first: rows of the placement_event table, with the measure's
    ``code``."""
    e = t.placement_event
    stmt = (
        select(e, t.measure.c.code)
        .join(t.measure, t.measure.c.id == e.c.measure_id)
        .order_by(e.c.id)
    )
    if measure_code is not None:
        stmt = stmt.where(t.measure.c.code == measure_code)
    return list(db.execute(only(stmt, e, council_id)).all())
