"""A share as people read it: a whole percent, a half rounded up."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def whole_percent(share: float) -> int:
    """A share (0.125) as a whole percent, a half rounded up (13), as a committee reader and a
    spreadsheet round it: the one rule every format prints a coverage by. Python's own ``:.0%``
    rounds a half to even (12.5 to 12) where Excel's ROUND and "0%" round it up (to 13).

    Read through the float's shortest decimal (``repr``), which is the ratio's own decimal when
    that is exact (3/24 is '0.125', 23/40 '0.575', though the double is a shade below)."""
    return int((Decimal(repr(share)) * 100).quantize(Decimal(1), ROUND_HALF_UP))


def percent(share: float) -> str:
    """'13%': a share as every format prints it (``whole_percent``)."""
    return f"{whole_percent(share)}%"
