"""Moving domain objects in and out of the tables. No business rules here.

The reads that need no ORM objects live in queries.py (re-exported here); the writes and the
reads of rows to change are here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from valvecheck.domain.model import PLACED as PLACED  # placement_event.change
from valvecheck.domain.model import REMOVED as REMOVED
from valvecheck.domain.model import Catalogue, Placement
from valvecheck.domain.names import fold
from valvecheck.domain.rating import Rating
from valvecheck.errors import NotFound
from valvecheck.store import tables
from valvecheck.store.models import (
    AgreementAuthorityRow,
    AgreementRow,
    AssessmentRow,
    AuthorityAliasRow,
    AuthorityRow,
    MeasureRow,
    MeasureVersionRow,
    PlacementEventRow,
    PlacementRow,
    RatingRow,
    SubThemeRow,
    ThemeRow,
)
from valvecheck.store.queries import AssessmentRecord as AssessmentRecord
from valvecheck.store.queries import assessment_by_id as assessment_by_id
from valvecheck.store.queries import assessment_row as assessment_row
from valvecheck.store.queries import assessments as assessments
from valvecheck.store.queries import current_assessment as current_assessment
from valvecheck.store.queries import current_links as current_links
from valvecheck.store.queries import link_events as link_events
from valvecheck.store.queries import load_catalogue as load_catalogue
from valvecheck.store.queries import rating_history as rating_history
from valvecheck.store.queries import to_rating as to_rating
from valvecheck.store.tenancy import owned

PROGRESS_EVERY = 250  # measures between two reports of progress


def now() -> datetime:
    return datetime.now(UTC)


# -- catalogue ------------------------------------------------------------------------------


def save_catalogue(
    session: Session,
    catalogue: Catalogue,
    at: datetime,
    council_id: int | None,
    revise: bool = False,
    progress: Callable[[int, int], None] | None = None,
    recorded: Recorded | None = None,
) -> dict[str, int]:
    """Add what is new. Only with ``revise`` (a new version of an agreement's document) does a
    measure whose text changed get a new version, the old text kept; otherwise an existing
    measure is never rewritten. The catalogue's programme and placements are council
    ``council_id``'s (`save_programme`, each placement added kept in its history as
    ``recorded`` says); with None, the catalogue must have none.

    Returns counts of what changed: authorities, agreements, measures added, measures revised,
    placements added. ``progress(done, total)`` is told how many measures are saved so far.
    """
    if council_id is None and has_programme(catalogue):
        raise ValueError("a programme and placements belong to a council: none was given")
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
    existing = {m.code: m for m in session.scalars(select(MeasureRow))}
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
    session.flush()
    if progress is not None:
        progress(total, total)
    if council_id is not None:
        changed["placements"] = save_programme(session, council_id, catalogue, recorded)
    return changed


def has_programme(catalogue: Catalogue) -> bool:
    return bool(catalogue.programme.themes) or any(m.placements for m in catalogue.measures)


@dataclass(frozen=True)
class Recorded:
    """Who a change of a council's programme is recorded as made by, when, and the file an
    import read it from ("" for a person's change)."""

    by: str
    at: datetime
    file: str = ""


def record_placement(
    session: Session,
    council_id: int,
    measure_id: int,
    placement: Placement,
    change: str,
    recorded: Recorded,
) -> None:
    """Keep a placement made (PLACED) or taken away (REMOVED) in the council's history of its
    programme, the theme and sub-theme as the programme names them."""
    session.add(
        PlacementEventRow(
            council_id=council_id,
            measure_id=measure_id,
            theme=placement.theme,
            sub_theme=placement.sub_theme or "",
            change=change,
            by=recorded.by,
            at=recorded.at,
            file=recorded.file,
        )
    )


def save_programme(
    session: Session, council_id: int, catalogue: Catalogue, recorded: Recorded | None = None
) -> int:
    """Add the catalogue's programme and placements to council ``council_id``'s, never
    removing or moving one it has. Every measure placed must be in the catalogue here already.
    Each placement added is kept in the council's history as ``recorded`` says (None: the
    bundled catalogue's, which has none). Returns how many placements were added."""
    themes = _save_programme(session, council_id, catalogue)
    placed: dict[int, set[tuple[int, int | None]]] = {}
    p = PlacementRow
    for measure_id_, theme_id, sub_theme_id in session.execute(
        select(p.measure_id, p.theme_id, p.sub_theme_id).where(p.council_id == council_id)
    ):
        placed.setdefault(measure_id_, set()).add((theme_id, sub_theme_id))
    ids = {code: id_ for code, id_ in session.execute(select(MeasureRow.code, MeasureRow.id))}
    added = 0
    for measure in catalogue.measures:
        if not measure.placements:
            continue
        have = placed.setdefault(ids[measure.id], set())
        for placement in measure.placements:
            theme, sub = themes[(placement.theme, placement.sub_theme)]
            key = (theme.id, sub.id if sub else None)
            if key in have:
                continue
            session.add(
                PlacementRow(
                    council_id=council_id,
                    measure_id=ids[measure.id],
                    theme_id=key[0],
                    sub_theme_id=key[1],
                    position=len(have),
                )
            )
            have.add(key)
            added += 1
            if recorded is not None:
                named = Placement(theme.name, sub.name if sub else None)
                record_placement(session, council_id, ids[measure.id], named, PLACED, recorded)
    session.flush()
    return added


def _save_programme(
    session: Session, council_id: int, catalogue: Catalogue
) -> dict[tuple[str, str | None], tuple[ThemeRow, SubThemeRow | None]]:
    # A theme retyped in another case or with other punctuation ("FINANCIAL EFFICIENCIES",
    # "Data Outcomes and Digital") is the theme already here, never a second one: so the
    # council's programme is read and added to by one writer at a time.
    lock_pair(session, CHANGING_PROGRAMME, council_id)
    themes = {
        fold(t.name): t
        for t in session.scalars(
            owned(ThemeRow, council_id).options(selectinload(ThemeRow.sub_themes))
        )
    }
    pairs = catalogue.programme.pairs() + [p for m in catalogue.measures for p in m.placements]
    out: dict[tuple[str, str | None], tuple[ThemeRow, SubThemeRow | None]] = {}
    for pair in pairs:
        theme = themes.get(fold(pair.theme))
        if theme is None:
            # after the last: a theme emptied and dropped leaves a gap, never a position taken
            last = max((t.position for t in themes.values()), default=-1)
            theme = ThemeRow(council_id=council_id, name=pair.theme, position=last + 1)
            session.add(theme)
            themes[fold(pair.theme)] = theme
        sub = None
        if pair.sub_theme:
            wanted = fold(pair.sub_theme)
            sub = next((s for s in theme.sub_themes if fold(s.name) == wanted), None)
            if sub is None:
                last = max((s.position for s in theme.sub_themes), default=-1)
                sub = SubThemeRow(council_id=council_id, name=pair.sub_theme, position=last + 1)
                theme.sub_themes.append(sub)
        out[(pair.theme, pair.sub_theme)] = (theme, sub)
    session.flush()
    return out


@dataclass(frozen=True)
class PlacementAdded:
    """What `add_placement` did: the placement as the council's programme names it, whether it
    was added (False: the measure was placed there already), and whether its theme or
    sub-theme is new to the programme."""

    placement: Placement
    added: bool
    new_theme: bool
    new_sub_theme: bool


def add_placement(
    session: Session, council_id: int, measure: MeasureRow, placement: Placement
) -> PlacementAdded:
    """Place ``measure`` in council ``council_id``'s programme at ``placement``: its theme (and
    sub-theme) the council's own when it has one by that name in any case or punctuation
    (`_save_programme`), else a new one."""
    known = {
        fold(t.name): {fold(s.name) for s in t.sub_themes}
        for t in session.scalars(
            owned(ThemeRow, council_id).options(selectinload(ThemeRow.sub_themes))
        )
    }
    pair = Catalogue()
    pair.programme.add(placement.theme, placement.sub_theme)
    theme, sub = _save_programme(session, council_id, pair)[(placement.theme, placement.sub_theme)]
    subs = known.get(fold(placement.theme))
    done = PlacementAdded(
        Placement(theme.name, sub.name if sub else None),
        False,
        subs is None,
        bool(placement.sub_theme) and fold(placement.sub_theme or "") not in (subs or set()),
    )
    p = PlacementRow
    mine = (p.council_id == council_id, p.measure_id == measure.id)
    same_sub = p.sub_theme_id.is_(None) if sub is None else p.sub_theme_id == sub.id
    if session.scalar(select(p.id).where(*mine, p.theme_id == theme.id, same_sub).limit(1)):
        return done
    last = session.scalar(select(func.max(p.position)).where(*mine))
    session.add(
        PlacementRow(
            council_id=council_id,
            measure_id=measure.id,
            theme_id=theme.id,
            sub_theme_id=sub.id if sub else None,
            position=0 if last is None else last + 1,
        )
    )
    session.flush()
    return replace(done, added=True)


@dataclass(frozen=True)
class PlacementRemoved:
    """What `remove_placement` took away: the placement as the council's programme names it,
    and the sub-theme and theme it left with nothing placed in them, which went too."""

    placement: Placement
    dropped: tuple[str, ...] = ()  # 'Theme > Sub-theme' and 'Theme', as they went


def remove_placement(
    session: Session, council_id: int, measure: MeasureRow, placement: Placement
) -> PlacementRemoved | None:
    """Take ``measure``'s placement at ``placement`` (its theme and sub-theme named in any case
    or punctuation) out of council ``council_id``'s programme, and with it a sub-theme, then a
    theme, it leaves with nothing placed in it (a theme typed wrong is undone so). None when the
    measure is not placed there."""
    p = PlacementRow
    wanted = (fold(placement.theme), fold(placement.sub_theme or ""))
    for row in session.scalars(
        owned(PlacementRow, council_id)
        .where(p.measure_id == measure.id)
        .options(selectinload(p.theme), selectinload(p.sub_theme))
    ):
        sub = row.sub_theme.name if row.sub_theme else None
        if (fold(row.theme.name), fold(sub or "")) == wanted:
            theme, sub_row = row.theme, row.sub_theme
            session.delete(row)
            session.flush()
            return PlacementRemoved(
                Placement(theme.name, sub), _drop_empty(session, council_id, theme, sub_row)
            )
    return None


def _drop_empty(
    session: Session, council_id: int, theme: ThemeRow, sub: SubThemeRow | None
) -> tuple[str, ...]:
    """Remove ``sub``, then ``theme``, where nothing is placed in it any more."""
    p = PlacementRow
    dropped = []
    if sub is not None and not session.scalar(
        select(p.id).where(p.council_id == council_id, p.sub_theme_id == sub.id).limit(1)
    ):
        dropped.append(f"{theme.name} > {sub.name}")
        theme.sub_themes.remove(sub)
        session.flush()
    if not theme.sub_themes and not session.scalar(
        select(p.id).where(p.council_id == council_id, p.theme_id == theme.id).limit(1)
    ):
        dropped.append(theme.name)
        session.delete(theme)
        session.flush()
    return tuple(dropped)


@dataclass(frozen=True)
class ThemeRenamed:
    """What `rename_in_programme` did: the theme (or sub-theme) as it was named and as it is
    now, and each placement in it, by the measure's row id, before and after."""

    before: Placement
    after: Placement
    moved: tuple[tuple[int, Placement, Placement], ...] = ()
    clash: str = ""  # the name of the theme (or sub-theme) already called so: nothing was renamed


def rename_in_programme(
    session: Session, council_id: int, named: Placement, new_name: str
) -> ThemeRenamed | None:
    """Rename council ``council_id``'s theme ``named.theme`` (or, with ``named.sub_theme``, that
    sub-theme of it), each named in any case or punctuation, to ``new_name``. None when the
    programme has no such theme (or sub-theme); a ``clash`` when another of its themes (or the
    theme's sub-themes) is called ``new_name`` already."""
    themes = _themes(session, council_id)
    found = _named(themes, named)
    if found is None:
        return None
    theme, sub = found
    renamed: ThemeRow | SubThemeRow = theme if sub is None else sub
    siblings = [t.name for t in themes] if sub is None else [s.name for s in theme.sub_themes]
    before = Placement(theme.name, sub.name if sub else None)
    clash = next((n for n in siblings if n != renamed.name and fold(n) == fold(new_name)), "")
    if clash:
        return ThemeRenamed(before, before, clash=clash)
    p = PlacementRow
    rows = list(
        session.scalars(
            owned(PlacementRow, council_id)
            .where(p.theme_id == theme.id, *([p.sub_theme_id == sub.id] if sub else []))
            .order_by(p.measure_id, p.position, p.id)
            .options(selectinload(p.sub_theme))
        )
    )
    was = [Placement(theme.name, r.sub_theme.name if r.sub_theme else None) for r in rows]
    measures = [r.measure_id for r in rows]
    if renamed.name == new_name:  # called so already: nothing to write
        return ThemeRenamed(before, before, tuple(zip(measures, was, was, strict=True)))
    _rename_row(session, council_id, theme, sub, new_name)
    if sub is None:
        now = [Placement(new_name, w.sub_theme) for w in was]
        after = Placement(new_name)
    else:
        now = [Placement(w.theme, new_name) for w in was]
        after = Placement(before.theme, new_name)
    moved = zip(measures, was, now, strict=True)
    return ThemeRenamed(before, after, tuple(moved))


def _rename_row(
    session: Session, council_id: int, theme: ThemeRow, sub: SubThemeRow | None, new_name: str
) -> None:
    """A new row for the theme (or sub-theme) under its new name, in its place, with what was
    in the old one, which goes: a kept state's fingerprint (highest ids: services/snapshot.py)
    then sees the change, as it sees every other change to the programme."""
    p, st, th = tables.placement, tables.sub_theme, tables.theme
    # the order as it is read (position, then id), numbered afresh, so that the new row can take
    # the old one's position without tying with another (an older programme may hold ties)
    table, where = (
        (th, th.c.council_id == council_id) if sub is None else (st, st.c.theme_id == theme.id)
    )
    ordered = session.execute(
        select(table.c.id).where(where).order_by(table.c.position, table.c.id)
    )
    for n, (row_id,) in enumerate(ordered.all()):
        session.execute(table.update().where(table.c.id == row_id).values(position=n))
    session.expire_all()
    if sub is None:
        new_id = session.execute(
            th.insert()
            .values(council_id=council_id, name=new_name, position=theme.position)
            .returning(th.c.id)
        ).scalar_one()
        session.execute(st.update().where(st.c.theme_id == theme.id).values(theme_id=new_id))
        session.execute(p.update().where(p.c.theme_id == theme.id).values(theme_id=new_id))
        session.execute(th.delete().where(th.c.id == theme.id))
    else:
        new_id = session.execute(
            st.insert()
            .values(council_id=council_id, theme_id=theme.id, name=new_name, position=sub.position)
            .returning(st.c.id)
        ).scalar_one()
        session.execute(p.update().where(p.c.sub_theme_id == sub.id).values(sub_theme_id=new_id))
        session.execute(st.delete().where(st.c.id == sub.id))
    session.expire_all()


def named_in_programme(session: Session, council_id: int, placement: Placement) -> Placement | None:
    """The theme (and sub-theme) of council ``council_id``'s programme that ``placement`` names,
    matched as a placement is (case, spacing and punctuation aside), as the programme spells
    it; None when it has none."""
    found = _named(_themes(session, council_id), placement)
    if found is None:
        return None
    theme, sub = found
    return Placement(theme.name, sub.name if sub else None)


def _themes(session: Session, council_id: int) -> list[ThemeRow]:
    return list(
        session.scalars(owned(ThemeRow, council_id).options(selectinload(ThemeRow.sub_themes)))
    )


def _named(themes: list[ThemeRow], named: Placement) -> tuple[ThemeRow, SubThemeRow | None] | None:
    """The theme (and sub-theme) among ``themes`` that ``named`` names, in any case or
    punctuation; None when there is none."""
    theme = next((t for t in themes if fold(t.name) == fold(named.theme)), None)
    if theme is None or not named.sub_theme:
        return None if theme is None else (theme, None)
    wanted = fold(named.sub_theme)
    sub = next((s for s in theme.sub_themes if fold(s.name) == wanted), None)
    return None if sub is None else (theme, sub)


def placements_of(session: Session, council_id: int, measure: MeasureRow) -> list[Placement]:
    """Where council ``council_id`` places ``measure``, in its order."""
    p = PlacementRow
    rows = session.scalars(
        owned(PlacementRow, council_id)
        .where(p.measure_id == measure.id)
        .order_by(p.position, p.id)
        .options(selectinload(p.theme), selectinload(p.sub_theme))
    )
    return [Placement(r.theme.name, r.sub_theme.name if r.sub_theme else None) for r in rows]


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


def measure_codes(session: Session, row_ids: list[int]) -> list[str]:
    """The ids people know (codes) of the measures with these row ids, in the same order."""
    if not row_ids:
        return []
    found = session.execute(
        select(MeasureRow.id, MeasureRow.code).where(MeasureRow.id.in_(row_ids))
    )
    codes = {row_id: code for row_id, code in found}
    return [codes[i] for i in row_ids]


# -- assessments and ratings (a council's own: every query names the council) -----------------


def measure_history(
    session: Session, assessment: AssessmentRecord | AssessmentRow, measure: MeasureRow
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

    PostgreSQL: a transaction-scoped advisory lock on the pair, in the workspace's own schema
    (advisory locks are the database's: two workspaces in two schemas of one database, as the
    tests run, would otherwise wait for each other's, and deadlock where one transaction takes
    two locks in the other order). SQLite: the write transaction already holds the database's
    write lock from its first statement (BEGIN IMMEDIATE).
    """
    if session.get_bind().dialect.name == "postgresql":
        a, b = (key + (0,))[:2]
        named = func.concat(func.current_schema(), ":", a, ":", b)
        session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(named, 0))))


def held_lock(session: Session, assessment_id: int, exclusive: bool = False) -> datetime | None:
    """When the assessment was locked (None: open), read under a row lock held until commit:
    shared by those writing into it, exclusive for the one locking it, so that no rating goes
    in after a lock it did not see (PostgreSQL; SQLite writers are already one at a time)."""
    query = select(AssessmentRow.locked_at).where(AssessmentRow.id == assessment_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(read=not exclusive)
    return session.scalar(query)


# lock_pair's first keys for a council's activity imports and for changes to its programme (ids
# of histories are positive; services/people.py names people under -2)
IMPORTING_ACTIVITIES = -1
CHANGING_PROGRAMME = -3
WRITING_TRAJECTORY = -4  # an assessment's trajectory: its writers one at a time


def add_rating(
    session: Session,
    assessment: AssessmentRecord | AssessmentRow,
    measure: MeasureRow,
    rating: Rating,
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
