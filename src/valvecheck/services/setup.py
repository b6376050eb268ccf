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
    MIN_PASSWORD,
    PersonInfo,
    add_person,
    ensure_council,
    has_people,
    local_admin,
)
from valvecheck.settings import Settings


class SetupIncomplete(InputError):
    """The setup form lacks one or more of its fields: the message names them all at once, and
    ``fields`` gives each one's own words ({field: what to enter}), in the form's order."""

    def __init__(self, fields: dict[str, str]):
        said = list(fields.values())
        listed = said[0] if len(said) == 1 else f"{', '.join(said[:-1])} and {said[-1]}"
        super().__init__(f"enter {listed}", field=next(iter(fields)))
        self.fields = fields


def first_admin(
    session: Session, council: str, name: str, password: str, config: Settings | None = None
) -> PersonInfo:
    """Create the first administrator (and their council, if new); refused once anyone exists.

    Every empty field (and a password too short) is named in one refusal, not one at a time.
    """
    if has_people(session):
        raise Conflict("this server already has accounts: sign in instead")
    council = " ".join(council.split())
    missing = {}
    if not council:
        missing["council"] = "your council's name"
    if not name.strip():
        missing["name"] = "your sign-in name"
    if len(password) < MIN_PASSWORD:
        missing["password"] = f"a password of at least {MIN_PASSWORD} characters"
    if missing:
        raise SetupIncomplete(missing)
    home = ensure_council(session, council, utc_now())
    ctx = Context(session, local_admin(session, home.name, "setup page"), config or Settings())
    return add_person(ctx, name, Role.ADMIN, home.name, password)
