"""Tables. Ratings and links are append-only event rows: the current state is the latest event."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# One naming convention from day one, so Alembic's batch mode can name and drop constraints
# on SQLite and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class AuthorityRow(Base):
    __tablename__ = "authority"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[list[AuthorityAliasRow]] = relationship(
        back_populates="authority", cascade="all, delete-orphan", order_by="AuthorityAliasRow.id"
    )


class AuthorityAliasRow(Base):
    __tablename__ = "authority_alias"
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(200))
    authority: Mapped[AuthorityRow] = relationship(back_populates="aliases")


class AgreementRow(Base):
    __tablename__ = "agreement"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    year: Mapped[str] = mapped_column(String(20), default="")
    kind: Mapped[str] = mapped_column(String(40), default="safety-valve")
    source_title: Mapped[str] = mapped_column(Text, default="")
    source_url: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    authority_links: Mapped[list[AgreementAuthorityRow]] = relationship(
        cascade="all, delete-orphan", order_by="AgreementAuthorityRow.position"
    )


class AgreementAuthorityRow(Base):
    __tablename__ = "agreement_authority"
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), primary_key=True
    )
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    authority: Mapped[AuthorityRow] = relationship()


class MeasureRow(Base):
    __tablename__ = "measure"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(240), unique=True)  # "<agreement-slug>-<n>"
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    source_title: Mapped[str] = mapped_column(Text, default="")
    source_url: Mapped[str] = mapped_column(Text, default="")
    source_locator: Mapped[str] = mapped_column(Text, default="")
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    agreement: Mapped[AgreementRow] = relationship()
    placements: Mapped[list[PlacementRow]] = relationship(
        cascade="all, delete-orphan", order_by="PlacementRow.position"
    )
    __table_args__ = (UniqueConstraint("agreement_id", "number"),)


class MeasureVersionRow(Base):
    """An earlier text of a measure, kept when a re-import changes it."""

    __tablename__ = "measure_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    source_title: Mapped[str] = mapped_column(Text, default="")
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ThemeRow(Base):
    __tablename__ = "theme"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    sub_themes: Mapped[list[SubThemeRow]] = relationship(
        cascade="all, delete-orphan", order_by="SubThemeRow.position"
    )


class SubThemeRow(Base):
    __tablename__ = "sub_theme"
    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)
    theme: Mapped[ThemeRow] = relationship(back_populates="sub_themes")
    __table_args__ = (UniqueConstraint("theme_id", "name"),)


class PlacementRow(Base):
    __tablename__ = "placement"
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id"))
    sub_theme_id: Mapped[int | None] = mapped_column(ForeignKey("sub_theme.id"), nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    theme: Mapped[ThemeRow] = relationship()
    sub_theme: Mapped[SubThemeRow | None] = relationship()


class CouncilRow(Base):
    """A council: it owns its assessments, ratings, activities, links and people. The catalogue
    of agreements and measures is shared by every council."""

    __tablename__ = "council"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The assessment commands act on unless told otherwise (no foreign key: the two tables would
    # refer to each other); a dangling value falls back to the latest assessment.
    current_assessment_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class PersonRow(Base):
    """Someone who signs in or acts through the command line, in one council with one role."""

    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200), unique=True)  # the sign-in name
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(Text, nullable=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # web sessions begun before this moment are over (signing out ends them on every device)
    signed_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AssessmentRow(Base):
    __tablename__ = "assessment"
    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(300))
    council: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200), default="")
    locked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    locked_by: Mapped[str] = mapped_column(String(200), default="")
    __table_args__ = (UniqueConstraint("council_id", "name"),)


class RatingRow(Base):
    """One rating change. Rows are only ever inserted."""

    __tablename__ = "rating"
    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))
    # 1, 2, 3 ... per (assessment, measure): two writers cannot both append the same step
    version: Mapped[int] = mapped_column(Integer)
    rag: Mapped[str] = mapped_column(String(20))
    previous: Mapped[str] = mapped_column(String(20))
    rationale: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(String(20), default="person")  # person, file, bundled
    measure_version: Mapped[int] = mapped_column(Integer, default=1)  # the text that was rated
    __table_args__ = (
        Index("ix_rating_assessment_measure", "assessment_id", "measure_id", "id"),
        UniqueConstraint("assessment_id", "measure_id", "version", name="uq_rating_step"),
    )


class ActivityRow(Base):
    """An item of the council's own work (project, workstream)."""

    __tablename__ = "activity"
    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    theme: Mapped[str] = mapped_column(Text, default="")
    sub_theme: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(40), default="")
    start_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    link: Mapped[str] = mapped_column(Text, default="")
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("council_id", "code"),)


class LinkEventRow(Base):
    """Linking or unlinking an activity and a measure. Rows are only ever inserted."""

    __tablename__ = "link_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"))
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))
    linked: Mapped[bool] = mapped_column(default=True)
    rationale: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 ... per (activity, measure)
    __table_args__ = (
        Index("ix_link_event_pair", "activity_id", "measure_id", "id"),
        UniqueConstraint("activity_id", "measure_id", "version", name="uq_link_event_step"),
    )


class ApiTokenRow(Base):
    """A token a program uses to call the JSON API: one council, one role, stored as a hash."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    # sha256 of the secret: the secret itself is shown once, when the token is created
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    __table_args__ = (UniqueConstraint("council_id", "name"),)


class ImpactEntryRow(Base):
    """An activity's expected and actual saving for one financial year, in pence. Rows are only
    ever inserted: the latest version per (activity, year) is in force."""

    __tablename__ = "impact_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"))
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    year: Mapped[str] = mapped_column(String(7))  # a financial year, "2025-26"
    version: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 ... per (activity, year)
    expected_pence: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    actual_pence: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    cohort: Mapped[int | None] = mapped_column(Integer, nullable=True)
    unit_pence: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    counts: Mapped[str] = mapped_column(Text, default="")  # "ehcps=12;post16=4"
    note: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(String(20), default="person")  # person, file
    __table_args__ = (
        UniqueConstraint("activity_id", "year", "version", name="uq_impact_entry_step"),
    )


class ImpactWeightRow(Base):
    """The share of an activity's saving that one of its measures carries, as a decimal text
    ("0.5"); an activity with no weights shares its saving equally."""

    __tablename__ = "impact_weight"
    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"))
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))
    weight: Mapped[str] = mapped_column(String(40))
    by: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("activity_id", "measure_id"),)


class TrajectoryRow(Base):
    """One financial year of an assessment's high needs deficit trajectory, in pence: the "do
    nothing" in-year deficit, the target, and the outturn (a surplus is negative)."""

    __tablename__ = "trajectory"
    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    year: Mapped[str] = mapped_column(String(7))
    unmitigated_pence: Mapped[int] = mapped_column(BigInteger)
    target_pence: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    actual_pence: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    by: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("assessment_id", "year"),)


class CommonIndexRow(Base):
    """Each measure's prevalence (how many agreements share it), worked out when the catalogue
    changes, so that a summary need not group the whole catalogue again. ``fingerprint`` names
    the catalogue it was worked out for: a different catalogue means it is out of date."""

    __tablename__ = "common_index"
    measure_id: Mapped[int] = mapped_column(
        ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True
    )
    prevalence: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))


# The tables that belong to one council: every query on them is filtered by council
# (store/tenancy.py), and on PostgreSQL row-level security enforces it again.
COUNCIL_TABLES = (
    "person",
    "assessment",
    "rating",
    "activity",
    "link_event",
    "api_token",
    "impact_entry",
    "impact_weight",
    "trajectory",
)
