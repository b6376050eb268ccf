"""equivalence_event.council: which council's person decided, so that other councils on the
server see the council, not the person (the catalogue is shared, its people are not)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("equivalence_event") as batch:
        batch.add_column(
            sa.Column("council", sa.String(length=200), nullable=False, server_default="")
        )
    # A workspace of one council: its decisions were that council's people's.
    op.execute(
        "UPDATE equivalence_event SET council = (SELECT min(name) FROM council) "
        "WHERE (SELECT count(*) FROM council) = 1"
    )


def downgrade() -> None:
    with op.batch_alter_table("equivalence_event") as batch:
        batch.drop_column("council")
