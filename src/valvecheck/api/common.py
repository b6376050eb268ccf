"""/api/common: measures of different agreements that say the same thing, and who decided so."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from valvecheck.api import paging
from valvecheck.api.core import ProblemRoute, authenticated, errors, operation_id, work
from valvecheck.api.paging import Offset, paged
from valvecheck.api.schemas import CommonGroupOut, CommonOut, DecisionOut
from valvecheck.domain import moments
from valvecheck.services import common, equivalence
from valvecheck.services.context import Actor

router = APIRouter(
    route_class=ProblemRoute, tags=["measures"], generate_unique_id_function=operation_id
)


@router.get(
    "/common",
    response_model=CommonOut,
    responses={**errors(), 200: {"headers": paging.HEADERS}},
    summary="Common measures (groups, most widely shared first, with their prevalence) and "
    "every decision in force that two measures are, or are not, the same",
)
def list_common(
    request: Request,
    response: Response,
    actor: Annotated[Actor, Depends(authenticated)],
    min_prevalence: Annotated[
        int,
        Query(ge=1, le=1000, description="2: only measures at least two councils share"),
    ] = 1,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=paging.MAX_LIMIT, description="1 to 1000")] = 100,
) -> CommonOut:
    with work(request, actor) as ctx:
        groups = common.common_measures(ctx, min_prevalence)
        decided = equivalence.decisions(ctx)
    return CommonOut(
        total=len(groups),
        offset=offset,
        limit=limit,
        groups=[
            CommonGroupOut.model_validate(g.as_dict())
            for g in paged(request, response, groups, offset, limit)
        ],
        decisions=[
            DecisionOut(
                measure=d.measure,
                other=d.other,
                decision=d.decision,
                rationale=d.rationale,
                by=d.by,
                at=moments.aware(d.at),
                council=d.council,
            )
            for d in decided
        ],
    )
