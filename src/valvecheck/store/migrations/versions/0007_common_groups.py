"""common_index.group_number: which measures share a common-measure group, not only how many

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("common_index") as batch:
        batch.add_column(sa.Column("group_number", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("common_index") as batch:
        batch.drop_column("group_number")
