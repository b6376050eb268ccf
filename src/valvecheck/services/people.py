"""Councils and the people who work in them: who is acting, and managing accounts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Row, func, or_, select, text
from sqlalchemy.exc import IntegrityError

from valvecheck import logs
from valvecheck.domain.moments import aware
from valvecheck.domain.people import Action, Role, by_name
from valvecheck.errors import Conflict, InputError, NotFound, Unauthenticated
from valvecheck.services.acting import council_row as council_row
from valvecheck.services.acting import local_admin as local_admin
from valvecheck.services.acting import local_admin_name as local_admin_name
from valvecheck.services.acting import person_actor as person_actor
from valvecheck.services.context import Actor, Context, authorise, council_id
from valvecheck.store import repository as repo
from valvecheck.store.db import dialect, set_scope
from valvecheck.store.models import AssessmentRow, CouncilRow, PersonRow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

_hasher = PasswordHasher()
MIN_PASSWORD = 10

# What a person's records and their own row read once their personal details are removed
# (services/forget.py). Kept for them: nobody is given such a sign-in name, so a history that
# names a former member never means someone who can still act.
_FORMER = re.compile(r"former member [0-9]+", re.IGNORECASE)


def is_former_member(name: str) -> bool:
    """Whether ``name`` is of the form kept for people whose personal details were removed."""
    return _FORMER.fullmatch(" ".join(name.split())) is not None


@dataclass(frozen=True)
class CouncilInfo:
    id: int
    name: str
    people: int
    assessments: int


@dataclass(frozen=True)
class PersonInfo:
    id: int
    name: str
    council: str
    role: Role
    has_password: bool
    active: bool
    last_signed_in_at: datetime | None = None  # their last web sign-in, to the minute
    forgotten: bool = False  # their personal details were removed (services/forget.py)


# -- who is acting -------------------------------------------------------------------------------


def sign_in(session: Session, name: str, password: str) -> Actor:
    """Check a name and password; the same answer whether the name or the password is wrong."""
    row = by_name(session.scalars(select(PersonRow).where(_named(name))).all(), name, _name)
    refused = Unauthenticated("the name or password is not right")
    if row is None or not row.active or not row.password_hash:
        _hasher.hash("spend the same time as a real check")
        raise refused
    try:
        _hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise refused from None
    if _hasher.check_needs_rehash(row.password_hash):
        row.password_hash = _hasher.hash(password)
    return person_actor(session, row.name)


def session_person(session: Session, person_id: int, name: str, begun: datetime) -> Actor | None:
    """The person of a web session begun at ``begun``, as they are now; None when the account
    is gone or inactive, or the person has signed out since the session began."""
    try:
        actor = person_actor(session, name)
    except Unauthenticated:
        return None
    if actor.person_id != person_id:
        return None
    row = session.get(PersonRow, person_id)
    out = row.signed_out_at if row else None
    if out is not None and begun < aware(out):
        return None
    return actor


# last_signed_in_at is written when it is older than this: a minute is as near as it is told
SIGN_IN_NOTED_EVERY = timedelta(minutes=1)


def note_signed_in(session: Session, person_id: int | None, at: datetime) -> None:
    """Note a successful web sign-in (written at most once a minute: it is shown to the minute)."""
    row = session.get(PersonRow, person_id) if person_id is not None else None
    last = row.last_signed_in_at if row else None
    if row is not None and (last is None or aware(last) <= at - SIGN_IN_NOTED_EVERY):
        row.last_signed_in_at = at


def sign_out(session: Session, person_id: int, at: datetime) -> None:
    """End every web session the person began before ``at`` (on every device)."""
    row = session.get(PersonRow, person_id)
    if row is not None:
        row.signed_out_at = at


# -- councils --------------------------------------------------------------------------------------


def add_council(ctx: Context, name: str) -> CouncilInfo:
    authorise(ctx, Action.MANAGE_COUNCILS)
    name = " ".join(name.split())
    if not name:
        raise InputError("a council needs a name", field="name")
    if ctx.session.scalar(select(CouncilRow).where(func.lower(CouncilRow.name) == name.lower())):
        raise Conflict(
            f"there is already a council called '{name}'", field="name", reason="already-exists"
        )
    row = CouncilRow(name=name, created_at=ctx.now())
    ctx.session.add(row)
    ctx.session.flush()
    return CouncilInfo(row.id, row.name, 0, 0)


def ensure_council(session: Session, name: str, at: datetime) -> CouncilRow:
    """The council with this name, created if new (workspace creation only)."""
    row = session.scalar(select(CouncilRow).where(func.lower(CouncilRow.name) == name.lower()))
    if row is None:
        row = CouncilRow(name=name, created_at=at)
        session.add(row)
        session.flush()
    return row


def list_councils(ctx: Context) -> list[CouncilInfo]:
    """Every council for the local administrator; a person sees only their own."""
    authorise(ctx, Action.READ)
    query = select(CouncilRow).order_by(CouncilRow.id)
    if not ctx.actor.is_local_admin:
        query = query.where(CouncilRow.id == council_id(ctx))
    out = []
    for row in ctx.session.scalars(query):
        people = ctx.session.scalar(
            select(func.count()).select_from(PersonRow).where(PersonRow.council_id == row.id)
        )
        assessments = ctx.session.scalar(
            select(func.count())
            .select_from(AssessmentRow)
            .where(AssessmentRow.council_id == row.id)
        )
        out.append(CouncilInfo(row.id, row.name, people or 0, assessments or 0))
    return out


# -- people ----------------------------------------------------------------------------------------


def add_person(
    ctx: Context,
    name: str,
    role: Role | str,
    council: str | None = None,
    password: str | None = None,
) -> PersonInfo:
    """Register a person in a council (the acting one unless the local administrator names one)."""
    authorise(ctx, Action.MANAGE_PEOPLE)
    role = role if isinstance(role, Role) else Role.parse(role)
    name = name.strip()
    if not name or len(name) > 200:
        raise InputError("a person needs a name of 1 to 200 characters", field="name")
    if is_former_member(name):
        raise InputError(
            f"'{name}' is how the records of people whose personal details were removed read: "
            "choose another sign-in name",
            field="name",
        )
    home: CouncilRow | Row[Any]
    if council and ctx.actor.is_local_admin:
        home = council_row(ctx.session, council)
    elif council and council.strip().lower() != ctx.actor.council.lower():
        raise NotFound(f"there is no council '{council}'", field="council")
    else:
        found = ctx.session.get(CouncilRow, council_id(ctx))
        assert found is not None
        home = found
    if name_taken(ctx, name):
        raise Conflict(_TAKEN.format(name=name), field="name", reason="already-exists")
    row = PersonRow(
        council_id=home.id,
        name=name,
        role=role.value,
        password_hash=hash_password(password) if password is not None else None,
        active=True,
        created_at=ctx.now(),
    )
    ctx.session.add(row)
    try:
        ctx.session.flush()
    except IntegrityError:
        # added at the same moment by another process the check could not see (a backstop: the
        # check above is made under a lock that every process adding a person takes)
        raise Conflict(_TAKEN.format(name=name), field="name", reason="already-exists") from None
    logs.acted(ctx, "person-added", person=row.name, role=role.value, home=home.name)
    return PersonInfo(row.id, row.name, home.name, role, row.password_hash is not None, True)


# Sign-in names are one namespace for the whole server, whatever their case; the refusal does not
# say in which council the name is taken.
_TAKEN = "the sign-in name '{name}' is taken (names differing only in case count as the same)"
# lock_pair's first key while a sign-in name is checked and taken (histories' ids are positive;
# store/repository.py's IMPORTING_ACTIVITIES is -1)
_NAMING_PEOPLE = -2


def name_taken(ctx: Context, name: str) -> bool:
    """Whether anyone, in any council, has the sign-in name, exactly or but for case.

    Signing in looks a name up across every council, so a name differing only in case from
    another council's would make both people's sign-in ambiguous. On PostgreSQL row-level
    security shows the acting person only their own council's people (and the database's
    unique name is case-sensitive), so this one query looks across councils, as signing in
    does, and the transaction's scope is narrowed again at once. Made under a lock held to the
    end of the transaction, so that two councils adding 'Ann' and 'ANN' at the same moment
    cannot both pass it."""
    session = ctx.session
    repo.lock_pair(session, _NAMING_PEOPLE)
    query = select(PersonRow.id).where(_named(name)).limit(1)
    if dialect(session) != "postgresql":
        return session.scalar(query) is not None
    scope = session.execute(
        text(
            "SELECT current_setting('app.all_councils', true), "
            "current_setting('app.council_id', true)"
        )
    ).one()
    set_scope(session, None)
    try:
        return session.scalar(query) is not None
    finally:  # the scope it had, exactly
        session.execute(
            text(
                "SELECT set_config('app.all_councils', :all, true), "
                "set_config('app.council_id', :council, true)"
            ),
            {"all": scope[0] or "", "council": scope[1] or ""},
        )


def _named(name: str) -> Any:
    """Rows whose name is ``name``, exactly or but for case (SQLite's lower() folds ASCII only,
    so the exact match is asked for too)."""
    return or_(PersonRow.name == name.strip(), func.lower(PersonRow.name) == name.strip().lower())


def _name(row: PersonRow) -> str:
    return row.name


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"a password needs at least {MIN_PASSWORD} characters", field="password")
    return _hasher.hash(password)


def list_people(ctx: Context) -> list[PersonInfo]:
    """The acting council's people."""
    authorise(ctx, Action.MANAGE_PEOPLE)
    home = ctx.session.get(CouncilRow, council_id(ctx))
    assert home is not None
    rows = ctx.session.scalars(
        select(PersonRow).where(PersonRow.council_id == home.id).order_by(PersonRow.name)
    )
    return [
        PersonInfo(
            r.id,
            r.name,
            home.name,
            Role(r.role),
            r.password_hash is not None,
            r.active,
            aware(r.last_signed_in_at) if r.last_signed_in_at else None,
            forgotten=not r.active and is_former_member(r.name),
        )
        for r in rows
    ]


