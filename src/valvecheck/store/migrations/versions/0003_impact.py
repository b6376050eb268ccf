"""impact: savings on activities, how they are shared among measures, the deficit trajectory

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

Money is kept in whole pence (BIGINT), so it is exact on SQLite and PostgreSQL alike; the
application turns it into Decimal pounds. Every table belongs to one council (council_id).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _council(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["council_id"], ["council.id"], name=op.f(f"fk_{table}_council_id_council"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "impact_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.String(length=7), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("expected_pence", sa.BigInteger(), nullable=True),
        sa.Column("actual_pence", sa.BigInteger(), nullable=True),
        sa.Column("cohort", sa.Integer(), nullable=True),
        sa.Column("unit_pence", sa.BigInteger(), nullable=True),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        _council("impact_entry"),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activity.id"], name=op.f("fk_impact_entry_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_impact_entry")),
        sa.UniqueConstraint("activity_id", "year", "version", name="uq_impact_entry_step"),
    )
    op.create_table(
        "impact_weight",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.String(length=40), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        _council("impact_weight"),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activity.id"], name=op.f("fk_impact_weight_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measure.id"], name=op.f("fk_impact_weight_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_impact_weight")),
        sa.UniqueConstraint(
            "activity_id", "measure_id", name=op.f("uq_impact_weight_activity_id")
        ),
    )
    op.create_table(
        "trajectory",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.String(length=7), nullable=False),
        sa.Column("unmitigated_pence", sa.BigInteger(), nullable=False),
        sa.Column("target_pence", sa.BigInteger(), nullable=True),
        sa.Column("actual_pence", sa.BigInteger(), nullable=True),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        _council("trajectory"),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"],
            name=op.f("fk_trajectory_assessment_id_assessment"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trajectory")),
        sa.UniqueConstraint("assessment_id", "year", name=op.f("uq_trajectory_assessment_id")),
    )


def downgrade() -> None:
    op.drop_table("trajectory")
    op.drop_table("impact_weight")
    op.drop_table("impact_entry")
