"""An assessment's reports: build the report model once, then render each format to bytes.

The shells decide where the bytes go: the CLI writes files (all or none), the web app sends them.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import select

from valvecheck.analysis.summary import summarise
from valvecheck.domain.impact import Impact
from valvecheck.domain.link_reason import link_reason
from valvecheck.domain.moments import aware, end_of_day, in_england
from valvecheck.domain.names import slugify
from valvecheck.domain.people import Action
from valvecheck.domain.rating import Rating
from valvecheck.domain.views import AssessmentState, as_at, programme_before
from valvecheck.errors import InputError, NotFound
from valvecheck.reports import ALL, FORMATS
from valvecheck.reports.model import LinkRow, ReportData, build_report, carried_from, long_date
from valvecheck.services.context import Context, authorise
from valvecheck.services.measures import load_state
from valvecheck.services.prevalence import equivalents, prevalence_of
from valvecheck.services.programme import changes_of
from valvecheck.services.workspace import BUNDLED_BY
from valvecheck.store import queries
from valvecheck.store import repository as repo
from valvecheck.store.models import ActivityRow, CouncilRow
from valvecheck.store.queries import AssessmentRecord
from valvecheck.store.tenancy import owned

MEDIA_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".html": "text/html; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
}


# Each format as a council officer knows it, in the order a shell offers them: what every
# shell that names the formats to people (the web app's Reports page) shows.
FORMAT_NAMES = {
    "xlsx": "Excel workbook (.xlsx)",
    "docx": "Word document (.docx)",
    "html": "Web page (.html)",
    "md": "Plain text (Markdown, .md) for pasting into other documents",
    "position": "Position statement: what changed over a period (needs a start date)",
}


@dataclass(frozen=True)
class ReportFile:
    """One rendered report: its file name, media type and content."""

    name: str
    media_type: str
    content: bytes


def formats_of(fmt: str, since: date | None = None) -> list[str]:
    """The formats one format value names: 'all' is the four documents (+ position with since)."""
    name = fmt.strip().lower()
    if name == "all":
        return [*ALL, "position"] if since else list(ALL)
    if name == "markdown":
        name = "md"
    if name not in FORMATS:
        # the formats every shell offers ('all' is the command line's and the API's only)
        raise InputError(
            f"unknown report format '{fmt}'; the formats are {_listed(list(FORMATS))}",
            field="format",
        )
    if name == "position" and since is None:
        # the shell names the field (the command line's option, the form's date) beside this
        raise InputError("the position statement needs the start of its period", field="since")
    return [name]


def _listed(names: list[str]) -> str:
    """'docx, xlsx, html, md and position'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _natural(code: str) -> tuple[object, ...]:
    """'ETP-2' before 'ETP-10', any case: how a reader expects IDs in order."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", code.casefold()))


def _links(ctx: Context, state: AssessmentState, until: datetime) -> list[LinkRow]:
    """The links as they stood at ``until``, like the ratings: a pair linked later is left
    out, one unlinked since is still shown. In order of activity, then measure."""
    views = {v.id: v for v in state.views}
    cid = ctx.actor.council_id
    if cid is None:
        return []
    current = repo.current_links(ctx.session, cid, until)
    if not current:
        return []
    titles = {row.code: row.title for row in ctx.session.scalars(owned(ActivityRow, cid))}
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
                rationale=link_reason(event.rationale),
                by=event.by,
            )
        )
    return sorted(out, key=lambda k: (_natural(k.activity), _natural(k.measure)))


def _record(ctx: Context, assessment: str | None) -> AssessmentRecord | None:
    """The reported assessment's row (when it started, whether it is locked); None when the
    council has none."""
    cid = ctx.actor.council_id
    if cid is None or (assessment is None and queries.current_assessment(ctx.db, cid) is None):
        return None
    return queries.assessment_row(ctx.db, cid, assessment)


def _default_day(ctx: Context, record: AssessmentRecord | None) -> date:
    """Today, or the day a locked assessment was locked: its paper is the one that went to
    committee."""
    locked = record.locked_at if record is not None else None
    return in_england(locked).date() if locked is not None else ctx.today()


def report_day(ctx: Context, assessment: str | None = None) -> date:
    """The day an assessment's report is dated when no date is asked for (downloads are named
    by it)."""
    authorise(ctx, Action.READ)
    return _default_day(ctx, _record(ctx, assessment))


def download_name(file_name: str, assessment: str, day: date) -> str:
    """The name a downloaded report is given, the same by the web app and the API:
    "report-bristol-spring-2026-2026-12-06.xlsx", so two assessments' papers, or one
    assessment's on two days, never share a name."""
    stem, _, suffix = file_name.rpartition(".")
    return "-".join(p for p in (stem, slugify(assessment), day.isoformat()) if p) + f".{suffix}"


