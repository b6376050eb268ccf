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
    AT_RISK = "at_risk"  # going on, but late or in trouble ("delayed", "amber"): not stalled
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
                "at risk, done, stalled (or a common variant such as ongoing, delayed, amber, "
                "complete, on hold)"
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
    Status.AT_RISK: "At risk",
    Status.DONE: "Done",
    Status.STALLED: "Stalled",
}

_WORDS = {
    Status.PLANNED: "planned|plan|not started|not yet started|proposed|scoping|pipeline|future|"
    "to do|todo|pending|draft",
    Status.IN_PROGRESS: "in progress|progress|ongoing|on going|underway|under way|active|live|"
    "started|on track|in delivery|delivering|doing|open|wip|green",
    # a tracker's delivery RAG: amber and red are work going on in trouble, not work stopped
    Status.AT_RISK: "at risk|risk|delayed|late|slipping|behind|off track|amber|red",
    Status.DONE: "done|complete|completed|closed|finished|delivered|implemented|achieved",
    Status.STALLED: "stalled|on hold|hold|paused|blocked|stopped",
}
_ALIASES = {word: status for status, words in _WORDS.items() for word in words.split("|")}


# The longest id and owner kept (store/tables.py), and the longest title read (a title is a
# line of a tracker, not its description; a 5,000-character one made the activity's page and
# every list naming it unreadable): a longer one is refused, never cut.
LONGEST = {"id": 200, "title": 1_000, "owner": 200}


def too_long(detail: str, value: str) -> str:
    """Why ``value`` is too long for the detail ``detail`` ("id", "title" or "owner"; '' when it
    is not)."""
    longest = LONGEST[detail]
    if len(value) <= longest:
        return ""
    return f"the {detail} can be at most {longest:,} characters; this one is {len(value):,}"


# An activity's own pages on the web, at /activities/<id>/<page>: an id ending "/edit" would be
# another activity's edit form.
PAGES = ("edit", "link", "unlink", "accept", "not-relevant")


def unaddressable(code: str) -> str:
    """Why ``code`` cannot be an activity's id ('' when it can): the web could not give it a page
    of its own. "new" is the form that adds one; "." and ".." are folders to a browser; an id
    ending in one of an activity's pages ("X/edit") is that page of "X"."""
    key = id_key(code)
    if key in ("new", ".", ".."):
        return f"'{code.strip()}' cannot be an activity id (the web app's addresses use it)"
    head, _, page = key.rpartition("/")
    if head and page in PAGES:
        return (
            f"an activity id cannot end in '/{page}' (the web app's address of a page of "
            f"'{code.strip()[: len(head)]}')"
        )
    return ""


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
    def theme_path(self) -> str:
        """'Theme > Sub-theme'; a sub-theme with no theme is not passed off as a theme."""
        if self.sub_theme:
            return f"{self.theme or '(no theme)'} > {self.sub_theme}"
        return self.theme

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


_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DAY_FIRST = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})" + _TIME + "$")
_YEAR_FIRST = re.compile(r"^(\d{4})([/\-])(\d{1,2})\2(\d{1,2})" + _TIME + "$")
_MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_WEEKDAYS = ("mon", "tue", "tues", "wed", "weds", "thu", "thur", "thurs", "fri", "sat", "sun")
_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)$")


def _month(word: str) -> int | None:
    """'sep', 'sept', 'september' -> 9: a month name or its first three or more letters."""
    if len(word) < 3:
        return None
    found = [n for n, name in enumerate(_MONTH_NAMES, start=1) if name.startswith(word)]
    return found[0] if len(found) == 1 else None


def _year(word: str) -> int | None:
    if re.fullmatch(r"\d{4}", word):
        return int(word)
    return 2000 + int(word) if re.fullmatch(r"\d{2}", word) else None


def _day(word: str) -> int | None:
    found = _ORDINAL.match(word) or re.fullmatch(r"\d{1,2}", word)
    return int(found.group(1) if found.groups() else found.group(0)) if found else None


def _last_day(year: int, month: int) -> int:
    return ((date(year + month // 12, month % 12 + 1, 1)) - date(year, month, 1)).days


def _worded(text: str, end: bool) -> date | None:
    """A date with the month in words: 1 Sept 2025, 1st September 2025, Mon 1-Sep-25,
    September 1, 2025, Sept 2025. None when it is not of that shape."""
    words = [w for w in re.split(r"[\s,./\-]+", text.lower()) if w]
    words = [w for w in words if w not in _WEEKDAYS and w not in _WEEKDAY_NAMES]
    months = [i for i, w in enumerate(words) if _month(w)]
    if len(months) != 1:
        return None
    at = months[0]
    month = _month(words[at])
    rest = words[:at] + words[at + 1 :]
    if len(rest) == 1:
        # 'Sept 2025': a whole month, its first day (the last for an end date). 'Sep-25' could be
        # the 25th, so a month needs its year in full.
        year = int(rest[0]) if re.fullmatch(r"\d{4}", rest[0]) and at == 0 else None
        if year is None or month is None:
            return None
        return date(year, month, _last_day(year, month) if end else 1)
    if len(rest) != 2:
        return None
    day, year = _day(rest[0]), _year(rest[1])
    if day is None or year is None or month is None:
        return None
    return date(year, month, day)


def parse_date(value: object, end: bool = False) -> date | None:
    """A date as a UK spreadsheet holds it: a date cell, 2025-09-01, 01/09/2025, 1 Sept 2025,
    1st September 2025, 01-Sep-25, September 2025.

    Numbers are read day first, as in England. A month without a day ('September 2025') is its
    first day, or its last for an ``end`` date. Blank is no date; anything else raises InputError.
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
        if found := _YEAR_FIRST.match(text):
            y, _, m, d = found.groups()
            return date(int(y), int(m), int(d))
        if found := _DAY_FIRST.match(text):
            d, _, m, y = found.groups()
            return date(int(y) + 2000 if len(y) == 2 else int(y), int(m), int(d))
        if (worded := _worded(text, end)) is not None:
            return worded
    except ValueError:
        raise InputError(f"'{text}' is not a real date") from None
    raise InputError(
        f"'{text}' is not a date; write it as 2025-09-01, 01/09/2025 or 1 September 2025"
    )
