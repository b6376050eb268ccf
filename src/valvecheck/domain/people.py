"""People, roles and what each role may do. Pure: the services ask `may` through `authorise`.

A viewer reads; an editor also rates, links, imports activities, runs suggestions and starts or
chooses assessments; an admin also locks assessments and manages people, councils and the
shared catalogue.

A role is a role within one council. What every council on a server shares (the catalogue of
agreements and measures, with the decisions on which of them are the same commitment, and the
list of councils: the actions in ``SHARED``) is kept by one council, the host: the one the
server was set up for, its first council (lowest id). Only the host council's admins (people or
tokens) and the local administrator at the command line may do those; an admin of any other
council may not. Which council is the host is the store's to say, so `authorise` asks it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import TypeVar

# the name a person's records and row read once their personal details are removed
# (services.forget); the kept states' fingerprint counts the council's (services.snapshot)
FORMER_MEMBER = "Former member {number}"

T = TypeVar("T")


class Role(StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @classmethod
    def parse(cls, word: str) -> Role:
        from valvecheck.errors import InputError

        try:
            return cls(word.strip().lower())
        except ValueError:
            raise InputError(
                f"'{word}' is not a role; use one of: {', '.join(r.value for r in cls)}",
                field="role",
            ) from None


class Action(StrEnum):
    """Everything a person can ask for, named as a sentence ends: 'a viewer may not <action>'."""

    READ = "read the assessment"
    RATE = "rate measures"
    LINK = "link activities to measures"
    IMPORT_ACTIVITIES = "add, change or import activities"
    SUGGEST = "accept suggestions"
    MANAGE_ASSESSMENTS = "start or choose assessments"
    # Admins only: a lock cannot be undone, and it settles the council's reported paper.
    LOCK_ASSESSMENT = "lock assessments"
    RECORD_IMPACT = "record savings and the deficit trajectory"
    # The council's own programme: where it places each measure of the shared catalogue.
    PLACE = "place measures in the council's programme"
    # This and MANAGE_COUNCILS change what every council shares (SHARED): the host council's
    # admins and the local administrator only.
    MANAGE_CATALOGUE = "change the catalogue of agreements and measures"
    MANAGE_PEOPLE = "manage people"
    MANAGE_COUNCILS = "manage councils"
    MANAGE_TOKENS = "issue or revoke API tokens"
    BACKUP = "back up or restore the council's data"


_EDITOR = {
    Action.READ,
    Action.RATE,
    Action.LINK,
    Action.IMPORT_ACTIVITIES,
    Action.SUGGEST,
    Action.MANAGE_ASSESSMENTS,
    Action.RECORD_IMPACT,
    Action.PLACE,
}
PERMITTED: dict[Role, frozenset[Action]] = {
    Role.VIEWER: frozenset({Action.READ}),
    Role.EDITOR: frozenset(_EDITOR),
    Role.ADMIN: frozenset(Action),
}


# What changes what every council on the server reads: allowed to the host council's admins and
# the local administrator only (`may` answers for the role alone; `authorise` adds the council).
SHARED = frozenset({Action.MANAGE_CATALOGUE, Action.MANAGE_COUNCILS})


def may(role: Role, action: Action) -> bool:
    """Whether a person with ``role`` may do ``action`` (within their own council; an action in
    ``SHARED`` also needs the host council, or the local administrator)."""
    return action in PERMITTED[role]


def by_name(candidates: Sequence[T], name: str, key: Callable[[T], str]) -> T | None:
    """The person whose sign-in name is ``name``: the one written exactly so if there is one,
    else the only one that differs from it in case alone (two such: nobody, it is ambiguous).
    Sign-in names are compared ignoring case, as people type them."""
    name = name.strip()
    exact = [c for c in candidates if key(c) == name]
    if exact:
        return exact[0]
    folded = [c for c in candidates if key(c).lower() == name.lower()]
    return folded[0] if len(folded) == 1 else None
