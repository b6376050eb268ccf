"""Persistence: SQLAlchemy 2.0 models, the workspace (engine + sessions) and Alembic migrations."""
