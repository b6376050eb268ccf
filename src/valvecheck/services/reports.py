"""Writing an assessment's reports: build the report model once, then each format from it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from valvecheck.analysis.summary import summarise
from valvecheck.errors import InputError
from valvecheck.reports import ALL, FORMATS
from valvecheck.reports.model import LinkRow, ReportData, build_report
from valvecheck.services.measures import AssessmentState, load_state
from valvecheck.store import repository as repo
from valvecheck.store.db import Workspace
from valvecheck.store.models import ActivityRow


def formats_of(fmt: str, since: date | None = None) -> list[str]:
    """The formats one --format value names: 'all' is the four documents (+ position with since)."""
    name = fmt.strip().lower()
    if name == "all":
        return [*ALL, "position"] if since else list(ALL)
    if name == "markdown":
        name = "md"
    if name not in FORMATS:
        raise InputError(
            f"unknown report format '{fmt}'; use one of: {', '.join([*FORMATS, 'all'])}"
        )
    if name == "position" and since is None:
        raise InputError("--format position needs --since DATE (the start of the period)")
    return [name]


def _links(ws: Workspace, state: AssessmentState) -> list[LinkRow]:
    views = {v.id: v for v in state.views}
    with ws.session() as session:
        current = repo.current_links(session)
        if not current:
            return []
        titles = {
            code: title
            for code, title in session.execute(select(ActivityRow.code, ActivityRow.title))
        }
    out = []
    for activity, measure, event in current:
        view = views.get(measure)
        if view is None:
            continue
        out.append(
            LinkRow(
                activity=activity,
                activity_title=titles.get(activity, ""),
                measure=measure,
                la=view.la,
                recommendation=view.measure.text,
                rag=view.rag,
                rationale=event.rationale,
                by=event.by,
            )
        )
    return out


def report_data(
    ws: Workspace,
    assessment: str | None = None,
    *,
    on: date | None = None,
    title: str | None = None,
    council: str | None = None,
    since: date | None = None,
) -> ReportData:
    """The one report model of an assessment that every format renders."""
    state = load_state(ws, assessment)
    return build_report(
        state,
        summarise(state.catalogue, state.ratings),
        on=on or date.today(),
        title=title,
        council=council,
        links=_links(ws, state),
        since=since,
    )


def write_reports(
    ws: Workspace,
    fmt: str,
    out: Path,
    assessment: str | None = None,
    *,
    on: date | None = None,
    title: str | None = None,
    council: str | None = None,
    since: date | None = None,
) -> list[Path]:
    """Write the chosen format(s) into the folder ``out``; returns the files written."""
    names = formats_of(fmt, since)
    data = report_data(ws, assessment, on=on, title=title, council=council, since=since)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name in names:
        written.extend(FORMATS[name](data, out))
    return written
