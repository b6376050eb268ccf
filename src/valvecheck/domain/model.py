"""Authorities, agreements, measures, the programme and placements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from valvecheck.domain.names import fold


@dataclass(frozen=True)
class Authority:
    """A local authority: its canonical name, slug and the other ways people write it."""

    slug: str
    name: str
    aliases: tuple[str, ...] = ()

    def known_as(self) -> set[str]:
        return {fold(self.name), *(fold(a) for a in self.aliases)}


@dataclass(frozen=True)
class Agreement:
    """One published Safety Valve agreement (or framework) with one or more authorities."""

    slug: str
    title: str
    authorities: tuple[str, ...]  # authority slugs
    year: str = ""  # e.g. "2020-21"
    source_title: str = ""
    source_url: str = ""
    kind: str = "safety-valve"


@dataclass(frozen=True)
class Placement:
    """Where a measure sits in the programme: a theme and, optionally, one of its sub-themes."""

    theme: str
    sub_theme: str | None = None

    @property
    def where(self) -> str:
        """'Sufficiency > Local places', or 'Sufficiency' for a placement in the theme alone."""
        return f"{self.theme} > {self.sub_theme}" if self.sub_theme else self.theme


PLACED, REMOVED = "placed", "removed"  # what a change to the programme did (PlacementChange.change)


@dataclass(frozen=True)
class PlacementChange:
    """A placement of a measure made or taken away in the council's programme, as its history
    shows it: the theme and sub-theme as then named, who, when, and the file an import read it
    from ("" for a person's change)."""

    measure_id: str
    change: str  # PLACED or REMOVED
    placement: Placement
    by: str
    at: datetime
    file: str = ""

    @property
    def placed(self) -> bool:
        return self.change == PLACED


@dataclass(frozen=True)
class Measure:
    """One recommendation of an agreement, numbered in the agreement's document order."""

    agreement: str  # agreement slug
    number: int
    text: str
    placements: tuple[Placement, ...] = ()
    source_locator: str = ""  # page / table row where known
    # Where this text was read from, when it differs from its agreement's document (a later
    # import adding to an agreement), and when. Provenance, not identity: not compared.
    source_title: str = field(default="", compare=False)
    source_url: str = field(default="", compare=False)
    imported_at: datetime | None = field(default=None, compare=False)
    version: int = field(default=1, compare=False)  # 2 and up: earlier texts are kept

    @property
    def id(self) -> str:
        return measure_id(self.agreement, self.number)

    @property
    def themes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.theme for p in self.placements))

    @property
    def sub_themes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.sub_theme for p in self.placements if p.sub_theme))


def measure_id(agreement_slug: str, number: int) -> str:
    return f"{agreement_slug}-{number}"


@dataclass
class Programme:
    """The assessing council's own structure: themes, each with its sub-themes.

    A sub-theme belongs to one theme; the same name may stand under two themes
    ("Commissioning" does in the seed), so a sub-theme is always named with its theme.
    """

    themes: dict[str, list[str]] = field(default_factory=dict)

    def add(self, theme: str, sub_theme: str | None = None) -> None:
        subs = self.themes.setdefault(theme, [])
        if sub_theme and sub_theme not in subs:
            subs.append(sub_theme)

    def pairs(self) -> list[Placement]:
        out: list[Placement] = []
        for theme, subs in self.themes.items():
            out.append(Placement(theme))
            out.extend(Placement(theme, s) for s in subs)
        return out


@dataclass
class Catalogue:
    """Everything known about agreements: authorities, agreements, measures and the programme."""

    authorities: list[Authority] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    programme: Programme = field(default_factory=Programme)

    def measure(self, measure_id_: str) -> Measure | None:
        return next((m for m in self.measures if m.id == measure_id_), None)
