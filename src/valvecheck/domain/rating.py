"""Assessments and ratings. A rating change is appended to history; nothing is overwritten."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from valvecheck.domain.rag import Rag
from valvecheck.errors import InputError

PERSON, FILE, SEED = "person", "file", "bundled"


@dataclass(frozen=True)
class Rating:
    """One entry in a measure's rating history within an assessment."""

    measure_id: str
    rag: Rag
    rationale: str = ""
    evidence: str = ""
    by: str = ""
    at: datetime | None = None
    previous: Rag = Rag.UNRATED
    version: int = 0  # 1, 2, 3 ... within its measure's history; 0 before it is saved
    source: str = PERSON  # person, file (read from an imported file) or bundled (the seed)
    measure_version: int = 1  # the version of the measure's text that was rated


MAX_RATIONALE = 20_000  # characters: several pages of reasons, not a pasted document

# The note a rating carried into a new assessment gets ("... (carried forward from 'Spring')").
_CARRY_NOTES = re.compile(r"(?:\s*\(carried forward from '.*?'\))+$|^carried forward from '.*'$")


def carried_note(rationale: str, source: str) -> str:
    """A rationale carried forward from the assessment ``source``: the person's own words and
    one note saying where it came from (never a note for every carry before)."""
    own = own_words(rationale)
    note = f"carried forward from '{source}'"
    return f"{own} ({note})" if own else note


def own_words(rationale: str) -> str:
    """A rationale without the notes carrying it forward added: what the person wrote."""
    return _CARRY_NOTES.sub("", rationale).strip()


MAX_EVIDENCE = 5_000  # characters: links to papers, one on each line


def as_typed(text: str) -> str:
    """A form's text with each line ending one character, as a browser counts it while it is
    typed (it sends CRLF): a limit a character count said was kept is kept."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def check_rating(rag: Rag, rationale: str, evidence: str = "") -> None:
    """The rules a new rating must keep."""
    if rag is Rag.NOT_APPLICABLE and not rationale.strip():
        raise InputError("a measure rated not applicable needs a reason", field="rationale")
    for field, text, limit in (
        ("rationale", rationale, MAX_RATIONALE),
        ("evidence", evidence, MAX_EVIDENCE),
    ):
        if len(text) > limit:
            raise InputError(
                f"the {field} can be at most {limit:,} characters; this one has {len(text):,}. "
                "Shorten it, or link to the document instead",
                field=field,
            )


IMPORTED = "imported from "  # the rationale a rating read from a file is given
BUNDLED = "as rated in the seed appendix"


def imported(rating: Rating) -> bool:
    """Whether a rating was read from a file (or the bundled seed) rather than given by a person."""
    return rating.source != PERSON


def current(history: list[Rating]) -> Rag:
    """The rating in force: the last entry of the history, or unrated."""
    return history[-1].rag if history else Rag.UNRATED
