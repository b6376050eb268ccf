"""api tokens and PostgreSQL row-level security

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

API tokens: one council, one role, the secret stored as its sha256.

On PostgreSQL every table with a council_id column gets a row-level security policy: a row is
visible (and may be written) only when its council is the one the transaction set in
``app.council_id``, or when the transaction set ``app.all_councils`` to 'on' (the local
administrator and maintenance: migrations, creating a workspace, backups). FORCE ROW LEVEL
SECURITY binds the tables' owner too, so the application's own role cannot forget the filter.
SQLite has no row-level security: there the services' filters are the only guard.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POLICY = "council_isolation"
RULE = (
    "current_setting('app.all_councils', true) = 'on' OR "
    "council_id = NULLIF(current_setting('app.council_id', true), '')::integer"
)


def _council_tables() -> list[str]:
    """Every table holding a council's rows at this point of the history (the impact work's
    tables included), found by their council_id column."""
    inspector = sa.inspect(op.get_bind())
    return sorted(
        t
        for t in inspector.get_table_names()
        if t != "council" and any(c["name"] == "council_id" for c in inspector.get_columns(t))
    )


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["council_id"], ["council.id"], name=op.f("fk_api_token_council_id_council"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("council_id", "name", name=op.f("uq_api_token_council_id")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_api_token_secret_hash")),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in _council_tables():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {POLICY} ON {table} USING ({RULE}) WITH CHECK ({RULE})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _council_tables():
            op.execute(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.drop_table("api_token")
