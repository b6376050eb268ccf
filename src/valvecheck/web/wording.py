"""The words the web pages share with the reports for the seed's bundled ratings, from the one
place they are defined (reports/model.py, BUNDLED_SAID and plain_rationale): staff read
"the original Appendix A exercise", never "seed" or "bundled"."""

from __future__ import annotations

from valvecheck.domain.rating import SEED
from valvecheck.reports.model import BUNDLED_SAID, plain_rationale
from valvecheck.services.workspace import BUNDLED_BY

# "Rating from the original Appendix A exercise" -> "the original Appendix A exercise"
ORIGINAL = BUNDLED_SAID.removeprefix("Rating from ")
# Who the seed's ratings and first assessment are recorded as made by.
_BUNDLED_NAMES = {"seed", SEED, BUNDLED_BY}


def said(rationale: str) -> str:
    """A stored rationale as the reports say it (the seed's note in plain words)."""
    return plain_rationale(rationale or "")


def who(name: str) -> str:
    """Who made a rating or an assessment, as a person reads it."""
    return ORIGINAL[:1].upper() + ORIGINAL[1:] if name in _BUNDLED_NAMES else name
