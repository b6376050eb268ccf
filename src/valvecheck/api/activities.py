"""/api/activities, /api/links and /api/suggestions: the council's own work and its links."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from valvecheck.api.core import ProblemRoute, authenticated, work
from valvecheck.api.schemas import (
    AcceptIn,
    ActivityDetail,
    ActivityOut,
    ConceptOut,
    LeftOut,
    LinkEventOut,
    LinkIn,
    SuggestionGroup,
    SuggestionOut,
    SuggestionsOut,
    aware,
)
from valvecheck.services import activities, suggestions
from valvecheck.services.activities import ActivityView, LinkEvent
from valvecheck.services.context import Actor

router = APIRouter(route_class=ProblemRoute, tags=["activities"])


def event_out(e: LinkEvent) -> LinkEventOut:
    return LinkEventOut(
        activity=e.activity_id,
        measure=e.measure_id,
        linked=e.linked,
        rationale=e.rationale,
        by=e.by,
        at=aware(e.at),
        version=e.version,
    )


def activity_out(v: ActivityView) -> ActivityOut:
    a = v.activity
    return ActivityOut(
        id=a.id,
        title=a.title,
        description=a.description,
        theme=a.theme,
        sub_theme=a.sub_theme,
        owner=a.owner,
        status=a.status.value if a.status else None,
        start=a.start,
        end=a.end,
        link=a.link,
        measures=[e.measure_id for e in v.links],
    )


@router.get("/activities", response_model=list[ActivityOut], summary="The council's activities")
def list_activities(
    request: Request, actor: Annotated[Actor, Depends(authenticated)]
) -> list[ActivityOut]:
    with work(request, actor) as ctx:
        items = activities.list_activities(ctx)
    return [activity_out(v) for v in items]


@router.get(
    "/activities/{activity_id}",
    response_model=ActivityDetail,
    summary="One activity, with its links and their history",
)
def show_activity(
    request: Request,
    activity_id: Annotated[str, Path(max_length=200)],
    actor: Annotated[Actor, Depends(authenticated)],
) -> ActivityDetail:
    with work(request, actor) as ctx:
        v = activities.show_activity(ctx, activity_id)
    return ActivityDetail(**activity_out(v).model_dump(), history=[event_out(e) for e in v.history])


@router.get(
    "/links", response_model=list[LinkEventOut], summary="Every link and unlink, oldest first"
)
def list_links(
    request: Request,
    actor: Annotated[Actor, Depends(authenticated)],
    current: Annotated[bool, Query(description="Only the links in force")] = False,
) -> list[LinkEventOut]:
    with work(request, actor) as ctx:
        events = activities.link_events(ctx)
    if current:
        events = activities.current_links(events)
    return [event_out(e) for e in events]


@router.post(
    "/links",
    response_model=LinkEventOut,
    status_code=201,
    summary="Link an activity to a measure, or end a link (linked: false)",
)
def change_link(
    request: Request, body: LinkIn, actor: Annotated[Actor, Depends(authenticated)]
) -> LinkEventOut:
    change = activities.link if body.linked else activities.unlink
    with work(request, actor, write=True) as ctx:
        event = change(ctx, body.activity, body.measure, body.rationale, body.version)
    return event_out(event)


@router.get(
    "/suggestions",
    response_model=SuggestionsOut,
    tags=["suggestions"],
    summary="Measures for each activity (or one), or activities for one measure",
)
def suggest(
    request: Request,
    actor: Annotated[Actor, Depends(authenticated)],
    activity: Annotated[str | None, Query(max_length=200)] = None,
    measure: Annotated[str | None, Query(max_length=300)] = None,
    top: Annotated[int, Query(ge=1, le=50)] = 5,
) -> SuggestionsOut:
    with work(request, actor) as ctx:
        found = suggestions.suggest(ctx, activity=activity, measure=measure, top=top)
    return SuggestionsOut(
        by=found.by,
        method=found.method,
        threshold=found.threshold,
        groups=[
            SuggestionGroup(
                id=gid,
                suggestions=[
                    SuggestionOut(
                        activity=s.activity_id,
                        measure=s.measure_id,
                        score=round(s.score, 4),
                        rank=s.rank,
                        explanation=s.explanation,
                        concepts=[
                            ConceptOut(
                                concept=m.concept,
                                label=m.label,
                                activity=list(m.activity_phrases),
                                measure=list(m.measure_phrases),
                            )
                            for m in s.matches
                        ],
                    )
                    for s in items
                ],
                left_out=[
                    LeftOut(id=i, action="link" if linked else "unlink")
                    for i, linked in found.left_out.get(gid, {}).items()
                ],
            )
            for gid, items in found.groups.items()
        ],
    )


@router.post(
    "/suggestions/accept",
    response_model=list[LinkEventOut],
    tags=["suggestions"],
    summary="Accept suggested links, all or none",
)
def accept(
    request: Request, body: AcceptIn, actor: Annotated[Actor, Depends(authenticated)]
) -> list[LinkEventOut]:
    with work(request, actor, write=True) as ctx:
        done = suggestions.accept(ctx, [(p.activity, p.measure) for p in body.pairs])
    return [event_out(e) for e in done]
