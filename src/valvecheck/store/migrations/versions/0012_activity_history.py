"""activity_change: who changed which detail of an activity, from what to what; and
person.last_signed_in_at

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

An activity's details (status, owner, dates ...) were overwritten in place, by a person's edit
or a re-import, with nothing kept of what they were. activity_change keeps one row per detail
changed, only ever inserted. It is a council's table: on PostgreSQL it gets the same row-level
security policy as the others (0004). last_signed_in_at says when a person last signed in on
the web, so an administrator can tell an account nobody uses.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
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
        "activity_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["council.id"],
            name=op.f("fk_activity_change_council_id_council"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_activity_change_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_change")),
    )
    op.create_index(
        "ix_activity_change_activity", "activity_change", ["activity_id", "id"], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE activity_change ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE activity_change FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {POLICY} ON activity_change USING ({RULE}) WITH CHECK ({RULE})")
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("last_signed_in_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_column("last_signed_in_at")
    op.drop_index("ix_activity_change_activity", table_name="activity_change")
    op.drop_table("activity_change")  # its policy goes with it
