"""What the savings (services/impact.py), the trajectory (services/trajectory.py) and the
weights (services/weights.py) share: reading the figures of an entry, withdrawing one, the
assessment they are for, the council's activities and the measures each is linked to, and a
file's rows naming an activity the workspace does not have.

These are steps of those use-cases, not use-cases themselves: they stay out of the service
layer's public API (services/__init__.py; tests/test_service_api.py lists them as steps).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from valvecheck.domain.activity import id_key
from valvecheck.domain.impact import day_text
from valvecheck.domain.money import not_started, parse_money, year_of
from valvecheck.domain.problems import Problem
from valvecheck.errors import NotFound
from valvecheck.importers.figure_table import Where
from valvecheck.services.context import Context, council_id
from valvecheck.services.impact_problems import Problems
from valvecheck.store import repository as repo
from valvecheck.store.models import ActivityRow
from valvecheck.store.queries import AssessmentRecord
from valvecheck.store.tenancy import owned

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


def council_activities(ctx: Context) -> dict[str, ActivityRow]:
    """The council's activities by id, compared ignoring case (domain.activity.id_key)."""
    return {id_key(r.code): r for r in ctx.session.scalars(owned(ActivityRow, council_id(ctx)))}


def links_in_force(ctx: Context, until: datetime | None = None) -> dict[str, list[str]]:
    """Each activity's measures in force (before ``until``), in the order they were linked."""
    out: dict[str, list[str]] = {}
    for activity, measure, _ in repo.current_links(ctx.session, council_id(ctx), until):
        out.setdefault(activity, []).append(measure)
    return out


def with_unknown(
    problems: list[Problem],
    named: list[tuple[str, Where]],
    known: dict[str, ActivityRow],
    advice: str = "",
) -> list[Problem]:
    """The file's problems and its rows naming an activity the workspace does not have, all
    together in the file's order (a file with a header problem has no rows to look at)."""
    unknown = [
        Problem(
            "unknown-activity",
            f"there is no activity '{activity}' in this workspace{advice}",
            w.file,
            w.line,
            w.columns.get("activity"),
        )
        for activity, w in named
        if id_key(activity) not in known
    ]
    return sorted([*problems, *unknown], key=lambda p: p.line or 0)
