"""councils and people; ratings and links numbered per pair; where a rating came from

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

An existing workspace becomes one council, named after its assessments (the council of the
latest assessment that names one), with every assessment, rating, activity and link in it.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BUNDLED = "as rated in the seed appendix"
IMPORTED = "imported from "


def upgrade() -> None:
    op.create_table(
        "council",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current_assessment_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_council")),
        sa.UniqueConstraint("name", name=op.f("uq_council_name")),
    )
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["council_id"], ["council.id"], name=op.f("fk_person_council_id_council"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("name", name=op.f("uq_person_name")),
    )

    conn = op.get_bind()
    has_data = any(
        conn.execute(sa.text(f"SELECT 1 FROM {t} LIMIT 1")).first()
        for t in ("assessment", "activity")
    )
    council_id = None
    if has_data:
        label = conn.execute(
            sa.text("SELECT council FROM assessment WHERE council <> '' ORDER BY id DESC LIMIT 1")
        ).scalar()
        council = sa.table(
            "council",
            sa.column("id", sa.Integer),
            sa.column("name", sa.String),
            sa.column("created_at", sa.DateTime(timezone=True)),
        )
        conn.execute(council.insert().values(name=label or "Council", created_at=datetime.now(UTC)))
        council_id = conn.execute(sa.text("SELECT id FROM council")).scalar()

    for table in ("assessment", "activity", "rating", "link_event"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("council_id", sa.Integer(), nullable=True))
        if council_id is not None:
            conn.execute(sa.text(f"UPDATE {table} SET council_id = :c"), {"c": council_id})

    with op.batch_alter_table("rating") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("source", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("measure_version", sa.Integer(), nullable=True))
    with op.batch_alter_table("link_event") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=True))
    with op.batch_alter_table("assessment") as batch:
        batch.add_column(sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("locked_by", sa.String(length=200), nullable=False, server_default="")
        )

    # Number each pair's events 1, 2, 3 ... in the order they were written.
    conn.execute(
        sa.text(
            "UPDATE rating SET version = (SELECT COUNT(*) FROM rating r2 WHERE "
            "r2.assessment_id = rating.assessment_id AND r2.measure_id = rating.measure_id "
            "AND r2.id <= rating.id)"
        )
    )
    conn.execute(
        sa.text(
            "UPDATE link_event SET version = (SELECT COUNT(*) FROM link_event e2 WHERE "
            "e2.activity_id = link_event.activity_id AND e2.measure_id = link_event.measure_id "
            "AND e2.id <= link_event.id)"
        )
    )
    # Where a rating came from was a prefix of its rationale; now it is a column.
    conn.execute(
        sa.text(
            "UPDATE rating SET source = CASE WHEN rationale LIKE :bundled THEN 'bundled' "
            "WHEN rationale LIKE :imported THEN 'file' ELSE 'person' END"
        ),
        # a carried-forward rating keeps its rationale with "(carried forward from ...)" added
        {"bundled": BUNDLED + "%", "imported": IMPORTED + "%"},
    )
    conn.execute(
        sa.text(
            "UPDATE rating SET measure_version = "
            "(SELECT version FROM measure WHERE measure.id = rating.measure_id)"
        )
    )

    with op.batch_alter_table("assessment") as batch:
        batch.alter_column("council_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_constraint("uq_assessment_name", type_="unique")
        batch.create_unique_constraint(op.f("uq_assessment_council_id"), ["council_id", "name"])
        batch.create_foreign_key(
            op.f("fk_assessment_council_id_council"), "council", ["council_id"], ["id"],
            ondelete="CASCADE",
        )
    with op.batch_alter_table("activity") as batch:
        batch.alter_column("council_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_constraint("uq_activity_code", type_="unique")
        batch.create_unique_constraint(op.f("uq_activity_council_id"), ["council_id", "code"])
        batch.create_foreign_key(
            op.f("fk_activity_council_id_council"), "council", ["council_id"], ["id"],
            ondelete="CASCADE",
        )
    with op.batch_alter_table("rating") as batch:
        batch.alter_column("council_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("version", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("source", existing_type=sa.String(length=20), nullable=False)
        batch.alter_column("measure_version", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint(
            "uq_rating_step", ["assessment_id", "measure_id", "version"]
        )
        batch.create_foreign_key(
            op.f("fk_rating_council_id_council"), "council", ["council_id"], ["id"],
            ondelete="CASCADE",
        )
    with op.batch_alter_table("link_event") as batch:
        batch.alter_column("council_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("version", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint(
            "uq_link_event_step", ["activity_id", "measure_id", "version"]
        )
        batch.create_foreign_key(
            op.f("fk_link_event_council_id_council"), "council", ["council_id"], ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("link_event") as batch:
        batch.drop_constraint("uq_link_event_step", type_="unique")
        batch.drop_constraint(op.f("fk_link_event_council_id_council"), type_="foreignkey")
        batch.drop_column("version")
        batch.drop_column("council_id")
    with op.batch_alter_table("rating") as batch:
        batch.drop_constraint("uq_rating_step", type_="unique")
        batch.drop_constraint(op.f("fk_rating_council_id_council"), type_="foreignkey")
        batch.drop_column("measure_version")
        batch.drop_column("source")
        batch.drop_column("version")
        batch.drop_column("council_id")
    with op.batch_alter_table("activity") as batch:
        batch.drop_constraint(op.f("uq_activity_council_id"), type_="unique")
        batch.drop_constraint(op.f("fk_activity_council_id_council"), type_="foreignkey")
        batch.drop_column("council_id")
        batch.create_unique_constraint(op.f("uq_activity_code"), ["code"])
    with op.batch_alter_table("assessment") as batch:
        batch.drop_constraint(op.f("uq_assessment_council_id"), type_="unique")
        batch.drop_constraint(op.f("fk_assessment_council_id_council"), type_="foreignkey")
        batch.drop_column("locked_by")
        batch.drop_column("locked_at")
        batch.drop_column("council_id")
        batch.create_unique_constraint(op.f("uq_assessment_name"), ["name"])
    op.drop_table("person")
    op.drop_table("council")