def set_role(ctx: Context, name: str, role: Role | str) -> PersonInfo:
    authorise(ctx, Action.MANAGE_PEOPLE)
    role = role if isinstance(role, Role) else Role.parse(role)
    row = _own_person(ctx, name)
    _not_forgotten(row, "given a role")
    if row.role == Role.ADMIN.value and role is not Role.ADMIN and row.active:
        admins = ctx.session.scalar(
            select(func.count()).where(
                PersonRow.council_id == row.council_id,
                PersonRow.role == Role.ADMIN.value,
                PersonRow.active.is_(True),
            )
        )
        if admins == 1:
            raise InputError(
                f"{row.name} is the only admin of {ctx.actor.council}: make someone else an "
                "admin first, so that someone can still manage the council's people"
            )
    logs.acted(ctx, "person-role-changed", person=row.name, was=row.role, role=role.value)
    row.role = role.value
    return PersonInfo(
        row.id, row.name, ctx.actor.council, role, row.password_hash is not None, row.active
    )


def deactivate(ctx: Context, name: str) -> PersonInfo:
    authorise(ctx, Action.MANAGE_PEOPLE)
    row = _own_person(ctx, name)
    if row.id == ctx.actor.person_id:
        raise InputError("you cannot remove your own account", field="name")
    row.active = False
    # their sessions end for good: restoring access later does not bring an old cookie back
    sign_out(ctx.session, row.id, ctx.now())
    logs.acted(ctx, "person-removed", person=row.name)
    return PersonInfo(row.id, row.name, ctx.actor.council, Role(row.role), False, False)


