"""Deadlines written in measure text: "by March 2022", "throughout 2021-22", "from 2021 onwards".

Each phrase becomes a `Deadline`: a kind (due-by, starts, during, ongoing), a start and/or end date, the
words it was read from, and - when a split year such as 2021-22 was involved - whether that year was read as
an academic year (1 September - 31 August) or a financial year (1 April - 31 March). The text's own words
("during the 2021/22 academic year", "financial year 2022-23") decide when present; otherwise the caller's
basis does, and the deadline says it was assumed.

The rule is: a phrase that is not fully understood yields nothing. "by Spring 2022", "in each financial
year covered by this agreement" or "by March" leave the deadline empty rather than guess a date.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

YearBasis = Literal["academic", "financial"]
YEAR_BASES: tuple[YearBasis, ...] = ("academic", "financial")
KINDS = ("due-by", "starts", "during", "ongoing")

# Where each basis's year starts (month); it ends the day before the same date a year on.
_BASIS_START_MONTH = {"academic": 9, "financial": 4}

_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (calendar.month_name[number].lower(), calendar.month_abbr[number].lower())
}
_MONTHS["sept"] = 9
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))

_Y = r"(?:19|20)\d\d"
_DASH = r"\s*[/\-–]\s*"
# One point or period of time. Named groups say which form matched.
_TIME = (
    r"(?:"
    # a split year, its basis possibly stated before ("academic year 2021/22", "FY 2022-23") or after
    r"(?:the\s+)?(?:(?P<pre>academic|financial)\s+year\s+|(?P<abbr>AY|FY)\s*)?"
    rf"(?P<y1>{_Y}){_DASH}(?P<y2>(?:19|20)?\d\d)(?![\d/\-–])"
    r"(?:\s+(?P<post>academic|financial)\s+year)?"
    r"|"
    # a month, with an optional day: "March 2022", "31 March 2022", "Sept. 2021"
    rf"(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+)?(?P<month>{_MONTH_NAMES})\.?,?\s+(?P<my>{_Y})(?![\d/\-–])"
    r"|"
    # a calendar year; not one followed by "academic/financial year" (which one would be a guess), nor
    # a count of something ("in 2021 schools", "2021 children")
    rf"(?<![£$€\d.,/\-–])(?P<cal>{_Y})(?![\d/\-–%])(?!\s+(?:academic|financial)\s+year)"
    r"(?!\s+(?:children|people|(?!(?:as|is|was|has|this|thus|its|across|towards|onwards|afterwards)\b)[a-z]+s)\b)"
    r")"
)

# (kind, pattern); earlier patterns win where phrases overlap.
_PHRASES: list[tuple[str, re.Pattern[str]]] = [
    (
        "ongoing",
        re.compile(
            rf"\b(?:beginning|starting|commencing)\s+(?:in\s+|from\s+)?{_TIME}\s+and\s+continuing\b[^.;]*",
            re.IGNORECASE,
        ),
    ),
    ("ongoing", re.compile(rf"\bfrom\s+{_TIME}\s+onwards?\b", re.IGNORECASE)),
    (
        "due-by",
        re.compile(
            rf"\b(?:by|no\s+later\s+than|not\s+later\s+than)\s+(?:the\s+)?(?:end\s+of\s+)?{_TIME}",
            re.IGNORECASE,
        ),
    ),
    (
        "starts",
        re.compile(
            rf"\b(?:from|with\s+effect\s+from|(?:beginning|starting|commencing)(?:\s+in|\s+from)?)\s+{_TIME}",
            re.IGNORECASE,
        ),
    ),
    ("during", re.compile(rf"\b(?:throughout|during|in)\s+{_TIME}", re.IGNORECASE)),
]


@dataclass(frozen=True)
class Deadline:
    """One date or period read from a measure's text."""

    kind: str  # one of KINDS
    start: date | None
    end: date | None
    phrase: str  # the words it was read from, as written
    basis: YearBasis | None = None  # how a split year was read; None when the phrase had none
    basis_stated: bool = False  # True when the text itself said "academic year" / "financial year"

    @property
    def assumption(self) -> str:
        """How a split year was read, in words: shown next to every date derived from one."""
        if self.basis is None:
            return ""
        how = "as the text says" if self.basis_stated else "assumed"
        return f"{self.basis} year, {_basis_span(self.basis)} ({how})"

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "phrase": self.phrase,
            "basis": self.basis,
            "basis_stated": self.basis_stated,
        }


