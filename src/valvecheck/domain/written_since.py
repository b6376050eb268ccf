"""Whether a colleague's entry since a form was shown should be asked about before it is replaced.

The savings and trajectory forms say when they were shown. A figure set (an activity's saving for
a year, a year of the trajectory) is kept as versions, each with who wrote it and when; the
latest is replaced by what the person typed. It is asked about only when someone else wrote it
after the form was shown and it changed a figure the person typed: one they leave alone is
carried, not replaced. Pure: the services read the versions and word the question.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from valvecheck.domain.moments import aware


class Written(Protocol):
    @property
    def by(self) -> str: ...

    @property
    def at(self) -> datetime | None: ...


W = TypeVar("W", bound=Written)


def written_since(
    latest: W | None,
    versions: Sequence[W],
    person: str,
    opened_at: datetime | None,
    typed: Sequence[str],
) -> W | None:
    """``latest`` when another person wrote it after ``opened_at`` and it differs, in a figure
    named in ``typed``, from the version in force when the form was shown (the last of
    ``versions``, oldest first, written by then); None otherwise (no moment: a form from before
    it had one)."""
    if latest is None or latest.at is None or opened_at is None:
        return None
    if latest.by == person or aware(latest.at) <= aware(opened_at):
        return None
    then = [v for v in versions if v.at is not None and aware(v.at) <= aware(opened_at)]
    shown = then[-1] if then else None
    if any(getattr(latest, f) != (getattr(shown, f) if shown else None) for f in typed):
        return latest
    return None
