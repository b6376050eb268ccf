"""The context every use-case takes: the open unit of work, who is acting, a clock, the settings.

Services never open, commit or roll back a transaction: the shell around them does (one per CLI
command, one per web request), so a use-case that writes several rows is all-or-nothing and
reads one snapshot. Who may do what is asked in one place, `authorise`, at the top of each
use-case, so no front end can forget it. What every council shares (the catalogue, the list of
councils) is changed only by its keepers: the local administrator and the admins of the host
council, the one the server was set up for (`kept_by`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select

from valvecheck.analysis.progress import Report
from valvecheck.domain.moments import in_england
from valvecheck.domain.people import SHARED, Action, Role, may
from valvecheck.errors import Forbidden, NotFound
from valvecheck.settings import Settings
from valvecheck.store import tables as t

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# progress(stage, done, total): long work reports how far it has got; shells decide whether
# to draw a bar (a terminal) or nothing (piped, JSON, a web request). The analysis's own long
# work reports in the same shape (``analysis.progress``).
Progress = Report


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Actor:
    """Who is acting: a registered person, or the local administrator at the command line."""

    name: str  # recorded as "by" on every change
    role: Role
    council_id: int | None  # None only before the workspace has any council
    council: str = ""
    person_id: int | None = None  # None: the local administrator (no account), or a token
    token_id: int | None = None  # a program calling the API with a token

    @property
    def is_local_admin(self) -> bool:
        return self.person_id is None and self.token_id is None and self.role is Role.ADMIN


@dataclass
class Context:
    """``unit``: the unit of work's transaction, a Core connection (the shells' own) or an ORM
    session. Reads that need no ORM objects go through ``db``; work on ORM objects through
    ``session``, which on a connection is opened on first use and joined to its transaction, so
    a use-case that only reads never loads the ORM."""

    unit: Connection | Session
    actor: Actor
    settings: Settings = field(default_factory=Settings)
    clock: Callable[[], datetime] = utc_now
    progress: Progress | None = None
    _session: Session | None = field(default=None, init=False, repr=False)

    @property
    def db(self) -> Connection | Session:
        """Where reads go: the ORM session once there is one (so they see its pending
        changes), else the connection."""
        if self._session is not None:
            return self._session
        return self.unit

    @property
    def session(self) -> Session:
        if not isinstance(self.unit, Connection):
            return self.unit
        if self._session is None:
            from sqlalchemy.orm import Session  # the ORM: only when a use-case works on objects

            # Joined to the connection's transaction: the shell commits or rolls back the
            # connection; the session never does (end() writes out its pending changes).
            self._session = Session(
                bind=self.unit, expire_on_commit=False, join_transaction_mode="rollback_only"
            )
        return self._session

    def end(self, ok: bool = True) -> None:
        """Before the shell ends the unit of work: write out (``ok``) or drop the joined ORM
        session's pending changes, and close it."""
        if self._session is None:
            return
        try:
            if ok:
                self._session.flush()
        finally:
            self._session.close()
            self._session = None

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """The day it is in England (deadlines, filters and reports are dated by it)."""
        return in_england(self.clock()).date()

    def report(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)


def authorise(ctx: Context, action: Action, role_only: bool = False) -> None:
    """Refuse (Forbidden) unless the acting person's role allows ``action`` and, for an action
    that changes what every council shares, they keep it (`kept_by`). ``role_only``: the role
    alone, for a use-case that learns only later whether it changes what is shared (a file of
    ratings for measures already here changes only the council's own) and asks again then."""
    actor = ctx.actor
    role = actor.role
    article = "an" if role.value[0] in "aeiou" else "a"
    if not may(role, action):
        raise Forbidden(
            f"{actor.name} is {article} {role.value} and {article} {role.value} may not "
            f"{action.value}"
        )
    if action in SHARED and not role_only and (keeper := kept_by(ctx.db, actor)):
        kept, only = _KEPT[action]
        raise Forbidden(
            f"{actor.name} is {article} {role.value} of {actor.council}; {kept} by the admins "
            f"of {keeper}, the council this server was set up for, so only they may {only}"
        )


# What each shared action changes, and what only its keepers may then do (a refusal's words).
_KEPT = {
    Action.MANAGE_CATALOGUE: (
        "the shared catalogue is kept",
        "change the catalogue of agreements and measures",
    ),
    Action.MANAGE_COUNCILS: ("the list of councils on this server is kept", "add councils"),
}


def kept_by(db: Connection | Session, actor: Actor) -> str:
    """Who keeps what every council shares, when it is not ``actor``: the name of the host
    council, the one the server was set up for (its first: the lowest id), whose admins keep
    it. '' when ``actor`` keeps it: the local administrator, anyone of the host council, and
    anyone before there is a council (a server with one council is as it always was). One
    small select."""
    if actor.is_local_admin:
        return ""
    c = t.council.c
    host = db.execute(select(c.id, c.name).order_by(c.id).limit(1)).first()
    if host is None or host.id == actor.council_id:
        return ""
    return str(host.name)


def council_id(ctx: Context) -> int:
    """The acting council's id; every council-owned query is filtered by it."""
    if ctx.actor.council_id is None:
        raise NotFound("this workspace has no council yet", field="council")
    return ctx.actor.council_id
