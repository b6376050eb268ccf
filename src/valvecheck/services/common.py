"""Common measures across the catalogue's agreements, each measure's prevalence, and how well
the grouping finds labelled pairs of equivalent measures."""

from __future__ import annotations

from valvecheck.analysis.common import CommonGroup, PairEvaluation, evaluate_pairs, groups_of
from valvecheck.domain.people import Action
from valvecheck.errors import ImportRejected
from valvecheck.importers.labelled_csv import read_pairs_csv
from valvecheck.services.context import Context, authorise
from valvecheck.store import repository as repo


def common_measures(ctx: Context, min_prevalence: int = 1) -> list[CommonGroup]:
    """Groups of measures that say the same thing, most widely shared first.

    `min_prevalence` 2 leaves out the measures that only one agreement has.
    """
    authorise(ctx, Action.READ)
    from valvecheck.services.prevalence import groups_in_index

    catalogue = repo.load_catalogue(ctx.session, None)  # texts only: no programme
    found = groups_of(catalogue, groups_in_index(ctx.session, catalogue))
    return [g for g in found if g.prevalence >= min_prevalence]


def embedded() -> bool:
    """Is the grouping also reading measures with the sentence embedding (VALVECHECK_EMBEDDINGS)?"""
    from valvecheck.analysis import embedding

    return embedding.wanted()


def evaluate_pairs_file(data: bytes, file: str, cut: float | None = None) -> PairEvaluation:
    """Recall and precision of the grouping on a file of measure-text pairs (text_a, text_b and
    an optional same column). Needs no workspace: each text is treated as its own agreement.

    Without a same column every pair is two wordings of one measure. Precision needs pairs
    labelled different (same = 0); the lower bound needs none: it counts as wrong any two texts
    grouped together that no pair joins. ``cut``: group at this score instead of the reading's
    own cut (higher groups fewer; for trying the trade-off on a council's own pairs).
    """
    parsed = read_pairs_csv(data, file)
    if parsed.problems:
        raise ImportRejected(parsed.problems, outcome="the file was not evaluated")
    return evaluate_pairs(parsed.rows, cut)
