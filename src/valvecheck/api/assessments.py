"""/api/assessments: the council's assessments, their summary and their reports as files."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from valvecheck.api import paging
from valvecheck.api.core import (
    LOCATION,
    READ,
    ProblemRoute,
    authenticated,
    errors,
    operation_id,
    work,
)
from valvecheck.api.paging import Limit, Offset, paged
from valvecheck.api.schemas import (
    MAX_ID,
    AloneOut,
    AssessmentDetail,
    AssessmentIn,
    AssessmentOut,
    ComparisonOut,
    CurrentRating,
    ImpactOut,
    MovedOut,
    SummaryOut,
    aware,
)
from valvecheck.domain.people import Action
from valvecheck.errors import InputError, NotFound
from valvecheck.services import compare, impact, measures, ratings, reports
from valvecheck.services import summary as summaries
from valvecheck.services.context import Actor, Context, authorise
from valvecheck.services.ratings import AssessmentInfo

router = APIRouter(
    route_class=ProblemRoute, tags=["assessments"], generate_unique_id_function=operation_id
)
AssessmentPath = Annotated[int, Path(ge=1, le=MAX_ID, description="The assessment's id")]


class ReportName(StrEnum):
    docx = "docx"
    xlsx = "xlsx"
    html = "html"
    md = "md"
    position = "position"


def assessment_out(a: AssessmentInfo) -> AssessmentOut:
    return AssessmentOut(
        id=a.id,
        name=a.name,
        council=a.council,
        created_at=aware(a.created_at),  # type: ignore[arg-type]
        created_by=a.created_by,
        rated=a.rated,
        current=a.current,
        locked=a.locked,
    )


def _named(ctx: Context, assessment_id: int, field: str = "assessment") -> AssessmentInfo:
    """The acting council's assessment with this id; another council's is not found, the same
    as one that does not exist (the error naming ``field``, the parameter that gave the id)."""
    for a in ratings.list_assessments(ctx):
        if a.id == assessment_id:
            return a
    raise NotFound(f"there is no assessment {assessment_id}", field=field)


@router.get(
    "/assessments",
    response_model=list[AssessmentOut],
    responses={**errors(), 200: {"headers": paging.HEADERS}},
    summary="The assessments (offset and limit page through them)",
)
def list_assessments(
    request: Request,
    response: Response,
    actor: Annotated[Actor, Depends(authenticated)],
    offset: Offset = 0,
    limit: Limit = None,
) -> list[AssessmentOut]:
    with work(request, actor) as ctx:
        items = ratings.list_assessments(ctx)
    return [assessment_out(a) for a in paged(request, response, items, offset, limit)]


@router.post(
    "/assessments",
    response_model=AssessmentOut,
    status_code=201,
    responses={
        **errors(403, 404, conflict="already-exists (an assessment of that name), or conflict"),
        201: {"headers": LOCATION},
    },
    summary="Start an assessment, optionally carrying ratings forward",
)
def new_assessment(
    request: Request,
    response: Response,
    body: AssessmentIn,
    actor: Annotated[Actor, Depends(authenticated)],
) -> AssessmentOut:
    with work(request, actor, write=True) as ctx:
        authorise(ctx, Action.MANAGE_ASSESSMENTS)  # a role that may not: 403, whatever it names
        carried = body.carry_from
        source = _named(ctx, carried, "carry_from").name if carried is not None else None
        made = ratings.new_assessment(ctx, body.name, carry_from=source, use=body.use)
    response.headers["Location"] = f"/api/assessments/{made.id}"
    return assessment_out(made)


@router.get(
    "/assessments/compare",
    response_model=ComparisonOut,
    responses=READ,
    summary="Which measures moved from assessment a to assessment b, and which way",
)
def compare_assessments(
    request: Request,
    actor: Annotated[Actor, Depends(authenticated)],
    a: Annotated[int, Query(ge=1, le=MAX_ID, description="The earlier assessment's id")],
    b: Annotated[int, Query(ge=1, le=MAX_ID, description="The later assessment's id")],
) -> ComparisonOut:
    with work(request, actor) as ctx:
        for given, name in ((a, "a"), (b, "b")):
            _named(ctx, given, name)  # a missing one is named by its parameter
        if a == b:
            raise InputError("choose two different assessments to compare", field="b")
        found = compare.compare(ctx, a, b)
    return ComparisonOut(
        a=assessment_out(found.first),
        b=assessment_out(found.second),
        moved=[
            MovedOut(
                measure=m.measure_id,
                la=m.la,
                text=m.text,
                before=m.before,
                after=m.after,
                direction=m.direction,
            )
            for m in found.moved
        ],
        unchanged=found.unchanged,
        better=found.count("better"),
        worse=found.count("worse"),
        changed=found.count("changed"),
        a_rag={r.value: n for r, n in found.first_rag.items()},
        b_rag={r.value: n for r, n in found.second_rag.items()},
        only_a=[
            AloneOut(measure=m.measure_id, la=m.la, text=m.text, rag=m.rag)
            for m in found.only_first
        ],
        only_b=[
            AloneOut(measure=m.measure_id, la=m.la, text=m.text, rag=m.rag)
            for m in found.only_second
        ],
    )


@router.get(
    "/assessments/{assessment_id}",
    response_model=AssessmentDetail,
    responses=READ,
    summary="One assessment with every measure's current rating",
)
def show_assessment(
    request: Request,
    assessment_id: AssessmentPath,
    actor: Annotated[Actor, Depends(authenticated)],
) -> AssessmentDetail:
    with work(request, actor) as ctx:
        info = _named(ctx, assessment_id)
        state = measures.load_state(ctx, info.name)
    return AssessmentDetail(
        **assessment_out(info).model_dump(),
        ratings=[CurrentRating(measure=v.id, rag=v.rag, version=v.version) for v in state.views],
    )


@router.post(
    "/assessments/{assessment_id}/lock",
    response_model=AssessmentOut,
    responses=errors(403, 404),
    summary="Lock a reported assessment: read-only from now on",
)
def lock_assessment(
    request: Request,
    assessment_id: AssessmentPath,
    actor: Annotated[Actor, Depends(authenticated)],
) -> AssessmentOut:
    with work(request, actor, write=True) as ctx:
        authorise(ctx, Action.LOCK_ASSESSMENT)  # a role that may not: 403, whatever it names
        done = ratings.lock_assessment(ctx, _named(ctx, assessment_id).name)
    return assessment_out(done)


@router.post(
    "/assessments/{assessment_id}/use",
    response_model=AssessmentOut,
    responses=errors(403, 404, conflict="locked (a locked assessment is never made current)"),
    summary="Make an assessment the council's current one (what reads without ?assessment= "
    "and the web pages show)",
)
def use_assessment(
    request: Request,
    assessment_id: AssessmentPath,
    actor: Annotated[Actor, Depends(authenticated)],
) -> AssessmentOut:
    with work(request, actor, write=True) as ctx:
        authorise(ctx, Action.MANAGE_ASSESSMENTS)  # a role that may not: 403, whatever it names
        chosen = ratings.use_assessment(ctx, _named(ctx, assessment_id).name)
    return assessment_out(chosen)


def _summary(ctx: Context, name: str | None) -> SummaryOut:
    return SummaryOut.model_validate(summaries.summary(ctx, name).as_dict())


@router.get(
    "/summary",
    response_model=SummaryOut,
    responses=READ,
    summary="The current assessment's summary",
)
def current_summary(
    request: Request, actor: Annotated[Actor, Depends(authenticated)]
) -> SummaryOut:
    with work(request, actor) as ctx:
        return _summary(ctx, None)


@router.get(
    "/assessments/{assessment_id}/summary",
    response_model=SummaryOut,
    responses=READ,
    summary="Counts by theme and sub-theme x RAG, coverage, opportunities",
)
def assessment_summary(
    request: Request,
    assessment_id: AssessmentPath,
    actor: Annotated[Actor, Depends(authenticated)],
) -> SummaryOut:
    with work(request, actor) as ctx:
        return _summary(ctx, _named(ctx, assessment_id).name)


FILES = {
    "content": {
        media: {"schema": {"type": "string", "format": "binary"}}
        for media in (*reports.MEDIA_TYPES.values(), "application/zip")
    },
    "description": "The report as a file (Content-Disposition names it)",
}


@router.get(
    "/assessments/{assessment_id}/reports/{fmt}",
    response_class=Response,
    responses={**READ, 200: FILES},
    summary="The assessment's report as a file: docx, xlsx, html, md, or position (needs since)",
)
def download_report(
    request: Request,
    assessment_id: AssessmentPath,
    fmt: ReportName,
    actor: Annotated[Actor, Depends(authenticated)],
    on: Annotated[date | None, Query(description="The report's date (default: today)")] = None,
    since: Annotated[date | None, Query(description="The period's start (position)")] = None,
    title: Annotated[str | None, Query(max_length=300)] = None,
    council_name: Annotated[
        str | None,
        Query(max_length=200, description="The council's name as printed (default: its own)"),
    ] = None,
    appendix: Annotated[
        str | None,
        Query(max_length=100, description="The paper's label, such as 'Appendix C' (none)"),
    ] = None,
) -> Response:
    with work(request, actor) as ctx:
        name = _named(ctx, assessment_id).name
        files = reports.render(
            ctx,
            fmt.value,
            name,
            on=on,
            since=since,
            title=title,
            council_name=council_name,
            appendix=appendix,
        )
        day = on or reports.report_day(ctx, name)
    if len(files) == 1:
        file = files[0]
        content, media, filename = file.content, file.media_type, file.name
    else:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for f in files:
                z.writestr(f.name, f.content)
        content, media, filename = buffer.getvalue(), "application/zip", f"report-{fmt.value}.zip"
    # named as the web app names it: two assessments' papers never share a name
    named = reports.download_name(filename, name, day)
    headers = {"Content-Disposition": reports.disposition(named)}
    return Response(content, media_type=media, headers=headers)


@router.get(
    "/impact",
    response_model=ImpactOut,
    responses=READ,
    tags=["impact"],
    summary="What the programme is worth: savings against the assessment's trajectory",
)
def show_impact(
    request: Request,
    actor: Annotated[Actor, Depends(authenticated)],
    assessment: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="An assessment's id (default: the current one)"),
    ] = None,
    on: Annotated[date | None, Query(description="As things stood at the end of this day")] = None,
) -> ImpactOut:
    with work(request, actor) as ctx:
        name = _named(ctx, assessment).name if assessment is not None else None
        found = impact.impact(ctx, name, on=on)
    return ImpactOut.model_validate(found.as_dict())
