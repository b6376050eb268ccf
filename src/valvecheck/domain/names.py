"""Names as people write them: authority aliases and slugs."""

from __future__ import annotations

import re
import unicodedata


def fold(name: str) -> str:
    """A comparison key: case, hyphens, quotes and spacing do not matter ('Stoke on Trent' == 'Stoke-On-Trent')."""
    text = unicodedata.normalize("NFKC", name).lower().replace("&", " and ")
    text = re.sub(r"[\s\-_'’.,]+", " ", text)
    return text.strip()


def count(number: int, one: str, many: str) -> str:
    """'1 activity', '2 activities', '0 activities'."""
    return f"{number:,} {one if number == 1 else many}"


def slugify(name: str) -> str:
    """'Hammersmith and Fulham' -> 'hammersmith-fulham'; 'Stoke-on-Trent' -> 'stoke-on-trent'."""
    words = [w for w in re.split(r"[^a-z0-9]+", fold(name)) if w and w != "and"]
    return "-".join(words)


def clean_text(value: str) -> str:
    """Trim, unwrap quotes and fold runs of white space (a cell as a person meant it)."""
    text = value.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].replace('""', '"')
    return " ".join(text.split())


def agreement_year(value: str) -> str:
    """'2020/21', '2020-2021' and ' 2020-21 ' are all '2020-21'; '2021' stays '2021'.

    Raises InputError for anything else, so one agreement is never filed under two spellings.
    """
    from valvecheck.errors import (
        InputError,  # the domain's one error type, kept out of the hot path
    )

    text = value.strip()
    if not text:
        return ""
    found = re.fullmatch(r"((?:19|20)\d\d)(?:\s*[-/–]\s*((?:19|20)?\d\d))?", text)
    if found is None:
        raise InputError(f"'{text}' is not a year such as 2020-21")
    start, end = found.group(1), found.group(2)
    if end is None:
        return start
    if int(end[-2:]) != (int(start) + 1) % 100 or (len(end) == 4 and int(end) != int(start) + 1):
        raise InputError(f"'{text}' is not a year such as 2020-21 (the years must follow on)")
    return f"{start}-{end[-2:]}"
