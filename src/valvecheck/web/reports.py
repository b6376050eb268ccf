"""Reports: download the assessment's report in each format."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from starlette.responses import Response

from valvecheck.errors import InputError
from valvecheck.services.compare import assessment_info
from valvecheck.services.ratings import current_assessment, list_assessments
from valvecheck.services.reports import FORMAT_NAMES, disposition, download_name, report_day
from valvecheck.services.reports import render as render_report
from valvecheck.web.common import PROTECTED, render, whole_number, work
from valvecheck.web.text import sentence

router = APIRouter(dependencies=PROTECTED)

FORMATS = tuple(FORMAT_NAMES.items())  # the names council staff know, from one place


FIELDS = ("assessment", "format", "on", "since")  # the form's fields, each with its error


@router.get("/reports")
def index(request: Request) -> Response:
    with work(request) as ctx:
        items = list_assessments(ctx)
    return render(request, "reports/index.html", items=items, formats=FORMATS, typed={}, errors={})


def _day(value: str, field: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"'{value}' is not a date; write it as 2026-03-31", field=field) from None


@router.get("/reports/download")
def download(
    request: Request,
    format: str,
    assessment: str = "",
    on: str = "",
    since: str = "",
    appendix: str = "",
) -> Response:
    try:
        with work(request) as ctx:
            chosen = whole_number(assessment)
            name = assessment_info(ctx, chosen).name if chosen is not None else None
            if assessment and name is None:
                raise InputError(f"'{assessment}' is not an assessment", field="assessment")
            files = render_report(
                ctx,
                format,
                name,
                on=_day(on, "on"),
                since=_day(since, "since"),
                appendix=appendix[:100] or None,
            )
            current = current_assessment(ctx)
            used = name or (current.name if current is not None else "")
            day = _day(on, "on") or report_day(ctx, name)
    except InputError as exc:
        if exc.field not in FIELDS:
            raise
        # the form again, with what was chosen and the error at its field (GOV.UK's pattern)
        with work(request) as ctx:
            items = list_assessments(ctx)
        typed = {
            "assessment": assessment,
            "format": format,
            "on": on,
            "since": since,
            "appendix": appendix,
        }
        return render(
            request,
            "reports/index.html",
            422,
            items=items,
            formats=FORMATS,
            typed=typed,
            errors={exc.field: sentence(str(exc))},
        )
    report = files[0]
    named = download_name(report.name, used, day)
    return Response(
        report.content,
        media_type=report.media_type,
        headers={"Content-Disposition": disposition(named)},
    )
