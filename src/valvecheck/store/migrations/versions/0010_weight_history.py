"""impact_weight keeps its history: weights set again end the ones before (ended_at) instead
of deleting them, so the impact figures can be worked out as they stood at a moment (a locked
assessment's report at its lock)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The weights held until now are the ones in force: none has ended.
    with op.batch_alter_table("impact_weight") as batch:
        batch.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
        batch.drop_constraint("uq_impact_weight_activity_id", type_="unique")


def downgrade() -> None:
    op.execute("DELETE FROM impact_weight WHERE ended_at IS NOT NULL")
    with op.batch_alter_table("impact_weight") as batch:
        batch.create_unique_constraint(
            "uq_impact_weight_activity_id", ["activity_id", "measure_id"]
        )
        batch.drop_column("ended_at")
