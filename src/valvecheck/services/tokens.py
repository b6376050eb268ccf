"""API tokens: how a program (a council's dashboard, a return) calls the JSON API.

A token belongs to one council and carries one role, like a person. It is the council's, not
the administrator's who made it: removing that person leaves it working. Only the sha256 of its
secret is stored: the secret is shown once, when the token is created, and a lost one is revoked
and replaced (under the same name, if wanted), never recovered. When a request last used a token
is recorded to the minute, at most one write a minute per token. The secret is 256 random bits, so a plain hash is enough (a slow
password hash would only slow every API request down).

A token may be given an expiry (a number of days from its creation): from then on it is refused,
saying so, and its name may be given to a new one. Without one it works until revoked, as tokens
made before expiries existed do: a council's nightly return should not stop on a date nobody
remembers, and `list_tokens` shows every token's expiry so an administrator can see what is
still live.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from valvecheck.domain.moments import aware, in_england
from valvecheck.domain.people import Action, Role
from valvecheck.errors import Conflict, InputError, NotFound, Unauthenticated
from valvecheck.services.context import Actor, Context, authorise, council_id
from valvecheck.store.db import Workspace
from valvecheck.store.models import ApiTokenRow, CouncilRow
from valvecheck.store.tenancy import owned

PREFIX = "vc_"
# an expiry further off than this is no expiry: a token that should live so long needs none
MAX_EXPIRY_DAYS = 3650
# last_used_at is written when it is older than this: not one write per request
USE_NOTED_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class TokenInfo:
    name: str
    council: str
    role: Role
    created_at: datetime
    created_by: str
    revoked: bool
    last_used_at: datetime | None = None
    expires_at: datetime | None = None  # None: until revoked
    expired: bool = False


@dataclass(frozen=True)
class NewToken:
    """A token just created, with its secret: shown once, stored only as a hash."""

    info: TokenInfo
    secret: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def has_expired(row: ApiTokenRow, now: datetime) -> bool:
    return row.expires_at is not None and aware(row.expires_at) <= now


def _info(row: ApiTokenRow, council: str, now: datetime) -> TokenInfo:
    return TokenInfo(
        row.name,
        council,
        Role(row.role),
        row.created_at,
        row.created_by,
        row.revoked_at is not None,
        aware(row.last_used_at) if row.last_used_at else None,
        aware(row.expires_at) if row.expires_at else None,
        has_expired(row, now),
    )


# What a token's changes are recorded as made by: "<name> (API token)", within the 200
# characters every record's "by" holds (a token named before this limit is cut to fit).
AS_TOKEN = " (API token)"
LONGEST_NAME = 200 - len(AS_TOKEN)


def acting_as(name: str) -> str:
    return f"{name[:LONGEST_NAME]}{AS_TOKEN}"


def create_token(
    ctx: Context, name: str, role: Role | str = Role.VIEWER, expires_in: int | None = None
) -> NewToken:
    """Issue a token for the acting council with ``role`` (a viewer unless told otherwise),
    refused from ``expires_in`` days after now (None: never, until revoked). A live token's name
    is refused; an expired one's is revoked and given to the new token."""
    authorise(ctx, Action.MANAGE_TOKENS)
    role = role if isinstance(role, Role) else Role.parse(role)
    name = " ".join(name.split())
    if not name or len(name) > LONGEST_NAME:
        raise InputError(f"a token needs a name of 1 to {LONGEST_NAME} characters", field="name")
    if expires_in is not None and not 1 <= expires_in <= MAX_EXPIRY_DAYS:
        raise InputError(
            f"a token expires 1 to {MAX_EXPIRY_DAYS} days after it is made (or never): "
            f"{expires_in} days is not allowed",
            field="expires_in",
        )
    now = ctx.now()
    cid = council_id(ctx)
    live = owned(ApiTokenRow, cid).where(ApiTokenRow.name == name, ApiTokenRow.revoked_at.is_(None))
    held = ctx.session.scalar(live)
    if held is not None and not has_expired(held, now):
        raise Conflict(
            f"there is already a token called '{name}'", field="name", reason="already-exists"
        )
    if held is not None:  # refused already; it stays listed, revoked, beside its replacement
        held.revoked_at = now
        ctx.session.flush()
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiTokenRow(
        council_id=cid,
        name=name,
        role=role.value,
        secret_hash=digest(secret),
        created_at=now,
        created_by=ctx.actor.name,
        expires_at=None if expires_in is None else now + timedelta(days=expires_in),
    )
    ctx.session.add(row)
    ctx.session.flush()
    return NewToken(_info(row, ctx.actor.council, now), secret)