def read_deadlines(text: str, basis: YearBasis = "financial") -> list[Deadline]:
    """Every deadline phrase in the text, in reading order; an empty list when none is understood."""
    if basis not in YEAR_BASES:
        raise ValueError(f"year basis must be one of {YEAR_BASES}, not {basis!r}")
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, Deadline]] = []
    for kind, pattern in _PHRASES:
        for match in pattern.finditer(text):
            span = match.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            taken.append(
                span
            )  # understood or not, these words are not read again as a shorter phrase
            deadline = _deadline(kind, match, basis)
            if deadline is not None:
                found.append((span[0], deadline))
    return [d for _, d in sorted(found, key=lambda pair: pair[0])]


def phrase_spans(text: str) -> list[tuple[int, int]]:
    """Where deadline phrases are: the parts of a measure that differ between copies of a template."""
    spans: list[tuple[int, int]] = []
    for _, pattern in _PHRASES:
        for match in pattern.finditer(text):
            if not any(match.start() < e and s < match.end() for s, e in spans):
                spans.append(match.span())
    return sorted(spans)


def due_date(deadlines: Iterable[Deadline]) -> date | None:
    """The latest end among the deadlines (a due-by date or the end of a period); None if none ends."""
    ends = [d.end for d in deadlines if d.end is not None]
    return max(ends) if ends else None


def is_overdue(due: date | None, green: bool, today: date) -> bool:
    """A measure is overdue when its due date has passed and the council's rating is not green."""
    return due is not None and due < today and not green


def year_bounds(first_year: int, basis: YearBasis) -> tuple[date, date]:
    """The first and last day of the year starting in `first_year` (2021 -> 2021-22) on the basis."""
    month = _BASIS_START_MONTH[basis]
    start = date(first_year, month, 1)
    return start, date(first_year + 1, month, 1) - timedelta(days=1)


def _basis_span(basis: YearBasis) -> str:
    return "1 September - 31 August" if basis == "academic" else "1 April - 31 March"


def _deadline(kind: str, match: re.Match[str], basis: YearBasis) -> Deadline | None:
    period = _period(match, basis)
    if period is None:
        return None
    start, end, used_basis, stated = period
    phrase = " ".join(match.group(0).split()).rstrip(" ,")
    if kind == "due-by":
        return Deadline(kind, None, end, phrase, used_basis, stated)
    if kind in ("starts", "ongoing"):
        return Deadline(kind, start, None, phrase, used_basis, stated)
    return Deadline(kind, start, end, phrase, used_basis, stated)


def _period(
    match: re.Match[str], basis: YearBasis
) -> tuple[date, date, YearBasis | None, bool] | None:
    g = match.groupdict()
    if g["y1"]:
        first = int(g["y1"])
        second = int(g["y2"])
        if second != (first + 1) % (100 if len(g["y2"]) == 2 else 10_000):
            return None  # "2021-23" is not one year: no guess
        stated_words = {w.lower() for w in (g["pre"], g["post"]) if w}
        if g["abbr"]:
            stated_words.add("academic" if g["abbr"].upper() == "AY" else "financial")
        if len(stated_words) > 1:
            return None  # contradicts itself
        used: YearBasis = stated_words.pop() if stated_words else basis  # type: ignore[assignment]
        start, end = year_bounds(first, used)
        return start, end, used, bool(g["pre"] or g["post"] or g["abbr"])
    if g["month"]:
        year, month = int(g["my"]), _MONTHS[g["month"].lower()]
        last = calendar.monthrange(year, month)[1]
        if g["day"]:
            day = int(g["day"])
            if not 1 <= day <= last:
                return None
            return date(year, month, day), date(year, month, day), None, False
        return date(year, month, 1), date(year, month, last), None, False
    year = int(g["cal"])
    return date(year, 1, 1), date(year, 12, 31), None, False
