"""Alignment figures for an assessment: computed here, merged into the summary."""

from __future__ import annotations

from datetime import date

from valvecheck.analysis.alignment import Alignment, align
from valvecheck.domain.views import AssessmentState
from valvecheck.services.context import Context
from valvecheck.store import queries


def alignment(ctx: Context, state: AssessmentState, today: date | None = None) -> Alignment:
    cid = ctx.actor.council_id
    activities = queries.activities(ctx.db, cid) if cid is not None else []
    links = [(a, m) for a, m, _ in queries.current_links(ctx.db, cid)] if cid is not None else []
    return align(
        [m.id for m in state.catalogue.measures],
        state.ratings,
        activities,
        links,
        today or ctx.today(),
    )
