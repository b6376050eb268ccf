"""Messages, counts and moments as a page shows them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from valvecheck.domain.moments import aware
from valvecheck.domain.moments import short_date as day  # noqa: F401 (a filter: web/common.py)
from valvecheck.domain.names import count as count

# Moments are stored in UTC; a council in England reads them on its own clock (BST in summer).
LONDON = ZoneInfo("Europe/London")


def sentence(message: str, names: tuple[str, ...] = ()) -> str:
    """A service's message as a sentence on a page: its first letter a capital, unless it opens
    with an id or a sign-in name ('bury-4 was rated ...', 'ann.lee is a viewer', or one of
    ``names``), which keeps its own spelling (a capital there would be another, wrong, id)."""
    message = message.strip()
    if not message:
        return "Something went wrong."
    first = message.split(maxsplit=1)[0]
    if not first.isalpha() or first in names:
        return message
    return message[:1].upper() + message[1:]


def local(at: datetime) -> datetime:
    """A stored moment (UTC, naive from SQLite) on the clock in England."""
    return aware(at).astimezone(LONDON)


def left_alone(chosen: str, many: bool, history: str) -> str:
    """An accept's word on the suggestions chosen that a colleague judged meanwhile: "bury-4
    was linked, unlinked or marked not relevant by someone else meanwhile, and left alone (see
    its history)"."""
    return (
        f"{chosen} {'were' if many else 'was'} linked, unlinked or marked not relevant by someone "
        f"else meanwhile, and left alone (see {history})"
    )
