"""Money, financial years, counts and weights as people write them. Pure.

Money is ``Decimal`` in pounds, exact to the penny, from the file or the command line to every
total: never a float. A value with a fraction of a penny is refused rather than rounded, so
nothing is rounded on the way in; the one place pennies are apportioned is ``apportion`` (an
activity's saving shared among its measures), which hands out the odd pennies so the shares add
up to the whole exactly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")
LIMIT = Decimal(10) ** 12  # a trillion pounds: beyond any council's budget

# The one statement of how amounts are shown; every view and report quotes it.
ROUNDING_NOTE = (
    "Amounts are in pounds and pence, exactly as recorded: nothing is rounded. Where an "
    "activity's saving is shared among several measures it is split to the penny, the odd pennies "
    "going to the largest shares, so the shares add up to the activity's saving exactly."
)


class Invalid(ValueError):
    """A value that cannot be used, with a stable kebab-case code and words for an officer."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# -- financial years ---------------------------------------------------------------------------

_YEAR = re.compile(r"^(?:fy\s*)?(\d{4}|\d{2})\s*[-/–]\s*(\d{2}|\d{4})$", re.IGNORECASE)
# The financial years a high needs deficit plan can speak of. The high needs block dates from
# 2013-14 and a council's history may reach a little before it; a plan looks a decade or two
# ahead. A year outside is a slip ('1925-26' for 2025-26, '99/00' read as 2099-00), refused
# rather than charted.
FIRST_YEAR, LAST_YEAR = "2010-11", "2050-51"


def cell_text(value: object) -> str:
    """A cell as a person saw it: a date as 01/04/2025 (as Excel shows it), not a timestamp."""
    if isinstance(value, datetime):
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return f"{value:%d/%m/%Y}"
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return "" if value is None else str(value).strip()


def parse_year(value: object, plan: bool = True) -> str:
    """'2025-26', '2025/26', '2025-2026', 'FY 2025/26', '25/26' or 'FY25-26' -> '2025-26'
    (April 2025 to March 2026). Two-digit years are this century's: a financial year's halves
    follow each other, so '25/26' can mean nothing else. ``plan``: a year from ``FIRST_YEAR``
    to ``LAST_YEAR`` only (code ``year-out-of-range``), as a new figure must be; False for a
    year already recorded (a backup restored, a figure withdrawn or looked up), which is read
    whatever it is, so that nothing recorded before the range was checked is stranded."""
    text = cell_text(value)
    found = _YEAR.match(text)
    if isinstance(value, bool | int | float | date | datetime) or found is None:
        raise Invalid(
            "not-a-financial-year",
            f"'{text}' is not a financial year: write it like 2025-26 (April 2025 to March 2026)",
        )
    start, end = int(found[1]), found[2]
    if len(found[1]) == 2:
        if len(end) != 2:
            raise Invalid(
                "not-a-financial-year",
                f"'{text}' is not a financial year: write it like 2025-26 (April 2025 to "
                "March 2026)",
            )
        start += 2000
    expected = str(start + 1)
    if end not in (expected, expected[-2:]):
        raise Invalid(
            "not-a-financial-year",
            f"'{text}' is not a financial year: the second year must follow the first "
            f"({start}-{expected[-2:]})",
        )
    year = f"{start}-{expected[-2:]}"
    if plan and not FIRST_YEAR <= year <= LAST_YEAR:
        read = "" if text == year else f" (read as {year})"
        raise Invalid(
            "year-out-of-range",
            f"'{text}'{read} is outside the years a high needs deficit plan covers: give a "
            f"financial year from {FIRST_YEAR} to {LAST_YEAR}",
        )
    return year


def recorded_year(value: object) -> str:
    """A financial year already recorded, read whatever it is (``parse_year``'s ``plan``)."""
    return parse_year(value, plan=False)


def year_start(year: str) -> int:
    return int(year[:4])


