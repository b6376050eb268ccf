"""theme, sub_theme, placement: a council's own

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06

The programme (Themes and Sub-Themes) and where each measure is placed in it were part of the
shared catalogue, so on a server shared by councils every council saw the first council's
programme, and a second council's appendix, placing measures in its own themes, was refused as a
change to what every council reads. Now each council has its own programme and placements, as
it has its own ratings: each table gets council_id and, on PostgreSQL, the same row-level
security policy as the others (0004).

What is already here is the host council's (the first: the lowest id), whose programme it was.
Other councils start with none and import their own. A workspace holding a programme but no
council yet (made empty, a catalogue imported without ratings) gets the council an import makes
in that case, "My council".
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# as in 0004
POLICY = "council_isolation"
RULE = (
    "current_setting('app.all_councils', true) = 'on' OR "
    "council_id = NULLIF(current_setting('app.council_id', true), '')::integer"
)
TABLES = ("theme", "sub_theme", "placement")


def _host() -> int | None:
    """The council the programme here is given to (None: there is no programme)."""
    bind = op.get_bind()
    if not bind.execute(sa.text("SELECT count(*) FROM theme")).scalar():
        return None
    host = bind.execute(sa.text("SELECT min(id) FROM council")).scalar()
    if host is None:
        council = sa.table(
            "council",
            sa.column("name", sa.String),
            sa.column("created_at", sa.DateTime(timezone=True)),
        )
        bind.execute(sa.insert(council).values(name="My council", created_at=datetime.now(UTC)))
        host = bind.execute(sa.text("SELECT min(id) FROM council")).scalar()
    assert host is not None
    return int(host)


def upgrade() -> None:
    host = _host()
    rebuild: Literal["always", "auto"] = "always" if op.get_bind().dialect.name == "sqlite" else "auto"
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("council_id", sa.Integer(), nullable=True))
        if host is not None:
            op.execute(sa.text(f"UPDATE {table} SET council_id = :host").bindparams(host=host))
        # rebuilt on SQLite with AUTOINCREMENT: a restore rewrites a council's programme, and
        # ids used again would leave a server's kept state looking unchanged (tables.py)
        with op.batch_alter_table(
            table, recreate=rebuild, table_kwargs={"sqlite_autoincrement": True}
        ) as batch:
            batch.alter_column("council_id", existing_type=sa.Integer(), nullable=False)
            batch.create_foreign_key(
                op.f(f"fk_{table}_council_id_council"),
                "council",
                ["council_id"],
                ["id"],
                ondelete="CASCADE",
            )
            if table == "theme":
                batch.drop_constraint("uq_theme_name", type_="unique")
                batch.create_unique_constraint("uq_theme_council_name", ["council_id", "name"])
    op.create_index(
        "ix_placement_council_measure", "placement", ["council_id", "measure_id"], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(f"CREATE POLICY {POLICY} ON {table} USING ({RULE}) WITH CHECK ({RULE})")


def downgrade() -> None:
    """Back to one programme for the server: the host council's; other councils' placements
    and themes are removed (the older schema has no place for them)."""
    bind = op.get_bind()
    host = bind.execute(sa.text("SELECT min(id) FROM council")).scalar()
    for table in ("placement", "sub_theme", "theme"):
        op.execute(
            sa.text(f"DELETE FROM {table} WHERE council_id <> :host").bindparams(host=host or 0)
        )
    if bind.dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.drop_index("ix_placement_council_measure", table_name="placement")
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            if table == "theme":
                batch.drop_constraint("uq_theme_council_name", type_="unique")
                batch.create_unique_constraint("uq_theme_name", ["name"])
            batch.drop_constraint(op.f(f"fk_{table}_council_id_council"), type_="foreignkey")
            batch.drop_column("council_id")