def disposition(named: str) -> str:
    """How a download is offered, by the web app and the API alike: an ASCII fallback name for
    old clients and the real name by RFC 5987."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in named)
    return f"attachment; filename=\"{safe}\"; filename*=UTF-8''{quote(named)}"


def _check_date(ctx: Context, record: AssessmentRecord | None, on: date) -> None:
    """Refuse a report dated after today, or before its assessment was started: a paper
    dated then would show a position nobody held (every measure not rated)."""
    today = ctx.today()
    if on > today:
        raise InputError(
            f"{long_date(on)} is after today ({long_date(today)}): a report can be dated "
            "today or earlier",
            field="on",
        )
    if record is None or record.created_by == BUNDLED_BY:
        return
    started = in_england(record.created_at).date()
    if on >= started:
        return
    earlier = [
        a
        for a in queries.assessments(ctx.db, record.council_id)
        if a.id != record.id and in_england(a.created_at).date() <= on
    ]
    then = (
        f"; the assessment started last before then was '{earlier[-1].name}'"
        if earlier
        else "; the council had no assessment then"
    )
    raise InputError(
        f"'{record.name}' was started on {long_date(started)}, after {long_date(on)}: date "
        f"its report {long_date(started)} or later{then}",
        field="on",
    )


def _check_council_name(ctx: Context, name: str | None, state: AssessmentState) -> None:
    """Refuse a printed council name that is another council of the workspace: the ratings
    reported are the acting council's, and the paper would put them under the other's name."""
    if name is None:
        return
    wanted = " ".join(name.split()).casefold()
    ours = {" ".join(n.split()).casefold() for n in (ctx.actor.council, state.council) if n}
    if wanted in ours:
        return
    # every council of the workspace, whoever asks (a person's own list names only their own;
    # council names are not kept from one another: the admin pages name them)
    for council in ctx.session.scalars(select(CouncilRow.name)):
        if " ".join(council.split()).casefold() == wanted:
            whose = ctx.actor.council or state.council
            raise InputError(
                f"'{name}' is another council of this workspace, but the ratings reported are "
                f"{whose}'s: to report {council}'s own ratings, act in {council}",
                field="council_name",
            )


def report_data(
    ctx: Context,
    assessment: str | None = None,
    *,
    on: date | None = None,
    title: str | None = None,
    council_name: str | None = None,
    since: date | None = None,
    appendix: str | None = None,
) -> ReportData:
    """The one report model of an assessment that every format renders.

    The report is the position as at the end of ``on`` (default today): ratings, links and
    savings recorded later are left out, so a paper dated in March says what was true in March.
    A locked assessment's report is the paper that went to committee: dated by default on the
    day it was locked, with links, savings, weights and the programme's themes as they stood at
    the lock, whatever the next quarter records.
    ``on`` may not be after today, nor before the assessment was started. ``council_name`` is
    the name printed on the paper (default: the assessment's council); it may not be another
    council of the workspace. ``appendix`` labels the paper ("Appendix C"; none by default).
    """
    authorise(ctx, Action.READ)
    record = _record(ctx, assessment)
    on = on or _default_day(ctx, record)
    if since and since > on:
        raise InputError(
            f"the period's start {since.isoformat()} is after the report's date "
            f"{on.isoformat()}: the period must start on or before it",
            field="since",
        )
    # named, so that a locked assessment's report is of the catalogue it was locked with even
    # while it is the current one
    state = load_state(ctx, record.name if record is not None else assessment)
    if not state.assessment:
        # Every measure would read "not rated" under "the council has cross-referenced ...".
        who = ctx.actor.council or "This workspace"
        raise NotFound(
            f"{who} has no assessment yet, so there is nothing to report: start one and rate "
            "its measures first",
            field="assessment",
        )
    _check_date(ctx, record, on)
    _check_council_name(ctx, council_name, state)
    # The position as at the end of ``on``: every dated view (ratings here, links, savings,
    # weights and the programme below) is cut there, or at the lock of a locked assessment, so the paper that went
    # to committee comes out the same after the next quarter's links and savings.
    until = end_of_day(on)
    if record is not None and record.locked_at is not None:
        # what was recorded up to and at the moment of the lock
        until = min(until, aware(record.locked_at) + timedelta(microseconds=1))
    if since is not None and record is not None:
        state = _with_ratings_carried_from(ctx, state, record)
    state = as_at(state, on)
    if ctx.actor.council_id is not None:
        # the programme as it stood then too: a measure placed or moved since is where it was
        state = programme_before(state, changes_of(ctx.db, ctx.actor.council_id, since=until))
    return build_report(
        state,
        summarise(state.catalogue, state.ratings, prevalence_of(ctx.session, state.catalogue)),
        on=on,
        title=title,
        council=council_name,
        links=_links(ctx, state, until),
        since=since,
        impact=_impact(ctx, assessment, on, until),
        also_in=equivalents(ctx.session, state.catalogue),
        appendix=(appendix or "").strip(),
        locked_at=record.locked_at if record else None,
        locked_by=record.locked_by if record else "",
    )


def _with_ratings_carried_from(
    ctx: Context, state: AssessmentState, record: AssessmentRecord
) -> AssessmentState:
    """The state with each rating carried forward into the assessment put after the ratings it
    was carried from (those of the earlier assessment up to the carry, and theirs in turn), so
    that a period read across the carry starts from the rating as it stood then, and lists the
    changes made in the earlier assessment (Amber, then Green) rather than "Not rated to Green".
    A carried rating is the first of its measure's history; its note names where it came from.
    """
    earlier = {a.name: a for a in queries.assessments(ctx.db, record.council_id)}
    histories: dict[int, dict[str, list[Rating]]] = {}

    def before(rating: Rating, seen: frozenset[int]) -> list[Rating]:
        source = earlier.get(carried_from(rating.rationale))
        if source is None or source.id in seen:
            return []
        if source.id not in histories:
            histories[source.id] = queries.rating_history(ctx.db, source)
        kept = [
            r
            for r in histories[source.id].get(rating.measure_id, [])
            if r.at is None or rating.at is None or aware(r.at) <= aware(rating.at)
        ]
        return [*before(kept[0], seen | {source.id}), *kept] if kept else []

    views = []
    for view in state.views:
        first = view.history[0] if view.history else None
        chain = before(first, frozenset({record.id})) if first else []
        views.append(replace(view, history=[*chain, *view.history]) if chain else view)
    return replace(state, views=views)


def _impact(ctx: Context, assessment: str | None, on: date, until: datetime) -> Impact | None:
    """The impact section's figures as at ``until`` (the report's day, ``on``, or the lock);
    None in a workspace with no council yet."""
    from valvecheck.services.impact import impact

    if ctx.actor.council_id is None:
        return None
    return impact(ctx, assessment, on=on, until=until)


def render(
    ctx: Context,
    fmt: str,
    assessment: str | None = None,
    *,
    on: date | None = None,
    title: str | None = None,
    council_name: str | None = None,
    since: date | None = None,
    appendix: str | None = None,
) -> list[ReportFile]:
    """The chosen format(s) of the assessment's report, rendered from one report model."""
    names = formats_of(fmt, since)
    data = report_data(
        ctx,
        assessment,
        on=on,
        title=title,
        council_name=council_name,
        since=since,
        appendix=appendix,
    )
    total, done = data.table_rows * len(names), 0

    def written(rows: int) -> None:  # each format's rows, one after another
        nonlocal done
        done += rows
        ctx.report("Writing the report", done, total)

    scratch = Path(tempfile.mkdtemp(prefix="valvecheck-report-"))
    try:
        files = []
        for name in names:
            for path in FORMATS[name](data, scratch, written):
                media = MEDIA_TYPES.get(path.suffix, "application/octet-stream")
                files.append(ReportFile(path.name, media, path.read_bytes()))
        return files
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def report_assessment(ctx: Context, assessment: str | None = None) -> str:
    """The name of the assessment a report is of."""
    authorise(ctx, Action.READ)
    return load_state(ctx, assessment).assessment