def year_of(day: date) -> str:
    """The financial year a day falls in (England's, April to March): 6 December 2026 is in
    2026-27, 31 March 2027 too, 1 April 2027 in 2027-28."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{str(start + 1)[-2:]}"


def not_started(year: str, day: date) -> bool:
    """Whether a financial year has not started yet on ``day`` (an actual for it cannot be
    known)."""
    return year > year_of(day)


def missing_years(years: Sequence[str]) -> list[str]:
    """The financial years missing between the first and the last of ``years``."""
    starts = sorted({year_start(y) for y in years})
    if not starts:
        return []
    return [f"{y}-{str(y + 1)[-2:]}" for y in range(starts[0], starts[-1] + 1) if y not in starts]


# -- money -------------------------------------------------------------------------------------

_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
# "£1.2m", "£5k", "£5 K": a figure with its own unit (a pound sign too, so a stray letter is
# never read as one)
_SUFFIX = re.compile(r"(?<=\d)\s*(k|m|mn)\)?$", re.IGNORECASE)
SUFFIXES = {"k": 1000, "m": 1_000_000, "mn": 1_000_000}
UNIT_NAMES = {1: "pounds", 1000: "thousands of pounds", 1_000_000: "millions of pounds"}


def parse_money(value: object, what: str, negative: bool = False, scale: int = 1) -> Decimal:
    """An amount in pounds: ``£1,234.50``, ``1234.5``, ``-£200``, ``(200)`` (a negative, as
    accounts write it), ``£1.2m`` or ``£5k``, or a number from a spreadsheet cell. Exact to the
    penny.

    ``negative``: whether a negative amount means something here (a cost, an overspend, a
    surplus); where it does not, it is refused and ``what`` names the value in the message.
    ``scale``: the unit the figures are written in (1000 for £000, a million for £m); a figure
    that names its own unit (``£5k``) is refused under another one, as it is ambiguous.
    """
    if isinstance(value, bool):
        raise Invalid("not-money", f"the {what} must be an amount in pounds, not '{value}'")
    if isinstance(value, Decimal | int):
        amount = Decimal(value) * scale
    elif isinstance(value, float):
        # A spreadsheet keeps numbers as floats; its shortest decimal text is the figure typed
        # (36787.5 stays 36787.5), which is then checked like any other. A formula's result
        # carries binary noise (=100*1.1 is saved as 110.00000000000001): read as the
        # spreadsheet shows it, a whole penny is that penny (``_spreadsheet_pence``).
        amount = _spreadsheet_pence(value, scale)
    else:
        raw = "" if value is None else str(value)
        own = _SUFFIX.search(raw.strip()) if "£" in raw else None
        if own is not None and scale != 1:
            raise Invalid(
                "unit-conflict",
                f"the {what} '{raw.strip()}' gives its own unit in a column of figures in "
                f"{UNIT_NAMES[scale]}: write the figure alone",
            )
        if own is not None:
            bare = raw.strip()[: own.start()] + (")" if raw.strip().endswith(")") else "")
            amount = _money_text(bare, what) * SUFFIXES[own[1].lower()]
        else:
            amount = _money_text(raw, what) * scale
    if not amount.is_finite():
        raise Invalid("not-money", f"the {what} must be an amount in pounds, not '{value}'")
    if abs(amount) >= LIMIT:
        raise Invalid("not-money", f"the {what} {value} is too large to be an amount in pounds")
    if amount != amount.quantize(PENNY):
        in_pounds = "" if scale == 1 else f" (in {UNIT_NAMES[scale]}: £{amount.normalize():,f})"
        raise Invalid(
            "not-pence",
            f"the {what} {value}{in_pounds} has a fraction of a penny: give pounds and pence "
            "(two decimal places at most)",
        )
    if amount < 0 and not negative:
        raise Invalid(
            "negative-not-allowed",
            f"the {what} cannot be negative ({value})",
        )
    return amount.quantize(PENNY)


# Floating noise around a whole penny, in pence: a figure a spreadsheet computed
# (0.1 + 0.2 = 0.30000000000000004) is within this of the penny it shows.
NOISE = Decimal("1e-6")
SHOWN_DIGITS = 15  # the significant digits a spreadsheet shows of a number (Excel, LibreOffice)


def _spreadsheet_pence(value: float, scale: int) -> Decimal:
    """A spreadsheet number in pounds: exact when it is; else, when it is a whole penny as the
    spreadsheet shows it (15 significant digits) or within floating noise of one, that penny.
    A real fraction of a penny (1234.567) stays as it is, to be refused."""
    amount = Decimal(repr(value)) * scale
    if not amount.is_finite() or amount == amount.quantize(PENNY):
        return amount
    shown = Decimal(f"{value:.{SHOWN_DIGITS}g}") * scale
    if shown == shown.quantize(PENNY):
        return shown
    pence = amount / PENNY
    if abs(pence - pence.to_integral_value()) < NOISE:
        return pence.to_integral_value() * PENNY
    return amount


_MINUS = ("-", "\u2212")
# a figure with k or m but no pound sign (5k, 1,200k): the unit is read only after a £
_BARE_SUFFIX = re.compile(r"^[\d,]*\.?\d+(k|m|mn)$", re.IGNORECASE)


def _money_text(raw: str, what: str) -> Decimal:
    text = raw.strip().replace("\u00a0", "").replace(" ", "")
    # how many times the figure is marked negative: brackets, a minus before the £, one after
    # it; two of them ("(-200)", "--200", "-£-200") could mean either sign, so are refused
    marks = 0
    if text.startswith("(") and text.endswith(")"):
        marks, text = 1, text[1:-1]
    if text.startswith(_MINUS):
        marks, text = marks + 1, text[1:]
    text = text.removeprefix("£")
    if text.startswith(_MINUS):  # £-200
        marks, text = marks + 1, text[1:]
    if marks > 1 or text.startswith(_MINUS):
        raise Invalid(
            "not-money",
            f"the {what} '{raw.strip()}' is marked negative twice (brackets and a minus sign, or "
            "two minus signs), so it is unclear whether it is negative: write a negative amount "
            "once, like -£200 or (£200)",
        )
    sign = -1 if marks else 1
    if _BARE_SUFFIX.match(text):
        raise Invalid(
            "not-money",
            f"the {what} '{raw.strip()}' is not an amount in pounds: k and m are read only after "
            f"a pound sign (write it like £{text})",
        )
    if "," in text:
        if not _GROUPED.match(text):
            raise Invalid(
                "not-money",
                f"the {what} '{raw.strip()}' is not an amount in pounds (commas only between "
                "thousands, e.g. £1,234.50)",
            )
        text = text.replace(",", "")
    if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", text):
        shown = raw.strip() or "(empty)"
        raise Invalid(
            "not-money",
            f"the {what} '{shown}' is not an amount in pounds (write it like £1,234.50)",
        )
    try:
        return sign * Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise Invalid("not-money", f"the {what} '{raw}' is not an amount in pounds") from None


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def money_text(amount: Decimal | None, blank: str = "") -> str:
    """'£1,234.50', '-£200.00': how every view shows an amount (``blank`` for none)."""
    if amount is None:
        return blank
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def money_json(amount: Decimal | None) -> str | None:
    """'1234.50': an amount as JSON carries it, a string so no reader turns it into a float."""
    return None if amount is None else f"{amount:.2f}"


# -- counts and weights ------------------------------------------------------------------------


def parse_count(value: object, what: str) -> int:
    """A number of children or placements: a whole number, not negative."""
    if isinstance(value, bool):
        raise Invalid("not-a-count", f"the {what} must be a whole number, not '{value}'")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().replace(",", "") if not isinstance(value, int) else str(value)
    if not re.fullmatch(r"-?\d+", text):
        raise Invalid("not-a-count", f"the {what} '{value}' must be a whole number")
    count = int(text)
    if count < 0:
        raise Invalid("negative-not-allowed", f"the {what} cannot be negative ({count})")
    return count


def parse_weight(value: object) -> Decimal:
    """A measure's share of an activity's saving: a decimal from 0 to 1 (``0.5``) or a percent
    (``50%``); 0 for a measure the activity is linked to (it enables it) that takes no share."""
    text = str(value).strip() if value is not None else ""
    percent = text.endswith("%")
    try:
        if isinstance(value, float):
            weight = Decimal(repr(value))
        else:
            weight = Decimal(text.removesuffix("%").strip())
    except InvalidOperation:
        raise Invalid(
            "not-a-weight", f"the weight '{text}' is not a number (write it like 0.5 or 50%)"
        ) from None
    if not weight.is_finite():
        raise Invalid("not-a-weight", f"the weight '{text}' is not a number")
    if percent:
        weight /= 100
    if weight < 0 or weight > 1:  # 0: a measure the activity enables but takes no share of
        raise Invalid(
            "weight-out-of-range",
            f"the weight '{text}' must be from 0 to 1 (or 0% to 100%)",
        )
    return weight.normalize()


def check_weights(weights: Sequence[Decimal], whose: str) -> None:
    """Weights share one activity's saving: they must add up to exactly 1."""
    total = sum(weights, Decimal(0))
    if total != 1:
        raise Invalid(
            "weights-not-one",
            f"the weights of {whose} add up to {total.normalize():f}, not 1: the measures' "
            "shares must make up the whole saving",
        )


def apportion(amount: Decimal, weights: Sequence[Fraction]) -> list[Decimal]:
    """Split ``amount`` by ``weights`` (which add up to 1) to the penny: each share is rounded
    down to the penny and the pennies left over go, one each, to the shares that lost the most
    (the first among equals). The shares always add up to ``amount`` exactly."""
    if not weights:
        return []
    pence = int((amount / PENNY).to_integral_value())
    sign = -1 if pence < 0 else 1
    # in whole numbers over one common denominator: exact, and fast for thousands of shares
    den = math.lcm(*(w.denominator for w in weights))
    exact = [abs(pence) * w.numerator * (den // w.denominator) for w in weights]
    shares = [e // den for e in exact]  # rounded down to the penny
    left = abs(pence) - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] % den), i))
    for i in order[:left]:
        shares[i] += 1
    return [Decimal(sign * s) * PENNY for s in shares]


def equal_weights(n: int) -> list[Fraction]:
    return [Fraction(1, n)] * n if n else []
