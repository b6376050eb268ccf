"""api_token.expires_at: a token may be refused from a set moment

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07

An API token worked until revoked. Now it may be given an expiry when it is made; the tokens held
until now have none (NULL) and keep working as they did. Going down, a live token that has an
expiry is revoked: without the column it would otherwise never expire.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_token") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    token = sa.table(
        "api_token",
        sa.column("revoked_at", sa.DateTime(timezone=True)),
        sa.column("expires_at", sa.DateTime(timezone=True)),
    )
    op.execute(
        token.update()
        .where(token.c.expires_at.is_not(None), token.c.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("expires_at")
