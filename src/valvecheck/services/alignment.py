"""Alignment figures for an assessment: computed here, merged into the summary."""

from __future__ import annotations

from datetime import date

from valvecheck.analysis.alignment import Alignment, align
from valvecheck.services.measures import AssessmentState
from valvecheck.store import activities as store
from valvecheck.store import repository as repo
from valvecheck.store.db import Workspace


def alignment(ws: Workspace, state: AssessmentState, today: date | None = None) -> Alignment:
    with ws.session() as session:
        activities = store.activities(session)
        links = [(a, m) for a, m, _ in repo.current_links(session)]
    return align(
        [m.id for m in state.catalogue.measures],
        state.ratings,
        activities,
        links,
        today or date.today(),
    )
