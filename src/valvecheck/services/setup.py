"""The first account of a new server: made from the web app's one-time setup page.

Offered only while nobody has an account; the check and the account are one transaction, so two
people racing to the page cannot both become the first administrator. There is never a default
password.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from valvecheck.domain.people import Role
from valvecheck.domain.rag import Rag
from valvecheck.domain.rating import current
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
from valvecheck.store import repository as repo
from valvecheck.store.models import CouncilRow


class SetupIncomplete(InputError):
    """The setup form lacks one or more of its fields: the message names them all at once, and
    ``fields`` gives each one's own words ({field: what to enter}), in the form's order."""

    def __init__(self, fields: dict[str, str]):
        said = list(fields.values())
        listed = said[0] if len(said) == 1 else f"{', '.join(said[:-1])} and {said[-1]}"
        super().__init__(f"enter {listed}", field=next(iter(fields)))
        self.fields = fields


class CouncilQuestion(InputError):
    """A new council's name that differs from one already in the workspace only by words such
    as "City Council": ``suggestion`` is that council's name, to offer instead."""

    def __init__(self, typed: str, suggestion: str):
        super().__init__(
            f"did you mean {suggestion}? {suggestion} is already in the workspace, with its "
            f"ratings. Choose it, or confirm that '{typed}' is a new council",
            field="council",
        )
        self.suggestion = suggestion


@dataclass(frozen=True)
class KnownCouncil:
    """A council already in the workspace, as the setup page offers it."""

    name: str
    assessments: int
    rated: int  # measures rated in its current assessment
    current: str  # that assessment's name ("" when it has none)


def setup_councils(session: Session) -> list[KnownCouncil]:
    """The councils already in the workspace (the seed's, or those added at the command line),
    for the first administrator to choose from; only while nobody has an account."""
    if has_people(session):
        raise Conflict("this server already has accounts: sign in instead")
    out = []
    for row in session.scalars(select(CouncilRow).order_by(CouncilRow.name)):
        chosen = repo.current_assessment(session, row.id)
        histories = repo.rating_history(session, chosen) if chosen is not None else {}
        rated = sum(1 for h in histories.values() if current(h) is not Rag.UNRATED)
        out.append(
            KnownCouncil(
                row.name,
                len(repo.assessments(session, row.id)),
                rated,
                chosen.name if chosen else "",
            )
        )
    return out


# The words a council's name is written with or without: "Bristol City Council" is Bristol.
_COUNCIL_WORDS = re.compile(
    r"\b(?:(?:city|county|borough|district|metropolitan borough|royal borough)\s+)?council\b"
    r"|^\s*(?:the\s+)?(?:city|county|royal borough|london borough|borough) of\s+"
)


def _plain(name: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", _COUNCIL_WORDS.sub(" ", name.lower())).split())


def similar_council(session: Session, name: str) -> str | None:
    """The council already in the workspace that ``name`` means, when it is written differently
    ("Bristol City Council" for Bristol); None for the same name (whatever its case) or a new one."""
    plain = _plain(name)
    if not plain:
        return None
    names = list(session.scalars(select(CouncilRow.name)))
    if any(known.lower() == name.strip().lower() for known in names):
        return None
    return next((known for known in names if _plain(known) == plain), None)


def first_admin(
    session: Session,
    council: str,
    name: str,
    password: str,
    config: Settings | None = None,
    new_council: bool = False,
) -> PersonInfo:
    """Create the first administrator (and their council, if new); refused once anyone exists.

    Every empty field (and a password too short) is named in one refusal, not one at a time.
    A new council whose name only differs from one in the workspace by "City Council" and the
    like is asked about (CouncilQuestion) unless ``new_council`` confirms it.
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
    suggestion = None if new_council else similar_council(session, council)
    if suggestion is not None:
        raise CouncilQuestion(council, suggestion)
    home = ensure_council(session, council, utc_now())
    ctx = Context(session, local_admin(session, home.name, "setup page"), config or Settings())
    return add_person(ctx, name, Role.ADMIN, home.name, password)