def list_tokens(ctx: Context) -> list[TokenInfo]:
    """The acting council's tokens, revoked ones included (never their secrets), by name, a
    name's live token after the revoked ones it replaced."""
    authorise(ctx, Action.MANAGE_TOKENS)
    rows = ctx.session.scalars(
        owned(ApiTokenRow, council_id(ctx)).order_by(ApiTokenRow.name, ApiTokenRow.id)
    )
    return [_info(r, ctx.actor.council, ctx.now()) for r in rows]


def revoke_token(ctx: Context, name: str) -> TokenInfo:
    """Revoke a token: from now on it is refused. Revoking twice is harmless. A name's live
    token is the one revoked (else its latest, already revoked)."""
    authorise(ctx, Action.MANAGE_TOKENS)
    rows = list(
        ctx.session.scalars(
            owned(ApiTokenRow, council_id(ctx))
            .where(ApiTokenRow.name == " ".join(name.split()))
            .order_by(ApiTokenRow.id)
        )
    )
    row = next((r for r in rows if r.revoked_at is None), rows[-1] if rows else None)
    if row is None:
        raise NotFound(f"there is no token called '{name}'", field="name")
    if row.revoked_at is None:
        row.revoked_at = ctx.now()
    return _info(row, ctx.actor.council, ctx.now())


def token_actor(session: Session, secret: str, now: datetime | None = None) -> Actor:
    """Who is acting for a token's secret at ``now``; Unauthenticated if it is unknown, revoked
    or expired (saying so: the program's owner then knows to ask for a new one)."""
    row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.secret_hash == digest(secret)))
    if row is None or row.revoked_at is not None:
        raise Unauthenticated("the API token is not valid (unknown or revoked)")
    if row.expires_at is not None and has_expired(row, now or datetime.now(UTC)):
        ended = in_england(row.expires_at)
        raise Unauthenticated(
            f"the API token '{row.name}' expired on {ended.day} {ended:%B %Y at %H:%M}: "
            "ask an administrator of the council for a new one"
        )
    home = session.get(CouncilRow, row.council_id)
    assert home is not None
    return Actor(acting_as(row.name), Role(row.role), home.id, home.name, token_id=row.id)


def authenticate(ws: Workspace, secret: str, now: datetime | None = None) -> Actor:
    """Who is acting for a token's secret (`token_actor`), noting that the token was used.

    The use is written only when the last one noted is a minute old or more (and then in its
    own short transaction), so a program calling many times a minute costs one write a minute,
    not one a request.
    """
    now = now or datetime.now(UTC)
    with ws.session(write=False, all_councils=True) as session:  # whose token: any council's
        actor = token_actor(session, secret, now)
        last = session.scalar(
            select(ApiTokenRow.last_used_at).where(ApiTokenRow.id == actor.token_id)
        )
    if last is None or aware(last) <= now - USE_NOTED_EVERY:
        with ws.session(write=True, all_councils=True) as session:
            session.execute(
                update(ApiTokenRow)
                .where(
                    ApiTokenRow.id == actor.token_id,
                    or_(
                        ApiTokenRow.last_used_at.is_(None),
                        ApiTokenRow.last_used_at <= now - USE_NOTED_EVERY,
                    ),
                )
                .values(last_used_at=now)
            )
    return actor
