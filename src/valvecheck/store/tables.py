"""The tables, as SQLAlchemy Core: the schema in one place, with no ORM.

Reads that need no ORM objects (a summary, the catalogue, rating histories) query these
directly, so a command that only reads never loads the ORM; the ORM classes in models.py are
mapped onto these same tables. Ratings and links are append-only event rows: the current state
is the latest event.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from valvecheck.domain.activity import LONGEST

# One naming convention from day one, so Alembic's batch mode can name and drop constraints
# on SQLite and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)


def _id() -> Column[int]:
    return Column("id", Integer, primary_key=True)


def _at() -> Column[object]:
    return Column("at", DateTime(timezone=True), nullable=False)


def _by() -> Column[str]:
    return Column("by", String(200), nullable=False, default="")


def _council() -> Column[int]:
    return Column(
        "council_id", Integer, ForeignKey("council.id", ondelete="CASCADE"), nullable=False
    )


authority = Table(
    "authority",
    metadata,
    _id(),
    Column("slug", String(120), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
)

authority_alias = Table(
    "authority_alias",
    metadata,
    _id(),
    Column("authority_id", Integer, ForeignKey("authority.id", ondelete="CASCADE"), nullable=False),
    Column("alias", String(200), nullable=False),
)

agreement = Table(
    "agreement",
    metadata,
    _id(),
    Column("slug", String(200), nullable=False, unique=True),
    Column("title", Text, nullable=False, default=""),
    Column("year", String(20), nullable=False, default=""),
    Column("kind", String(40), nullable=False, default="safety-valve"),
    Column("source_title", Text, nullable=False, default=""),
    Column("source_url", Text, nullable=False, default=""),
    Column("position", Integer, nullable=False, default=0),
)

agreement_authority = Table(
    "agreement_authority",
    metadata,
    Column(
        "agreement_id",
        Integer,
        ForeignKey("agreement.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("authority_id", Integer, ForeignKey("authority.id"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
)

measure = Table(
    "measure",
    metadata,
    _id(),
    Column("code", String(240), nullable=False, unique=True),  # "<agreement-slug>-<n>"
    Column("agreement_id", Integer, ForeignKey("agreement.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("source_title", Text, nullable=False, default=""),
    Column("source_url", Text, nullable=False, default=""),
    Column("source_locator", Text, nullable=False, default=""),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("agreement_id", "number"),
)

# An earlier text of a measure, kept when a re-import changes it.
measure_version = Table(
    "measure_version",
    metadata,
    _id(),
    Column("measure_id", Integer, ForeignKey("measure.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("source_title", Text, nullable=False, default=""),
    Column("imported_at", DateTime(timezone=True), nullable=False),
)

# A council's programme (its Themes and Sub-Themes) and where it places each measure of the
# shared catalogue in it: the council's own, as its ratings are. Two councils on one server each
# have their own programme; the catalogue's measures are the same for both. A restore deletes and
# rewrites a council's programme: on SQLite its ids are never reused (AUTOINCREMENT), so a kept
# state's fingerprint (services/snapshot.py: counts and highest ids) always sees the change.
theme = Table(
    "theme",
    metadata,
    _id(),
    _council(),
    Column("name", String(300), nullable=False),
    Column("position", Integer, nullable=False, default=0),
    UniqueConstraint("council_id", "name", name="uq_theme_council_name"),
    sqlite_autoincrement=True,
)

sub_theme = Table(
    "sub_theme",
    metadata,
    _id(),
    _council(),
    Column("theme_id", Integer, ForeignKey("theme.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(300), nullable=False),
    Column("position", Integer, nullable=False, default=0),
    UniqueConstraint("theme_id", "name"),
    sqlite_autoincrement=True,
)

placement = Table(
    "placement",
    metadata,
    _id(),
    _council(),
    Column("measure_id", Integer, ForeignKey("measure.id", ondelete="CASCADE"), nullable=False),
    Column("theme_id", Integer, ForeignKey("theme.id"), nullable=False),
    Column("sub_theme_id", Integer, ForeignKey("sub_theme.id"), nullable=True),
    Column("position", Integer, nullable=False, default=0),
    Index("ix_placement_council_measure", "council_id", "measure_id"),
    sqlite_autoincrement=True,
)

# A council: it owns its programme, assessments, ratings, activities, links and people. The
# catalogue of agreements and measures is shared by every council.
council = Table(
    "council",
    metadata,
    _id(),
    Column("name", String(200), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # The assessment commands act on unless told otherwise (no foreign key: the two tables would
    # refer to each other); a dangling value falls back to the latest assessment.
    Column("current_assessment_id", Integer, nullable=True),
)

# Someone who signs in or acts through the command line, in one council with one role.
person = Table(
    "person",
    metadata,
    _id(),
    _council(),
    Column("name", String(200), nullable=False, unique=True),  # the sign-in name
    Column("role", String(20), nullable=False),
    Column("password_hash", Text, nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # web sessions begun before this moment are over (signing out ends them on every device)
    Column("signed_out_at", DateTime(timezone=True), nullable=True),
    # their last web sign-in (written at most once a minute)
    Column("last_signed_in_at", DateTime(timezone=True), nullable=True),
)

assessment = Table(
    "assessment",
    metadata,
    _id(),
    _council(),
    Column("name", String(300), nullable=False),
    Column("council", String(200), nullable=False, default=""),
    Column("description", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False, default=""),
    Column("locked_at", DateTime(timezone=True), nullable=True),
    Column("locked_by", String(200), nullable=False, default=""),
    # The catalogue's measures when it was locked, each with the version of its text, as compact
    # JSON ([["bury-1",1],...]: domain/locked_catalogue.py); NULL while open, and for one locked
    # before 0018 (not recorded: it reads the catalogue as it is now)
    Column("locked_measures", Text, nullable=True),
    UniqueConstraint("council_id", "name"),
)

# One rating change. Rows are only ever inserted.
rating = Table(
    "rating",
    metadata,
    _id(),
    _council(),
    Column(
        "assessment_id", Integer, ForeignKey("assessment.id", ondelete="CASCADE"), nullable=False
    ),
    Column("measure_id", Integer, ForeignKey("measure.id", ondelete="CASCADE"), nullable=False),
    # 1, 2, 3 ... per (assessment, measure): two writers cannot both append the same step
    Column("version", Integer, nullable=False),
    Column("rag", String(20), nullable=False),
    Column("previous", String(20), nullable=False),
    Column("rationale", Text, nullable=False, default=""),
    Column("evidence", Text, nullable=False, default=""),
    _by(),
    _at(),
    Column("source", String(20), nullable=False, default="person"),  # person, file, bundled
    Column("measure_version", Integer, nullable=False, default=1),  # the text that was rated
    Index("ix_rating_assessment_measure", "assessment_id", "measure_id", "id"),
    UniqueConstraint("assessment_id", "measure_id", "version", name="uq_rating_step"),
)

# An item of the council's own work (project, workstream).
activity = Table(
    "activity",
    metadata,
    _id(),
    _council(),
    Column("code", String(LONGEST["id"]), nullable=False),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("theme", Text, nullable=False, default=""),
    Column("sub_theme", Text, nullable=False, default=""),
    Column("owner", String(LONGEST["owner"]), nullable=False, default=""),
    Column("status", String(40), nullable=False, default=""),
    Column("start_date", Date, nullable=True),
    Column("end_date", Date, nullable=True),
    Column("link", Text, nullable=False, default=""),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("council_id", "code"),
)

# Linking or unlinking an activity and a measure. Rows are only ever inserted.
link_event = Table(
    "link_event",
    metadata,
    _id(),
    _council(),
    Column("activity_id", Integer, ForeignKey("activity.id", ondelete="CASCADE"), nullable=False),
    Column("measure_id", Integer, ForeignKey("measure.id", ondelete="CASCADE"), nullable=False),
    Column("linked", Boolean, nullable=False, default=True),
    Column("rationale", Text, nullable=False, default=""),
    _by(),
    _at(),
    Column("version", Integer, nullable=False),  # 1, 2, 3 ... per (activity, measure)
    Index("ix_link_event_pair", "activity_id", "measure_id", "id"),
    UniqueConstraint("activity_id", "measure_id", "version", name="uq_link_event_step"),
)

# People's decisions that two measures of different agreements are (or are not) the same
# commitment, appended, never changed: the latest for a pair holds ("none" withdraws it). The
# pair is kept in one order (the lower measure row id first). Common measures follow them.
equivalence_event = Table(
    "equivalence_event",
    metadata,
    _id(),
    Column("measure_id", Integer, ForeignKey("measure.id", ondelete="CASCADE"), nullable=False),
    Column("other_id", Integer, ForeignKey("measure.id", ondelete="CASCADE"), nullable=False),
    Column("decision", String(10), nullable=False),  # same, different or none
    Column("rationale", Text, nullable=False, default=""),
    _by(),
    # the council of the person deciding: the catalogue is shared, its people are not ("" before 0009)
    Column("council", String(200), nullable=False, default="", server_default=""),
    _at(),
    Index("ix_equivalence_event_pair", "measure_id", "other_id", "id"),
)

# One detail of an activity changed: by a person on its page, or by an import of a file (then
# ``file`` names it). Values as the activity's columns hold them, as text ("" for none, dates
# as YYYY-MM-DD, statuses as stored). Rows are only ever inserted.
activity_change = Table(
    "activity_change",
    metadata,
    _id(),
    _council(),
    Column("activity_id", Integer, ForeignKey("activity.id", ondelete="CASCADE"), nullable=False),
    Column("field", String(40), nullable=False),  # the activity's column: "status", "end_date"
    Column("before", Text, nullable=False, default=""),
    Column("after", Text, nullable=False, default=""),
    _by(),
    _at(),
    Column("file", Text, nullable=False, default=""),
    Index("ix_activity_change_activity", "activity_id", "id"),
)

# A measure placed in the council's programme, or a placement taken away: by a person (place,
# unplace) or by an import of a programme (then ``file`` names it). The theme and sub-theme are
# named as the programme named them then ("" for no sub-theme): a theme left empty goes, its
# history stays. Rows are only ever inserted.
placement_event = Table(
    "placement_event",
    metadata,
    _id(),
    _council(),
    Column("measure_id", Integer, ForeignKey("measure.id", ondelete="CASCADE"), nullable=False),
    Column("theme", String(300), nullable=False),
    Column("sub_theme", String(300), nullable=False, default=""),
    Column("change", String(10), nullable=False),  # "placed" or "removed"
    _by(),
    _at(),
    Column("file", Text, nullable=False, default=""),
    Index("ix_placement_event_measure", "measure_id", "id"),
)

# A token a program uses to call the JSON API: one council, one role, stored as a hash.
api_token = Table(
    "api_token",
    metadata,
    _id(),
    _council(),
    Column("name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    # sha256 of the secret: the secret itself is shown once, when the token is created
    Column("secret_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False, default=""),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    # when a request last used it, to the minute (written at most once a minute, not per request)
    Column("last_used_at", DateTime(timezone=True), nullable=True),
    # refused from this moment on; NULL: until revoked (every token made before 0014)
    Column("expires_at", DateTime(timezone=True), nullable=True),
    # a name is one live token's: a revoked token's name may be given to its replacement
    Index(
        "uq_api_token_live_name",
        "council_id",
        "name",
        unique=True,
        sqlite_where=text("revoked_at IS NULL"),
        postgresql_where=text("revoked_at IS NULL"),
    ),
)

# An activity's expected and actual saving for one financial year, in pence. Rows are only ever
# inserted: the latest version per (activity, year) is in force.
impact_entry = Table(
    "impact_entry",
    metadata,
    _id(),
    _council(),
    Column("activity_id", Integer, ForeignKey("activity.id", ondelete="CASCADE"), nullable=False),
    Column("year", String(7), nullable=False),  # a financial year, "2025-26"
    Column("version", Integer, nullable=False),  # 1, 2, 3 ... per (activity, year)
    Column("expected_pence", BigInteger, nullable=True),
    Column("actual_pence", BigInteger, nullable=True),
    Column("cohort", Integer, nullable=True),
    Column("unit_pence", BigInteger, nullable=True),
    Column("counts", Text, nullable=False, default=""),  # "ehcps=12;post16=4"
    Column("note", Text, nullable=False, default=""),
    _by(),
    _at(),
    Column("source", String(20), nullable=False, default="person"),  # person, file
    UniqueConstraint("activity_id", "year", "version", name="uq_impact_entry_step"),
)

# The share of an activity's saving that one of its measures carries, as a decimal text
# ("0.5"); an activity with no weights in force shares its saving equally. Weights set again
# end the ones before (ended_at) rather than deleting them: the history is kept.
impact_weight = Table(
    "impact_weight",
    metadata,
    _id(),
    _council(),
    Column("activity_id", Integer, ForeignKey("activity.id", ondelete="CASCADE"), nullable=False),
    Column("measure_id", Integer, ForeignKey("measure.id", ondelete="CASCADE"), nullable=False),
    Column("weight", String(40), nullable=False),
    _by(),
    _at(),
    Column("ended_at", DateTime(timezone=True), nullable=True),
)

# One financial year of an assessment's high needs deficit trajectory, in pence: the "do
# nothing" in-year deficit, the target, and the outturn (a surplus is negative). A year's
# figures written again end the row before (ended_at, ended_by) rather than overwriting it, and
# a year left out of a re-import is ended, not deleted: the history is kept, and the trajectory
# as it stood at a moment is the rows recorded before it and not ended by then (migration 0013).
trajectory = Table(
    "trajectory",
    metadata,
    _id(),
    _council(),
    Column(
        "assessment_id", Integer, ForeignKey("assessment.id", ondelete="CASCADE"), nullable=False
    ),
    Column("year", String(7), nullable=False),
    Column("unmitigated_pence", BigInteger, nullable=False),
    Column("target_pence", BigInteger, nullable=True),
    Column("actual_pence", BigInteger, nullable=True),
    _by(),
    _at(),
    # 1, 2, 3 ... per (assessment, year); 0: held before 0013, the figures it replaced unknown
    Column("version", Integer, nullable=False, default=0, server_default="0"),
    Column("file", Text, nullable=False, default="", server_default=""),  # "" by hand
    Column("ended_by", String(200), nullable=False, default="", server_default=""),
    Column("ended_at", DateTime(timezone=True), nullable=True),  # none: in force
    # the re-import that left the year out ("" when written again, or by hand)
    Column("ended_file", Text, nullable=False, default="", server_default=""),
    Index(
        "uq_trajectory_in_force",
        "assessment_id",
        "year",
        unique=True,
        sqlite_where=text("ended_at IS NULL"),
        postgresql_where=text("ended_at IS NULL"),
    ),
)

# Each measure's prevalence (how many agreements share it), worked out when the catalogue
# changes, so that a summary need not group the whole catalogue again. ``fingerprint`` names
# the catalogue it was worked out for: a different catalogue means it is out of date.
common_index = Table(
    "common_index",
    metadata,
    Column(
        "measure_id",
        Integer,
        ForeignKey("measure.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("prevalence", Integer, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    # The measure's group (the same commitment in other agreements); empty in an index made
    # before 0007, which is then worked out again.
    Column("group_number", Integer, nullable=True),
)

# A sign-in attempt let through by the sign-in throttle (web/throttle.py) and not followed by
# the right password, one row for each way it is counted: the name from this address, the name,
# the address. Kept in the database so that every server process counts the same attempts. Not
# a council's table (a sign-in is counted before its council is known) and in no backup: rows
# last the throttle's window, minutes. ``key`` is a SHA-256 digest of what is counted, so no
# sign-in name (now and then a password typed in the wrong box) or address is kept here.
sign_in_attempt = Table(
    "sign_in_attempt",
    metadata,
    _id(),
    Column("key", LargeBinary(32), nullable=False),
    _at(),
    Index("ix_sign_in_attempt_key", "key", "at"),
    Index("ix_sign_in_attempt_at", "at"),  # the old rows, removed as attempts come in
)

# The tables that belong to one council: every query on them is filtered by council
# (store/tenancy.py), and on PostgreSQL row-level security enforces it again.
COUNCIL_TABLES = (
    "theme",
    "sub_theme",
    "placement",
    "person",
    "assessment",
    "rating",
    "activity",
    "link_event",
    "activity_change",
    "placement_event",
    "api_token",
    "impact_entry",
    "impact_weight",
    "trajectory",
)
