"""The counts that may sit beside an impact entry's money (a module of its own: the command
line's help names them without loading the whole impact model)."""

from __future__ import annotations

# (key, what a person calls it)
COUNTS: tuple[tuple[str, str], ...] = (
    ("ehcps", "EHCPs"),
    ("independent", "independent and non-maintained special placements"),
    ("maintained_special", "maintained special placements"),
    ("resource_base", "resource base placements"),
    ("mainstream", "mainstream placements"),
    ("alternative", "alternative provision placements"),
    ("post16", "post-16 placements"),
)
