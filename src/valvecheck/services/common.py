"""Common measures across the catalogue's agreements, and each measure's prevalence."""

from __future__ import annotations

from valvecheck.analysis.common import CommonGroup, group_measures
from valvecheck.domain.people import Action
from valvecheck.services.context import Context, authorise
from valvecheck.store import repository as repo


def common_measures(ctx: Context, min_prevalence: int = 1) -> list[CommonGroup]:
    """Groups of measures that say the same thing, most widely shared first.

    `min_prevalence` 2 leaves out the measures that only one agreement has.
    """
    authorise(ctx, Action.READ)
    catalogue = repo.load_catalogue(ctx.session)
    return [g for g in group_measures(catalogue) if g.prevalence >= min_prevalence]
