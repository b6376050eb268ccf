"""Creating, opening and migrating workspaces, and the unit of work the shells open per command
or request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from valvecheck.analysis import progress as analysis_progress
from valvecheck.domain.rating import BUNDLED, SEED, Rating
from valvecheck.errors import WorkspaceError
from valvecheck.services import prevalence
from valvecheck.services.acting import local_admin, person_actor
from valvecheck.services.context import Actor, Context, Progress, utc_now
from valvecheck.settings import Settings, settings
from valvecheck.store.db import Workspace, set_scope

# Who the workspace records as starting the seed's bundled assessment. Its ratings were given
# before the workspace existed, so a report has no start date to check its date against.
BUNDLED_BY = "valvecheck (bundled)"


def open_workspace(db: str | None = None, config: Settings | None = None) -> Workspace:
    """The workspace named by ``db``, else by DATABASE_URL, else ./valvecheck.db."""
    current = config or settings()  # checks every setting up front: a bad one fails first
    return Workspace(db or current.database_url)


@contextmanager
def unit_of_work(
    ws: Workspace,
    *,
    write: bool = False,
    as_person: str | None = None,
    council: str | None = None,
    by: str | None = None,
    actor: Actor | None = None,
    config: Settings | None = None,
    progress: Progress | None = None,
) -> Iterator[Context]:
    """One transaction around one use-case (or several), with who is acting.

    The actor is ``actor`` if given (the web app's signed-in person), else the registered person
    ``as_person``, else the local administrator of ``council`` recording ``by``. Committed if the
    block succeeds, rolled back whole if it raises.
    """
    ws.require()
    # A Core connection: a use-case that only reads never loads the ORM; one that works on ORM
    # objects gets a session joined to this same transaction (Context.session). Who is acting
    # is found across councils (the bypass), then the scope narrows to theirs below.
    with ws.connection(write=write, all_councils=True) as conn:
        if actor is None:
            actor = (
                person_actor(conn, as_person, council)
                if as_person
                else local_admin(conn, council, by)
            )
        # PostgreSQL row-level security: a person (or token) sees only their council's rows even
        # if a query forgets its filter; the local administrator keeps every council's.
        set_scope(conn, None if actor.is_local_admin else (actor.council_id or 0))
        ctx = Context(conn, actor, config or settings(), utc_now, progress)
        try:
            with _listening(progress):
                yield ctx
        except BaseException:
            ctx.end(ok=False)
            raise
        ctx.end()


def _listening(progress: Progress | None) -> AbstractContextManager[None]:
    """Long analysis work deep below a use-case (reading texts with the embedding) reports to
    ``progress`` (a command's bar) for the block; with none (a web request), nothing is set."""
    return analysis_progress.listening(progress) if progress is not None else nullcontext()


def role_warning(ws: Workspace) -> str | None:
    """A warning when the database role ignores row-level security (PostgreSQL): a superuser
    or a BYPASSRLS role sees every council's rows, so only the services' own filters keep the
    councils apart. None when the role is bound by it, and on SQLite."""
    found = ws.role_bypassing_rls()
    if found is None:
        return None
    role, why = found
    return (
        f"warning: the database role '{role}' is {why}, so PostgreSQL's row-level security "
        "does not apply to it and only Valvecheck's own filters keep the councils apart; "
        "connect as an ordinary role (docs/deploy.md, PostgreSQL)"
    )


@dataclass(frozen=True)
class Upgrade:
    """What migrate_workspace did: the schema before and after, and the copy of a SQLite file
    made before it changed (None when there was nothing to upgrade, or on PostgreSQL)."""

    before: str | None
    after: str | None
    copy: Path | None = None


def migrate_workspace(ws: Workspace, progress: Progress | None = None) -> Upgrade:
    """Bring an existing workspace's schema up to date. A SQLite file is copied first
    (Workspace.copy_before_upgrade): the older version of Valvecheck can still open the copy."""
    if not ws.exists():
        raise WorkspaceError(f"no Valvecheck workspace at {ws.label}", reason="missing")
    before = ws.revision()
    copy = ws.copy_before_upgrade()
    ws.migrate()
    # maintenance: the common measures are grouped across every council's ratings
    with ws.session(all_councils=True) as session, _listening(progress):
        prevalence.refresh(session)  # no index before 0005, no groups in it before 0007
    return Upgrade(before, ws.revision(), copy)


def init_workspace(
    ws: Workspace,
    empty: bool = False,
    council: str | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Create the schema and, unless ``empty``, load the bundled catalogue and the seed's
    assessment (in the seed's council, Bristol). ``council`` names a council to create too."""
    from valvecheck.catalogue.loader import load_assessment, load_catalogue
    from valvecheck.services.people import ensure_council
    from valvecheck.store import repository as repo
    from valvecheck.store.models import AssessmentRow

    if ws.exists():
        raise WorkspaceError(f"a workspace already exists at {ws.label}", reason="exists")
    ws.migrate()
    at = utc_now()
    if empty:
        if council:
            with ws.session(all_councils=True) as session:
                ensure_council(session, council, at)
        return {"measures": 0, "ratings": 0}
    catalogue = load_catalogue()
    bundled = load_assessment()
    with ws.session(all_councils=True) as session:  # maintenance: the seed's council
        home = ensure_council(session, bundled.council, at)  # the programme is its own
        repo.save_catalogue(session, catalogue, at, home.id)
        with _listening(progress):
            prevalence.refresh(session)
        if council:
            ensure_council(session, council, at)
        assessment = AssessmentRow(
            council_id=home.id,
            name=bundled.name,
            council=bundled.council,
            description=bundled.description,
            created_at=at,
            created_by=BUNDLED_BY,
        )
        session.add(assessment)
        session.flush()
        home.current_assessment_id = assessment.id
        for measure_id, rag in bundled.ratings.items():
            measure = repo.measure_row(session, measure_id)
            repo.add_rating(
                session,
                assessment,
                measure,
                Rating(
                    measure_id,
                    rag,
                    rationale=BUNDLED,
                    by="seed",
                    at=at,
                    version=1,
                    source=SEED,
                    measure_version=measure.version,
                ),
            )
    return {"measures": len(catalogue.measures), "ratings": len(bundled.ratings)}
