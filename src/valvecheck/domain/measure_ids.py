"""Measure ids as people type them: "Bury 3", "bury 3", "BURY-3" and "bury3" are all bury-3.

One rule for the web app, the CLI and the activities importer's measures column; and, for an id
that is not in the catalogue, the nearest one ("Did you mean kingston-richmond-5?").
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable


def measure_key(value: str) -> str:
    """The id a person means: lower case, words joined by single hyphens, a number run on to
    the name split off ('Bury3'), 'and' and '&' left out as the slugs leave them out
    ('Hammersmith and Fulham 2' is hammersmith-fulham-2)."""
    text = unicodedata.normalize("NFKC", value).strip().lower().replace("&", " and ")
    words = [w for w in re.split(r"[^a-z0-9]+", text) if w and w != "and"]
    if words:
        run_on = re.fullmatch(r"([a-z][a-z0-9]*?[a-z])(\d+)", words[-1])
        if run_on:
            words[-1:] = [run_on.group(1), run_on.group(2)]
    return "-".join(words)


def nearest(value: str, known: Iterable[str]) -> str | None:
    """The known measure id most like ``value``, if any is close: the same number in an
    agreement whose name starts with the words typed ('Kingston 5' is kingston-richmond-5),
    else the closest spelling ('bury-31' is not close to anything but 'bury-3')."""
    key = measure_key(value)
    ids = sorted(set(known))
    if not key or not ids:
        return None
    if key in ids:
        return key
    words = key.split("-")
    if len(words) >= 2 and words[-1].isdigit():
        name, number = "-".join(words[:-1]), words[-1]
        same = [i for i in ids if i.endswith(f"-{number}") and i.startswith(name)]
        if len(same) == 1:
            return same[0]
        same = [i for i in ids if i.endswith(f"-{number}") and name in i]
        if len(same) == 1:
            return same[0]
    found = difflib.get_close_matches(key, ids, n=1, cutoff=0.75)
    return found[0] if found else None


def run_together(value: str) -> tuple[str, ...]:
    """The ids ``value`` holds when it is several ids written as one, else (): split where a
    ',', '/' or '|' stands for the measures column's ';' ('kingston-richmond-5, bury-2'), or
    after each number when names and numbers run on ('bury 2 and bury 3')."""
    parts = tuple(p.strip() for p in re.split(r"[,/|]", value) if p.strip())
    if len(parts) > 1:  # each an id, with its number ('N/A' is not two ids)
        return parts if all(re.search(r"\d", p) for p in parts) else ()
    ids: list[str] = []
    words: list[str] = []
    for word in measure_key(value).split("-"):
        words.append(word)
        if word.isdigit() and len(words) > 1:  # a name then its number: one id
            ids.append("-".join(words))
            words = []
    return tuple(ids) if len(ids) > 1 and not words else ()
