"""The field's language: the words SEND and high needs people use for the same few ideas.

A measure says "Education Health and Care Plans"; an activity says "EHCP", "EHC plan" or "a plan".
A measure says "independent special schools"; an activity says "ISS", "NMSS" or "out-of-area
placements". Each idea below is a *concept* with the phrases that name it. Suggestions match
concepts as well as words, so an activity and a measure that share no word can still meet, and
the phrases found are what the explanation shows a person.

Phrases are matched case-insensitively on whole words; in a phrase, a space also matches a hyphen
or a slash, and a trailing "s?" style plural is written into the phrase where it matters.
Keep this general: vocabulary of the field, never words picked from one activity or one measure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from valvecheck.analysis.vocabulary import ACRONYMS, CONCEPTS, SEND_CONCEPTS, SEND_CONTEXT


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Lower case, one kind of dash and space, '&' as 'and': what phrases are matched against."""
    text = text.lower().replace("&", " and ").replace("’", "'")
    text = re.sub(r"[\u2010-\u2015\-/]+", " ", text)
    return " ".join(text.split())


_ACRONYM = re.compile(r"\b(" + "|".join(sorted(ACRONYMS, key=len, reverse=True)) + r")s?\b")


@lru_cache(maxsize=65536)
def spelled_out(text: str) -> str:
    """Normalised text with each of the field's acronyms followed by what it stands for ("arps"
    -> "arps additionally resourced provision"), so that a terse tracker and a long strategy share
    words where they name the same thing. Used by the word features (``suggest.Words``) and the
    common-measure terms, not by the character n-grams (spelling out there too lowered
    none-accuracy in cross-validation) nor where concepts are found (they know the acronyms)."""
    return _ACRONYM.sub(lambda m: f"{m.group(0)} {ACRONYMS[m.group(1)]}", normalise(text))


def _compile(phrase: str) -> str:
    return phrase.replace(" ", r"[\s]+")


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    out = {}
    for name, (_, phrases) in CONCEPTS.items():
        body = "|".join(_compile(p) for p in sorted(phrases, key=len, reverse=True))
        out[name] = re.compile(rf"(?<![\w])(?:{body})(?![\w])")
    return out


@lru_cache(maxsize=1)
def _send_pattern() -> re.Pattern[str]:
    body = "|".join(_compile(p) for p in SEND_CONTEXT)
    return re.compile(rf"(?<![\w])(?:{body})(?![\w])")


@dataclass(frozen=True)
class ConceptHit:
    concept: str
    phrases: tuple[str, ...]  # as found in the text, lower case

    @property
    def label(self) -> str:
        return CONCEPTS[self.concept][0]


def concepts(text: str) -> dict[str, ConceptHit]:
    """The concepts a text names, with the phrases that named them (see ``_concepts``)."""
    return dict(_concepts(text))


@lru_cache(maxsize=65536)  # explaining re-reads the same texts many times
def _concepts(text: str) -> tuple[tuple[str, ConceptHit], ...]:
    """The concepts a text names, with the phrases that named them.

    The longest phrase wins where phrases overlap: the "health" inside "education, health and
    care plan" names an EHC plan, not a health partner. The same words may name two concepts
    ("preparing for adulthood" is transition and post-16).
    """
    norm = normalise(text)
    spans = [
        (m.start(), m.end(), name)
        for name, pattern in _patterns().items()
        for m in pattern.finditer(norm)
    ]
    spans.sort(key=lambda s: (s[0] - s[1], s[0]))
    taken: list[tuple[int, int]] = []
    found: dict[str, list[str]] = {}
    for start, end, name in spans:
        if any(start < e and s < end and (s, e) != (start, end) for s, e in taken):
            continue
        taken.append((start, end))
        found.setdefault(name, []).append(norm[start:end])
    return tuple(
        (name, ConceptHit(name, tuple(dict.fromkeys(found[name]))))
        for name in CONCEPTS
        if name in found
    )


def about_send(text: str, found: dict[str, ConceptHit] | None = None) -> bool:
    """Does the text say, in any of the field's words, that it is about SEND or high needs?"""
    if _send_pattern().search(normalise(text)) is not None:
        return True
    found = concepts(text) if found is None else found
    return any(c in SEND_CONCEPTS for c in found)
