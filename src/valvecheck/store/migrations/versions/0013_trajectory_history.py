"""trajectory keeps its history: a year's figures written again end the ones before (ended_at,
ended_by) instead of overwriting them, and a year left out of a re-imported trajectory is ended,
not deleted (ended_file: the file that left it out); each row says which file its figures came
from, and its version

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

The trajectory's figures (the targets agreed with DfE among them) were overwritten in place by a
re-import or an edit, with nothing kept of what they were, so a report dated before the change
could not show them. As impact_weight (0010): the rows in force are those not ended; a year's
rows are numbered 1, 2, 3 ... The rows held until now are in force, numbered 0: the figures they
replaced, if any, are not known. The table keeps its row-level security policy (0004).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IN_FORCE = "ended_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("trajectory") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("file", sa.Text(), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("ended_by", sa.String(length=200), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("ended_file", sa.Text(), nullable=False, server_default=""))
        batch.drop_constraint("uq_trajectory_assessment_id", type_="unique")
    # one row in force per assessment and year
    op.create_index(
        "uq_trajectory_in_force",
        "trajectory",
        ["assessment_id", "year"],
        unique=True,
        sqlite_where=sa.text(IN_FORCE),
        postgresql_where=sa.text(IN_FORCE),
    )


def downgrade() -> None:
    op.drop_index("uq_trajectory_in_force", table_name="trajectory")
    op.execute(f"DELETE FROM trajectory WHERE NOT ({IN_FORCE})")
    with op.batch_alter_table("trajectory") as batch:
        batch.create_unique_constraint("uq_trajectory_assessment_id", ["assessment_id", "year"])
        batch.drop_column("ended_file")
        batch.drop_column("ended_at")
        batch.drop_column("ended_by")
        batch.drop_column("file")
        batch.drop_column("version")
