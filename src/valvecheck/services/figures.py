"""What the savings (services/impact.py) and the trajectory (services/trajectory.py) share:
reading the figures of an entry, withdrawing one, and the assessment they are for.

These are steps of those use-cases, not use-cases themselves: they stay out of the service
layer's public API (services/__init__.py; tests/test_service_api.py lists them as steps).
"""

from __future__ import annotations

from decimal import Decimal

from valvecheck.domain.impact import day_text
from valvecheck.domain.money import not_started, parse_money, year_of
from valvecheck.errors import NotFound
from valvecheck.services.context import Context, council_id
from valvecheck.services.impact_problems import Problems
from valvecheck.store import repository as repo
from valvecheck.store.queries import AssessmentRecord

Money = Decimal | str | int | None

WITHDRAW = "none"  # given for a figure: the figure recorded is withdrawn (kept in history)


def withdrawn(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower() == WITHDRAW


def read_money(
    problems: Problems, value: Money, what: str, field: str, negative: bool
) -> Decimal | None:
    """The amount given (none: not given or ``"none"``), or None with its problem noted."""
    if value is None or withdrawn(value):
        return None
    return problems.read(field, parse_money, value, what, negative)


def not_started_yet(ctx: Context, year: str, what: str) -> str:
    """Why a figure that can only be known once its year has begun cannot be, for a year that
    has not ("" when it has): a mistyped year would otherwise move every "to date" figure."""
    today = ctx.today()
    if not not_started(year, today):
        return ""
    return (
        f"{year} has not started yet (today, {day_text(today)}, is in {year_of(today)}): "
        f"{what} for it cannot be known; check the year"
    )


def assessment_or_none(ctx: Context, name: str | None) -> AssessmentRecord | None:
    """The council's assessment of that name (None: the current one, or None if it has none)."""
    try:
        return repo.assessment_row(ctx.session, council_id(ctx), name)
    except NotFound:
        if name is not None:
            raise
        return None
