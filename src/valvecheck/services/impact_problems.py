"""Every problem of one entry of figures at once (a saving, a trajectory year), one per field.

The use-cases read each value given, note what is wrong with it and go on, and raise the lot
together (errors.InputErrors, in the form's order), so that a person fixes them in one go and a
web form need not check the same values in its own copy of the rules. The CLI says the first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from valvecheck.domain.money import Invalid
from valvecheck.errors import InputErrors, NotFound

T = TypeVar("T")


class Problems:
    """What is wrong with each field of an entry (the first problem found for it)."""

    def __init__(self, fields: tuple[str, ...]):
        self.fields = fields
        self.found: dict[str, str] = {}
        self.codes: dict[str, str] = {}
        self.missing: NotFound | None = None  # the thing the entry is for does not exist

    def __contains__(self, field: str) -> bool:
        return field in self.found

    def add(self, field: str, message: str, code: str) -> None:
        if field not in self.found:
            self.found[field] = message
            self.codes[field] = code

    def not_found(self, field: str, error: NotFound) -> None:
        self.add(field, str(error), error.code)
        self.missing = error

    def read(self, field: str, parse: Callable[..., T], value: object, *args: object) -> T | None:
        """``parse(value, *args)``, or None with its problem noted at ``field``."""
        try:
            return parse(value, *args)
        except Invalid as exc:
            self.add(field, str(exc), exc.code)
            return None

    def check(self) -> None:
        """Raise every problem found, in the form's order: the not-found error itself when it is
        the only one (as it would be without the others), else InputErrors."""
        if not self.found:
            return
        if self.missing is not None and len(self.found) == 1:
            raise self.missing
        order = [f for f in self.fields if f in self.found]
        order += [f for f in self.found if f not in order]
        raise InputErrors({f: self.found[f] for f in order}, {f: self.codes[f] for f in order})
