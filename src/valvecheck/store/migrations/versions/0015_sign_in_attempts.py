"""sign_in_attempt: failed sign-ins counted by every server process alike

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08

The sign-in throttle counted failed sign-ins in each server process's memory, so with N workers
its limits were N times looser. It now counts them here: one row per way an attempt is counted
(the name from this address, the name, the address), keyed by a SHA-256 digest, removed once
older than the throttle's window. Not a council's table: no council_id, no row-level security.
Going down drops the counts, which only ever last minutes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempt")),
    )
    op.create_index("ix_sign_in_attempt_key", "sign_in_attempt", ["key", "at"], unique=False)
    op.create_index("ix_sign_in_attempt_at", "sign_in_attempt", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_sign_in_attempt_at", table_name="sign_in_attempt")
    op.drop_index("ix_sign_in_attempt_key", table_name="sign_in_attempt")
    op.drop_table("sign_in_attempt")
