"""Imports: upload a file, see a preview naming every problem, then confirm.

The uploaded file waits in a staging folder between the preview and the confirmation, under a
random token tied to the person who uploaded it; confirming imports exactly the bytes previewed.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from starlette.responses import Response

from valvecheck.domain.activity import Status
from valvecheck.domain.people import Action
from valvecheck.errors import (
    Conflict,
    ImportRejected,
    InputError,
    NotFound,
    ValvecheckError,
    WorkspaceError,
    http_status,
)
from valvecheck.importers import limits
from valvecheck.services.activities import import_activities
from valvecheck.services.catalogue import import_catalogue
from valvecheck.services.context import Context, authorise
from valvecheck.services.impact import SavingsImported, import_savings
from valvecheck.services.ratings import current_assessment
from valvecheck.services.trajectory import TrajectoryImported, import_trajectory
from valvecheck.web import import_changes
from valvecheck.web.common import PROTECTED, done, form_page, render, work
from valvecheck.web.text import count, sentence

router = APIRouter(dependencies=PROTECTED)

KINDS = {
    "activities": "activities",
    "catalogue": "agreements and measures (catalogue)",
    "savings": "savings",
    "trajectory": "the deficit trajectory",
}
# who may send each form (a file's import asks again, of the file)
FORM_ACTION = {
    "activities": Action.READ,
    "catalogue": Action.MANAGE_CATALOGUE,
    "savings": Action.RECORD_IMPACT,
    "trajectory": Action.RECORD_IMPACT,
}
STAGED_FOR = 3600  # seconds a previewed file waits for its confirmation
LINES_SHOWN = 1000  # figures a savings or trajectory preview lists (a page, not megabytes)


@dataclass(frozen=True)
class Staged:
    token: str
    kind: str
    file: str
    person_id: int
    options: dict[str, str]
    data: bytes
    shown: str = ""  # what the preview said the file would change (``import_changes.digest``)


def _folder() -> Path:
    """The staging folder: this account's own (a name per account), mode 0700. A folder found
    under that name that is not a folder, is another account's, or is open to others is never
    used: another account could read a council's file there, or swap the bytes between the
    preview and the confirmation (a service with PrivateTmp=true is safe from it; plain
    ``valvecheck serve`` is not)."""
    uid = os.getuid() if hasattr(os, "getuid") else None
    folder = Path(tempfile.gettempdir()) / f"valvecheck-uploads-{'user' if uid is None else uid}"
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    found = folder.lstat()
    if (
        not stat.S_ISDIR(found.st_mode)
        or (uid is not None and found.st_uid != uid)
        or found.st_mode & 0o077
    ):
        raise WorkspaceError(
            f"the folder for uploads waiting to be confirmed, {folder}, is not this account's "
            f"own (owner {found.st_uid}, mode {stat.S_IMODE(found.st_mode):o}): remove it, or "
            "set TMPDIR to a folder only this account can use"
        )
    return folder


def _write_private(path: Path, data: bytes) -> None:
    """A new file only this account can read (never one that is there already)."""
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        out.write(data)


def _stage(
    kind: str, file: str, person_id: int, options: dict[str, str], data: bytes, shown: str = ""
) -> str:
    token = secrets.token_urlsafe(24)
    folder = _folder()
    _write_private(folder / f"{token}.bin", data)
    meta = {
        "kind": kind,
        "file": file,
        "person": person_id,
        "options": options,
        "at": time.time(),
        "shown": shown,
    }
    _write_private(folder / f"{token}.json", json.dumps(meta).encode())
    for old in folder.glob("*.json"):  # tidy files nobody confirmed
        if old.stat().st_mtime < time.time() - STAGED_FOR:
            old.unlink(missing_ok=True)
            old.with_suffix(".bin").unlink(missing_ok=True)
    return token


def _staged(token: str, person_id: int | None) -> Staged:
    gone = NotFound("this preview has expired or was already imported: upload the file again")
    if not token.replace("-", "").replace("_", "").isalnum():
        raise gone
    meta_path = _folder() / f"{token}.json"
    try:
        meta = json.loads(meta_path.read_text())
        data = meta_path.with_suffix(".bin").read_bytes()
    except (OSError, ValueError):
        raise gone from None
    if meta["person"] != person_id or meta["at"] < time.time() - STAGED_FOR:
        raise gone
    return Staged(
        token,
        meta["kind"],
        meta["file"],
        meta["person"],
        meta["options"],
        data,
        meta.get("shown", ""),
    )


def _unstage(token: str) -> None:
    (_folder() / f"{token}.json").unlink(missing_ok=True)
    (_folder() / f"{token}.bin").unlink(missing_ok=True)


def _run(
    ctx: Context, kind: str, data: bytes, file: str, options: dict[str, str], preview: bool
) -> Any:
    column_map = options.get("column_map") or None
    if kind == "activities":
        return import_activities(ctx, data, file, column_map, preview)
    if kind == "savings":
        return import_savings(ctx, data, file, column_map, preview)
    if kind == "trajectory":  # the current assessment's, as the Impact page shows
        return import_trajectory(ctx, data, file, None, column_map, preview)
    return import_catalogue(
        ctx,
        data,
        file,
        year=options.get("agreement_year", ""),
        source_url=options.get("source_url", ""),
        column_map=options.get("column_map") or None,
        revise=bool(options.get("revise")),
        preview=preview,
    )


@router.get("/imports")
def index(request: Request) -> Response:
    with work(request) as ctx:
        authorise(ctx, Action.READ)
        shown = _shown_with(ctx)
    return render(request, "imports/index.html", errors={}, typed={}, **shown)


def _shown_with(ctx: Context) -> dict[str, Any]:
    """What the Imports page shows beside its forms: the kinds, the size limit, and the
    assessment whose trajectory a file would replace."""
    current = current_assessment(ctx)
    shut = None  # why no trajectory can be imported now, in place of its form
    if current is None:
        shut = "Your council has no assessment yet: start one on the Assessments page first."
    elif current.locked:
        shut = (
            f"The current assessment, “{current.name}”, is locked: it has been reported, so its "
            "trajectory stays as it was. Make a later assessment current to import another."
        )
    name = f"“{current.name}”" if current is not None else "the current assessment"
    return {
        "kinds": KINDS,
        "limit": limits.limit_mb(),
        "assessment_name": name,
        "trajectory_shut": shut,
    }


@router.post("/imports")
def upload(
    request: Request,
    kind: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
    column_map: Annotated[str, Form()] = "",
    agreement_year: Annotated[str, Form()] = "",
    source_url: Annotated[str, Form()] = "",
    revise: Annotated[str, Form()] = "",
) -> Response:
    if kind not in KINDS:
        raise InputError(
            "choose what the file holds: activities, a catalogue, savings or the deficit "
            "trajectory",
            field="kind",
        )
    if file is None or not file.filename:
        # the form again, saying so at its file field, with what was typed kept
        typed = {"column_map": column_map, "agreement_year": agreement_year}
        typed |= {"source_url": source_url, "revise": revise}
        with work(request) as ctx:
            # a form sent by someone its page is not offered to (an editor's catalogue, a
            # viewer's savings) is refused, as its file would be (whether a catalogue's file
            # changes what every council shares, which only the keepers may, is asked once it
            # is read)
            authorise(ctx, FORM_ACTION[kind], role_only=True)
        return _form_again(request, kind, f"{kind}-file", "Choose a file to upload", typed)
    data = file.file.read(limits.MAX_BYTES + 1)  # one byte over is enough to refuse it
    # the refusal names the file's own size, not the bytes read before stopping
    size = file.size if file.size is not None else len(data)
    name = Path(file.filename).name
    options = {
        "column_map": column_map,
        "agreement_year": agreement_year,
        "source_url": source_url,
        "revise": "yes" if revise else "",
    }
    return _preview(request, kind, name, data, options, size)


def _preview(
    request: Request, kind: str, name: str, data: bytes, options: dict[str, str], size: int
) -> Response:
    problems: list[object] = []
    outcome = None
    status = 200
    person: int | None = None
    try:
        # A preview writes nothing, so it reads only: it keeps no writer waiting, however large
        # the file (on SQLite a write transaction would hold every save in the council).
        with work(request) as ctx:
            person = ctx.actor.person_id
            if (problem := limits.too_large(max(size, len(data)), name)) is not None:
                raise ImportRejected([problem])
            outcome = _run(ctx, kind, data, name, options, preview=True)
    except ImportRejected as exc:
        problems, status = list(exc.problems), http_status(exc)
    except (Conflict, NotFound) as exc:  # a locked assessment's trajectory; no assessment yet
        problems, status = [_as_problem(exc, name)], http_status(exc)
    except InputError as exc:
        if exc.field == "column_map":
            # the form again, the error at its column names with what was typed there kept
            said = f"{sentence(str(exc))}. Choose the file again after correcting it"
            kept = {k: v for k, v in options.items() if v}
            return _form_again(request, kind, f"{kind}-map", said, kept)
        problems, status = [_as_problem(exc, name)], http_status(exc)
    token = ""
    if outcome is not None and person is not None:
        token = _stage(kind, name, person, options, data, import_changes.digest(outcome))
    return _preview_page(request, status, kind, name, outcome, problems, token)


def _form_again(
    request: Request, kind: str, field: str, message: str, typed: dict[str, str]
) -> Response:
    """The Imports page again, refusing the ``kind`` form with ``message`` at ``field`` and
    what was typed in that form kept (a file is chosen again: a browser never keeps one)."""
    with work(request) as ctx:
        shown = _shown_with(ctx)
    return render(
        request, "imports/index.html", 422, errors={field: message}, typed={kind: typed}, **shown
    )


def _preview_page(
    request: Request,
    status: int,
    kind: str,
    name: str,
    outcome: object,
    problems: list[object],
    token: str,
    changed_since: bool = False,
) -> Response:
    return render(
        request,
        "imports/preview.html",
        status,
        kind=kind,
        kinds=KINDS,
        file=name,
        outcome=outcome,
        problems=problems,
        token=token,
        notes=list(getattr(outcome, "notes", ())),
        statuses={s.value: s.label for s in Status},
        changed_since=changed_since,
        lines=_lines(outcome),
        LINES_SHOWN=LINES_SHOWN,
    )


def _lines(outcome: object) -> list[import_changes.Line]:
    """A savings or trajectory preview's changes, one line a figure (none for other kinds)."""
    if isinstance(outcome, SavingsImported):
        return import_changes.saving_lines(outcome.changes)
    if isinstance(outcome, TrajectoryImported):
        return import_changes.trajectory_lines(outcome.changes)
    return []


