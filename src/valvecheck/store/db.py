"""The workspace: one database (a SQLite file by default, PostgreSQL by URL) and its sessions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

from valvecheck.errors import WorkspaceError

MIGRATIONS = str(Path(__file__).parent / "migrations")


def database_url(db: str) -> str:
    """A path is a SQLite file; anything with '://' is a SQLAlchemy URL."""
    if "://" in db:
        if db.startswith("postgresql://"):
            return "postgresql+psycopg://" + db[len("postgresql://") :]
        return db
    return f"sqlite:///{Path(db).expanduser()}"


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    return config


class Workspace:
    """A database holding one council's catalogue, programme, assessments and activities."""

    def __init__(self, db: str):
        self.url = database_url(db)
        self.label = db
        self.engine: Engine = create_engine(self.url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite_file(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def exists(self) -> bool:
        if self.is_sqlite_file:
            path = self.engine.url.database
            if not path or not Path(path).exists():
                return False
        with self.engine.connect() as conn:
            return inspect(conn).has_table("alembic_version")

    def revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head(self) -> str | None:
        return ScriptDirectory.from_config(_alembic_config()).get_current_head()

    def migrate(self) -> None:
        """Bring the schema to the newest migration (creates it in an empty database)."""
        if self.is_sqlite_file and self.engine.url.database:
            Path(self.engine.url.database).parent.mkdir(parents=True, exist_ok=True)
        config = _alembic_config()
        with self.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def require(self) -> None:
        """Fail clearly unless the workspace exists and is up to date."""
        if not self.exists():
            raise WorkspaceError(
                f"no Valvecheck workspace at {self.label}: run 'valvecheck init' first"
            )
        if self.revision() != self.head():
            self.migrate()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed if the block succeeds, rolled back whole if it raises."""
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
