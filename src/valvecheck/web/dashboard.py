"""The dashboard: where the council stands in its current assessment."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import Response

from valvecheck.analysis.summary import coverage_base
from valvecheck.domain.rag import SCALE
from valvecheck.services.dashboard import ThemeCounts, dashboard
from valvecheck.services.ratings import being_prepared
from valvecheck.web.common import PROTECTED, render, work

router = APIRouter(dependencies=PROTECTED)

BAR_WIDTH = 560
ROW_HEIGHT = 56


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    colour: str
    count: int
    label: str


@dataclass(frozen=True)
class Bar:
    y: int
    theme: str
    measures: int
    segments: tuple[Segment, ...]


def chart(themes: tuple[ThemeCounts, ...]) -> tuple[Bar, ...]:
    """Stacked bars, one per theme, as long as the theme's share of the largest theme."""
    most = max((t.measures for t in themes), default=0) or 1
    bars = []
    for i, t in enumerate(themes):
        x = 0.0
        segments = []
        for rag in SCALE:
            count = t.rag.get(rag, 0)
            if not count:
                continue
            width = BAR_WIDTH * count / most
            segments.append(Segment(x, width, f"#{rag.colour}", count, rag.label))
            x += width
        bars.append(Bar(i * ROW_HEIGHT, t.theme, t.measures, tuple(segments)))
    return tuple(bars)


@router.get("/")
def home(request: Request) -> Response:
    with work(request) as ctx:
        board = dashboard(ctx)
        preparing = being_prepared(ctx)
    bars = chart(board.themes)
    return render(
        request,
        "dashboard/index.html",
        board=board,
        preparing=preparing,
        coverage_of=coverage_base({r.value: n for r, n in board.rag.items()}),
        bars=bars,
        chart_width=BAR_WIDTH + 60,
        chart_height=max(1, len(bars)) * ROW_HEIGHT,
    )
