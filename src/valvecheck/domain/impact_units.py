"""The unit a finance table's figures are written in, as its headings and title say. Pure.

Finance workbooks give the unit once: in the title ("all figures in £000"), in a column's heading
("Expected saving (£000)") or in a row of units under the header ("£000 | £000"). A figure read
in the wrong unit is a thousand times out, so every form of it is recognised here, and a title
that names two units is refused rather than guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from valvecheck.domain.money import UNIT_NAMES

# "£000", "£'000", "£’000s", "£000's", "£k", "£ thousands", "(£ thousands)", "£m", "£mn",
# "£ millions", and "£" alone (pounds)
_UNIT = re.compile(
    r"£\s*(?:(?P<k>['’]?\s*000(?:['’]?s)?|k|thousands?)|(?P<m>m|mn|millions?))?(?![\w'’])",
    re.IGNORECASE,
)
_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")


def units_in(text: str) -> set[int]:
    """The scales (1, 1000, 1000000) the text names: '£000' -> {1000}, 'Target (£)' -> {1}."""
    return {1000 if m["k"] else 1_000_000 if m["m"] else 1 for m in _UNIT.finditer(text)}


def without_units(text: str) -> str:
    """The text with its units taken out: 'Expected saving (£000)' -> 'Expected saving'."""
    return _BRACKETS.sub("", _UNIT.sub("", text)).strip()


def is_units_row(cells: Iterable[object]) -> bool:
    """A row of units alone ("£ | £000 | £"), as finance sheets put under the header."""
    texts = [str(c).strip() for c in cells if c is not None and str(c).strip()]
    return bool(texts) and all(units_in(t) and not without_units(t) for t in texts)


def unit_words(scale: int) -> str:
    """'£000, read as thousands of pounds'."""
    shown = {1000: "£000", 1_000_000: "£m"}.get(scale, "£")
    return f"{shown}, read as {UNIT_NAMES[scale]}"
