"""Numbering an agreement's measures when its document is imported again.

A measure keeps its number when its text is unchanged, wherever it now stands; a measure whose
text changed keeps the number of the place it stands in (a revision), unless that number went to
an unchanged text that moved; anything else is new and takes the next free number. So a
recommendation inserted mid-list is one new measure, not a revision of every measure after it.
"""

from __future__ import annotations

from valvecheck.domain.names import fold


def number_measures(incoming: list[str], existing: dict[int, str] | None = None) -> list[int]:
    """Numbers for ``incoming`` texts (document order), given the agreement's numbered texts."""
    existing = existing or {}
    by_text = {fold(text): number for number, text in existing.items()}
    numbers: list[int | None] = [by_text.get(fold(text)) for text in incoming]
    claimed = {n for n in numbers if n is not None}
    next_free = max([*existing, *claimed, 0]) + 1
    for i, number in enumerate(numbers):
        if number is None:
            place = i + 1
            number = place if place not in claimed else next_free
            numbers[i] = number
            claimed.add(number)
            next_free = max(next_free, number + 1)
    return [n for n in numbers if n is not None]
