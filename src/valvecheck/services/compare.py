"""Assessments by id (the web app's addresses) and comparing two: which measures moved, and how."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from valvecheck.analysis.summary import coverage, rag_counts
from valvecheck.domain.people import Action
from valvecheck.domain.rag import SCALE, Rag
from valvecheck.errors import InputError, NotFound
from valvecheck.services.context import Context, authorise, council_id
from valvecheck.services.measures import load_state
from valvecheck.services.ratings import AssessmentInfo, list_assessments
from valvecheck.store import repository as repo

# Better is towards green; moving into or out of "not rated" or "not applicable" is a change
# of another kind, not a step up or down.
_STEP = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}


@dataclass(frozen=True)
class AssessmentDetail:
    info: AssessmentInfo
    description: str
    locked_at: datetime | None
    locked_by: str
    rag: dict[Rag, int]
    coverage: float


@dataclass(frozen=True)
class Moved:
    """A measure whose rating differs between the two assessments."""

    measure_id: str
    la: str
    text: str
    before: Rag
    after: Rag

    @property
    def direction(self) -> str:
        """'better' (towards green), 'worse', or 'changed' (to or from not rated / not applicable)."""
        if self.before in _STEP and self.after in _STEP:
            return "better" if _STEP[self.after] > _STEP[self.before] else "worse"
        return "changed"


@dataclass(frozen=True)
class Alone:
    """A measure one assessment counts and the other does not: a locked assessment is read with
    the catalogue it was locked with, so a measure imported since is only in a later one."""

    measure_id: str
    la: str
    text: str
    rag: Rag


@dataclass(frozen=True)
class Comparison:
    first: AssessmentInfo
    second: AssessmentInfo
    moved: tuple[Moved, ...]  # in catalogue order
    unchanged: int
    first_rag: dict[Rag, int]
    second_rag: dict[Rag, int]
    only_first: tuple[Alone, ...] = ()  # in the first's catalogue, not the second's
    only_second: tuple[Alone, ...] = ()  # in the second's catalogue, not the first's

    def count(self, direction: str) -> int:
        return sum(1 for m in self.moved if m.direction == direction)


def assessment_info(ctx: Context, assessment_id: int) -> AssessmentInfo:
    """One of the acting council's assessments by id; another council's is not found, exactly
    as one that does not exist."""
    authorise(ctx, Action.READ)
    for info in list_assessments(ctx):
        if info.id == assessment_id:
            return info
    raise NotFound(f"there is no assessment {assessment_id}", field="assessment")


def assessment_detail(ctx: Context, assessment_id: int) -> AssessmentDetail:
    info = assessment_info(ctx, assessment_id)
    row = repo.assessment_by_id(ctx.session, council_id(ctx), assessment_id)
    state = load_state(ctx, info.name)
    counts = rag_counts(list(state.ratings.values()))
    return AssessmentDetail(
        info,
        row.description,
        row.locked_at,
        row.locked_by,
        {r: counts[r.value] for r in SCALE},
        coverage(counts),
    )


def compare(ctx: Context, first_id: int, second_id: int) -> Comparison:
    """How the ratings moved from the ``first`` assessment to the ``second``."""
    authorise(ctx, Action.READ)
    if first_id == second_id:
        raise InputError("choose two different assessments to compare", field="second")
    first = assessment_info(ctx, first_id)
    second = assessment_info(ctx, second_id)
    before = load_state(ctx, first.name)
    later = load_state(ctx, second.name)
    after = {v.id: v for v in later.views}
    both = [v for v in before.views if v.id in after]
    moved = tuple(
        Moved(v.id, v.la, v.measure.text, v.rag, after[v.id].rag)
        for v in both
        if v.rag is not after[v.id].rag
    )
    ids = {v.id for v in before.views}
    first_counts = rag_counts(list(before.ratings.values()))
    second_counts = rag_counts(list(later.ratings.values()))
    return Comparison(
        first,
        second,
        moved,
        len(both) - len(moved),
        {r: first_counts[r.value] for r in SCALE},
        {r: second_counts[r.value] for r in SCALE},
        tuple(Alone(v.id, v.la, v.measure.text, v.rag) for v in before.views if v.id not in after),
        tuple(Alone(v.id, v.la, v.measure.text, v.rag) for v in later.views if v.id not in ids),
    )
