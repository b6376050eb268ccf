"""The API's money imports: a savings file and a deficit trajectory file, as the web's Imports
page and `valvecheck impact import` / `trajectory import` take them (all rows or none; with
``preview``, what they would change and nothing written)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile

from valvecheck.api.core import (
    ProblemRoute,
    authenticated,
    errors,
    operation_id,
    uploaded,
    work,
)
from valvecheck.api.measures import assessment_name
from valvecheck.api.schemas import (
    MAX_ID,
    FigureChangeOut,
    SavingChangeOut,
    SavingsImportedOut,
    TrajectoryImportedOut,
)
from valvecheck.domain.money import money_json
from valvecheck.domain.people import Action
from valvecheck.services import impact, trajectory
from valvecheck.services.context import Actor, authorise

router = APIRouter(
    route_class=ProblemRoute, tags=["impact"], generate_unique_id_function=operation_id
)

SAVING_FIELDS = ("expected", "actual", "cohort", "unit", "note")
ColumnMap = Annotated[
    str, Form(max_length=2000, description="Headings the built-in names miss: COLUMN=HEADING,...")
]
Preview = Annotated[
    bool, Form(description="Check the file and say what it would change; write nothing")
]


def _value(value: object) -> str | None:
    if value is None or value == "":
        return None
    return money_json(value) if isinstance(value, Decimal) else str(value)


@router.post(
    "/impact/savings/import",
    response_model=SavingsImportedOut,
    responses=errors(403, conflict="conflict (written at the same moment: try again)"),
    summary="Import savings (CSV or XLSX, multipart: activity, year, expected, actual, ...): "
    "all rows or none; a refused file is 422 import-rejected, naming file, row and column",
)
def import_savings(
    request: Request,
    actor: Annotated[Actor, Depends(authenticated)],
    file: Annotated[UploadFile, File(description="The savings file, .csv or .xlsx")],
    column_map: ColumnMap = "",
    preview: Preview = False,
) -> SavingsImportedOut:
    name, data = uploaded(file, "savings.csv")
    with work(request, actor, write=not preview) as ctx:
        done = impact.import_savings(ctx, data, name, column_map or None, preview)
    changes = [
        SavingChangeOut(
            activity=c.after.activity,
            year=c.after.year,
            figure=f,
            before=_value(getattr(c.before, f)) if c.before is not None else None,
            after=_value(getattr(c.after, f)),
        )
        for c in done.changes
        for f in SAVING_FIELDS
        if _value(getattr(c.before, f) if c.before is not None else None)
        != _value(getattr(c.after, f))
    ]
    return SavingsImportedOut(
        file=done.file,
        preview=preview,
        rows=done.rows,
        recorded=done.written,
        unchanged=done.unchanged,
        changes=changes,
        notes=list(done.notes),
    )


@router.post(
    "/impact/trajectory/import",
    response_model=TrajectoryImportedOut,
    responses=errors(403, 404, conflict="conflict (the assessment is locked: it was reported)"),
    summary="Replace an assessment's deficit trajectory from a file (CSV or XLSX, multipart: "
    "year, unmitigated, target, actual): all rows or none; every figure before is kept",
)
def import_trajectory(
    request: Request,
    actor: Annotated[Actor, Depends(authenticated)],
    file: Annotated[UploadFile, File(description="The trajectory file, .csv or .xlsx")],
    column_map: ColumnMap = "",
    preview: Preview = False,
    assessment: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="An assessment's id (default: the current one)"),
    ] = None,
) -> TrajectoryImportedOut:
    name, data = uploaded(file, "trajectory.csv")
    with work(request, actor, write=not preview) as ctx:
        authorise(ctx, Action.RECORD_IMPACT)  # a role that may not: 403, whatever it names
        named = assessment_name(ctx, assessment)
        done = trajectory.import_trajectory(ctx, data, name, named, column_map or None, preview)
    return TrajectoryImportedOut(
        file=done.file,
        preview=preview,
        assessment=done.assessment,
        years=done.years,
        changes=[
            FigureChangeOut(
                year=c.year, figure=c.figure, before=money_json(c.before), after=money_json(c.after)
            )
            for c in sorted(done.changes, key=lambda c: c.year)
        ],
        notes=list(done.notes),
    )
