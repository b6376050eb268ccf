"""api_token.last_used_at, and a revoked token's name may be reused

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

A token's name was unique in its council for ever, so a revoked token's replacement needed a
new name. Now it is unique among the council's live (unrevoked) tokens only. last_used_at says
when a request last used a token (to the minute), so an administrator can tell which program
still uses one before revoking it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("revoked_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("api_token") as batch:
        batch.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
        batch.drop_constraint("uq_api_token_council_id", type_="unique")
    op.create_index(
        "uq_api_token_live_name",
        "api_token",
        ["council_id", "name"],
        unique=True,
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )


def downgrade() -> None:
    # A name held by more than one token again belongs to one: the revoked ones that share a
    # name with a later token (they are refused anyway) are removed, the newest kept.
    op.execute(
        "DELETE FROM api_token WHERE revoked_at IS NOT NULL AND EXISTS (SELECT 1 FROM api_token "
        "AS later WHERE later.council_id = api_token.council_id AND later.name = api_token.name "
        "AND later.id > api_token.id)"
    )
    op.drop_index("uq_api_token_live_name", table_name="api_token")
    with op.batch_alter_table("api_token") as batch:
        batch.create_unique_constraint("uq_api_token_council_id", ["council_id", "name"])
        batch.drop_column("last_used_at")
