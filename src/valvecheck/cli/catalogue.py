"""Catalogue commands: ``import catalogue`` (the data package export is a format of ``export``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from valvecheck.cli.core import (
    By,
    Council,
    ImportAssessment,
    Revise,
    Yes,
    import_app,
    read_file,
    say_imported,
    use,
)
from valvecheck.cli.lazy import lazy

if TYPE_CHECKING:
    from valvecheck.services import catalogue
else:  # loaded when the command first uses it (cli/lazy.py)
    catalogue = lazy("valvecheck.services.catalogue")


@import_app.command("catalogue")
def import_catalogue(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="A CSV, XLSX, DOCX or PDF holding a table of measures, the seed's .txt "
            "appendix, or a data package's datapackage.json."
        ),
    ],
    agreement_year: Annotated[
        str, typer.Option(help="Year of the agreements, e.g. 2022-23 (a Year column wins).")
    ] = "",
    source: Annotated[str, typer.Option(help="Web address where the document is published.")] = "",
    source_title: Annotated[
        str, typer.Option(help="Title of the document (default: its own title, or the file name).")
    ] = "",
    column_map: Annotated[
        str | None,
        typer.Option(
            help="Headings that differ from LA, Recommendation, Theme, Sub-Theme, RAG, Year, "
            'Source: e.g. "Recommendation=Measure text,LA=Council".'
        ),
    ] = None,
    assessment: ImportAssessment = None,
    council: Council = None,
    revise: Revise = False,
    yes: Yes = False,
    by: By = None,
) -> None:
    """Add agreements and their measures from a document; re-importing changes nothing."""
    data = read_file(file)
    with use(ctx, write=True, by=by) as c:
        done = catalogue.import_catalogue(
            c,
            data,
            str(file),
            year=agreement_year,
            source_url=source,
            source_title=source_title,
            column_map=column_map,
            assessment=assessment,
            council=council,
            revise=revise,
            preview=revise and not yes,
        )
    say_imported(done, file)


def register(app: typer.Typer) -> None:
    """The commands live on the ``import`` group; nothing to add at the top level."""
