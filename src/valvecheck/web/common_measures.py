"""Common measures: the measures several agreements share, most widely shared first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from valvecheck.services.common import common_measures
from valvecheck.services.measures import load_state
from valvecheck.web.common import PROTECTED, render, work

router = APIRouter(dependencies=PROTECTED)

SHOW = (("shared", "Measures at least two agreements share"), ("all", "Every measure"))


@router.get("/common")
def index(request: Request, show: str = "shared") -> Response:
    chosen = show if show in dict(SHOW) else "shared"
    with work(request) as ctx:
        groups = common_measures(ctx, 2 if chosen == "shared" else 1)
        views = {v.id: v for v in load_state(ctx).views}
    return render(
        request, "common/index.html", groups=groups, views=views, show=chosen, choices=SHOW
    )
