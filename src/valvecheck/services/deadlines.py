"""Deadlines of measures as an assessment sees them: due dates, overdue flags and how years were read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from valvecheck.analysis.deadlines import Deadline, YearBasis, due_date, is_overdue, read_deadlines
from valvecheck.domain.rag import Rag
from valvecheck.settings import settings

if TYPE_CHECKING:
    from valvecheck.services.measures import MeasureView


def year_basis() -> YearBasis:
    """The configured reading of a year like 2021-22 (VALVECHECK_YEAR_BASIS, default financial)."""
    return settings().year_basis


@dataclass(frozen=True)
class MeasureDeadlines:
    """The deadlines read from one measure's text, its due date and whether it is overdue."""

    deadlines: tuple[Deadline, ...]
    due: date | None
    overdue: bool


def deadlines_of(
    view: MeasureView, today: date | None = None, basis: YearBasis | None = None
) -> MeasureDeadlines:
    """Overdue: the due date is before `today` (default: the real today) and the rating is not green.

    A measure rated not applicable is never overdue: the council has said it does not apply.
    """
    found = tuple(read_deadlines(view.measure.text, basis or year_basis()))
    due = due_date(found)
    settled = view.rag in (Rag.GREEN, Rag.NOT_APPLICABLE)
    return MeasureDeadlines(found, due, is_overdue(due, settled, today or date.today()))


def describe(view: MeasureView, today: date | None = None) -> list[str]:
    """Lines for `show`: each phrase read, with the year-basis assumption where one was made."""
    basis = year_basis()
    info = deadlines_of(view, today, basis)
    lines = []
    for d in info.deadlines:
        assumption = f"; {d.assumption}" if d.assumption else ""
        lines.append(f'Deadline: "{d.phrase}" -> {d.kind} {_when(d)}{assumption}')
    if info.due:
        flag = " - OVERDUE (deadline passed, not green)" if info.overdue else ""
        lines.append(f"Due: {info.due.isoformat()}{flag}")
    if any(d.basis and not d.basis_stated for d in info.deadlines):
        lines.append(f"Years like 2021-22 are read as {basis} years (VALVECHECK_YEAR_BASIS).")
    return lines


def _when(d: Deadline) -> str:
    if d.start and d.end:
        return f"{d.start.isoformat()} to {d.end.isoformat()}"
    day = d.end or d.start
    return day.isoformat() if day else ""
