"""`valvecheck place`, `unplace` and `rename-theme`: where the council places a measure in its own
programme, and what its themes are called."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from valvecheck.cli import output
from valvecheck.cli.core import By, use
from valvecheck.cli.lazy import lazy

if TYPE_CHECKING:
    from valvecheck.services import programme
else:  # loaded when a command first uses it (cli/lazy.py)
    programme = lazy("valvecheck.services.programme")

MeasureId = Annotated[str, typer.Argument(help="Measure id, e.g. bury-4.")]
Theme = Annotated[
    str,
    typer.Option(
        "--theme",
        help="A theme of the council's programme (in any case); a new name starts a new theme.",
    ),
]
SubTheme = Annotated[
    str | None,
    typer.Option(
        "--sub-theme",
        help="One of the theme's sub-themes (in any case); a new name starts a new one.",
    ),
]


def register(app: typer.Typer) -> None:
    app.command("place")(place)
    app.command("unplace")(unplace)
    app.command("rename-theme")(rename_theme)


def place(
    ctx: typer.Context,
    measure_id: MeasureId,
    theme: Theme,
    sub_theme: SubTheme = None,
    by: By = None,
) -> None:
    """Place a measure in a theme (and sub-theme) of the council's own programme."""
    with use(ctx, write=True, by=by) as c:
        done = programme.place(c, measure_id, theme, sub_theme)
    at = programme.where(done.placement)
    if not done.changed:
        output.line(f"{done.measure_id} is already placed in {at}: nothing changed.")
        return
    output.line(f"Placed {done.measure_id} in {at}{programme.started(done, 'the')}.")
    if done.renamed:
        output.line(f"{programme.renamed_since(done)}.")


def unplace(
    ctx: typer.Context,
    measure_id: MeasureId,
    theme: Theme,
    sub_theme: SubTheme = None,
    by: By = None,
) -> None:
    """Take a measure's placement in a theme (and sub-theme) out of the council's programme.

    A sub-theme or theme left with nothing placed in it goes too."""
    with use(ctx, write=True, by=by) as c:
        done = programme.unplace(c, measure_id, theme, sub_theme)
    left = "; ".join(programme.where(p) for p in done.placements) or "nowhere"
    output.line(
        f"Removed {done.measure_id} from {programme.where(done.placement)}; placed now in: {left}."
    )
    if done.dropped:
        output.line(
            f"Nothing else was placed in {programme.gone(done)}, so it is no longer in the programme."
        )


def rename_theme(
    ctx: typer.Context,
    theme: Annotated[str, typer.Argument(help="The theme to rename (in any case).")],
    new_name: Annotated[str, typer.Argument(help="Its new name (or the sub-theme's).")],
    sub_theme: Annotated[
        str | None,
        typer.Option("--sub-theme", help="Rename this sub-theme of the theme instead."),
    ] = None,
    by: By = None,
) -> None:
    """Rename a theme (or a sub-theme) of the council's programme; what is placed in it stays."""
    with use(ctx, write=True, by=by) as c:
        done = programme.rename(c, theme, new_name, sub_theme)
    if not done.changed:
        after = programme.where(done.after)
        output.line(f"The {done.what} is called {after} already: nothing changed.")
        return
    output.line(f"{programme.renamed_words(done)}.")
