"""Deadlines written in measure text: "by March 2022", "throughout 2021-22", "from 2021 onwards".

Each phrase becomes a `Deadline`: a kind (due-by, starts, during, ongoing), a start and/or end date, the
words it was read from, and - when a split year such as 2021-22 was involved - whether that year was read as
an academic year (1 September - 31 August) or a financial year (1 April - 31 March). The text's own words
("during the 2021/22 academic year", "financial year 2022-23") decide when present; otherwise the caller's
basis does, and the deadline says it was assumed.

A period written as a range - "from April 2022 to March 2024", "between 2021-22 and 2022-23", "April 2022 -
March 2024", "over 2022-23 and 2023-24" (two consecutive years only) - is one `during` deadline from the
start of the first time to the end of the second, so it is due at its end. So is a list of three or more
consecutive years ("over 2021-22, 2022-23 and 2023-24"); a list with a gap is several periods, and yields
nothing rather than its first year alone.

The rule is: a phrase that is not fully understood yields nothing. "by Spring 2022", "in each financial
year covered by this agreement" or "by March" leave the deadline empty rather than guess a date, and so
do "from April to March 2024" (which April?) and "from April 2022 to March" rather than keep the start.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Callable, Iterable
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


# One point or period of time, in three forms; each function builds the pattern with its named groups
# prefixed by `p`, so that a range can hold two times ("from April 2022 to March 2024": "a_", "b_").
def _split_year(p: str) -> str:
    """2021-22 or 2021/2022, its basis possibly stated before ("academic year 2021/22", "FY 2022-23")
    or after ("2022-23 financial year")."""
    return (
        rf"(?:the\s+)?(?:(?P<{p}pre>academic|financial)\s+year\s+|(?P<{p}abbr>AY|FY)\s*)?"
        rf"(?P<{p}y1>{_Y}){_DASH}(?P<{p}y2>(?:19|20)?\d\d)(?![\d/\-–])"
        rf"(?:\s+(?P<{p}post>academic|financial)\s+year)?"
    )


def _month(p: str) -> str:
    """A month, with an optional day: "March 2022", "31 March 2022", "Sept. 2021". Not one followed by
    a dash and a digit ("March 2022-23"); a dash and a word may start the other end of a range."""
    return (
        rf"(?:(?P<{p}day>\d{{1,2}})(?:st|nd|rd|th)?\s+)?(?P<{p}month>{_MONTH_NAMES})\.?,?\s+"
        rf"(?P<{p}my>{_Y})(?![\d/]|[\-–]\s*\d)"
    )


def _calendar_year(p: str) -> str:
    """A calendar year; not one followed by "academic/financial year" (which one would be a guess), nor
    a count of something ("in 2021 schools", "2021 children")."""
    return (
        rf"(?<![£$€\d.,/\-–])(?P<{p}cal>{_Y})(?![\d/\-–%])(?!\s+(?:academic|financial)\s+year)"
        r"(?!\s+(?:children|people|(?!(?:as|is|was|has|this|thus|its|across|towards|onwards|afterwards)\b)[a-z]+s)\b)"
    )


def _time(p: str = "") -> str:
    return rf"(?:{_split_year(p)}|{_month(p)}|{_calendar_year(p)})"


_TIME = _time()
_END_OF = r"(?:(?:the\s+)?end\s+of\s+)?"
_UNTIL = r"\s+(?:to|until|till|through)\s+"


def _two(lead: str, time: Callable[[str], str], joint: str) -> re.Pattern[str]:
    """A phrase naming two times: `lead`, the first, `joint`, then the second (maybe "the end of" it)."""
    return re.compile(rf"\b{lead}{time('a_')}(?:{joint}){_END_OF}{time('b_')}", re.IGNORECASE)


# (reading, pattern); earlier patterns win where phrases overlap. A reading is a Deadline kind, or one of
#   "range": two times, read as during, from the start of the first to the end of the second;
#   "years": the same, for two consecutive years ("over 2022-23 and 2023-24") and nothing else;
#   "list": the same, for three or more ("over 2021-22, 2022-23 and 2023-24");
#   "unclear": a range whose second end is not understood ("from April 2022 to March"): nothing,
#   rather than the start alone.
# Compiled on first use (about 25 ms): a command that reads no deadline never pays for them.
@functools.cache
def _phrases() -> list[tuple[str, re.Pattern[str]]]:
    return [
        (
            "ongoing",
            re.compile(
                rf"\b(?:beginning|starting|commencing)\s+(?:in\s+|from\s+)?{_TIME}\s+and\s+continuing\b[^.;]*",
                re.IGNORECASE,
            ),
        ),
        ("ongoing", re.compile(rf"\bfrom\s+{_TIME}\s+onwards?\b", re.IGNORECASE)),
        ("range", _two(r"from\s+", _time, _UNTIL)),
        ("range", _two(r"between\s+", _time, r"\s+and\s+")),
        # two months with a dash between, not two years: "2021 - 2022" is one split year
        ("range", _two(r"(?:from\s+)?", _month, rf"\s*[\-–]\s*|{_UNTIL}")),
        (
            "list",
            re.compile(
                rf"\b(?:over|across|during|throughout|in)\s+{_time('a_')}"
                rf"(?:\s*,\s*{_time('m_')})+,?\s+and\s+{_time('b_')}",
                re.IGNORECASE,
            ),
        ),
        ("years", _two(r"(?:over|across|during|throughout|in)\s+", _time, r"\s+and\s+")),
        (
            "unclear",
            re.compile(
                rf"\bfrom\s+{_TIME}{_UNTIL}{_END_OF}(?:(?:{_MONTH_NAMES})\b|{_Y})", re.IGNORECASE
            ),
        ),
        (
            "due-by",
            re.compile(
                rf"\b(?:by|no\s+later\s+than|not\s+later\s+than)\s+(?:the\s+)?{_END_OF}{_TIME}",
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
    for kind, pattern in _phrases():
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
    for _, pattern in _phrases():
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


def _deadline(reading: str, match: re.Match[str], basis: YearBasis) -> Deadline | None:
    if reading == "unclear":
        return None
    if reading in ("range", "years"):
        period = _range(_fields(match, "a_"), _fields(match, "b_"), basis, reading == "years")
        kind = "during"
    elif reading == "list":
        period = _list(match.group(0), basis)
        kind = "during"
    else:
        period = _periods([_fields(match)], basis)
        kind = reading
    if period is None:
        return None
    spans, used_basis, stated = period
    start, end = spans[0]
    phrase = " ".join(match.group(0).split()).rstrip(" ,")
    if kind == "due-by":
        return Deadline(kind, None, end, phrase, used_basis, stated)
    if kind in ("starts", "ongoing"):
        return Deadline(kind, start, None, phrase, used_basis, stated)
    return Deadline(kind, start, end, phrase, used_basis, stated)


_Fields = dict[str, str | None]


@functools.cache
def _time_only() -> re.Pattern[str]:
    return re.compile(_TIME, re.IGNORECASE)


# each time's first and last day; the basis its split years were read on (None if it has none);
# whether the text stated that basis
_Periods = tuple[list[tuple[date, date]], YearBasis | None, bool]


def _fields(match: re.Match[str], prefix: str = "") -> _Fields:
    """One time's groups, without their prefix; a form the pattern lacks (a month-only one) is None."""
    fields: _Fields = dict.fromkeys(_time_only().groupindex)
    for name, value in match.groupdict().items():
        if name.startswith(prefix):
            fields[name[len(prefix) :]] = value
    return fields


