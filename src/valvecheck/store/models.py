"""The ORM classes, mapped onto the Core tables of tables.py (the schema is declared there once).

Writes and the code that works on rows as objects use these; reads that need no objects use the
tables directly, so a command that only reads never loads the ORM.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import DeclarativeBase, Mapped, relationship

from valvecheck.store import tables
from valvecheck.store.tables import COUNCIL_TABLES, NAMING

__all__ = ["COUNCIL_TABLES", "NAMING", "Base"]


class Base(DeclarativeBase):
    metadata = tables.metadata


class AuthorityRow(Base):
    __table__ = tables.authority
    id: Mapped[int]
    slug: Mapped[str]
    name: Mapped[str]
    aliases: Mapped[list[AuthorityAliasRow]] = relationship(
        back_populates="authority", cascade="all, delete-orphan", order_by="AuthorityAliasRow.id"
    )


class AuthorityAliasRow(Base):
    __table__ = tables.authority_alias
    id: Mapped[int]
    authority_id: Mapped[int]
    alias: Mapped[str]
    authority: Mapped[AuthorityRow] = relationship(back_populates="aliases")


class AgreementRow(Base):
    __table__ = tables.agreement
    id: Mapped[int]
    slug: Mapped[str]
    title: Mapped[str]
    year: Mapped[str]
    kind: Mapped[str]
    source_title: Mapped[str]
    source_url: Mapped[str]
    position: Mapped[int]
    authority_links: Mapped[list[AgreementAuthorityRow]] = relationship(
        cascade="all, delete-orphan", order_by="AgreementAuthorityRow.position"
    )


class AgreementAuthorityRow(Base):
    __table__ = tables.agreement_authority
    agreement_id: Mapped[int]
    authority_id: Mapped[int]
    position: Mapped[int]
    authority: Mapped[AuthorityRow] = relationship()


class MeasureRow(Base):
    __table__ = tables.measure
    id: Mapped[int]
    code: Mapped[str]  # "<agreement-slug>-<n>"
    agreement_id: Mapped[int]
    number: Mapped[int]
    text: Mapped[str]
    version: Mapped[int]
    source_title: Mapped[str]
    source_url: Mapped[str]
    source_locator: Mapped[str]
    imported_at: Mapped[datetime]
    agreement: Mapped[AgreementRow] = relationship()


class MeasureVersionRow(Base):
    """An earlier text of a measure, kept when a re-import changes it."""

    __table__ = tables.measure_version
    id: Mapped[int]
    measure_id: Mapped[int]
    version: Mapped[int]
    text: Mapped[str]
    source_title: Mapped[str]
    imported_at: Mapped[datetime]


class ThemeRow(Base):
    """A theme of one council's programme."""

    __table__ = tables.theme
    id: Mapped[int]
    council_id: Mapped[int]
    name: Mapped[str]
    position: Mapped[int]
    sub_themes: Mapped[list[SubThemeRow]] = relationship(
        cascade="all, delete-orphan", order_by="SubThemeRow.position"
    )


class SubThemeRow(Base):
    __table__ = tables.sub_theme
    id: Mapped[int]
    council_id: Mapped[int]
    theme_id: Mapped[int]
    name: Mapped[str]
    position: Mapped[int]
    theme: Mapped[ThemeRow] = relationship(back_populates="sub_themes")


class PlacementRow(Base):
    """Where one council places a measure of the shared catalogue in its programme."""

    __table__ = tables.placement
    id: Mapped[int]
    council_id: Mapped[int]
    measure_id: Mapped[int]
    theme_id: Mapped[int]
    sub_theme_id: Mapped[int | None]
    position: Mapped[int]
    theme: Mapped[ThemeRow] = relationship()
    sub_theme: Mapped[SubThemeRow | None] = relationship()


class CouncilRow(Base):
    """A council: it owns its programme, assessments, ratings, activities, links and people.
    The catalogue of agreements and measures is shared by every council."""

    __table__ = tables.council
    id: Mapped[int]
    name: Mapped[str]
    created_at: Mapped[datetime]
    # The assessment commands act on unless told otherwise (no foreign key: the two tables would
    # refer to each other); a dangling value falls back to the latest assessment.
    current_assessment_id: Mapped[int | None]


class PersonRow(Base):
    """Someone who signs in or acts through the command line, in one council with one role."""

    __table__ = tables.person
    id: Mapped[int]
    council_id: Mapped[int]
    name: Mapped[str]  # the sign-in name
    role: Mapped[str]
    password_hash: Mapped[str | None]
    active: Mapped[bool]
    created_at: Mapped[datetime]
    # web sessions begun before this moment are over (signing out ends them on every device)
    signed_out_at: Mapped[datetime | None]
    last_signed_in_at: Mapped[datetime | None]  # their last web sign-in (to the minute)


class AssessmentRow(Base):
    __table__ = tables.assessment
    id: Mapped[int]
    council_id: Mapped[int]
    name: Mapped[str]
    council: Mapped[str]
    description: Mapped[str]
    created_at: Mapped[datetime]
    created_by: Mapped[str]
    locked_at: Mapped[datetime | None]
    locked_by: Mapped[str]
    # the catalogue's measures and their text versions at the lock (compact JSON; NULL: none)
    locked_measures: Mapped[str | None]


class RatingRow(Base):
    """One rating change. Rows are only ever inserted."""

    __table__ = tables.rating
    id: Mapped[int]
    council_id: Mapped[int]
    assessment_id: Mapped[int]
    measure_id: Mapped[int]
    # 1, 2, 3 ... per (assessment, measure): two writers cannot both append the same step
    version: Mapped[int]
    rag: Mapped[str]
    previous: Mapped[str]
    rationale: Mapped[str]
    evidence: Mapped[str]
    by: Mapped[str]
    at: Mapped[datetime]
    source: Mapped[str]  # person, file, bundled
    measure_version: Mapped[int]  # the text that was rated


