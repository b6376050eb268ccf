"""Creating and opening workspaces."""

from __future__ import annotations

import getpass

from valvecheck.catalogue.loader import load_assessment, load_catalogue
from valvecheck.domain.rating import BUNDLED, Rating
from valvecheck.errors import WorkspaceError
from valvecheck.settings import settings
from valvecheck.store import repository as repo
from valvecheck.store.db import Workspace
from valvecheck.store.models import AssessmentRow


def open_workspace(db: str | None = None) -> Workspace:
    """The workspace named by ``db``, else by DATABASE_URL, else ./valvecheck.db."""
    current = settings()  # checks every setting up front: a bad one fails before any output
    return Workspace(db or current.database_url)


def current_user(by: str | None = None) -> str:
    """Who is making a change: --by, else VALVECHECK_USER, else the login name."""
    if by and by.strip():
        return by.strip()
    configured = settings().user.strip()
    if configured:
        return configured
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers)
        return "unknown"


def init_workspace(ws: Workspace, empty: bool = False) -> dict[str, int]:
    """Create the schema and, unless ``empty``, load the bundled catalogue and the seed's assessment."""
    if ws.exists():
        raise WorkspaceError(
            f"a workspace already exists at {ws.label}; use another --db or remove it first"
        )
    ws.migrate()
    if empty:
        return {"measures": 0, "ratings": 0}
    catalogue = load_catalogue()
    bundled = load_assessment()
    at = repo.now()
    with ws.session() as session:
        repo.save_catalogue(session, catalogue, at)
        assessment = AssessmentRow(
            name=bundled.name,
            council=bundled.council,
            description=bundled.description,
            created_at=at,
            created_by="valvecheck (bundled)",
        )
        session.add(assessment)
        session.flush()
        for measure_id, rag in bundled.ratings.items():
            repo.add_rating(
                session,
                assessment.id,
                repo.measure_row(session, measure_id),
                Rating(measure_id, rag, rationale=BUNDLED, by="seed", at=at),
            )
    return {"measures": len(catalogue.measures), "ratings": len(bundled.ratings)}
