"""Moving domain objects in and out of the tables. No business rules here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from valvecheck.domain.model import Agreement, Authority, Catalogue, Measure, Placement
from valvecheck.domain.rag import Rag
from valvecheck.domain.rating import Rating
from valvecheck.errors import NotFound
from valvecheck.store.models import (
    ActivityRow,
    AgreementAuthorityRow,
    AgreementRow,
    AssessmentRow,
    AuthorityAliasRow,
    AuthorityRow,
    CouncilRow,
    LinkEventRow,
    MeasureRow,
    MeasureVersionRow,
    PlacementRow,
    RatingRow,
    SubThemeRow,
    ThemeRow,
)
from valvecheck.store.tenancy import only, owned

PROGRESS_EVERY = 250  # measures between two reports of progress


def now() -> datetime:
    return datetime.now(UTC)


# -- catalogue ------------------------------------------------------------------------------


def save_catalogue(
    session: Session,
    catalogue: Catalogue,
    at: datetime,
    revise: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Add what is new. Only with ``revise`` (a new version of an agreement's document) does a
    measure whose text changed get a new version, the old text kept; otherwise an existing
    measure is never rewritten.

    Returns counts of what changed: authorities, agreements, measures added, measures revised,
    placements added. ``progress(done, total)`` is told how many measures are saved so far.
    """
    changed = {"authorities": 0, "agreements": 0, "measures": 0, "revised": 0, "placements": 0}
    authorities = {a.slug: a for a in session.scalars(select(AuthorityRow))}
    for authority in catalogue.authorities:
        row = authorities.get(authority.slug)
        if row is None:
            row = AuthorityRow(slug=authority.slug, name=authority.name)
            session.add(row)
            authorities[authority.slug] = row
            changed["authorities"] += 1
        known = {a.alias for a in row.aliases}
        for alias in authority.aliases:
            if alias not in known:
                row.aliases.append(AuthorityAliasRow(alias=alias))

    themes = _save_programme(session, catalogue)

    agreements = {a.slug: a for a in session.scalars(select(AgreementRow))}
    for agreement in catalogue.agreements:
        if agreement.slug in agreements:
            continue
        new = AgreementRow(
            slug=agreement.slug,
            title=agreement.title,
            year=agreement.year,
            kind=agreement.kind,
            source_title=agreement.source_title,
            source_url=agreement.source_url,
            position=len(agreements),
        )
        for i, slug in enumerate(agreement.authorities):
            if slug not in authorities:
                authorities[slug] = AuthorityRow(slug=slug, name=slug)
                session.add(authorities[slug])
            new.authority_links.append(
                AgreementAuthorityRow(authority=authorities[slug], position=i)
            )
        session.add(new)
        agreements[agreement.slug] = new
        changed["agreements"] += 1
    session.flush()

    by_slug = {a.slug: a for a in catalogue.agreements}
    existing = {
        m.code: m
        for m in session.scalars(select(MeasureRow).options(selectinload(MeasureRow.placements)))
    }
    total = len(catalogue.measures)
    for done, measure in enumerate(catalogue.measures):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
        source = by_slug.get(measure.agreement)
        mrow = existing.get(measure.id)
        if mrow is None:
            mrow = MeasureRow(
                code=measure.id,
                agreement=agreements[measure.agreement],
                number=measure.number,
                text=measure.text,
                source_title=measure.source_title or (source.source_title if source else ""),
                source_url=measure.source_url or (source.source_url if source else ""),
                source_locator=measure.source_locator,
                imported_at=measure.imported_at or at,
            )
            session.add(mrow)
            changed["measures"] += 1
        elif revise and mrow.text != measure.text:
            session.add(
                MeasureVersionRow(
                    measure_id=mrow.id,
                    version=mrow.version,
                    text=mrow.text,
                    source_title=mrow.source_title,
                    imported_at=mrow.imported_at,
                )
            )
            mrow.text = measure.text
            mrow.version += 1
            mrow.imported_at = at
            # the current text now comes from the new document
            mrow.source_title = measure.source_title or (source.source_title if source else "")
            mrow.source_url = measure.source_url or (source.source_url if source else "")
            mrow.source_locator = measure.source_locator
            changed["revised"] += 1
        have = {(p.theme_id, p.sub_theme_id) for p in mrow.placements}
        for placement in measure.placements:
            theme, sub = themes[(placement.theme, placement.sub_theme)]
            key = (theme.id, sub.id if sub else None)
            if key not in have:
                mrow.placements.append(
                    PlacementRow(theme=theme, sub_theme=sub, position=len(mrow.placements))
                )
                have.add(key)
                changed["placements"] += 1
    session.flush()
    if progress is not None:
        progress(total, total)
    return changed


