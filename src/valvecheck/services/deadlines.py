"""Deadlines of measures as an assessment sees them: due dates, overdue flags and how years were read."""

from __future__ import annotations

from datetime import date

from valvecheck.analysis.deadlines import Deadline
from valvecheck.domain.views import MeasureDeadlines, MeasureView, overdue_words
from valvecheck.domain.views import deadlines_of as _deadlines_of
from valvecheck.services.context import Context


def deadlines_of(view: MeasureView, ctx: Context, today: date | None = None) -> MeasureDeadlines:
    """The measure's deadlines, read with the configured year basis, judged on ``today``."""
    return _deadlines_of(view, today or ctx.today(), ctx.settings.year_basis)


def describe(view: MeasureView, ctx: Context, today: date | None = None) -> list[str]:
    """Lines for a measure's page: each phrase read, with the year-basis assumption made."""
    basis = ctx.settings.year_basis
    info = deadlines_of(view, ctx, today)
    lines = []
    for d in info.deadlines:
        assumption = f"; {d.assumption}" if d.assumption else ""
        lines.append(f'Deadline: "{d.phrase}" -> {d.kind} {_when(d)}{assumption}')
    if info.due:
        flag = ""
        if info.overdue:  # another council's date binds that council only: say whose it is
            words = overdue_words(view, ctx.actor.council or "")
            flag = (
                " - OVERDUE (deadline passed, not green)"
                if words == "Overdue"
                else f" - {words} (not green)"
            )
        lines.append(f"Due: {info.due.isoformat()}{flag}")
    if any(d.basis and not d.basis_stated for d in info.deadlines):
        lines.append(f"Years like 2021-22 are read as {basis} years (VALVECHECK_YEAR_BASIS).")
    return lines


def _when(d: Deadline) -> str:
    if d.start and d.end:
        return f"{d.start.isoformat()} to {d.end.isoformat()}"
    day = d.end or d.start
    return day.isoformat() if day else ""
