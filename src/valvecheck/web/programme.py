"""The council's programme: its themes and sub-themes, what is placed in each, and renaming one."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from valvecheck.domain.names import fold
from valvecheck.domain.people import Action, may
from valvecheck.errors import InputErrors, NotFound
from valvecheck.services.context import authorise
from valvecheck.services.programme import (
    InProgramme,
    programme_themes,
    rename,
    renamed_as,
    renamed_to,
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
        with work(request) as ctx:
            since = renamed_as(ctx, theme, sub_theme or None)
            said = renamed_to(ctx, theme, sub_theme or None) if since else ""
        if since is None:  # emptied by someone else since the form was opened: the programme
            return done(request, "/programme", f"Nothing changed: {exc}")
        # renamed by someone else since: the form again, for the name it has now, with the name
        # typed kept and who renamed it to what
        what = "sub-theme" if sub_theme else "theme"
        now = since.after.sub_theme if sub_theme else since.after.theme
        errors = {
            "name": f"Nothing was renamed: the {what} '{sub_theme or theme}' "
            f"{said.removeprefix('it ')}. Save again "
            f"to rename '{now}' to the name you typed"
        }
        shown = {"theme": since.after.theme, "sub_theme": since.after.sub_theme or "", "name": name}
        return render(request, "programme/rename.html", 409, errors=errors, **shown)
    except InputErrors as exc:
        errors = {"name": sentence(next(iter(exc.errors.values())))}
        shown = {"theme": theme, "sub_theme": sub_theme, "name": name}
        return render(request, "programme/rename.html", 422, errors=errors, **shown)
    if not renamed.changed:
        message = f"Nothing changed: the {renamed.what} is called {where(renamed.after)} already"
    else:
        message = renamed_words(renamed)
    return done(request, "/programme", message)


def _named(themes: list[InProgramme], theme: str, sub_theme: str) -> InProgramme:
    """The theme (or sub-theme) asked for, as the programme names it; not found otherwise."""
    for t in themes:
        p = t.placement
        if fold(p.theme) == fold(theme) and fold(p.sub_theme or "") == fold(sub_theme):
            return t
    what = "sub-theme" if sub_theme else "theme"
    raise NotFound(f"Your programme has no {what} '{sub_theme or theme}'", field="theme")
