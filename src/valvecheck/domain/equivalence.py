"""People's decisions that two agreements' measures are, or are not, the same commitment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

DECIDED = ("same", "different")  # the decisions that can be in force
DECISIONS = (*DECIDED, "none")  # "none" withdraws the pair's decision


@dataclass(frozen=True)
class EquivalenceDecision:
    """The decision in force for two measures: ``same`` (one commitment) or ``different``
    (never grouped together), with why, who and when."""

    measure: str
    other: str
    decision: str
    rationale: str
    by: str
    at: datetime
