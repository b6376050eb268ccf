"""Imports: upload a file, see a preview naming every problem, then confirm.

The uploaded file waits in a staging folder between the preview and the confirmation, under a
random token tied to the person who uploaded it; confirming imports exactly the bytes previewed.
"""

from __future__ import annotations

import contextlib
import hashlib
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
    ImportRejected,
    InputError,
    NotFound,
    ValvecheckError,
    WorkspaceError,
    http_status,
)
from valvecheck.importers import limits
from valvecheck.services.activities import ActivitiesImported, import_activities
from valvecheck.services.catalogue import import_catalogue
from valvecheck.services.context import Context, authorise
from valvecheck.web.common import PROTECTED, done, form_page, render, work
from valvecheck.web.text import count, sentence

router = APIRouter(dependencies=PROTECTED)

KINDS = {"activities": "activities", "catalogue": "agreements and measures (catalogue)"}
STAGED_FOR = 3600  # seconds a previewed file waits for its confirmation


@dataclass(frozen=True)
class Staged:
    token: str
    kind: str
    file: str
    person_id: int
    options: dict[str, str]
    data: bytes
    shown: str = ""  # what the preview said the file would change (``_shown``)


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
    if kind == "activities":
        return import_activities(ctx, data, file, options.get("column_map") or None, preview)
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
    return render(
        request, "imports/index.html", kinds=KINDS, limit=limits.limit_mb(), errors={}, typed={}
    )


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
        raise InputError("choose what the file holds: activities or a catalogue", field="kind")
    if file is None or not file.filename:
        # the form again, saying so at its file field, with what was typed kept
        typed = {"column_map": column_map, "agreement_year": agreement_year}
        typed |= {"source_url": source_url, "revise": revise}
        with work(request) as ctx:
            # the catalogue's form sent by someone its page is not offered to (an editor) is
            # refused, as its file would be (whether the file changes what every council shares,
            # which only the keepers may, is asked once it is read)
            if kind == "catalogue":
                authorise(ctx, Action.MANAGE_CATALOGUE, role_only=True)
            else:
                authorise(ctx, Action.READ)
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
    except InputError as exc:
        if exc.field == "column_map":
            # the form again, the error at its column names with what was typed there kept
            said = f"{sentence(str(exc))}. Choose the file again after correcting it"
            kept = {k: v for k, v in options.items() if v}
            return _form_again(request, kind, f"{kind}-map", said, kept)
        problems, status = [_as_problem(exc, name)], http_status(exc)
    token = ""
    if outcome is not None and person is not None:
        token = _stage(kind, name, person, options, data, _shown(outcome))
    return _preview_page(request, status, kind, name, outcome, problems, token)


def _form_again(
    request: Request, kind: str, field: str, message: str, typed: dict[str, str]
) -> Response:
    """The Imports page again, refusing the ``kind`` form with ``message`` at ``field`` and
    what was typed in that form kept (a file is chosen again: a browser never keeps one)."""
    return render(
        request,
        "imports/index.html",
        422,
        kinds=KINDS,
        limit=limits.limit_mb(),
        errors={field: message},
        typed={kind: typed},
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
    )


def _shown(outcome: object) -> str:
    """What a preview of activities said the file would change (its new activities, each value
    an update would change, the links it would make), as a digest; "" for a catalogue's."""
    if not isinstance(outcome, ActivitiesImported):
        return ""
    said = [list(outcome.new), [repr(c) for c in outcome.changes], outcome.linked]
    return hashlib.sha256(json.dumps(said, default=str).encode()).hexdigest()


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


@router.post("/imports/{token}/confirm")
def confirm(request: Request, token: str) -> Response:
    with work(request, write=True) as ctx:
        staged = _staged(token, ctx.actor.person_id)
        if staged.shown:
            # a colleague's edit or import since the preview: the person confirms what the
            # file would change now, never what it would have changed then
            now = _run(ctx, staged.kind, staged.data, staged.file, staged.options, preview=True)
            if _shown(now) != staged.shown:
                fresh = _stage(
                    staged.kind,
                    staged.file,
                    staged.person_id,
                    staged.options,
                    staged.data,
                    _shown(now),
                )
                _unstage(token)
                return _preview_page(
                    request, 409, staged.kind, staged.file, now, [], fresh, changed_since=True
                )
        outcome = _run(ctx, staged.kind, staged.data, staged.file, staged.options, preview=False)
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
        for note in outcome.notes:
            message += f"; {note}"
        return done(request, "/activities", message)
    return done(request, "/measures", outcome.describe(staged.file))
