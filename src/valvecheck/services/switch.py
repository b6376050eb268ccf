"""Making another assessment the current one, without losing the ratings given meanwhile.

An assessment started from the current one copies its ratings as they stood that day. Ratings
given in the current one after that stay behind when the new one is made current: the switch
names them first, and carries them over only when asked (as new ratings, saying whose they were).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from valvecheck.domain.moments import aware, in_england
from valvecheck.domain.people import Action
from valvecheck.domain.rag import Rag
from valvecheck.domain.rating import PERSON, Rating, current, own_words
from valvecheck.services.context import Context, authorise, council_id
from valvecheck.services.ratings import AssessmentInfo, refuse_locked, use_assessment
from valvecheck.store import repository as repo
from valvecheck.store.queries import AssessmentRecord


@dataclass(frozen=True)
class Later:
    """A rating given in the current assessment after the target was started."""

    rating: Rating  # as it stands in the current assessment
    now: Rag  # the measure's rating in the target

    @property
    def measure_id(self) -> str:
        return self.rating.measure_id


@dataclass(frozen=True)
class Switch:
    """What making ``target`` current would do: ``later`` would stay behind in ``source`` (the
    current assessment, unless another was named)."""

    target: str
    source: str | None  # None: the council has no current assessment
    started: datetime  # when the target was started
    later: tuple[Later, ...]  # in measure id order


@dataclass(frozen=True)
class Switched:
    info: AssessmentInfo
    preview: Switch  # what was asked about before the switch
    carried: int  # ratings carried over into it
    left: int  # ratings given meanwhile that stayed behind


def switch_preview(ctx: Context, name: str, source: str | None = None) -> Switch:
    """What making ``name`` current would leave behind: the ratings given in the current
    assessment (or ``source``) since ``name`` was started that ``name`` does not have (newest
    rating of each measure; one rated in ``name`` itself since is not counted). A locked
    assessment is refused: nobody could rate in it."""
    authorise(ctx, Action.MANAGE_ASSESSMENTS)
    cid = council_id(ctx)
    target = repo.assessment_row(ctx.session, cid, name)
    refuse_locked(target)
    if source is not None:
        chosen: AssessmentRecord | None = repo.assessment_row(ctx.session, cid, source)
    else:
        chosen = repo.current_assessment(ctx.session, cid)
    if chosen is None or chosen.id == target.id:
        return Switch(target.name, chosen.name if chosen else None, target.created_at, ())
    started = aware(target.created_at)
    theirs = repo.rating_history(ctx.session, target)
    later = []
    for measure_id, entries in sorted(repo.rating_history(ctx.session, chosen).items()):
        last = entries[-1]
        if last.at is None or aware(last.at) <= started:
            continue
        there = theirs.get(measure_id, [])
        if there and there[-1].at is not None and aware(there[-1].at) >= aware(last.at):
            continue  # rated in the target since: that rating is the newer one
        if there and _same(there[-1], last):
            continue
        later.append(Later(last, current(there)))
    return Switch(target.name, chosen.name, target.created_at, tuple(later))


def make_current(
    ctx: Context, name: str, carry_later: bool = False, source: str | None = None
) -> Switched:
    """Make ``name`` the current assessment. With ``carry_later``, the ratings given in the
    current one (or ``source``) since ``name`` was started (``switch_preview``) are first
    recorded in ``name`` as new ratings by the acting person, each saying where it came from
    and whose it was. Already current, it stays so, and the carrying is still done."""
    preview = switch_preview(ctx, name, source)
    carried = 0
    if carry_later and preview.later and preview.source is not None:
        target = repo.assessment_row(ctx.session, council_id(ctx), name)
        if repo.held_lock(ctx.session, target.id) is not None:  # read again, under a lock
            refuse_locked(target, locked=True)
        for item in preview.later:
            _carry(ctx, target, item.rating, preview.source)
            carried += 1
        ctx.session.flush()
    info = use_assessment(ctx, name)
    return Switched(info, preview, carried, len(preview.later) - carried)


def carried_over_note(rating: Rating, source: str) -> str:
    """The rationale of a rating carried over from ``source``: the person's words, then where
    it came from and who gave it when."""
    when = f" on {in_england(rating.at):%d %B %Y %H:%M}" if rating.at else ""
    note = f"carried over from '{source}': rated by {rating.by}{when}"
    own = own_words(rating.rationale)
    return f"{own} ({note})" if own else note


def _carry(ctx: Context, target: AssessmentRecord, rating: Rating, source: str) -> None:
    measure = repo.measure_row(ctx.session, rating.measure_id)
    repo.lock_pair(ctx.session, target.id, measure.id)
    history = repo.measure_history(ctx.session, target, measure)
    repo.add_rating(
        ctx.session,
        target,
        measure,
        Rating(
            measure_id=measure.code,
            rag=rating.rag,
            rationale=carried_over_note(rating, source),
            evidence=rating.evidence,
            by=ctx.actor.name,
            at=ctx.now(),
            previous=current(history),
            version=(history[-1].version if history else 0) + 1,
            source=PERSON,
            measure_version=rating.measure_version,
        ),
    )


def _same(a: Rating, b: Rating) -> bool:
    return (a.rag, own_words(a.rationale), a.evidence.strip()) == (
        b.rag,
        own_words(b.rationale),
        b.evidence.strip(),
    )