def _form(g: _Fields) -> str:
    return "split" if g["y1"] else "month" if g["month"] else "calendar"


def _range(first: _Fields, second: _Fields, basis: YearBasis, consecutive: bool) -> _Periods | None:
    """From the start of the first time to the end of the second, when the two make sense together."""
    forms = {_form(first), _form(second)}
    if forms == {"split", "calendar"}:
        return None  # "from 2021-22 to 2023": is 2023 a calendar year or 2022-23 written short?
    if consecutive:
        if len(forms) > 1 or "month" in forms:
            return None
        year = "y1" if "split" in forms else "cal"
        if int(second[year] or 0) != int(first[year] or 0) + 1:
            return None  # "in 2021-22 and 2023-24" is two periods, not one
    periods = _periods([first, second], basis)
    if periods is None:
        return None
    [(a_start, a_end), (b_start, b_end)], used, stated = periods
    if not (a_start <= b_start and a_end <= b_end):
        return None  # backwards: "from March 2024 to April 2022"
    return [(a_start, b_end)], used, stated


def _list(phrase: str, basis: YearBasis) -> _Periods | None:
    """Three or more years, each the year after the one before, as one period; else None."""
    times = [_fields(m) for m in _time_only().finditer(phrase)]
    forms = {_form(g) for g in times}
    if len(forms) > 1 or "month" in forms:
        return None
    year = "y1" if "split" in forms else "cal"
    firsts = [int(g[year] or 0) for g in times]
    if any(b != a + 1 for a, b in zip(firsts, firsts[1:], strict=False)):
        return None
    periods = _periods(times, basis)
    if periods is None:
        return None
    spans, used, stated = periods
    return [(spans[0][0], spans[-1][1])], used, stated


def _periods(times: list[_Fields], basis: YearBasis) -> _Periods | None:
    """Each time's first and last day. A split year is read on the basis the text states anywhere in
    the phrase ("from academic year 2021/22 to 2023/24": both academic), else on the caller's."""
    stated: set[str] = set()
    for g in times:
        stated |= {w.lower() for w in (g["pre"], g["post"]) if w}
        if g["abbr"]:
            stated.add("academic" if g["abbr"].upper() == "AY" else "financial")
    if len(stated) > 1:
        return None  # contradicts itself
    was_stated = bool(stated)
    used: YearBasis = stated.pop() if stated else basis  # type: ignore[assignment]
    spans = [_bounds(g, used) for g in times]
    if any(span is None for span in spans):
        return None
    has_split = any(g["y1"] for g in times)
    return [s for s in spans if s is not None], used if has_split else None, was_stated


def _bounds(g: _Fields, basis: YearBasis) -> tuple[date, date] | None:
    if g["y1"] and g["y2"]:
        first, second = int(g["y1"]), int(g["y2"])
        if second != (first + 1) % (100 if len(g["y2"]) == 2 else 10_000):
            return None  # "2021-23" is not one year: no guess
        return year_bounds(first, basis)
    if g["month"] and g["my"]:
        year, month = int(g["my"]), _MONTHS[g["month"].lower()]
        last = calendar.monthrange(year, month)[1]
        if g["day"]:
            day = int(g["day"])
            if not 1 <= day <= last:
                return None
            return date(year, month, day), date(year, month, day)
        return date(year, month, 1), date(year, month, last)
    year = int(g["cal"] or 0)
    return date(year, 1, 1), date(year, 12, 31)
