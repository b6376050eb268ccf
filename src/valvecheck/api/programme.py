"""The council's own programme: its themes and sub-themes with what is placed in each, and
renaming one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from valvecheck.api.core import READ, ProblemRoute, authenticated, errors, operation_id, work
from valvecheck.api.schemas import PlacementOut, RenamedOut, RenameIn, ThemeOut
from valvecheck.domain.model import Placement
from valvecheck.services import programme
from valvecheck.services.context import Actor

router = APIRouter(
    route_class=ProblemRoute, tags=["programme"], generate_unique_id_function=operation_id
)


def _out(p: Placement) -> PlacementOut:
    return PlacementOut(theme=p.theme, sub_theme=p.sub_theme)


@router.get(
    "/programme",
    response_model=list[ThemeOut],
    responses=READ,
    summary="The council's programme: each theme, then its sub-themes, with what is placed in each",
)
def programme_themes(
    request: Request, actor: Annotated[Actor, Depends(authenticated)]
) -> list[ThemeOut]:
    with work(request, actor) as ctx:
        found = programme.programme_themes(ctx)
    return [
        ThemeOut(
            theme=t.placement.theme, sub_theme=t.placement.sub_theme, measures=list(t.measures)
        )
        for t in found
    ]


@router.post(
    "/programme/rename",
    response_model=RenamedOut,
    responses=errors(403, 404, conflict="conflict (written at the same moment: try again)"),
    summary="Rename a theme (or one of its sub-themes) of the council's programme",
)
def rename_theme(
    request: Request, body: RenameIn, actor: Annotated[Actor, Depends(authenticated)]
) -> RenamedOut:
    """What is placed in it stays placed there under the new name, and each measure's
    placement history records the change; 422 with ``field`` name when another theme (or
    another sub-theme of the theme) has the name already; 404 when there is no such theme."""
    with work(request, actor, write=True) as ctx:
        done = programme.rename(ctx, body.theme, body.name, body.sub_theme)
    return RenamedOut(
        before=_out(done.before),
        after=_out(done.after),
        changed=done.changed,
        measures=list(done.measures),
    )