def _as_problem(exc: ValvecheckError, name: str) -> object:
    from valvecheck.domain.problems import Problem

    # the table names the file in its own column: a message that starts with it says it twice
    message = str(exc).removeprefix(f"{name}: ")
    return Problem(exc.code, message, name)


@router.get("/imports/{token}/confirm")
def confirm_address(request: Request, token: str) -> Response:
    """The preview's "Import" address opened as a page (a refused import's, reloaded): the
    Imports page, to upload the file again (a preview is never made by opening an address)."""
    return form_page(request, lambda ctx: "/imports")


class _ChangedSince(Exception):
    """What a file would change now is not what its preview said: its import is rolled back,
    and ``outcome`` (what it would change now) is shown instead."""

    def __init__(self, outcome: object):
        self.outcome = outcome


@router.post("/imports/{token}/confirm")
def confirm(request: Request, token: str) -> Response:
    staged: Staged | None = None
    try:
        with work(request, write=True) as ctx:
            staged = _staged(token, ctx.actor.person_id)
            outcome = _confirmed(ctx, staged)
    except _ChangedSince as exc:
        assert staged is not None
        return _again(request, staged, exc.outcome)
    except (ImportRejected, Conflict) as exc:
        # refused now (a colleague's entry made the file withdraw figures; the assessment was
        # locked since): nothing imported, the file's problems said on its preview page
        assert staged is not None
        _unstage(token)
        problems = exc.problems if isinstance(exc, ImportRejected) else [_as_problem(exc, "")]
        return _preview_page(
            request, http_status(exc), staged.kind, staged.file, None, list(problems), ""
        )
    _unstage(token)
    if staged.kind == "activities":
        message = (
            f"Imported {count(outcome.rows, 'activity', 'activities')} from {staged.file}: "
            f"{outcome.added} new, "
            f"{outcome.updated} updated"
        )
        if outcome.linked:  # the CLI's words: links from the file's measures column count too
            pairs = count(outcome.linked, "activity-measure pair", "activity-measure pairs")
            message += f"; linked {pairs} from the measures column"
        return done(request, "/activities", _with_notes(message, tuple(outcome.notes)))
    if staged.kind == "savings":
        message = (
            f"Imported {count(outcome.rows, 'savings row', 'savings rows')} from {staged.file}: "
            f"{outcome.written} recorded, {outcome.unchanged} unchanged"
        )
        return done(request, "/impact", _with_notes(message, outcome.notes))
    if staged.kind == "trajectory":
        years = count(outcome.years, "year", "years")
        changed = count(len(outcome.changes), "figure", "figures")
        message = (
            f"Imported {staged.file} as the deficit trajectory of “{outcome.assessment}”: "
            f"{years}, {changed} changed (the figures before are kept in its history)"
        )
        return done(request, "/impact/trajectory", _with_notes(message, outcome.notes))
    return done(request, "/measures", outcome.describe(staged.file))


def _confirmed(ctx: Context, staged: Staged) -> Any:
    """The staged file imported, if it still changes what its preview said.

    It is imported under the import's own locks and then compared with the preview: a
    colleague's edit, entry or import since, even one committed while this waits for the
    locks, rolls the import back (``_ChangedSince``) and is shown, never imported unseen. A
    catalogue's preview says nothing to compare ("")."""
    outcome = _run(ctx, staged.kind, staged.data, staged.file, staged.options, preview=False)
    if staged.shown and import_changes.digest(outcome) != staged.shown:
        raise _ChangedSince(outcome)
    return outcome


def _again(request: Request, staged: Staged, outcome: object) -> Response:
    """The preview again, of what the file would change now, under a new token."""
    fresh = _stage(
        staged.kind,
        staged.file,
        staged.person_id,
        staged.options,
        staged.data,
        import_changes.digest(outcome),
    )
    _unstage(staged.token)
    return _preview_page(
        request, 409, staged.kind, staged.file, outcome, [], fresh, changed_since=True
    )


def _with_notes(message: str, notes: tuple[str, ...]) -> str:
    return "; ".join((message, *notes))
