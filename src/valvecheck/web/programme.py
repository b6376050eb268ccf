"""The council's programme: its themes and sub-themes, what is placed in each, and renaming one."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from valvecheck.domain.model import Placement
from valvecheck.domain.names import fold
from valvecheck.domain.people import Action, may
from valvecheck.errors import InputErrors, NotFound
from valvecheck.services.context import authorise
from valvecheck.services.programme import (
    InProgramme,
    programme_themes,
    rename,
    rename_words,
    renamed_as,
    renamed_words,
    where,
)
from valvecheck.web.common import PROTECTED, done, render, work
from valvecheck.web.text import sentence

router = APIRouter(dependencies=PROTECTED)


@router.get("/programme")
def programme_page(request: Request) -> Response:
    with work(request) as ctx:
        themes = programme_themes(ctx)
        may_rename = may(ctx.actor.role, Action.PLACE)
    return render(
        request,
        "programme/index.html",
        themes=themes,
        may_rename=may_rename,
        rename_address=rename_address,
    )


def rename_address(theme: str, sub_theme: str | None = None) -> str:
    """The rename form's address for a theme, or one of its sub-themes."""
    query = {"theme": theme, **({"sub_theme": sub_theme} if sub_theme else {})}
    return "/programme/rename?" + urlencode(query)


@router.get("/programme/rename")
def rename_page(request: Request, theme: str = "", sub_theme: str = "") -> Response:
    with work(request) as ctx:
        authorise(ctx, Action.PLACE)  # the form is for those who may rename
        found = _named(programme_themes(ctx), theme, sub_theme)
    return render(
        request,
        "programme/rename.html",
        theme=found.placement.theme,
        sub_theme=found.placement.sub_theme or "",
        name=found.placement.sub_theme or found.placement.theme,
        errors={},
    )


@router.post("/programme/rename")
def rename_theme(
    request: Request,
    theme: Annotated[str, Form()] = "",
    sub_theme: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
) -> Response:
    try:
        with work(request, write=True) as ctx:
            renamed = rename(ctx, theme, name, sub_theme or None)
    except NotFound as exc:
        return _renamed_since(request, theme, sub_theme, name, f"Nothing changed: {exc}")
    except InputErrors as exc:
        errors = {"name": sentence(next(iter(exc.errors.values())))}
        shown = {"theme": theme, "sub_theme": sub_theme, "name": name}
        return render(request, "programme/rename.html", 422, errors=errors, **shown)
    if not renamed.changed:
        message = f"Nothing changed: the {renamed.what} is called {where(renamed.after)} already"
    else:
        message = renamed_words(renamed)
    return done(request, "/programme", message)


def _renamed_since(request: Request, theme: str, sub_theme: str, name: str, gone: str) -> Response:
    """The answer to a rename of a name the programme no longer has: renamed by someone else
    since the form was opened (the sub-theme, or its theme), the form again for the name it has
    now, with the name typed kept and who renamed it to what; renamed to the very name typed,
    nothing to do; emptied and gone, the programme with ``gone``."""
    what = "sub-theme" if sub_theme else "theme"
    with work(request) as ctx:
        since = renamed_as(ctx, theme, sub_theme or None)
        said = rename_words(since, bool(sub_theme)) if since else ""
        placement = since.after if since else None
        if since is None and sub_theme and (moved := renamed_as(ctx, theme)) is not None:
            # its theme was renamed: the sub-theme is there under the theme's new name
            here = Placement(moved.after.theme, sub_theme)
            if any(fold(t.placement.where) == fold(here.where) for t in programme_themes(ctx)):
                said, placement = rename_words(moved), here
                what = "theme"
    if placement is None:  # emptied by someone else since the form was opened: the programme
        return done(request, "/programme", gone)
    now = placement.sub_theme if sub_theme else placement.theme
    old = theme if what == "theme" else sub_theme
    told = f"the {what} '{old}' {said}"
    if fold(now or "") == fold(name):
        return done(request, "/programme", f"Nothing changed: {told}, the name you typed")
    rest = f"its sub-theme '{sub_theme}'" if sub_theme and what == "theme" else f"'{now}'"
    errors = {
        "name": f"Nothing was renamed: {told}. Save again to rename {rest} to the name you typed"
    }
    shown = {"theme": placement.theme, "sub_theme": placement.sub_theme or "", "name": name}
    return render(request, "programme/rename.html", 409, errors=errors, **shown)


def _named(themes: list[InProgramme], theme: str, sub_theme: str) -> InProgramme:
    """The theme (or sub-theme) asked for, as the programme names it; not found otherwise."""
    for t in themes:
        p = t.placement
        if fold(p.theme) == fold(theme) and fold(p.sub_theme or "") == fold(sub_theme):
            return t
    what = "sub-theme" if sub_theme else "theme"
    raise NotFound(f"Your programme has no {what} '{sub_theme or theme}'", field="theme")
