"""Numbering an agreement's measures when a document of it is imported again.

A measure is its text: a text already in the agreement keeps its number, wherever it stands in
the file; any other text is a new measure with the next free number. A file that is a subset,
a reordering or a repetition of an agreement therefore adds or confirms, and never rewrites.
A changed text that a revision would take as a measure's new text (``rewordings``) is neither:
the importer refuses it, so that a reworded agreement never gains a second copy of a measure.

Only a revision (``revise``: a new version of the same document, an explicit action) changes
texts, and only of measures the file shows it rewrites. A changed text revises a measure whose
own text the file does not hold when either

- it stands in exactly that measure's place: the file's unchanged texts around it are the
  agreement's, in order, with as many changed texts between them as measures missing there (a
  whole document with one row rewritten, however much); or
- failing that, it is a rewording of that measure: the one it most resembles, with most of its
  words in order (``SIMILAR``).

Never by its row number alone: a file holding only some of an agreement's measures (one reworded
row, say) revises the measures it rewords and no other, and a text like none of them, with no
place of its own, is a new measure rather than a rewrite of whichever stood at its row number.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from valvecheck.domain.names import fold

# How alike a changed text and a measure must be to be a revision of it: the share of their words
# in common, in order (difflib's ratio). A rewording keeps most of its words (the seed's rows
# revised by a year and a name score over 0.85); two different measures of one agreement, even
# on the same template ("Review and reform of ..."), score at most about 0.62 in the seed.
SIMILAR = 0.7


def similarity(a: str, b: str) -> float:
    """How alike two measure texts are, 0 to 1: the share of their words in common, in order."""
    words_a, words_b = (re.findall(r"\w+", fold(t)) for t in (a, b))
    return SequenceMatcher(None, words_a, words_b, autojunk=False).ratio()


def number_measures(
    incoming: list[str], existing: dict[int, str] | None = None, revise: bool = False
) -> list[int]:
    """Numbers for ``incoming`` texts (document order), given the agreement's numbered texts."""
    existing = existing or {}
    numbers = unchanged(incoming, existing)
    claimed = {n for n in numbers if n is not None}
    if revise:
        for i, number in revisions(incoming, numbers, existing, claimed):
            numbers[i] = number
            claimed.add(number)
    next_free = max([*existing, *claimed, 0]) + 1
    for i, found in enumerate(numbers):
        if found is None:
            place = i + 1
            number = place if place not in existing and place not in claimed else next_free
            numbers[i] = number
            claimed.add(number)
            next_free = max(next_free, number + 1)
    return [n for n in numbers if n is not None]


def unchanged(incoming: list[str], existing: dict[int, str]) -> list[int | None]:
    """The number of each incoming text already in the agreement; None for a changed text."""
    by_text = {fold(text): number for number, text in existing.items()}
    return [by_text.get(fold(text)) for text in incoming]


def rewordings(incoming: list[str], existing: dict[int, str]) -> list[tuple[int, int]]:
    """(index in ``incoming``, the measure number it rewords): the changed texts a revision
    would take as new versions of the agreement's measures. A plain import, which never
    rewrites, refuses these rather than add a second measure beside the one each rewords."""
    numbers = unchanged(incoming, existing)
    return revisions(incoming, numbers, existing, {n for n in numbers if n is not None})


def revisions(
    incoming: list[str], numbers: list[int | None], existing: dict[int, str], claimed: set[int]
) -> list[tuple[int, int]]:
    """(index in ``incoming``, the measure number it revises), for the changed texts (``numbers``
    None) and the measures not ``claimed`` by an unchanged text: first those standing in a
    measure's place, then each other changed text with the measure it most resembles."""
    paired = in_place(incoming, numbers, existing, claimed)
    taken = claimed | {n for _, n in paired}
    placed = {i for i, _ in paired}
    rest = [-1 if i in placed else n for i, n in enumerate(numbers)]  # -1: paired already
    return paired + reworded(incoming, rest, existing, taken)


def in_place(
    incoming: list[str], numbers: list[int | None], existing: dict[int, str], claimed: set[int]
) -> list[tuple[int, int]]:
    """Changed texts that stand in the place of as many measures, between the same unchanged
    texts (or the start or end): the document aligned with the agreement, text for text."""
    order = sorted(existing)
    texts = [fold(existing[n]) for n in order]
    matcher = SequenceMatcher(None, [fold(t) for t in incoming], texts, autojunk=False)
    out: list[tuple[int, int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "replace" or i2 - i1 != j2 - j1:
            continue
        block = list(zip(range(i1, i2), order[j1:j2], strict=True))
        if all(numbers[i] is None and n not in claimed for i, n in block):
            out += block
    return out


def reworded(
    incoming: list[str], numbers: list[int | None], existing: dict[int, str], claimed: set[int]
) -> list[tuple[int, int]]:
    """Each changed text paired with the unclaimed measure it most resembles, at least
    ``SIMILAR``, the most alike pairs first (the nearer place breaking a tie); a measure is
    revised by one text at most."""
    open_numbers = [n for n in existing if n not in claimed]
    candidates = sorted(
        (-score, abs(i + 1 - n), i, n)
        for i, number in enumerate(numbers)
        if number is None
        for n in open_numbers
        if (score := similarity(incoming[i], existing[n])) >= SIMILAR
    )
    paired: list[tuple[int, int]] = []
    used_i: set[int] = set()
    used_n: set[int] = set()
    for _, _, i, n in candidates:
        if i not in used_i and n not in used_n:
            paired.append((i, n))
            used_i.add(i)
            used_n.add(n)
    return paired
