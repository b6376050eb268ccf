"""How far long analysis work has got, told to whoever is listening.

Work deep in the analysis (reading every measure text with the embedding, minutes the first time
on a large catalogue) cannot take a callback through every caller of the grouping, so it reports
here, and the service layer listens for the length of a unit of work (the command's progress
bar). Nobody listening, nothing happens; each thread and task has its own listener.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Report = Callable[[str, int, int], None]  # (stage, done, total)

_LISTENER: ContextVar[Report | None] = ContextVar("valvecheck_progress", default=None)


@contextmanager
def listening(report: Report | None) -> Iterator[None]:
    """``report`` hears every ``tell`` made inside the block (None: nobody does)."""
    token = _LISTENER.set(report)
    try:
        yield
    finally:
        _LISTENER.reset(token)


def tell(stage: str, done: int, total: int) -> None:
    """Say how far ``stage`` has got, to the listener if there is one."""
    report = _LISTENER.get()
    if report is not None:
        report(stage, done, total)
