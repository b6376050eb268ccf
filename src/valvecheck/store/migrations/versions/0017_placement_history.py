"""placement_event: who placed a measure in the council's programme, or took a placement away,
and when

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07

A council's placements (0016) were changed in place, by a person (place, unplace) or by an
import of a programme, with nothing kept of who did it or when. placement_event keeps one row
per placement made or taken away, the theme and sub-theme named as they were (a theme left
empty goes; its history stays), only ever inserted. It is a council's table: on PostgreSQL it
gets the same row-level security policy as the others (0004). Placements already here have no
history: it starts with the next change.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# as in 0004
POLICY = "council_isolation"
RULE = (
    "current_setting('app.all_councils', true) = 'on' OR "
    "council_id = NULLIF(current_setting('app.council_id', true), '')::integer"
)


def upgrade() -> None:
    op.create_table(
        "placement_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=300), nullable=False),
        sa.Column("sub_theme", sa.String(length=300), nullable=False),
        sa.Column("change", sa.String(length=10), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["council.id"],
            name=op.f("fk_placement_event_council_id_council"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_placement_event_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placement_event")),
    )
    op.create_index(
        "ix_placement_event_measure", "placement_event", ["measure_id", "id"], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE placement_event ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE placement_event FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {POLICY} ON placement_event USING ({RULE}) WITH CHECK ({RULE})")


def downgrade() -> None:
    op.drop_index("ix_placement_event_measure", table_name="placement_event")
    op.drop_table("placement_event")  # its policy goes with it
