"""The workspace: one database (a SQLite file by default, PostgreSQL by URL) and its sessions."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import Connection, Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    NoSuchModuleError,
    OperationalError,
    ProgrammingError,
    SQLAlchemyError,
)

from valvecheck.errors import WorkspaceError

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = str(Path(__file__).parent / "migrations")
# Alembic is imported only to migrate: checking that a workspace is up to date (every command)
# reads the revision with one query and the head from the migration files' own declarations.
_DECLARED = re.compile(r'^(down_revision|revision)\b[^=]*=\s*(?:"([^"]*)"|None)', re.MULTILINE)


def database_url(db: str) -> str:
    """A path is a SQLite file; anything with '://' is a SQLAlchemy URL."""
    if "://" in db:
        for plain in ("postgresql://", "postgres://"):
            if db.startswith(plain):
                return "postgresql+psycopg://" + db[len(plain) :]
        return db
    return f"sqlite:///{Path(db).expanduser()}"


# Secrets a URL may carry in its query string (libpq reads them there as well as before the @).
_SECRET_PARAMETERS = ("password", "sslpassword")


def shown(url: str) -> str:
    """A database URL as it may be shown (messages, logs): every password hidden, whether before
    the @ or in the query string (``?password=...``)."""
    try:
        parsed = make_url(url)
    except ArgumentError:  # not a URL SQLAlchemy reads: hide what looks like a password
        hidden = re.sub(r"(//[^/:@]*:)[^/@]*@", r"\1***@", url)
        return re.sub(rf"(?i)([?&](?:{'|'.join(_SECRET_PARAMETERS)})=)[^&#]*", r"\1***", hidden)
    pairs = [
        (key, "***" if key.lower() in _SECRET_PARAMETERS else value)
        for key, values in parsed.query.items()
        for value in (values if isinstance(values, tuple) else (values,))
    ]
    base = parsed.set(query={}).render_as_string(hide_password=True)
    return f"{base}?{urlencode(pairs, safe='*')}" if pairs else base


def _permission_denied(exc: Exception) -> bool:
    """PostgreSQL refused the role (SQLSTATE 42501, insufficient privilege). Not a row refused
    by row-level security (the same SQLSTATE): that is a write into another council, which the
    database is there to refuse, not a role set up wrong."""
    if "row-level security" in str(exc):
        return False
    return isinstance(exc, ProgrammingError) and (
        getattr(getattr(exc, "orig", None), "sqlstate", None) == "42501"
        or "permission denied" in str(exc)
    )


def head_revision() -> str | None:
    """The newest migration: the revision no other migration comes down from."""
    revisions: set[str | None] = set()
    downs: set[str | None] = set()
    for path in (Path(MIGRATIONS) / "versions").glob("*.py"):
        for name, value in _DECLARED.findall(path.read_text(encoding="utf-8")):
            (revisions if name == "revision" else downs).add(value or None)
    heads = revisions - downs
    if len(heads) != 1:  # branches or an unusual file: let Alembic say
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(_alembic_config()).get_current_head()
    return heads.pop()


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    return config


class WriterQueue:
    """Writers to one SQLite file take turns here before SQLite's own lock.

    SQLite lets one writer in at a time and makes the others retry after growing sleeps (up to
    100 ms each), so under many writers a waiting one can sleep long after the lock is free.
    Here they take turns on a lock file beside the workspace (``flock``, across processes; a
    lock between this process's threads), and the operating system wakes the next writer the
    moment the lock is free. A process that dies releases its turn; a turn not given within
    ``WAIT`` seconds is an error ("busy"), never a hang. Where ``flock`` is not
    available (Windows) or the file cannot be made, only this process's threads take turns.
    """

    WAIT = 30.0  # seconds a writer waits for its turn (SQLite's own busy timeout) before an error

    def __init__(self, path: str) -> None:
        self.path = path
        self._threads = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    def __enter__(self) -> None:
        deadline = time.monotonic() + self.WAIT
        if not self._threads.acquire(timeout=self.WAIT):
            raise self._busy()
        self._depth += 1
        if self._depth > 1 or fcntl is None:
            return
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return  # a read-only folder: SQLite's own lock still holds
        if not self._take(fd, deadline - time.monotonic()):
            self._depth -= 1
            self._threads.release()
            raise self._busy()
        self._fd = fd

    @staticmethod
    def _take(fd: int, wait: float) -> bool:
        """Lock ``fd`` (flock, blocking: the kernel wakes the next writer the moment the lock is
        free), giving up after ``wait`` seconds. The blocking call runs in a thread of its own,
        which, if it is given the lock after we gave up, hands it straight back."""
        state = {"taken": False, "abandoned": False}
        guard = threading.Lock()
        taken = threading.Event()

        def take() -> None:
            # no locks on this file system: SQLite's own lock still holds
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_EX)
            with guard:
                if state["abandoned"]:
                    os.close(fd)  # too late: give the turn back
                    return
                state["taken"] = True
            taken.set()

        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True  # free: no thread needed
        except BlockingIOError:
            pass
        except OSError:
            return True  # no locks on this file system: SQLite's own lock still holds
        threading.Thread(target=take, name="valvecheck-writer-turn", daemon=True).start()
        if taken.wait(max(wait, 0.0)):
            return True
        with guard:
            if state["taken"]:
                return True
            state["abandoned"] = True
        return False

    def _busy(self) -> WorkspaceError:
        return WorkspaceError(
            f"the workspace is busy: another change has held it for {self.WAIT:.0f} seconds; "
            "try again",
            reason="busy",
        )

    def __exit__(self, *exc: object) -> None:
        try:
            if self._depth == 1:
                self._close()  # closing the file releases the lock
        finally:
            self._depth -= 1
            self._threads.release()

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class Workspace:
    """A database holding one council's catalogue, programme, assessments and activities."""

    def __init__(self, db: str):
        self.url = database_url(db)
        # Shown to people: never with the password.
        self.label = db if "://" not in db else shown(self.url)
        unusable = WorkspaceError(
            f"'{self.label}' is neither a file path nor a database URL Valvecheck can use "
            "(SQLite or PostgreSQL, e.g. postgresql+psycopg://user@host/db)"
        )
        try:
            if make_url(self.url).get_backend_name() not in ("sqlite", "postgresql"):
                raise unusable
            sqlite = self.url.startswith("sqlite")
            # PostgreSQL: a pooled connection the server dropped (a restart, a failover, an idle
            # timeout) is found and replaced before use, not handed to a request to fail.
            self.engine: Engine = create_engine(
                self.url, connect_args={"timeout": 30} if sqlite else {}, pool_pre_ping=not sqlite
            )
        except (ArgumentError, NoSuchModuleError, ImportError) as exc:
            raise unusable from exc
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        self._up_to_date = False
        self._writers = (
            WriterQueue(f"{self.engine.url.database}-lock")
            if self.is_sqlite_file and self.engine.url.database not in (None, "", ":memory:")
            else None
        )
        # A unit of work that writes takes the write lock when it begins (SQLite: BEGIN
        # IMMEDIATE), so what it reads cannot change before it writes.
        self._write_engine = self.engine.execution_options(valvecheck_write=True)
        # A unit of work that only reads reads one moment, its first statement's (a page, a
        # report, a backup): PostgreSQL otherwise reads committed work statement by statement,
        # so a backup taken while someone imports could hold a rating of a measure it never
        # read. SQLite's read transaction already does (WAL); a reader never fails for it.
        self._read_engine = (
            self.engine.execution_options(isolation_level="REPEATABLE READ")
            if self.engine.dialect.name == "postgresql"
            else self.engine
        )
        self._makers: dict[bool, sessionmaker[Session]] = {}

    @property
    def is_sqlite_file(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def _reachable(self) -> Iterator[None]:
        """Turn "cannot open, cannot write, not a database" into one clear WorkspaceError."""
        try:
            yield
        except (OperationalError, DatabaseError) as exc:
            if _permission_denied(exc):
                raise WorkspaceError(self._not_permitted(), reason="permission") from exc
            if type(exc) not in (OperationalError, DatabaseError):
                raise  # integrity and programming errors are bugs, not the user's setup
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            if self.is_sqlite_file and Path(self.engine.url.database or "").is_dir():
                reason = "that is a folder, not a workspace file"
            elif self.is_sqlite_file and "readonly" in reason:
                reason = self._read_only(reason)
            raise WorkspaceError(f"cannot use the workspace {self.label}: {reason}") from exc

    def _read_only(self, reason: str) -> str:
        """Why SQLite may not write: most often the folder, where it makes its journal (-wal,
        -shm) and Valvecheck its writers' lock (-lock) beside the file."""
        file = Path(self.engine.url.database or "").expanduser().absolute()
        if not os.access(file.parent, os.W_OK):
            return (
                f"{reason}: the folder {file.parent} must be writable by the account the "
                f"service runs as (SQLite and Valvecheck make files beside {file.name} there)"
            )
        if file.exists() and not os.access(file, os.W_OK):
            return f"{reason}: the file {file} must be writable by the account the service runs as"
        return reason

    def _not_permitted(self) -> str:
        """One line for a PostgreSQL role that may not use the tables: usually made by another
        role (a first init run as postgres, or a pg_restore with another owner)."""
        role = self.engine.url.username or "this role"
        owner = None
        try:
            with self.engine.connect() as conn:
                owner = conn.execute(
                    text(
                        "SELECT tableowner FROM pg_tables "
                        "WHERE tablename = 'alembic_version' AND schemaname = current_schema()"
                    )
                ).scalar()
        except SQLAlchemyError:
            pass
        owned = f" (owned by '{owner}')" if owner and owner != role else ""
        return (
            f"the role '{role}' may not use the workspace's tables{owned}: make it their owner "
            f"(ALTER TABLE ... OWNER TO {role}, as their owner or a superuser) or run init as it "
            "(docs/deploy.md, PostgreSQL)"
        )

    def exists(self) -> bool:
        if self.is_sqlite_file:
            path = self.engine.url.database
            if not path or not Path(path).exists():
                return False
        with self._reachable(), self.engine.connect() as conn:
            return inspect(conn).has_table("alembic_version")

    def revision(self) -> str | None:
        with self._reachable(), self.engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def head(self) -> str | None:
        return head_revision()

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to ``revision`` (creates it in an empty database)."""
        if self.is_sqlite_file and self.engine.url.database not in (None, "", ":memory:"):
            path = Path(self.engine.url.database or "").expanduser()
            if not path.parent.is_dir():
                raise WorkspaceError(
                    f"cannot create the workspace {self.label}: the folder {path.parent} does "
                    "not exist",
                    reason="no-folder",
                )
            # A new file holds people's password hashes and every rationale: its owner's alone
            # (SQLite makes its -wal and -shm files with the same mode), as backups are.
            with contextlib.suppress(FileExistsError):
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        from alembic import command

        self._run_migrations(command.upgrade, revision)

    def downgrade(self, revision: str) -> None:
        from alembic import command

        self._run_migrations(command.downgrade, revision)

    def _run_migrations(self, step: Callable[[Config, str], None], revision: str) -> None:
        self._up_to_date = False
        config = _alembic_config()
        with self._reachable(), self.engine.connect() as conn:
            raw = conn.connection.driver_connection if self.is_sqlite_file else None
            if raw is not None:
                # Batch mode rebuilds a table by copying it and dropping the old one: with
                # foreign keys on, that drop would cascade to every row that refers to it.
                # (Set outside any transaction, where SQLite honours it.)
                raw.execute("PRAGMA foreign_keys=OFF")
            try:
                with conn.begin():
                    _maintenance(conn)
                    config.attributes["connection"] = conn
                    step(config, revision)
                    if raw is not None:
                        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                        if broken:
                            raise WorkspaceError(
                                f"the upgrade of {self.label} would break {len(broken)} "
                                "reference(s); nothing was changed"
                            )
            finally:
                if raw is not None:
                    raw.execute("PRAGMA foreign_keys=ON")
            if raw is not None:
                # Readers never wait for a writer, nor a writer for readers (many people on
                # one file through the web app). Set here, an explicit step, so that merely
                # opening a workspace never changes its file.
                raw.execute("PRAGMA journal_mode=WAL")

    def require(self) -> None:
        """Fail clearly unless the workspace exists and is up to date (never migrates).

        Checked once per Workspace object: a web app asks on every request, and the schema of
        an open workspace only changes through this object's own migrate().
        """
        if self._up_to_date:
            return
        if not self.exists():
            raise WorkspaceError(f"no Valvecheck workspace at {self.label}", reason="missing")
        if self.revision() != self.head():
            raise WorkspaceError(
                f"the workspace {self.label} was made by an earlier version of Valvecheck and "
                "needs upgrading",
                reason="outdated",
            )
        self._up_to_date = True

    def role_bypassing_rls(self) -> tuple[str, str] | None:
        """On PostgreSQL, the role connected as and why row-level security does not bind it
        ("a superuser", "a BYPASSRLS role"); None when it does (or on SQLite, which has none)."""
        if self.engine.dialect.name != "postgresql":
            return None
        with self._reachable(), self.engine.connect() as conn:
            found = conn.execute(
                text(
                    "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles "
                    "WHERE rolname = current_user"
                )
            ).first()
        if found is None or not (found.rolsuper or found.rolbypassrls):
            return None
        return str(found.rolname), "a superuser" if found.rolsuper else "a BYPASSRLS role"

    @contextmanager
    def session(self, write: bool = True, all_councils: bool = False) -> Iterator[Session]:
        """One transaction: committed if the block succeeds, rolled back whole if it raises.

        ``write=False`` for a unit of work that only reads: on SQLite it does not take the
        write lock, so readers never wait for each other. On PostgreSQL a plain session sees no
        council's rows (row-level security) until ``set_scope`` names one: the unit of work a
        person acts in narrows it to their council (services/workspace.py). The maintenance
        bypass, every council's rows, has to be asked for: ``all_councils=True`` (finding who
        is signed in, the local administrator, init, migrations, backups).
        """
        maker = self._makers.get(write)
        if maker is None:
            from sqlalchemy.orm import sessionmaker  # the ORM: only for work on objects

            engine = self._write_engine if write else self._read_engine
            maker = self._makers[write] = sessionmaker(engine, expire_on_commit=False)
        queue = self._writers if write and self._writers is not None else nullcontext()
        with queue, self._reachable(), maker() as session, session.begin():
            if self.engine.dialect.name == "postgresql":
                set_scope(session, None if all_councils else NO_COUNCIL)
            yield session

    @contextmanager
    def connection(self, write: bool = True, all_councils: bool = False) -> Iterator[Connection]:
        """One transaction on a Core connection, as ``session`` gives on an ORM session (no
        council's rows unless ``all_councils`` or a later ``set_scope``): the unit of work that
        only reads needs no ORM (an ORM session can be joined to it later, services/context.py)."""
        engine = self._write_engine if write else self._read_engine
        queue = self._writers if write and self._writers is not None else nullcontext()
        with queue, self._reachable(), engine.connect() as conn, conn.begin():
            if self.engine.dialect.name == "postgresql":
                set_scope(conn, None if all_councils else NO_COUNCIL)
            yield conn

    def kept_secret(self, make: Callable[[], str]) -> str | None:
        """A secret kept beside a SQLite workspace file (``valvecheck.db-secret``, readable by
        its owner only), made by ``make`` the first time it is asked for: every process serving
        the file, and the next start, read the same one. None where there is no such file
        (PostgreSQL, a database in memory) or it cannot be kept (a folder it cannot write)."""
        database = self.engine.url.database
        if not self.is_sqlite_file or database in (None, "", ":memory:"):
            return None
        path = Path(f"{database}-secret")
        try:
            return _read_secret(path)
        except FileNotFoundError:
            pass
        except OSError:
            return None
        # Written whole under a name of its own, then linked into place: a process starting at
        # the same moment either reads the finished file or finds it there first, never half.
        draft = Path(f"{path}.{os.getpid()}-{threading.get_ident()}")
        try:
            with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
                out.write(make() + "\n")
            try:
                os.link(draft, path)
            except FileExistsError:
                pass  # another process made it first: theirs is the key
            finally:
                draft.unlink(missing_ok=True)
            return _read_secret(path)
        except OSError:
            return None

    def copy_before_upgrade(self) -> Path | None:
        """Copy a SQLite workspace file whose schema is older than this version's, before it is
        upgraded: ``valvecheck.db.schema-0011.bak`` beside it, readable by its owner only, made
        with SQLite's own backup (consistent while others read it). An upgrade cannot be undone
        by going back to the older Valvecheck; this copy can be opened by it. None when there
        is nothing to copy (PostgreSQL, where docs/deploy.md says to dump first; a database in
        memory; a workspace already up to date)."""
        database = self.engine.url.database
        if not self.is_sqlite_file or database in (None, "", ":memory:"):
            return None
        found = self.revision()
        if found is None or found == self.head():
            return None
        target = Path(f"{database}.schema-{found}.bak")
        draft = target.with_name(f"{target.name}.{os.getpid()}-part")
        draft.unlink(missing_ok=True)
        os.close(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        try:
            with self._reachable(), self.engine.connect() as conn:
                source = conn.connection.driver_connection
                with sqlite3.connect(draft) as copy:
                    source.backup(copy)  # type: ignore[union-attr]
                copy.close()
            os.replace(draft, target)
        except BaseException:
            draft.unlink(missing_ok=True)
            raise
        return target

    def dispose(self) -> None:
        self.engine.dispose()


def _read_secret(path: Path) -> str | None:
    found = path.read_text(encoding="utf-8").strip()
    return found or None


# The scope of a transaction that has not said whose rows it works on: no council's.
NO_COUNCIL = 0


def set_scope(db: Connection | Session, council_id: int | None) -> None:
    """PostgreSQL row-level security: this transaction sees one council's rows, none
    (``NO_COUNCIL``), or (None) every council's (the local administrator, maintenance).
    Transaction-scoped, so a pooled connection never carries it into the next request. Set
    explicitly even for none, so that a role or connection default (``-c app.all_councils=on``)
    never turns the bypass on unasked. No-op on SQLite."""
    if dialect(db) != "postgresql":
        return
    db.execute(
        text(
            "SELECT set_config('app.all_councils', :all, true), "
            "set_config('app.council_id', :council, true)"
        ),
        {"all": "on" if council_id is None else "off", "council": str(council_id or "")},
    )


def dialect(db: Connection | Session) -> str:
    """The database's dialect name ("sqlite", "postgresql") of a connection or a session."""
    bind = db if isinstance(db, Connection) else db.get_bind()
    return str(bind.dialect.name)


def engine_of(db: Connection | Session) -> Engine:
    """The engine a connection or a session works on."""
    bind = db if isinstance(db, Connection) else db.get_bind()
    return bind.engine


def _maintenance(conn: Connection) -> None:
    """Migrations see and change every council's rows (row-level security, PostgreSQL)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT set_config('app.all_councils', 'on', true)"))


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # pysqlite's own transaction handling is switched off so that _sqlite_begin decides how
    # each transaction begins (SQLAlchemy's documented recipe for SQLite).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
    write = conn.get_execution_options().get("valvecheck_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
