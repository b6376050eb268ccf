"""Numbering an agreement's measures when a document of it is imported again.

A measure is its text: a text already in the agreement keeps its number, wherever it stands in
the file; any other text is a new measure with the next free number. A file that is a subset,
a reordering or a repetition of an agreement therefore adds or confirms, and never rewrites.

Only a revision (``revise``: a new version of the same document, an explicit action) changes
texts: a changed text then keeps the number of the place it stands in, unless that number went
to an unchanged text that moved; so a recommendation inserted mid-list is one new measure, not a
revision of every measure after it.
"""

from __future__ import annotations

from valvecheck.domain.names import fold


def number_measures(
    incoming: list[str], existing: dict[int, str] | None = None, revise: bool = False
) -> list[int]:
    """Numbers for ``incoming`` texts (document order), given the agreement's numbered texts."""
    existing = existing or {}
    by_text = {fold(text): number for number, text in existing.items()}
    numbers: list[int | None] = [by_text.get(fold(text)) for text in incoming]
    claimed = {n for n in numbers if n is not None}
    next_free = max([*existing, *claimed, 0]) + 1
    for i, number in enumerate(numbers):
        if number is None:
            place = i + 1
            by_place = revise or place not in existing
            number = place if by_place and place not in claimed else next_free
            numbers[i] = number
            claimed.add(number)
            next_free = max(next_free, number + 1)
    return [n for n in numbers if n is not None]
