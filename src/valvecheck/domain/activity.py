"""Activities: items of the council's own work, and the words people use for their status."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from valvecheck.errors import InputError


class Status(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    STALLED = "stalled"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def parse(cls, value: str) -> Status:
        """Read a status as people write it: 'In progress', 'ongoing', 'Complete', 'On hold'."""
        key = " ".join(re.sub(r"[_\-/]+", " ", str(value).strip().lower()).split())
        try:
            return _ALIASES[key]
        except KeyError:
            raise InputError(
                f"'{str(value).strip()}' is not a status; use one of: planned, in progress, "
                "done, stalled (or a common variant such as ongoing, complete, on hold)"
            ) from None

    @classmethod
    def parse_cell(cls, value: str | None) -> Status | None:
        """A blank cell means the status is not known."""
        if value is None or not str(value).strip():
            return None
        return cls.parse(value)


_LABELS = {
    Status.PLANNED: "Planned",
    Status.IN_PROGRESS: "In progress",
    Status.DONE: "Done",
    Status.STALLED: "Stalled",
}

_WORDS = {
    Status.PLANNED: "planned|plan|not started|not yet started|proposed|scoping|pipeline|future|"
    "to do|todo|pending|draft",
    Status.IN_PROGRESS: "in progress|progress|ongoing|on going|underway|under way|active|live|"
    "started|on track|in delivery|delivering|doing|open|wip",
    Status.DONE: "done|complete|completed|closed|finished|delivered|implemented|achieved",
    Status.STALLED: "stalled|on hold|hold|paused|blocked|delayed|stopped|off track|at risk",
}
_ALIASES = {word: status for status, words in _WORDS.items() for word in words.split("|")}


def id_key(code: str) -> str:
    """Activity ids are compared ignoring case ('B1' is 'b1'); the id is kept as first written."""
    return code.strip().casefold()


def same_id(a: str, b: str) -> bool:
    return id_key(a) == id_key(b)


@dataclass(frozen=True)
class Activity:
    """An item of the council's own programme (a project or workstream)."""

    id: str
    title: str
    description: str = ""
    theme: str = ""
    sub_theme: str = ""
    owner: str = ""
    status: Status | None = None
    start: date | None = None
    end: date | None = None
    link: str = ""

    @property
    def text(self) -> str:
        """What suggestions read: the title and the description."""
        return f"{self.title}. {self.description}".strip()

    def overdue(self, today: date) -> bool:
        """Past its end date and not done."""
        return self.end is not None and self.end < today and self.status is not Status.DONE

    def at_risk(self, today: date) -> bool:
        """Stalled, or past its end date and not done: a linked one weakens a green or amber."""
        return self.status is Status.STALLED or self.overdue(today)


_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+)?$")
_MONTHS = ("%d %B %Y", "%d %b %Y", "%B %Y", "%b %Y")


def parse_date(value: object) -> date | None:
    """A date as a UK spreadsheet holds it: a date cell, 2025-09-01, 01/09/2025, 1 Sep 2025.

    Slashes are read day first, as in England. Blank is no date; anything else raises InputError.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = " ".join(str(value).split())
    if not text:
        return None
    try:
        if found := _ISO.match(text):
            y, m, d = (int(g) for g in found.groups())
            return date(y, m, d)
        if found := _DAY_FIRST.match(text):
            d, m, y = (int(g) for g in found.groups())
            return date(y + 2000 if y < 100 else y, m, d)
    except ValueError:
        raise InputError(f"'{text}' is not a real date") from None
    for pattern in _MONTHS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise InputError(f"'{text}' is not a date; write it as 2025-09-01 or 01/09/2025")
