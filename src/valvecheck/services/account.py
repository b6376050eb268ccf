"""A person's own account: changing their own password (an administrator sets others')."""

from __future__ import annotations

from valvecheck.domain.people import Action, Role
from valvecheck.errors import Forbidden, InputError, Unauthenticated
from valvecheck.services.context import Context, authorise
from valvecheck.services.people import PersonInfo, hash_password, sign_in, sign_out
from valvecheck.store.models import PersonRow


def change_own_password(ctx: Context, current_password: str, new_password: str) -> PersonInfo:
    """Change the acting person's password, after checking the one they have now. Every
    session they began before it ends (a password that leaked stops working at once); the
    front end gives the one they are using a fresh session."""
    authorise(ctx, Action.READ)
    row = ctx.session.get(PersonRow, ctx.actor.person_id) if ctx.actor.person_id else None
    if row is None:
        raise Forbidden("only a person signed in with a password can change their own password")
    if not current_password:
        raise InputError("enter your current password", field="current")
    try:
        sign_in(ctx.session, row.name, current_password)
    except Unauthenticated:
        raise InputError("your current password is not right", field="current") from None
    if new_password == current_password:
        raise InputError(
            "the new password is the one you have now: choose another", field="password"
        )
    row.password_hash = hash_password(new_password)
    sign_out(ctx.session, row.id, ctx.now())
    return PersonInfo(row.id, row.name, ctx.actor.council, Role(row.role), True, row.active)
