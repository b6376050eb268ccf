"""Messages as a page shows them."""

from __future__ import annotations


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


def count(number: int, one: str, many: str) -> str:
    """'1 activity', '2 activities', '0 activities'."""
    return f"{number:,} {one if number == 1 else many}"
