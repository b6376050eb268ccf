"""Recognising authorities however they are written, and naming agreements after them."""

from __future__ import annotations

import re

from valvecheck.domain.model import Authority
from valvecheck.domain.names import clean_text, fold, slugify


class AuthorityIndex:
    """Finds an authority by its name or any alias; learns new ones as they are met."""

    def __init__(self, known: list[Authority] = ()):  # type: ignore[assignment]
        self._by_name: dict[str, Authority] = {}
        self._order: list[Authority] = []
        for authority in known:
            self._remember(authority)

    def _remember(self, authority: Authority) -> None:
        for name in authority.known_as():
            self._by_name.setdefault(name, authority)

    def find(self, name: str) -> Authority | None:
        return self._by_name.get(fold(name))

    def resolve(self, name: str) -> Authority:
        """The known authority by that name, or a new one named as written."""
        name = clean_text(name)
        found = self.find(name)
        if found is None:
            found = Authority(slug=slugify(name), name=name)
            self._remember(found)
        if found not in self._order:
            self._order.append(found)
        return found

    @property
    def used(self) -> list[Authority]:
        """Authorities resolved so far, in the order first met."""
        return list(self._order)


def split_authorities(cell: str) -> list[str]:
    """'Kingston upon Thames/Richmond Upon Thames' names two authorities sharing one agreement."""
    return [part for part in (clean_text(p) for p in re.split(r"[/;]", cell)) if part]


def agreement_slug(authorities: list[Authority]) -> str:
    return "-".join(a.slug for a in authorities)
