"""Alignment figures for an assessment: computed here, merged into the summary."""

from __future__ import annotations

from datetime import date

from valvecheck.analysis.alignment import Alignment, align
from valvecheck.domain.views import AssessmentState
from valvecheck.services.context import Context
from valvecheck.store import activities as store
from valvecheck.store import repository as repo


def alignment(ctx: Context, state: AssessmentState, today: date | None = None) -> Alignment:
    cid = ctx.actor.council_id
    activities = store.activities(ctx.session, cid) if cid is not None else []
    links = [(a, m) for a, m, _ in repo.current_links(ctx.session, cid)] if cid is not None else []
    return align(
        [m.id for m in state.catalogue.measures],
        state.ratings,
        activities,
        links,
        today or ctx.now().date(),
    )
