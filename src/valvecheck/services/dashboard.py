"""The dashboard of an assessment: where the council stands, the biggest opportunities, and
what changed lately. One call, one snapshot, for the web app's front page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from valvecheck.analysis.summary import summarise
from valvecheck.domain.people import Action
from valvecheck.domain.rag import SCALE, Rag
from valvecheck.services.alignment import alignment
from valvecheck.services.context import Context, authorise
from valvecheck.services.links import event, is_not_relevant
from valvecheck.services.measures import load_state
from valvecheck.services.prevalence import prevalence_of
from valvecheck.store import repository as repo
from valvecheck.store.models import ActivityRow, LinkEventRow, MeasureRow, RatingRow
from valvecheck.store.tenancy import only


@dataclass(frozen=True)
class ThemeCounts:
    """One theme's measures counted by RAG (a measure placed twice counts once per theme)."""

    theme: str
    measures: int
    rag: dict[Rag, int]


@dataclass(frozen=True)
class Opportunity:
    """A red measure, with how many agreements share it (prevalence)."""

    measure_id: str
    la: str
    text: str
    prevalence: int


@dataclass(frozen=True)
class Change:
    """A recent change: a rating (``before`` -> ``after``), a link made or ended, or a suggested
    measure marked not relevant (``not_relevant``: an unlink of a pair never linked)."""

    kind: str  # "rating" or "link"
    measure_id: str
    by: str
    at: datetime
    before: Rag | None = None
    after: Rag | None = None
    activity_id: str = ""
    linked: bool = False
    note: str = ""
    not_relevant: bool = False


@dataclass(frozen=True)
class Dashboard:
    assessment: str
    council: str
    measures: int
    rag: dict[Rag, int]
    coverage: float  # green and amber over the measures that apply
    reds: int
    unrated: int
    activities: int
    activities_aligned: int  # activities linked to at least one measure
    measures_with_activity: int
    themes: tuple[ThemeCounts, ...]
    opportunities: tuple[Opportunity, ...]  # red measures, most widely shared first
    recent: tuple[Change, ...]  # newest first
    needs_review: int
    # what to check, once the council has activities (as ``summary`` lists them): measures rated
    # green or amber with no activity linked, measures rated red (or not rated) with one linked,
    # and linked activities stalled or past their end date
    covered_without_activity: tuple[str, ...] = ()
    uncovered_with_activity: tuple[str, ...] = ()
    linked_activities_at_risk: tuple[str, ...] = ()


def dashboard(
    ctx: Context, assessment: str | None = None, top: int = 10, recent: int = 10
) -> Dashboard:
    """The acting council's position in an assessment (default: its current one)."""
    authorise(ctx, Action.READ)
    from valvecheck.services import snapshot

    key = (
        snapshot.fingerprint(ctx, assessment),
        snapshot.council_work(ctx),
        ctx.today(),
        top,
        recent,
    )
    return snapshot.kept(
        ctx, f"dashboard:{assessment}", key, lambda: _dashboard(ctx, assessment, top, recent)
    )


def _dashboard(ctx: Context, assessment: str | None, top: int, recent: int) -> Dashboard:
    state = load_state(ctx, assessment)
    found = summarise(state.catalogue, state.ratings, prevalence_of(ctx.session, state.catalogue))
    aligned = alignment(ctx, state)
    views = {v.id: v for v in state.views}
    opportunities = tuple(
        Opportunity(mid, views[mid].la, views[mid].measure.text, found.prevalence.get(mid, 1))
        for mid in found.opportunities[:top]
    )
    themes = tuple(
        ThemeCounts(g.name, len(g.measure_ids), {r: g.rag[r.value] for r in SCALE})
        for g in found.themes
        if g.measure_ids
    )
    return Dashboard(
        assessment=state.assessment,
        council=state.council or ctx.actor.council,
        measures=found.measures,
        rag={r: found.rag[r.value] for r in SCALE},
        coverage=found.coverage,
        reds=found.rag[Rag.RED.value],
        unrated=found.rag[Rag.UNRATED.value],
        activities=aligned.activities,
        activities_aligned=aligned.activities_aligned,
        measures_with_activity=aligned.measures_with_activity,
        themes=themes,
        opportunities=opportunities,
        recent=tuple(recent_changes(ctx, state.assessment, recent)) if state.assessment else (),
        needs_review=sum(1 for v in state.views if v.needs_review),
        covered_without_activity=tuple(aligned.covered_without_activity),
        uncovered_with_activity=tuple(aligned.uncovered_with_activity),
        linked_activities_at_risk=tuple(aligned.linked_activities_at_risk),
    )


def recent_changes(ctx: Context, assessment: str, limit: int = 10) -> list[Change]:
    """The latest rating changes in an assessment and link changes of the council, newest first."""
    authorise(ctx, Action.READ)
    if ctx.actor.council_id is None:
        return []
    cid = ctx.actor.council_id
    row = repo.assessment_row(ctx.session, cid, assessment)
    ratings = ctx.session.execute(
        only(
            select(MeasureRow.code, RatingRow)
            .join(MeasureRow, MeasureRow.id == RatingRow.measure_id)
            .where(RatingRow.assessment_id == row.id)
            .order_by(RatingRow.id.desc())
            .limit(limit),
            RatingRow,
            cid,
        )
    ).all()
    links = ctx.session.execute(
        only(
            select(MeasureRow.code, ActivityRow.code, LinkEventRow)
            .join(MeasureRow, MeasureRow.id == LinkEventRow.measure_id)
            .join(ActivityRow, ActivityRow.id == LinkEventRow.activity_id)
            .order_by(LinkEventRow.id.desc())
            .limit(limit),
            LinkEventRow,
            cid,
        )
    ).all()
    changes = [
        Change("rating", code, r.by, r.at, Rag(r.previous), Rag(r.rag), note=r.rationale)
        for code, r in ratings
    ] + [
        Change(
            "link",
            m,
            e.by,
            e.at,
            activity_id=a,
            linked=e.linked,
            note=e.rationale,
            not_relevant=is_not_relevant(event(a, m, e)),
        )
        for m, a, e in links
    ]
    changes.sort(key=lambda c: c.at.replace(tzinfo=None), reverse=True)
    return changes[:limit]
