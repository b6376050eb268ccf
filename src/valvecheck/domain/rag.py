"""The RAG rating scale. Colours, words and definitions live here and nowhere else."""

from __future__ import annotations

from enum import StrEnum

from valvecheck.errors import InputError


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    UNRATED = "unrated"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        """The word written beside the colour in every output (never colour alone)."""
        return _LABELS[self]

    @property
    def definition(self) -> str:
        return _DEFINITIONS[self]

    @property
    def colour(self) -> str:
        """Fill colour, hex RRGGBB without '#', chosen so black text on it meets WCAG AA."""
        return _COLOURS[self]

    @property
    def text_colour(self) -> str:
        return "000000"

    @property
    def counts_as_covered(self) -> bool:
        return self in (Rag.GREEN, Rag.AMBER)

    @classmethod
    def parse(cls, value: str) -> Rag:
        """Read a RAG word as people write it: 'Yellow' is amber, G/A/R, any case and spacing."""
        key = " ".join(
            str(value).strip().strip("\"'").lower().replace("_", " ").replace("-", " ").split()
        )
        try:
            return _ALIASES[key]
        except KeyError:
            raise InputError(
                f"'{str(value).strip()}' is not a RAG rating; use one of: {', '.join(ALLOWED_WORDS)}",
                field="rag",
            ) from None

    @classmethod
    def parse_cell(cls, value: str | None) -> Rag:
        """A blank cell in a table means the measure has not been rated."""
        if value is None or not str(value).strip().strip("\"'").strip():
            return Rag.UNRATED
        return cls.parse(value)


RATED = (Rag.GREEN, Rag.AMBER, Rag.RED)
SCALE = (Rag.GREEN, Rag.AMBER, Rag.RED, Rag.UNRATED, Rag.NOT_APPLICABLE)

_LABELS = {
    Rag.GREEN: "Green",
    Rag.AMBER: "Amber",
    Rag.RED: "Red",
    Rag.UNRATED: "Not rated",
    Rag.NOT_APPLICABLE: "Not applicable",
}

# The seed's own key, word for word.
_DEFINITIONS = {
    Rag.GREEN: "our work in this area is well scoped and progressing well",
    Rag.AMBER: "our work in this area is emerging and developing",
    Rag.RED: "we are not currently doing anything in this space "
    "(an opportunity to move into a new area)",
    Rag.UNRATED: "not yet rated",
    Rag.NOT_APPLICABLE: "does not apply to this council (a reason is required)",
}

_COLOURS = {
    Rag.GREEN: "6FBF73",
    Rag.AMBER: "FFBF47",
    Rag.RED: "F28B82",
    Rag.UNRATED: "E0E0E0",
    Rag.NOT_APPLICABLE: "C8C8C8",
}

_ALIASES: dict[str, Rag] = {
    "green": Rag.GREEN,
    "g": Rag.GREEN,
    "amber": Rag.AMBER,
    "a": Rag.AMBER,
    "yellow": Rag.AMBER,
    "y": Rag.AMBER,
    "red": Rag.RED,
    "r": Rag.RED,
    "unrated": Rag.UNRATED,
    "not rated": Rag.UNRATED,
    "none": Rag.UNRATED,
    "not applicable": Rag.NOT_APPLICABLE,
    "n/a": Rag.NOT_APPLICABLE,
    "na": Rag.NOT_APPLICABLE,
}

ALLOWED_WORDS = (
    "green (G)",
    "amber (A, yellow)",
    "red (R)",
    "unrated",
    "not-applicable (n/a)",
)
