"""Activities: importing the council's own programme, listing it, and linking it to measures.

Links are kept like ratings: every link and unlink is an event with who, when and why, and the
links in force are the pairs whose latest event is a link.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from valvecheck.domain.activity import Activity, id_key
from valvecheck.domain.problems import Problem
from valvecheck.errors import ImportRejected, InputError
from valvecheck.importers.activities_csv import read_activities_csv
from valvecheck.importers.activities_xlsx import read_activities_xlsx
from valvecheck.importers.activity_rows import ActivityTable, parse_column_map
from valvecheck.importers.container import OLE_MAGIC
from valvecheck.services.imports import read_bytes
from valvecheck.services.workspace import current_user
from valvecheck.store import activities as store
from valvecheck.store import repository as repo
from valvecheck.store.db import Workspace

XLSX_SUFFIXES = (".xlsx", ".xlsm")
# Files people may pick by mistake, by suffix: what they are, to say so.
OTHER_FORMATS = {
    ".doc": "a Word document",
    ".docx": "a Word document",
    ".odt": "a text document",
    ".rtf": "a text document",
    ".pdf": "a PDF",
    ".ppt": "a PowerPoint file",
    ".pptx": "a PowerPoint file",
    ".ods": "an OpenDocument spreadsheet",
    ".numbers": "a Numbers spreadsheet",
}


@dataclass(frozen=True)
class ActivitiesImported:
    file: str
    rows: int
    added: int
    updated: int


@dataclass(frozen=True)
class LinkEvent:
    """One link or unlink of an activity and a measure."""

    activity_id: str
    measure_id: str
    linked: bool
    rationale: str
    by: str
    at: datetime | None

    def as_dict(self) -> dict[str, object]:
        return {
            "activity": self.activity_id,
            "measure": self.measure_id,
            "action": "link" if self.linked else "unlink",
            "rationale": self.rationale,
            "by": self.by,
            "at": self.at.isoformat() if self.at else None,
        }


@dataclass
class ActivityView:
    """An activity with the links in force (latest event per measure) and its link history."""

    activity: Activity
    links: list[LinkEvent] = field(default_factory=list)
    history: list[LinkEvent] = field(default_factory=list)

    @property
    def measures(self) -> list[str]:
        return [e.measure_id for e in self.links]


def format_problem(data: bytes, file: str) -> Problem | None:
    """A file that is not CSV or XLSX, by its name or first bytes: what to save it as instead."""
    suffix = Path(file).suffix.lower()
    kind = OTHER_FORMATS.get(suffix) or ("a PDF" if data.startswith(b"%PDF") else None)
    if kind:
        return Problem(
            "not-csv-or-xlsx",
            f"activities are read from CSV or XLSX, and this is {kind}; put them in a table with "
            "a header row and save it as .xlsx or .csv",
            file,
        )
    if suffix in XLSX_SUFFIXES and data.startswith(OLE_MAGIC):
        return Problem(
            "encrypted-file",
            "this workbook is password-protected; open it, remove the password and save it as "
            ".xlsx",
            file,
        )
    if suffix == ".xls" or data.startswith(OLE_MAGIC):
        return Problem(
            "old-excel-format",
            "this is an old Excel file (.xls), which cannot be read; open it in Excel and save it "
            "as .xlsx (Excel Workbook) or as CSV",
            file,
        )
    return None


def read_activities(
    data: bytes, file: str, column_map: Mapping[str, str] | None = None
) -> ActivityTable:
    """CSV or XLSX by the file's name, or by its first bytes (a workbook is a zip file).

    ``column_map`` is a parsed ``--column-map`` ({heading (folded): field}).
    """
    if problem := format_problem(data, file):
        return ActivityTable(problems=[problem])
    if file.lower().endswith(XLSX_SUFFIXES) or data[:2] == b"PK":
        return read_activities_xlsx(data, file, column_map)
    return read_activities_csv(data, file, column_map)


def import_activities(
    ws: Workspace, path: str | Path, column_map: str | None = None
) -> ActivitiesImported:
    """Add or update the activities in a CSV or XLSX file; nothing is written if any row is bad.

    ``column_map`` names headings the built-in names miss: ``"id=Project Ref,end=Target Date"``.
    """
    ws.require()
    file = str(path)
    mapping = parse_column_map(column_map)
    parsed = read_activities(read_bytes(path), file, mapping)
    if parsed.problems:
        raise ImportRejected(parsed.problems)
    with ws.session() as session:
        if problems := kept_date_problems(parsed, store.activities(session), file):
            raise ImportRejected(problems)
        added, updated = store.save_activities(session, parsed.rows, repo.now(), parsed.fields)
    return ActivitiesImported(file, len(parsed.rows), added, updated)


def kept_date_problems(parsed: ActivityTable, existing: list[Activity], file: str) -> list[Problem]:
    """A file with a start column but no end (or the reverse) keeps the other date: the two
    together must still be in order."""
    given = [f for f in ("start", "end") if f in parsed.fields]
    if len(given) != 1:
        return []
    (column,) = given
    kept = {id_key(a.id): a for a in existing}
    problems = []
    for a, line in zip(parsed.rows, parsed.lines, strict=True):
        old = kept.get(id_key(a.id))
        if old is None:
            continue
        start, end = (a.start, old.end) if column == "start" else (old.start, a.end)
        if start and end and end < start:
            problems.append(
                Problem(
                    "end-before-start",
                    f"the end date {end:%d/%m/%Y} would be before the start date "
                    f"{start:%d/%m/%Y} (the other date is kept from the workspace)",
                    file,
                    line,
                    parsed.columns[column],
                )
            )
    return problems


def _event(activity: str, measure: str, row: object) -> LinkEvent:
    return LinkEvent(activity, measure, row.linked, row.rationale, row.by, row.at)  # type: ignore[attr-defined]


def link_events(ws: Workspace) -> list[LinkEvent]:
    """Every link and unlink, oldest first."""
    ws.require()
    with ws.session() as session:
        return [_event(a, m, e) for a, m, e in repo.link_events(session)]


def current_links(events: list[LinkEvent]) -> list[LinkEvent]:
    """The links in force: the pairs whose latest event is a link."""
    latest: dict[tuple[str, str], LinkEvent] = {}
    for e in events:
        latest[(e.activity_id, e.measure_id)] = e
    return [e for e in latest.values() if e.linked]


def list_activities(ws: Workspace) -> list[ActivityView]:
    ws.require()
    with ws.session() as session:
        items = store.activities(session)
        events = [_event(a, m, e) for a, m, e in repo.link_events(session)]
    links = current_links(events)
    return [
        ActivityView(
            a,
            [e for e in links if e.activity_id == a.id],
            [e for e in events if e.activity_id == a.id],
        )
        for a in items
    ]


def show_activity(ws: Workspace, activity_id: str) -> ActivityView:
    ws.require()
    with ws.session() as session:
        code = store.activity_row(session, activity_id).code
    return next(v for v in list_activities(ws) if v.activity.id == code)


def link(
    ws: Workspace,
    activity_id: str,
    measure_id: str,
    rationale: str = "",
    by: str | None = None,
) -> LinkEvent:
    """Link an activity to a measure, recording who, when and why."""
    return _change(ws, activity_id, measure_id, True, rationale, by)


def unlink(
    ws: Workspace,
    activity_id: str,
    measure_id: str,
    rationale: str = "",
    by: str | None = None,
) -> LinkEvent:
    """End a link; the link and its ending both stay in the history."""
    return _change(ws, activity_id, measure_id, False, rationale, by)


def _change(
    ws: Workspace, activity_id: str, measure_id: str, linked: bool, rationale: str, by: str | None
) -> LinkEvent:
    ws.require()
    who = current_user(by)
    with ws.session() as session:
        activity = store.activity_row(session, activity_id)
        activity_id = activity.code  # as first written, whatever the case given
        measure = repo.measure_row(session, measure_id)
        in_force = {(a, m) for a, m, _ in repo.current_links(session)}
        if linked and (activity_id, measure_id) in in_force:
            raise InputError(f"{activity_id} is already linked to {measure_id}")
        if not linked and (activity_id, measure_id) not in in_force:
            raise InputError(f"{activity_id} is not linked to {measure_id}")
        row = store.add_link_event(
            session, activity, measure, linked, rationale.strip(), who, repo.now()
        )
        return _event(activity_id, measure_id, row)
