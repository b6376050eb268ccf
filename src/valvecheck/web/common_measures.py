"""Common measures: the measures several agreements share, most widely shared first."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from valvecheck.services.common import common_measures, embedded
from valvecheck.services.equivalence import decisions
from valvecheck.services.measures import load_state
from valvecheck.web.common import PROTECTED, render, work

router = APIRouter(dependencies=PROTECTED)

SHOW = (("shared", "Measures at least two agreements share"), ("all", "Every measure"))
PER_PAGE = 50


@router.get("/common")
def index(
    request: Request, show: str = "shared", page: Annotated[int, Query(ge=1, le=10**6)] = 1
) -> Response:
    chosen = show if show in dict(SHOW) else "shared"
    with work(request) as ctx:
        groups = common_measures(ctx, 2 if chosen == "shared" else 1)
        views = {v.id: v for v in load_state(ctx).views}
        decided = decisions(ctx)
    pages = max(1, -(-len(groups) // PER_PAGE))
    first = (page - 1) * PER_PAGE

    def link(n: int) -> str:
        return "/common?" + urlencode({"show": chosen, "page": n})

    return render(
        request,
        "common/index.html",
        groups=groups[first : first + PER_PAGE],
        total=len(groups),
        first=first + 1,
        page=page,
        pages=pages,
        link=link,
        views=views,
        decided=decided,
        show=chosen,
        choices=SHOW,
        embedded=embedded(),
    )
