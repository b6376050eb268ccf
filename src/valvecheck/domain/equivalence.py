"""People's decisions that two agreements' measures are, or are not, the same commitment."""

from __future__ import annotations

from dataclasses import dataclass, replace
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
    council: str = ""  # the deciding person's council ("" when not known)

    def seen_from(self, council: str | None) -> EquivalenceDecision:
        """The decision as a person of ``council`` sees it (None: the local administrator, who
        sees all): another council's people are named by their council only."""
        if council is None or council == self.council:
            return self
        return replace(self, by=self.named_by(self.council))

    @staticmethod
    def named_by(council: str) -> str:
        """Who decided, as another council's people are told: by their council only."""
        return f"an administrator in {council}" if council else "an administrator"
