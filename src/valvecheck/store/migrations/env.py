"""Alembic environment: batch mode so the same migrations run on SQLite and PostgreSQL."""

from alembic import context

from valvecheck.store.models import Base

config = context.config
connection = config.attributes.get("connection")

if connection is None:  # pragma: no cover - offline SQL generation
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=Base.metadata,
        render_as_batch=True,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
