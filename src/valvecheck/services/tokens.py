"""API tokens: how a program (a council's dashboard, a return) calls the JSON API.

A token belongs to one council and carries one role, like a person. Only the sha256 of its
secret is stored: the secret is shown once, when the token is created, and a lost one is revoked
and replaced, never recovered. The secret is 256 random bits, so a plain hash is enough (a slow
password hash would only slow every API request down).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from valvecheck.domain.people import Action, Role
from valvecheck.errors import Conflict, InputError, NotFound, Unauthenticated
from valvecheck.services.context import Actor, Context, authorise, council_id
from valvecheck.store.models import ApiTokenRow, CouncilRow
from valvecheck.store.tenancy import owned

PREFIX = "vc_"


@dataclass(frozen=True)
class TokenInfo:
    name: str
    council: str
    role: Role
    created_at: datetime
    created_by: str
    revoked: bool


@dataclass(frozen=True)
class NewToken:
    """A token just created, with its secret: shown once, stored only as a hash."""

    info: TokenInfo
    secret: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _info(row: ApiTokenRow, council: str) -> TokenInfo:
    return TokenInfo(
        row.name,
        council,
        Role(row.role),
        row.created_at,
        row.created_by,
        row.revoked_at is not None,
    )


def create_token(ctx: Context, name: str, role: Role | str = Role.VIEWER) -> NewToken:
    """Issue a token for the acting council with ``role`` (a viewer unless told otherwise)."""
    authorise(ctx, Action.MANAGE_TOKENS)
    role = role if isinstance(role, Role) else Role.parse(role)
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise InputError("a token needs a name of 1 to 200 characters", field="name")
    cid = council_id(ctx)
    if ctx.session.scalar(owned(ApiTokenRow, cid).where(ApiTokenRow.name == name)):
        raise Conflict(f"there is already a token called '{name}'", field="name")
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiTokenRow(
        council_id=cid,
        name=name,
        role=role.value,
        secret_hash=digest(secret),
        created_at=ctx.now(),
        created_by=ctx.actor.name,
    )
    ctx.session.add(row)
    ctx.session.flush()
    return NewToken(_info(row, ctx.actor.council), secret)


def list_tokens(ctx: Context) -> list[TokenInfo]:
    """The acting council's tokens, revoked ones included (never their secrets)."""
    authorise(ctx, Action.MANAGE_TOKENS)
    rows = ctx.session.scalars(owned(ApiTokenRow, council_id(ctx)).order_by(ApiTokenRow.name))
    return [_info(r, ctx.actor.council) for r in rows]


def revoke_token(ctx: Context, name: str) -> TokenInfo:
    """Revoke a token: from now on it is refused. Revoking twice is harmless."""
    authorise(ctx, Action.MANAGE_TOKENS)
    row = ctx.session.scalar(
        owned(ApiTokenRow, council_id(ctx)).where(ApiTokenRow.name == " ".join(name.split()))
    )
    if row is None:
        raise NotFound(f"there is no token called '{name}'", field="name")
    if row.revoked_at is None:
        row.revoked_at = ctx.now()
    return _info(row, ctx.actor.council)


def token_actor(session: Session, secret: str) -> Actor:
    """Who is acting for a token's secret; Unauthenticated if it is unknown or revoked."""
    row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.secret_hash == digest(secret)))
    if row is None or row.revoked_at is not None:
        raise Unauthenticated("the API token is not valid (unknown or revoked)")
    home = session.get(CouncilRow, row.council_id)
    assert home is not None
    return Actor(f"{row.name} (API token)", Role(row.role), home.id, home.name, token_id=row.id)