def _save_programme(
    session: Session, catalogue: Catalogue
) -> dict[tuple[str, str | None], tuple[ThemeRow, SubThemeRow | None]]:
    themes = {
        t.name: t
        for t in session.scalars(select(ThemeRow).options(selectinload(ThemeRow.sub_themes)))
    }
    pairs = catalogue.programme.pairs() + [p for m in catalogue.measures for p in m.placements]
    out: dict[tuple[str, str | None], tuple[ThemeRow, SubThemeRow | None]] = {}
    for pair in pairs:
        theme = themes.get(pair.theme)
        if theme is None:
            theme = ThemeRow(name=pair.theme, position=len(themes))
            session.add(theme)
            themes[pair.theme] = theme
        sub = None
        if pair.sub_theme:
            sub = next((s for s in theme.sub_themes if s.name == pair.sub_theme), None)
            if sub is None:
                sub = SubThemeRow(name=pair.sub_theme, position=len(theme.sub_themes))
                theme.sub_themes.append(sub)
        out[(pair.theme, pair.sub_theme)] = (theme, sub)
    session.flush()
    return out


def load_catalogue(session: Session) -> Catalogue:
    """The whole catalogue, read set-based: one query per table, rows as tuples (no ORM
    objects), so its cost grows with the rows and no more."""
    catalogue = Catalogue()
    aliases: dict[int, list[str]] = {}
    for authority_id, alias in session.execute(
        select(AuthorityAliasRow.authority_id, AuthorityAliasRow.alias).order_by(
            AuthorityAliasRow.id
        )
    ):
        aliases.setdefault(authority_id, []).append(alias)
    authority_slug = {}
    for aid, slug, name in session.execute(
        select(AuthorityRow.id, AuthorityRow.slug, AuthorityRow.name).order_by(AuthorityRow.id)
    ):
        authority_slug[aid] = slug
        catalogue.authorities.append(Authority(slug, name, tuple(aliases.get(aid, ()))))
    members: dict[int, list[str]] = {}
    for agreement_id, authority_id in session.execute(
        select(AgreementAuthorityRow.agreement_id, AgreementAuthorityRow.authority_id).order_by(
            AgreementAuthorityRow.agreement_id, AgreementAuthorityRow.position
        )
    ):
        members.setdefault(agreement_id, []).append(authority_slug[authority_id])
    a = AgreementRow
    slug_of: dict[int, str] = {}
    position: dict[int, int] = {}
    for arow in session.execute(
        select(a.id, a.slug, a.title, a.year, a.source_title, a.source_url, a.kind).order_by(
            a.position, a.id
        )
    ):
        slug_of[arow.id] = arow.slug
        position[arow.id] = len(position)
        catalogue.agreements.append(
            Agreement(
                slug=arow.slug,
                title=arow.title,
                authorities=tuple(members.get(arow.id, ())),
                year=arow.year,
                source_title=arow.source_title,
                source_url=arow.source_url,
                kind=arow.kind,
            )
        )
    theme_name: dict[int, str] = {}
    for tid, name in session.execute(
        select(ThemeRow.id, ThemeRow.name).order_by(ThemeRow.position, ThemeRow.id)
    ):
        theme_name[tid] = name
        catalogue.programme.add(name)
    sub_name: dict[int, str] = {}
    subs_of: dict[int, list[str]] = {}
    for sid, theme_id, name in session.execute(
        select(SubThemeRow.id, SubThemeRow.theme_id, SubThemeRow.name).order_by(
            SubThemeRow.theme_id, SubThemeRow.position, SubThemeRow.id
        )
    ):
        sub_name[sid] = name
        subs_of.setdefault(theme_id, []).append(name)
    for tid, name in theme_name.items():
        for sub in subs_of.get(tid, ()):
            catalogue.programme.add(name, sub)
    placed: dict[int, list[Placement]] = {}
    for measure_id_, theme_id, sub_theme_id in session.execute(
        select(PlacementRow.measure_id, PlacementRow.theme_id, PlacementRow.sub_theme_id).order_by(
            PlacementRow.measure_id, PlacementRow.position, PlacementRow.id
        )
    ):
        placed.setdefault(measure_id_, []).append(
            Placement(theme_name[theme_id], sub_name[sub_theme_id] if sub_theme_id else None)
        )
    m = MeasureRow
    rows = list(
        session.execute(
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


def measure_rows(session: Session) -> dict[str, MeasureRow]:
    """Every measure's row by its id, in one query: for work on many measures at once."""
    return {row.code: row for row in session.scalars(select(MeasureRow))}


def measure_row(session: Session, measure_id: str) -> MeasureRow:
    # ids are lower-case slugs; people type 'Bury-1' or ' bury-1 '
    code = measure_id.strip().lower()
    row = session.scalar(select(MeasureRow).where(MeasureRow.code == code))
    if row is None:
        raise NotFound(f"there is no measure '{measure_id}'", field="measure")
    return row


# -- assessments and ratings (a council's own: every query names the council) -----------------


def assessments(session: Session, council_id: int) -> list[AssessmentRow]:
    return list(session.scalars(owned(AssessmentRow, council_id).order_by(AssessmentRow.id)))


def current_assessment(session: Session, council_id: int) -> AssessmentRow | None:
    """The council's chosen assessment, else its latest; None when it has none."""
    chosen = session.scalar(
        select(CouncilRow.current_assessment_id).where(CouncilRow.id == council_id)
    )
    if chosen is not None:
        row = session.scalar(owned(AssessmentRow, council_id).where(AssessmentRow.id == chosen))
        if row is not None:
            return row
    return session.scalar(
        owned(AssessmentRow, council_id).order_by(AssessmentRow.id.desc()).limit(1)
    )


def assessment_row(session: Session, council_id: int, name: str | None) -> AssessmentRow:
    """The named assessment of the council, or its current one when no name is given."""
    if name is None:
        row = current_assessment(session, council_id)
        if row is None:
            raise NotFound("this council has no assessment yet", field="assessment")
        return row
    row = session.scalar(owned(AssessmentRow, council_id).where(AssessmentRow.name == name))
    if row is None:
        names = ", ".join(f"'{a.name}'" for a in assessments(session, council_id)) or "none"
        raise NotFound(f"there is no assessment '{name}' (there are: {names})", field="assessment")
    return row


def assessment_by_id(session: Session, council_id: int, assessment_id: int) -> AssessmentRow:
    row = session.scalar(owned(AssessmentRow, council_id).where(AssessmentRow.id == assessment_id))
    if row is None:
        raise NotFound(f"there is no assessment {assessment_id}", field="assessment")
    return row


def to_rating(code: str, row: RatingRow) -> Rating:
    """A rating row as the domain's Rating."""
    return Rating(
        measure_id=code,
        rag=Rag(row.rag),
        rationale=row.rationale,
        evidence=row.evidence,
        by=row.by,
        at=row.at,
        previous=Rag(row.previous),
        version=row.version,
        source=row.source,
        measure_version=row.measure_version,
    )


def rating_history(session: Session, assessment: AssessmentRow) -> dict[str, list[Rating]]:
    """Every rating event of an assessment, per measure id, oldest first (read as tuples)."""
    r = RatingRow
    stmt = select(
        MeasureRow.code,
        r.rag,
        r.rationale,
        r.evidence,
        r.by,
        r.at,
        r.previous,
        r.version,
        r.source,
        r.measure_version,
    ).join(MeasureRow, MeasureRow.id == r.measure_id)
    stmt = only(stmt, RatingRow, assessment.council_id)
    out: dict[str, list[Rating]] = {}
    rags = {rag.value: rag for rag in Rag}
    for row in session.execute(stmt.where(r.assessment_id == assessment.id).order_by(r.id)):
        out.setdefault(row.code, []).append(
            Rating(
                measure_id=row.code,
                rag=rags[row.rag],
                rationale=row.rationale,
                evidence=row.evidence,
                by=row.by,
                at=row.at,
                previous=rags[row.previous],
                version=row.version,
                source=row.source,
                measure_version=row.measure_version,
            )
        )
    return out


def measure_history(
    session: Session, assessment: AssessmentRow, measure: MeasureRow
) -> list[Rating]:
    """One measure's rating events in an assessment, oldest first."""
    rows = session.scalars(
        owned(RatingRow, assessment.council_id)
        .where(RatingRow.assessment_id == assessment.id, RatingRow.measure_id == measure.id)
        .order_by(RatingRow.version)
    )
    return [to_rating(measure.code, r) for r in rows]


def lock_pair(session: Session, *key: int) -> None:
    """Serialise writers of one history (a measure's ratings, a link's events) until commit.

    PostgreSQL: a transaction-scoped advisory lock on the pair. SQLite: the write transaction
    already holds the database's write lock from its first statement (BEGIN IMMEDIATE).
    """
    if session.get_bind().dialect.name == "postgresql":
        a, b = (key + (0,))[:2]
        session.execute(select(func.pg_advisory_xact_lock(a, b)))


def add_rating(
    session: Session, assessment: AssessmentRow, measure: MeasureRow, rating: Rating
) -> RatingRow:
    row = RatingRow(
        council_id=assessment.council_id,
        assessment_id=assessment.id,
        measure_id=measure.id,
        version=rating.version,
        rag=rating.rag.value,
        previous=rating.previous.value,
        rationale=rating.rationale,
        evidence=rating.evidence,
        by=rating.by,
        at=rating.at or now(),
        source=rating.source,
        measure_version=rating.measure_version or measure.version,
    )
    session.add(row)
    return row


# -- activity links -----------------------------------------------------------------------------


def link_events(session: Session, council_id: int) -> list[tuple[str, str, LinkEventRow]]:
    """Every link/unlink event of a council as (activity id, measure id, event), oldest first."""
    rows = session.execute(
        only(
            select(ActivityRow.code, MeasureRow.code, LinkEventRow)
            .join(ActivityRow, ActivityRow.id == LinkEventRow.activity_id)
            .join(MeasureRow, MeasureRow.id == LinkEventRow.measure_id)
            .order_by(LinkEventRow.id),
            LinkEventRow,
            council_id,
        )
    ).all()
    return [(a, m, e) for a, m, e in rows]


def current_links(session: Session, council_id: int) -> list[tuple[str, str, LinkEventRow]]:
    """The links in force: for each (activity, measure) pair whose latest event is a link."""
    latest: dict[tuple[str, str], LinkEventRow] = {}
    for activity, measure, event in link_events(session, council_id):
        latest[(activity, measure)] = event
    return [(a, m, e) for (a, m), e in latest.items() if e.linked]
