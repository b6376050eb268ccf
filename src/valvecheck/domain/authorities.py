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
            self._by_name.setdefault(fold(core_name(name)), authority)

    def find(self, name: str) -> Authority | None:
        return self._by_name.get(fold(name)) or self._by_name.get(fold(core_name(name)))

    def resolve(self, name: str) -> Authority:
        """The known authority by that name, or a new one named as written.

        "North Somerset Council" and "North Somerset" are one authority, named without the
        "Council"; the longer form is kept as an alias.
        """
        name = clean_text(name)
        found = self.find(name)
        if found is None:
            core = core_name(name)
            found = Authority(
                slug=slugify(core), name=core, aliases=(name,) if core != name else ()
            )
            self._remember(found)
        if found not in self._order:
            self._order.append(found)
        return found

    @property
    def used(self) -> list[Authority]:
        """Authorities resolved so far, in the order first met."""
        return list(self._order)


_PREFIX = re.compile(r"^(?:the\s+)?(?:london|royal)?\s*borough\s+of\s+|^city\s+of\s+", re.I)
_SUFFIX = re.compile(
    r"\s+(?:(?:metropolitan\s+)?borough|city|county|district)?\s*council$|\s+(?:mbc|cc)$", re.I
)


def core_name(name: str) -> str:
    """The authority's own name without 'London Borough of' or 'City Council' around it."""
    core = _SUFFIX.sub("", _PREFIX.sub("", name.strip())).strip()
    return core or name.strip()


def split_authorities(cell: str) -> list[str]:
    """'Kingston upon Thames/Richmond Upon Thames' names two authorities sharing one agreement."""
    return [part for part in (clean_text(p) for p in re.split(r"[/;]", cell)) if part]


def agreement_slug(authorities: list[Authority]) -> str:
    return "-".join(a.slug for a in authorities)