class ActivityRow(Base):
    """An item of the council's own work (project, workstream)."""

    __table__ = tables.activity
    id: Mapped[int]
    council_id: Mapped[int]
    code: Mapped[str]
    title: Mapped[str]
    description: Mapped[str]
    theme: Mapped[str]
    sub_theme: Mapped[str]
    owner: Mapped[str]
    status: Mapped[str]
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    link: Mapped[str]
    imported_at: Mapped[datetime]


class LinkEventRow(Base):
    """Linking or unlinking an activity and a measure. Rows are only ever inserted."""

    __table__ = tables.link_event
    id: Mapped[int]
    council_id: Mapped[int]
    activity_id: Mapped[int]
    measure_id: Mapped[int]
    linked: Mapped[bool]
    rationale: Mapped[str]
    by: Mapped[str]
    at: Mapped[datetime]
    version: Mapped[int]  # 1, 2, 3 ... per (activity, measure)


class ActivityChangeRow(Base):
    """One detail of an activity changed, from and to (as text), by whom and when; ``file``:
    the import that changed it ("" for a person's edit). Rows are only ever inserted."""

    __table__ = tables.activity_change
    id: Mapped[int]
    council_id: Mapped[int]
    activity_id: Mapped[int]
    field: Mapped[str]  # the activity's column: "status", "end_date"
    before: Mapped[str]
    after: Mapped[str]
    by: Mapped[str]
    at: Mapped[datetime]
    file: Mapped[str]


class PlacementEventRow(Base):
    """A measure placed in the council's programme or a placement taken away ("placed",
    "removed"), the theme and sub-theme as then named, by whom and when; ``file``: the import
    that placed it ("" for a person's change). Rows are only ever inserted."""

    __table__ = tables.placement_event
    id: Mapped[int]
    council_id: Mapped[int]
    measure_id: Mapped[int]
    theme: Mapped[str]
    sub_theme: Mapped[str]  # "" for the theme alone
    change: Mapped[str]
    by: Mapped[str]
    at: Mapped[datetime]
    file: Mapped[str]


class ApiTokenRow(Base):
    """A token a program uses to call the JSON API: one council, one role, stored as a hash."""

    __table__ = tables.api_token
    id: Mapped[int]
    council_id: Mapped[int]
    name: Mapped[str]
    role: Mapped[str]
    # sha256 of the secret: the secret itself is shown once, when the token is created
    secret_hash: Mapped[str]
    created_at: Mapped[datetime]
    created_by: Mapped[str]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]  # None: until revoked


class ImpactEntryRow(Base):
    """An activity's expected and actual saving for one financial year, in pence. Rows are only
    ever inserted: the latest version per (activity, year) is in force."""

    __table__ = tables.impact_entry
    id: Mapped[int]
    council_id: Mapped[int]
    activity_id: Mapped[int]
    year: Mapped[str]  # a financial year, "2025-26"
    version: Mapped[int]  # 1, 2, 3 ... per (activity, year)
    expected_pence: Mapped[int | None]
    actual_pence: Mapped[int | None]
    cohort: Mapped[int | None]
    unit_pence: Mapped[int | None]
    counts: Mapped[str]  # "ehcps=12;post16=4"
    note: Mapped[str]
    by: Mapped[str]
    at: Mapped[datetime]
    source: Mapped[str]  # person, file


class ImpactWeightRow(Base):
    """The share of an activity's saving that one of its measures carries, as a decimal text
    ("0.5"), from ``at`` until ``ended_at`` (none: in force); an activity with no weights in
    force shares its saving equally."""

    __table__ = tables.impact_weight
    id: Mapped[int]
    council_id: Mapped[int]
    activity_id: Mapped[int]
    measure_id: Mapped[int]
    weight: Mapped[str]
    by: Mapped[str]
    at: Mapped[datetime]
    ended_at: Mapped[datetime | None]  # set again then (the history is kept)


class TrajectoryRow(Base):
    """One financial year of an assessment's high needs deficit trajectory, in pence: the "do
    nothing" in-year deficit, the target, and the outturn (a surplus is negative), from ``at``
    until ``ended_at`` (none: in force)."""

    __table__ = tables.trajectory
    id: Mapped[int]
    council_id: Mapped[int]
    assessment_id: Mapped[int]
    year: Mapped[str]
    unmitigated_pence: Mapped[int]
    target_pence: Mapped[int | None]
    actual_pence: Mapped[int | None]
    by: Mapped[str]
    at: Mapped[datetime]
    version: Mapped[int]  # 1, 2, 3 ... per (assessment, year); 0: held before the history
    file: Mapped[str]  # the file the figures were imported from ("" by hand)
    ended_by: Mapped[str]
    ended_at: Mapped[datetime | None]  # written again or left out then (the history is kept)
    ended_file: Mapped[str]  # the re-import that left the year out ("" otherwise)


class CommonIndexRow(Base):
    """Each measure's prevalence (how many agreements share it), worked out when the catalogue
    changes, so that a summary need not group the whole catalogue again. ``fingerprint`` names
    the catalogue it was worked out for: a different catalogue means it is out of date."""

    __table__ = tables.common_index
    measure_id: Mapped[int]
    prevalence: Mapped[int]
    fingerprint: Mapped[str]
    group_number: Mapped[int | None]
