"""Summaries and exports of an assessment."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from valvecheck.analysis.deadlines import YearBasis
from valvecheck.analysis.summary import Summary, summarise
from valvecheck.domain.views import AssessmentState, MeasureView, deadlines_of
from valvecheck.errors import InputError
from valvecheck.services.alignment import alignment
from valvecheck.services.context import Context
from valvecheck.services.measures import load_state
from valvecheck.services.prevalence import prevalence_of

EXPORT_FORMATS = ("csv", "json")
EXPORT_COLUMNS = (
    "id",
    "agreement",
    "la",
    "number",
    "recommendation",
    "themes",
    "sub_themes",
    "rag",
    "rationale",
    "evidence",
    "rated_by",
    "rated_at",
    "year",
    "source",
    "source_locator",
    "source_url",
    "imported_at",
    "due",
    "overdue",
)


def summary(ctx: Context, assessment: str | None = None) -> Summary:
    state = load_state(ctx, assessment)
    found = summarise(state.catalogue, state.ratings, prevalence_of(ctx.db, state.catalogue))
    found.assessment = state.assessment
    found.needs_review = [v.id for v in state.views if v.needs_review]
    found.alignment = alignment(ctx, state).as_dict()
    return found


def _record(view: MeasureView, today: date, basis: YearBasis) -> dict[str, object]:
    from valvecheck.catalogue.datapackage import stamp  # exports only

    latest = view.latest
    m = view.measure
    due = deadlines_of(view, today, basis)  # due date read from the text; overdue as of today
    return {
        "id": m.id,
        "agreement": m.agreement,
        "la": view.la,
        "number": m.number,
        "recommendation": m.text,
        "themes": list(m.themes),
        "sub_themes": list(m.sub_themes),
        "placements": [{"theme": p.theme, "sub_theme": p.sub_theme} for p in m.placements],
        "rag": view.rag.value,
        "rationale": latest.rationale if latest else "",
        "evidence": latest.evidence if latest else "",
        "rated_by": latest.by if latest else "",
        "rated_at": stamp(latest.at) if latest else "",  # UTC, the same from either store
        "year": view.agreement.year,
        "source": view.source_title,
        "source_locator": m.source_locator,
        "source_url": view.source_url,
        "imported_at": stamp(m.imported_at),
        "due": due.due.isoformat() if due.due else None,
        "overdue": due.overdue,
        "needs_review": view.needs_review,
    }


def export_text(
    state: AssessmentState, fmt: str, today: date | None = None, basis: YearBasis = "financial"
) -> str:
    """The assessment as CSV (one row per measure) or JSON (with placements as a list)."""
    records = [_record(v, today or date.today(), basis) for v in state.views]
    if fmt == "json":
        payload = {"assessment": state.assessment, "council": state.council, "measures": records}
        return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        for r in records:
            writer.writerow(
                [
                    _csv_cell("; ".join(v) if isinstance(v := r[c], list) else v)
                    for c in EXPORT_COLUMNS
                ]
            )
        return out.getvalue()
    raise InputError(
        f"unknown export format '{fmt}'; use one of: {', '.join(EXPORT_FORMATS)}", field="format"
    )


def _csv_cell(value: object) -> str:
    """Text that a spreadsheet would run as a formula is written with a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def export(ctx: Context, fmt: str, assessment: str | None = None) -> str:
    """The assessment's measures and ratings as CSV or JSON text."""
    return export_text(load_state(ctx, assessment), fmt, ctx.today(), ctx.settings.year_basis)
