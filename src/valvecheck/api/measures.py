"""/api/measures: the catalogue with an assessment's ratings; rating a measure; placing it in
the council's own programme."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from valvecheck.api import paging
from valvecheck.api.core import (
    ETAG,
    LOCATION,
    READ,
    VERSION_TAG,
    IfMatch,
    ProblemRoute,
    authenticated,
    errors,
    etag,
    operation_id,
    version_read,
    work,
)
from valvecheck.api.paging import Limit, Offset, paged
from valvecheck.api.schemas import (
    MAX_ID,
    EquivalenceIn,
    EquivalenceOut,
    LinkedActivity,
    MeasureDetail,
    MeasureList,
    MeasureOut,
    PlacementChangeOut,
    PlacementIn,
    PlacementOut,
    PlacementsOut,
    Problem,
    RatingIn,
    RatingOut,
)
from valvecheck.domain.people import Action
from valvecheck.domain.rag import Rag
from valvecheck.domain.views import Filters, MeasureView
from valvecheck.services import equivalence, measures, programme, ratings
from valvecheck.services.context import Actor, Context, authorise
from valvecheck.services.deadlines import deadlines_of
from valvecheck.store import repository as repo

router = APIRouter(
    route_class=ProblemRoute, tags=["measures"], generate_unique_id_function=operation_id
)
MeasureId = Annotated[str, Path(max_length=300, description="e.g. bury-1")]
AssessmentId = Annotated[
    int | None,
    Query(ge=1, le=MAX_ID, description="An assessment's id (default: the council's current one)"),
]


def assessment_name(ctx: Context, assessment: int | None) -> str | None:
    """The name the services take for an assessment id of the acting council (404 otherwise)."""
    if assessment is None:
        return None
    return repo.assessment_by_id(ctx.session, ctx.actor.council_id or 0, assessment).name


def measure_out(ctx: Context, v: MeasureView) -> MeasureOut:
    due = deadlines_of(v, ctx)
    return MeasureOut(
        id=v.id,
        agreement=v.agreement.slug,
        la=v.la,
        number=v.measure.number,
        text=v.measure.text,
        themes=list(v.measure.themes),
        sub_themes=list(v.measure.sub_themes),
        placements=[
            PlacementOut(theme=p.theme, sub_theme=p.sub_theme) for p in v.measure.placements
        ],
        rag=v.rag,
        version=v.version,
        needs_review=v.needs_review,
        due=due.due,
        overdue=due.overdue,
    )


@router.get(
    "/measures",
    response_model=MeasureList,
    responses={**READ, 200: {"headers": paging.HEADERS}},
    summary="List measures, filtered",
)
def list_measures(
    request: Request,
    response: Response,
    actor: Annotated[Actor, Depends(authenticated)],
    authority: Annotated[str | None, Query(max_length=200)] = None,
    agreement: Annotated[
        str | None, Query(max_length=200, description="An agreement's slug")
    ] = None,
    theme: Annotated[str | None, Query(max_length=300)] = None,
    sub_theme: Annotated[str | None, Query(max_length=300)] = None,
    rag: Annotated[
        str | None,
        Query(
            max_length=40,
            description="green, amber (or yellow), red, unrated, not_applicable: any spelling "
            "a rating takes (Green, g, not-applicable, n/a)",
        ),
    ] = None,
    text: Annotated[str | None, Query(max_length=500)] = None,
    due_before: Annotated[
        date | None, Query(description="Only measures due before this day")
    ] = None,
    overdue: Annotated[bool, Query(description="Only measures past due and not green")] = False,
    assessment: AssessmentId = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=paging.MAX_LIMIT, description="1 to 1000")] = 100,
) -> MeasureList:
    chosen_rag = None if rag is None else Rag.parse(rag)  # the words a rating takes
    filters = Filters(authority, theme, sub_theme, chosen_rag, text, agreement=agreement)
    filters.due_before, filters.overdue = due_before, overdue
    with work(request, actor) as ctx:
        name = assessment_name(ctx, assessment)
        views = measures.list_measures(ctx, filters, name)
        shown = [measure_out(ctx, v) for v in paged(request, response, views, offset, limit)]
        chosen = ratings.assessment_named(ctx, name)
    return MeasureList(assessment=chosen, total=len(views), offset=offset, limit=limit, items=shown)


@router.get(
    "/measures/{measure_id}",
    response_model=MeasureDetail,
    responses={**READ, 200: {"headers": ETAG}},
    summary="One measure",
)
def show_measure(
    request: Request,
    response: Response,
    measure_id: MeasureId,
    actor: Annotated[Actor, Depends(authenticated)],
    assessment: AssessmentId = None,
) -> MeasureDetail:
    with work(request, actor) as ctx:
        page = measures.measure_page(ctx, measure_id, assessment_name(ctx, assessment))
        base = measure_out(ctx, page.view)
    v = page.view
    response.headers["ETag"] = etag(v.version)
    return MeasureDetail(
        **base.model_dump(),
        assessment=page.assessment,
        agreement_title=v.agreement.title,
        year=v.agreement.year,
        authorities=v.authority_names,
        source_title=v.source_title,
        source_url=v.source_url,
        source_locator=v.measure.source_locator,
        rating=RatingOut.of(v.latest) if v.latest else None,
        deadlines=list(page.deadline_lines),
        activities=[LinkedActivity(id=a, title=t) for a, t in page.linked_activities],
        equivalents=[e.id for e in page.equivalents],
        placement_history=[
            PlacementChangeOut(
                change=c.change,
                theme=c.placement.theme,
                sub_theme=c.placement.sub_theme,
                by=c.by,
                at=c.at,
                file=c.file,
            )
            for c in page.placement_history
        ],
    )


@router.get(
    "/measures/{measure_id}/ratings",
    response_model=list[RatingOut],
    responses={**READ, 200: {"headers": {**ETAG, **paging.HEADERS}}},
    summary="A measure's rating history, oldest first (offset and limit page through it)",
)
def rating_history(
    request: Request,
    response: Response,
    measure_id: MeasureId,
    actor: Annotated[Actor, Depends(authenticated)],
    assessment: AssessmentId = None,
    offset: Offset = 0,
    limit: Limit = None,
) -> list[RatingOut]:
    with work(request, actor) as ctx:
        entries = ratings.history(ctx, measure_id, assessment_name(ctx, assessment))
    # the latest version, whichever page is read: what a rating's If-Match names
    response.headers["ETag"] = etag(entries[-1].version if entries else 0)
    return [RatingOut.of(r) for r in paged(request, response, entries, offset, limit)]


@router.post(
    "/measures/{measure_id}/ratings",
    response_model=RatingOut,
    status_code=201,
    responses={
        **errors(
            403,
            404,
            conflict="stale-version (read again: `version` is the one it is at "
            "now), locked (the assessment has been reported), or conflict (try again)",
        ),
        201: {"headers": {**VERSION_TAG, **LOCATION}},
    },
    summary="Rate a measure (needs the version you read: If-Match or the version field)",
)
def rate_measure(
    request: Request,
    response: Response,
    measure_id: MeasureId,
    body: RatingIn,
    actor: Annotated[Actor, Depends(authenticated)],
    assessment: AssessmentId = None,
    if_match: IfMatch = None,
) -> RatingOut:
    expected = version_read(if_match, body.version, "the rating", "0 if not rated")
    with work(request, actor, write=True) as ctx:
        authorise(ctx, Action.RATE)  # a role that may not: 403, whatever assessment it names
        done = ratings.rate(
            ctx,
            measure_id,
            body.rag,
            body.rationale,
            body.evidence,
            assessment_name(ctx, assessment),
            expected_version=expected,
        )
    response.headers["ETag"] = etag(done.rating.version)
    where = f"?assessment={assessment}" if assessment is not None else ""
    response.headers["Location"] = f"/api/measures/{done.rating.measure_id}/ratings{where}"
    return RatingOut.of(done.rating)


@router.post(
    "/measures/{measure_id}/equivalence",
    response_model=EquivalenceOut | None,
    responses={
        **errors(404, conflict="conflict (written at the same moment: try again)"),
        403: {
            "model": Problem,
            "description": "The role does not allow it, the token or person is an admin of a "
            "council other than the one this server was set up for (its admins keep the shared "
            "catalogue), or a session call without its CSRF token (forbidden)",
        },
    },
    summary="Say another agreement's measure is (or is not) the same commitment (administrators "
    "of the council this server was set up for)",
)
def decide_equivalence(
    request: Request,
    measure_id: MeasureId,
    body: EquivalenceIn,
    actor: Annotated[Actor, Depends(authenticated)],
) -> EquivalenceOut | None:
    """The decision now in force (null once withdrawn with decision none); common measures,
    prevalence and each measure's ``equivalents`` follow it. The catalogue is every council's,
    so only the admins of the council this server was set up for (its first) decide: another
    council's admin is answered 403, naming both councils."""
    with work(request, actor, write=True) as ctx:
        found = equivalence.decide(ctx, measure_id, body.other, body.decision, body.rationale)
    return None if found is None else EquivalenceOut.of(found)


