"""Names as people write them: authority aliases and slugs."""

from __future__ import annotations

import re
import unicodedata


def fold(name: str) -> str:
    """A comparison key: case, hyphens, quotes and spacing do not matter ('Stoke on Trent' == 'Stoke-On-Trent')."""
    text = unicodedata.normalize("NFKC", name).lower().replace("&", " and ")
    text = re.sub(r"[\s\-_'’.,]+", " ", text)
    return text.strip()


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
