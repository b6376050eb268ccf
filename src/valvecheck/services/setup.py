"""The first account of a new server: made from the web app's one-time setup page.

Offered only while nobody has an account; the check and the account are one transaction, so two
people racing to the page cannot both become the first administrator. There is never a default
password.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from valvecheck.domain.people import Role
from valvecheck.errors import Conflict, InputError
from valvecheck.services.context import Context, utc_now
from valvecheck.services.people import (
    PersonInfo,
    add_person,
    ensure_council,
    has_people,
    local_admin,
)
from valvecheck.settings import Settings


def first_admin(
    session: Session, council: str, name: str, password: str, config: Settings | None = None
) -> PersonInfo:
    """Create the first administrator (and their council, if new); refused once anyone exists."""
    if has_people(session):
        raise Conflict("this server already has accounts: sign in instead")
    council = " ".join(council.split())
    if not council:
        raise InputError("enter your council's name", field="council")
    home = ensure_council(session, council, utc_now())
    ctx = Context(session, local_admin(session, home.name, "setup page"), config or Settings())
    return add_person(ctx, name, Role.ADMIN, home.name, password)
