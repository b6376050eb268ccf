"""Words in a measure: the search a person types ("EHCPs", "speech and language", "AP").

Every word searched for must be in the text, in any order. Case, punctuation and simple
plurals do not matter ("EHCPs" finds "EHCP", "schools" finds "school"). A short word (three
letters or fewer, such as "AP" or "SEN") must be a whole word, so "AP" does not find
"appropriate"; a longer one may start a word ("contribut" finds "contributions"). Small
joining words ("and", "of", "the") are left out of the search unless nothing else is typed.
Pure: the same rule for the web app, the CLI and the API, read by ``Filters.keep``.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Joining words a person types but a measure may word differently ("speech and language" for
# "speech, language and communication").
STOP_WORDS = frozenset(
    {"a", "an", "and", "&", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"}
)
# A word this short must be matched whole ("AP" is not "appropriate").
SHORT = 3

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


def singular(word: str) -> str:
    """A simple plural's singular, applied alike to what is typed and to the text, so the two
    meet: 'schools' -> 'school', 'EHCPs' -> 'ehcp', 'authorities' -> 'authority',
    'classes' -> 'class'. Words ending 'ss', 'us' or 'is' are kept ('class', 'analysis')."""
    if len(word) <= SHORT or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    return word[:-1]


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).lower().replace("&", " and ")
    return [singular(w.replace("’", "'").split("'")[0]) for w in _WORD.findall(folded)]


@functools.lru_cache(maxsize=16384)
def text_words(text: str) -> frozenset[str]:
    """The words of a measure's text as the search compares them; a hyphenated word also
    counts joined up ('co-production' is also 'coproduction')."""
    found = set(_words(text))
    for joined in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)+", text.lower()):
        found.add(singular(joined.replace("-", "")))
    return frozenset(found)


@functools.lru_cache(maxsize=1024)
def search_words(search: str) -> tuple[str, ...]:
    """The words a search looks for: joining words left out unless they are all there is; a
    hyphenated word is looked for joined up ('post-16' finds 'post-16', not 'post ... 16')."""
    typed = _words(re.sub(r"(?<=[a-z0-9])-(?=[a-z0-9])", "", search.lower()))
    kept = [w for w in typed if w not in STOP_WORDS]
    return tuple(dict.fromkeys(kept or typed))


def matches(search: str, text: str) -> bool:
    """Does ``text`` hold every word of ``search`` (see the module's rule)?"""
    wanted = search_words(search)
    if not wanted:
        return False
    have = text_words(text)
    for word in wanted:
        if word in have:
            continue
        if len(word) <= SHORT or not any(w.startswith(word) for w in have):
            return False
    return True
