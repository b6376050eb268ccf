"""Growing the catalogue from documents, and handing it on as a data package.

``import_catalogue`` reads a CSV, XLSX, DOCX or PDF table (or the seed's text form) through one
path: the format module gives cell rows, ``catalogue_table.read_table`` gives checked rows plus
problems, and ``imports.save_rows`` saves them in one transaction with any ratings in a RAG
column, exactly as the appendix import does. A ``datapackage.json`` is read back whole.
Nothing is written unless the whole file is accepted.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from valvecheck.catalogue.datapackage import DESCRIPTOR, package_files
from valvecheck.domain.equivalence import EquivalenceDecision
from valvecheck.domain.names import agreement_year
from valvecheck.domain.people import Action
from valvecheck.domain.problems import Problem
from valvecheck.errors import ImportRejected, InputError
from valvecheck.importers.catalogue import FORMATS as TABLE_FORMATS
from valvecheck.importers.catalogue import format_of, read_catalogue
from valvecheck.importers.catalogue_package import read_package
from valvecheck.importers.catalogue_table import parse_column_map
from valvecheck.services import prevalence
from valvecheck.services.context import Context, authorise
from valvecheck.services.equivalence import decisions as decisions_in_force
from valvecheck.services.imports import NO_COUNCIL, ImportOutcome, new_in_catalogue, save_rows
from valvecheck.services.people import ensure_council
from valvecheck.store import equivalence
from valvecheck.store import repository as repo
from valvecheck.store import versions as store_versions
from valvecheck.store.models import CouncilRow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

FORMATS = (*TABLE_FORMATS, DESCRIPTOR)


def import_catalogue(
    ctx: Context,
    data: bytes,
    file: str,
    year: str = "",
    source_url: str = "",
    source_title: str = "",
    column_map: str | None = None,
    assessment: str | None = None,
    council: str | None = None,
    revise: bool = False,
    preview: bool = False,
    folder: Path | None = None,
) -> ImportOutcome:
    """Import agreements and their measures from a document; ratings in a RAG column too.

    ``data`` is the file's content and ``file`` its name. A data package's descriptor
    (datapackage.json) also needs the ``folder`` its resources are in.
    """
    authorise(ctx, Action.MANAGE_CATALOGUE, role_only=True)  # the keeper: save_rows
    path = Path(file)
    try:
        year = agreement_year(year)
    except InputError as exc:
        raise InputError(str(exc), field="agreement_year") from None
    if source_url and not re.match(r"^https?://\S+$", source_url):
        raise InputError(f"'{source_url}' is not a web address (https://...)", field="source")
    mapping = parse_column_map(column_map)
    if path.suffix.lower() == ".json":
        return import_package(ctx, (folder or path.parent) / path.name, council)
    if format_of(data, file) is None:
        shown = path.suffix.lower() or path.name
        raise InputError(f"{file}: cannot import '{shown}' files; use one of: {', '.join(FORMATS)}")
    parsed = read_catalogue(data, file, mapping)
    return save_rows(
        ctx,
        parsed.rows,
        file,
        parsed.hints,
        year=year,
        source_url=source_url,
        source_title=source_title or parsed.source_title or path.name,
        assessment=assessment,
        council=council,
        rated_only=True,
        found=parsed.problems,
        revise=revise,
        preview=preview,
    )


def check_package(path: Path, council: str | None) -> None:
    """Refuse a data package that would not import, before a workspace is made for it (with
    ``council``, its first council, if any)."""
    if path.name != DESCRIPTOR:
        raise ImportRejected(
            [Problem("not-a-package", f"a data package is read from its {DESCRIPTOR}", str(path))]
        )
    contents, problems = read_package(path)
    if contents is None:
        raise ImportRejected(problems)
    if council is None and repo.has_programme(contents.catalogue):
        raise InputError(NO_COUNCIL, field="council")


def import_package(ctx: Context, path: Path, council: str | None = None) -> ImportOutcome:
    """Import a catalogue data package written by ``export_package`` (or by hand to its schema).
    Its programme is the acting council's; in a workspace with no council yet, ``council``'s,
    which is created (a programme never makes a council nobody named). A package that adds to
    what every council reads (a measure, agreement or authority, a decision on two measures) is
    only the catalogue's keepers' (`authorise`); one that only places measures already here is
    any admin's: the programme is their council's own."""
    authorise(ctx, Action.MANAGE_CATALOGUE, role_only=True)
    if path.name != DESCRIPTOR:
        raise ImportRejected(
            [Problem("not-a-package", f"a data package is read from its {DESCRIPTOR}", str(path))]
        )
    contents, problems = read_package(path)
    if contents is None:
        raise ImportRejected(problems)
    session = ctx.session
    in_force = {frozenset((d.measure, d.other)): d.decision for d in equivalence.current(session)}
    decides = any(
        in_force.get(frozenset((d.measure, d.other))) != d.decision for d in contents.decisions
    )
    if decides or any(new_in_catalogue(contents.catalogue, repo.load_catalogue(session, None))):
        authorise(ctx, Action.MANAGE_CATALOGUE)  # only its keepers change what all councils read
    before = set(store_versions.current_versions(session))
    cid = ctx.actor.council_id
    if cid is None and repo.has_programme(contents.catalogue):
        if not council:
            raise InputError(NO_COUNCIL, field="council")  # a programme is a council's own
        cid = ensure_council(session, council, ctx.now()).id
    at = ctx.now()
    recorded = repo.Recorded(ctx.actor.name, at, path.name)  # each placement added: its history
    added = repo.save_catalogue(session, contents.catalogue, at, cid, recorded=recorded)
    _keep_decisions(session, contents.decisions)
    prevalence.refresh(session)
    new = {m.id for m in contents.catalogue.measures} - before
    store_versions.restore_versions(session, new, contents.current, contents.versions)
    return ImportOutcome("", len(contents.catalogue.measures), added, 0)


def _keep_decisions(session: Session, decisions: list[EquivalenceDecision]) -> None:
    """The package's decisions on common measures, each appended (who, when and why as the
    package says) unless the same decision is already in force for that pair."""
    if not decisions:
        return
    in_force = {frozenset((d.measure, d.other)): d.decision for d in equivalence.current(session)}
    rows = repo.measure_rows(session)
    for d in decisions:
        if in_force.get(frozenset((d.measure, d.other))) == d.decision:
            continue
        equivalence.record(
            session, rows[d.measure].id, rows[d.other].id, d.decision, d.rationale, d.by, d.at
        )


def export_package(ctx: Context) -> dict[str, bytes]:
    """The workspace's catalogue as a Frictionless data package, with a council's programme and
    placements (`programme_of`): its files by name (the CSV resources and ``datapackage.json``),
    for the caller to write into one folder."""
    authorise(ctx, Action.READ)
    session = ctx.session
    catalogue = repo.load_catalogue(session, programme_of(ctx))
    versions = store_versions.load_versions(session)
    current = store_versions.current_versions(session)
    return package_files(catalogue, versions, current, decisions_in_force(ctx))


def programme_of(ctx: Context) -> int | None:
    """Whose programme a catalogue's package carries: the acting council's, else the only
    council's; None (the shared catalogue alone) on a workspace of several when none is named."""
    if ctx.actor.council_id is not None:
        return ctx.actor.council_id
    ids = ctx.session.scalars(select(CouncilRow.id).order_by(CouncilRow.id).limit(2)).all()
    return ids[0] if len(ids) == 1 else None