def restore_access(ctx: Context, name: str) -> PersonInfo:
    """Let a person whose access was removed sign in and act again, with the role they had."""
    authorise(ctx, Action.MANAGE_PEOPLE)
    row = _own_person(ctx, name)
    _not_forgotten(row, "given access again")
    row.active = True
    logs.acted(ctx, "person-restored", person=row.name)
    return PersonInfo(
        row.id, row.name, ctx.actor.council, Role(row.role), row.password_hash is not None, True
    )


def _not_forgotten(row: PersonRow, change: str) -> None:
    """Refuse to change a person whose personal details were removed (forget_person): their
    row is only what the records' pseudonym points at."""
    if not row.active and is_former_member(row.name):
        raise InputError(
            f"{row.name}'s personal details were removed, so they cannot be {change}: add "
            "them as a new person if they come back",
            field="name",
        )


def set_password(ctx: Context, name: str, password: str) -> PersonInfo:
    """Give a person of the council a new password (one they forgot, or never had). Their
    sessions elsewhere end, so a password that leaked stops working at once; an administrator
    setting their own keeps the session they are using."""
    authorise(ctx, Action.MANAGE_PEOPLE)
    row = _own_person(ctx, name)
    _not_forgotten(row, "given a password")
    row.password_hash = hash_password(password)
    if row.id != ctx.actor.person_id:
        sign_out(ctx.session, row.id, ctx.now())
    logs.acted(ctx, "password-set", person=row.name)
    return PersonInfo(row.id, row.name, ctx.actor.council, Role(row.role), True, row.active)


def _own_person(ctx: Context, name: str) -> PersonRow:
    rows = ctx.session.scalars(
        select(PersonRow).where(_named(name), PersonRow.council_id == council_id(ctx))
    ).all()
    row = by_name(rows, name, _name)
    if row is None:
        raise NotFound(f"there is no person called '{name}'", field="name")
    return row


def has_people(session: Session) -> bool:
    """Whether anyone has an account yet (the web app offers its setup page until someone does)."""
    return session.scalar(select(PersonRow.id).limit(1)) is not None
