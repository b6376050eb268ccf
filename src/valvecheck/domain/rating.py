"""Assessments and ratings. A rating change is appended to history; nothing is overwritten."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from valvecheck.domain.rag import Rag
from valvecheck.errors import InputError


@dataclass(frozen=True)
class Rating:
    """One entry in a measure's rating history within an assessment."""

    measure_id: str
    rag: Rag
    rationale: str = ""
    evidence: str = ""
    by: str = ""
    at: datetime | None = None
    previous: Rag = Rag.UNRATED


def check_rating(rag: Rag, rationale: str) -> None:
    """The rules a new rating must keep."""
    if rag is Rag.NOT_APPLICABLE and not rationale.strip():
        raise InputError("a measure rated not-applicable needs a reason: give --rationale")


IMPORTED = "imported from "  # how a rating read from a file begins its rationale
BUNDLED = "as rated in the seed appendix"


def imported(rating: Rating) -> bool:
    """Whether a rating was read from a file (or the bundled seed) rather than given by a person."""
    return rating.rationale.startswith(IMPORTED) or rating.rationale == BUNDLED


def current(history: list[Rating]) -> Rag:
    """The rating in force: the last entry of the history, or unrated."""
    return history[-1].rag if history else Rag.UNRATED