def placements_out(done: programme.Placed) -> PlacementsOut:
    return PlacementsOut(
        measure=done.measure_id,
        placement=PlacementOut(theme=done.placement.theme, sub_theme=done.placement.sub_theme),
        changed=done.changed,
        placements=[PlacementOut(theme=p.theme, sub_theme=p.sub_theme) for p in done.placements],
        renamed_to=None
        if done.renamed is None
        else PlacementOut(theme=done.renamed.after.theme, sub_theme=done.renamed.after.sub_theme),
    )


@router.post(
    "/measures/{measure_id}/placements",
    response_model=PlacementsOut,
    status_code=201,
    responses={
        **errors(403, 404, conflict="conflict (written at the same moment: try again)"),
        200: {"model": PlacementsOut, "description": "It was placed there already: no change"},
        201: {"headers": LOCATION},
    },
    summary="Place the measure in a theme (and sub-theme) of the council's own programme",
)
def place_measure(
    request: Request,
    response: Response,
    measure_id: MeasureId,
    body: PlacementIn,
    actor: Annotated[Actor, Depends(authenticated)],
) -> PlacementsOut:
    """201 with the measure's placements now; 200 (``changed`` false) when it was placed there
    already. A theme or sub-theme named in another case or punctuation is the council's one;
    a name the programme has not got starts a new one."""
    with work(request, actor, write=True) as ctx:
        done = programme.place(ctx, measure_id, body.theme, body.sub_theme)
    if not done.changed:
        response.status_code = 200
    response.headers["Location"] = f"/api/measures/{done.measure_id}"
    return placements_out(done)


@router.delete(
    "/measures/{measure_id}/placements",
    response_model=PlacementsOut,
    responses=errors(403, 404, conflict="conflict (written at the same moment: try again)"),
    summary="Take the measure's placement in a theme (and sub-theme) out of the council's "
    "programme",
)
def unplace_measure(
    request: Request,
    measure_id: MeasureId,
    actor: Annotated[Actor, Depends(authenticated)],
    theme: Annotated[
        str, Query(max_length=2000, description="The placement's theme (in any case)")
    ],
    sub_theme: Annotated[
        str | None,
        Query(max_length=2000, description="Its sub-theme; none: the placement in the theme alone"),
    ] = None,
) -> PlacementsOut:
    """The measure's placements after; 404 (not-found, ``field`` theme or sub_theme) when it
    is not placed there. A sub-theme, then a theme, left with nothing placed in it goes too."""
    with work(request, actor, write=True) as ctx:
        done = programme.unplace(ctx, measure_id, theme, sub_theme)
    return placements_out(done)
