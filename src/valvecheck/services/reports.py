"""Writing an assessment's reports: build the report model once, then each format from it."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select

from valvecheck.analysis.summary import summarise
from valvecheck.errors import InputError
from valvecheck.reports import ALL, FORMATS
from valvecheck.reports.model import LinkRow, ReportData, build_report
from valvecheck.services.measures import AssessmentState, MeasureView, load_state
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
    """The one report model of an assessment that every format renders.

    The report is the position as at ``on`` (default today): ratings given after that day are
    left out, so a paper dated in March says what was true in March.
    """
    on = on or date.today()
    if since and since > on:
        raise InputError(
            f"--since {since.isoformat()} is after the report's date {on.isoformat()}: "
            "the period must start on or before it"
        )
    state = as_at(load_state(ws, assessment), on)
    return build_report(
        state,
        summarise(state.catalogue, state.ratings),
        on=on,
        title=title,
        council=council,
        links=_links(ws, state),
        since=since,
    )


def as_at(state: AssessmentState, on: date) -> AssessmentState:
    """The assessment as it stood at the end of the day ``on``."""
    end = datetime.combine(on + timedelta(days=1), time.min, UTC)

    def until(view: MeasureView) -> MeasureView:
        kept = [r for r in view.history if r.at is None or _aware(r.at) < end]
        return view if len(kept) == len(view.history) else replace(view, history=kept)

    return replace(state, views=[until(v) for v in state.views])


def _aware(at: datetime) -> datetime:
    # SQLite hands back naive datetimes for values stored as UTC.
    return at if at.tzinfo else at.replace(tzinfo=UTC)


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
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: this is a file; give a folder for the reports")
    out.mkdir(parents=True, exist_ok=True)
    # Every file is written into a scratch folder first and moved into place only when all of
    # them are done: a failure leaves the folder as it was, never a mix of old and new files.
    scratch = Path(tempfile.mkdtemp(prefix=".valvecheck-", dir=out))
    try:
        drafts: list[Path] = []
        for name in names:
            drafts.extend(FORMATS[name](data, scratch))
        targets = [out / d.name for d in drafts]
        for target in targets:
            if target.is_dir():
                raise InputError(f"{target} is a folder: it cannot be replaced by a report")
        for draft, target in zip(drafts, targets, strict=True):
            os.replace(draft, target)
        return targets
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
