"""Common measures across the workspace's agreements, and each measure's prevalence."""

from __future__ import annotations

from valvecheck.analysis.common import CommonGroup, group_measures
from valvecheck.store import repository as repo
from valvecheck.store.db import Workspace


def common_measures(ws: Workspace, min_prevalence: int = 1) -> list[CommonGroup]:
    """Groups of measures that say the same thing, most widely shared first.

    `min_prevalence` 2 leaves out the measures that only one agreement has.
    """
    ws.require()
    with ws.session() as session:
        catalogue = repo.load_catalogue(session)
    return [g for g in group_measures(catalogue) if g.prevalence >= min_prevalence]
