"""/api/activities, /api/links and /api/suggestions: the council's own work and its links."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, Response, UploadFile

from valvecheck.api import paging
from valvecheck.api.core import (
    LOCATION,
    READ,
    IfMatch,
    ProblemRoute,
    authenticated,
    errors,
    operation_id,
    uploaded,
    version_read,
    work,
)
from valvecheck.api.paging import Limit, Offset, paged
from valvecheck.api.schemas import (
    AcceptIn,
    ActivitiesImportedOut,
    ActivityChangeOut,
    ActivityDetail,
    ActivityIn,
    ActivityOut,
    ConceptOut,
    LeftOut,
    LinkedActivity,
    LinkEventOut,
    LinkIn,
    SuggestionGroup,
    SuggestionOut,
    SuggestionsOut,
    aware,
)
from valvecheck.domain import moments
from valvecheck.services import activities, links, suggestions
from valvecheck.services.activities import ActivitiesImported, ActivityView
from valvecheck.services.context import Actor
from valvecheck.services.links import LinkEvent
from valvecheck.store import repository as repo

router = APIRouter(
    route_class=ProblemRoute, tags=["activities"], generate_unique_id_function=operation_id
)


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


@router.get(
    "/activities",
    response_model=list[ActivityOut],
    responses={**errors(), 200: {"headers": paging.HEADERS}},
    summary="The council's activities (offset and limit page through them)",
)
def list_activities(
    request: Request,
    response: Response,
    actor: Annotated[Actor, Depends(authenticated)],
    offset: Offset = 0,
    limit: Limit = None,
) -> list[ActivityOut]:
    with work(request, actor) as ctx:
        items = activities.list_activities(ctx)
    return [activity_out(v) for v in paged(request, response, items, offset, limit)]


@router.post(
    "/activities",
    response_model=ActivityDetail,
    status_code=201,
    responses={
        **errors(
            403,
            conflict="already-exists (the council has an activity with this id, in any case), "
            "or conflict (written at the same moment: try again)",
        ),
        201: {"headers": LOCATION},
    },
    summary="Add one activity (code and title; description, theme, owner, status, start, "
    "end); every problem at once, each naming its field",
)
def add_activity(
    request: Request,
    response: Response,
    body: ActivityIn,
    actor: Annotated[Actor, Depends(authenticated)],
) -> ActivityDetail:
    values = {
        "code": body.code,
        "title": body.title,
        "description": body.description,
        "theme": body.theme,
        "owner": body.owner,
        "status": body.status or "",
        "start": body.start or "",
        "end": body.end or "",
    }
    with work(request, actor, write=True) as ctx:
        v = activities.add_activity(ctx, values)
    response.headers["Location"] = f"/api/activities/{quote(v.activity.id, safe='')}"
    return ActivityDetail(**activity_out(v).model_dump(), history=[event_out(e) for e in v.history])


@router.get(
    "/activities/{activity_id:path}",
    response_model=ActivityDetail,
    responses=READ,
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
    "/links",
    response_model=list[LinkEventOut],
    responses={**READ, 200: {"headers": paging.HEADERS}},
    summary="Every link and unlink, oldest first (or those of one activity, one measure, since; "
    "offset and limit page through them)",
)
def list_links(
    request: Request,
    response: Response,
    actor: Annotated[Actor, Depends(authenticated)],
    current: Annotated[bool, Query(description="Only the links in force")] = False,
    activity: Annotated[str | None, Query(max_length=200, description="One activity's")] = None,
    measure: Annotated[str | None, Query(max_length=300, description="One measure's")] = None,
    since: Annotated[
        datetime | None,
        Query(description="Only events at or after this time (a date: its start, UTC)"),
    ] = None,
    offset: Offset = 0,
    limit: Limit = None,
) -> list[LinkEventOut]:
    with work(request, actor) as ctx:
        events = links.link_events(ctx)
        # an unknown activity or measure is 404, not an empty list a typo would also give
        chosen = activities.show_activity(ctx, activity).activity.id if activity else None
        code = repo.measure_row(ctx.session, measure).code if measure else None
    if current:
        events = links.current_links(events)
    start = moments.aware(since) if since is not None else None
    shown = [
        e
        for e in events
        if (chosen is None or e.activity_id == chosen)
        and (code is None or e.measure_id == code)
        and (start is None or (e.at is not None and moments.aware(e.at) >= start))
    ]
    return [event_out(e) for e in paged(request, response, shown, offset, limit)]


@router.post(
    "/links",
    response_model=LinkEventOut,
    status_code=201,
    responses={
        **errors(
            403,
            404,
            conflict="stale-version (the pair changed since you read it: read again; "
            "`version` is the one it is at now), already-linked, not-linked, or conflict "
            "(try again)",
        ),
        201: {"headers": LOCATION},
    },
    summary="Link an activity to a measure, or end a link (linked: false); needs the version "
    "you read (If-Match or the version field)",
)
def change_link(
    request: Request,
    response: Response,
    body: LinkIn,
    actor: Annotated[Actor, Depends(authenticated)],
    if_match: IfMatch = None,
) -> LinkEventOut:
    expected = version_read(if_match, body.version, "the link", "0 if never linked")
    change = links.link if body.linked else links.unlink
    with work(request, actor, write=True) as ctx:
        event = change(ctx, body.activity, body.measure, body.rationale, expected)
    pair = urlencode({"activity": event.activity_id, "measure": event.measure_id})
    response.headers["Location"] = f"/api/links?{pair}"
    return event_out(event)


@router.get(
    "/suggestions",
    response_model=SuggestionsOut,
    responses=READ,
    tags=["suggestions"],
    summary="Measures for each activity (or one), or activities for one measure",
)
def suggest_links(
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
    status_code=201,
    responses=errors(403, 404, conflict="conflict (written at the same moment: try again)"),
    tags=["suggestions"],
    summary="Accept suggested links, all or none",
)
def accept_suggestions(
    request: Request, body: AcceptIn, actor: Annotated[Actor, Depends(authenticated)]
) -> list[LinkEventOut]:
    with work(request, actor, write=True) as ctx:
        done = suggestions.accept(ctx, [(p.activity, p.measure) for p in body.pairs])
    return [event_out(e) for e in done]


def imported_out(done: ActivitiesImported, preview: bool) -> ActivitiesImportedOut:
    return ActivitiesImportedOut(
        file=done.file,
        preview=preview,
        rows=done.rows,
        added=done.added,
        updated=done.updated,
        linked=done.linked,
        new=[LinkedActivity(id=i, title=t) for i, t in done.new],
        changes=[
            ActivityChangeOut(activity=c.activity_id, field=c.field, before=c.before, after=c.after)
            for c in done.changes
        ],
        notes=list(done.notes),
    )


@router.post(
    "/activities/import",
    response_model=ActivitiesImportedOut,
    responses=errors(403, conflict="conflict (written at the same moment: try again)"),
    summary="Import the council's activities file (CSV or XLSX, multipart): all rows or none; "
    "a refused file is 422 import-rejected, its problems naming file, row and column",
)
def import_activities(
    request: Request,
    actor: Annotated[Actor, Depends(authenticated)],
    file: Annotated[UploadFile, File(description="The activities file, .csv or .xlsx")],
    column_map: Annotated[
        str,
        Form(
            max_length=2000,
            description="Headings the built-in names miss: id=Project Ref,end=Target Date",
        ),
    ] = "",
    preview: Annotated[
        bool, Form(description="Check the file and say what it would do; write nothing")
    ] = False,
) -> ActivitiesImportedOut:
    name, data = uploaded(file, "activities.csv")
    with work(request, actor, write=not preview) as ctx:
        done = activities.import_activities(ctx, data, name, column_map or None, preview)
    return imported_out(done, preview)
