"""Earlier texts of a measure: kept when a re-import changes the wording."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class MeasureVersion:
    """The text a measure had before version ``version + 1`` replaced it."""

    measure_id: str
    version: int
    text: str
    source_title: str
    imported_at: datetime
