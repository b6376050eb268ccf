"""`valvecheck place` and `unplace`: where the council places a measure in its own programme."""

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
    new = (
        " (a new theme of the programme)"
        if done.new_theme
        else " (a new sub-theme of the programme)"
        if done.new_sub_theme
        else ""
    )
    output.line(f"Placed {done.measure_id} in {at}{new}.")


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
