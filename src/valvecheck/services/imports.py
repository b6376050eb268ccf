"""Importing files. A file is read whole and checked first; nothing is written unless all of it is accepted."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from valvecheck.catalogue.loader import reference_authorities
from valvecheck.domain.model import Catalogue, Placement
from valvecheck.domain.names import agreement_year, count, fold
from valvecheck.domain.people import Action
from valvecheck.domain.problems import Problem
from valvecheck.domain.rag import Rag
from valvecheck.domain.rating import FILE, IMPORTED, Rating, imported
from valvecheck.errors import Conflict, ImportRejected, InputError, NotFound
from valvecheck.importers import limits
from valvecheck.importers.appendix import (
    AppendixHints,
    AppendixRow,
    read_appendix,
    to_catalogue,
)
from valvecheck.services import prevalence
from valvecheck.services.context import Context, authorise
from valvecheck.services.people import ensure_council
from valvecheck.store import repository as repo
from valvecheck.store.models import AssessmentRow, CouncilRow
from valvecheck.store.queries import AssessmentRecord

# The council a workspace made empty gets when a file gives it its first ratings and names no
# council.
FIRST_COUNCIL = "My council"
NO_COUNCIL = (
    "this workspace has no council yet, and the file places measures in a programme, which is "
    "a council's own: name the council whose programme it is (the import creates it)"
)


@dataclass(frozen=True)
class Revision:
    """A measure whose text a revised agreement changes."""

    measure: str
    before: str
    after: str


@dataclass(frozen=True)
class ImportOutcome:
    assessment: str
    rows: int
    added: dict[str, int]
    ratings: int
    kept: int = 0  # ratings in the file not applied: a person has rated the measure since
    revisions: tuple[Revision, ...] = field(default=())  # texts changed (or that would change)
    applied: bool = True  # False for a preview of a revision: nothing was written
    # a preview's detail: what the file would add to the catalogue every council shares
    new_measures: tuple[tuple[str, str, str], ...] = ()  # (id, authorities, text)
    new_agreements: tuple[str, ...] = ()
    new_authorities: tuple[str, ...] = ()
    # what the file held that was left out or read with a warning ("left out the hidden sheet
    # 'Old 2023'", "1 hidden row was read: line 5")
    notes: tuple[str, ...] = ()

    def describe(self, file: str | Path) -> str:
        """One sentence for a person: what the import changed."""
        a = self.added
        text = (
            f"Imported {count(self.rows, 'row', 'rows')} from {file}: "
            f"{count(a['measures'], 'new measure', 'new measures')}, {a['revised']:,} revised, "
            f"{count(a['agreements'], 'new agreement', 'new agreements')}, "
            f"{count(a['placements'], 'new placement', 'new placements')}"
        )
        if self.assessment:
            text += f", {count(self.ratings, 'rating', 'ratings')} into '{self.assessment}'"
        if self.kept:
            them = "it" if self.kept == 1 else "them"
            text += (
                f"; {count(self.kept, 'rating', 'ratings')} in the file not applied, as people have rated "
                f"{them} since"
            )
        for note in self.notes:
            text += f"; {note}"
        return text + "."


def assessment_name(
    hints: AppendixHints, file: str, council: str = "", latest: str | None = None
) -> str:
    """Where a file's ratings go when no assessment is named.

    The council's own exercise when the document (or the council given) names the council, e.g.
    'Bristol: mitigation validation exercise' from the seed's title and prose; otherwise the
    workspace's current (latest) assessment; in a workspace with none, one named after the file.
    """
    exercise = hints.title.split(":", 1)[-1].strip().lower() if ":" in hints.title else ""
    council = council or hints.council
    if council and exercise:
        return f"{council}: {exercise}"
    if latest:
        return latest
    return hints.title or f"Imported from {Path(file).name}"


def import_appendix(
    ctx: Context,
    data: bytes,
    file: str,
    year: str = "",
    assessment: str | None = None,
    council: str | None = None,
    source_url: str = "",
    revise: bool = False,
    preview: bool = False,
) -> ImportOutcome:
    """Import the seed's document form: catalogue, placements and the ratings in its RAG column."""
    authorise(ctx, Action.MANAGE_CATALOGUE, role_only=True)  # the catalogue's keeper: save_rows
    try:
        year = agreement_year(year)
    except InputError as exc:
        raise InputError(str(exc), field="year") from None
    parsed, hints = read_appendix(data, file)
    return save_rows(
        ctx,
        parsed.rows,
        file,
        hints,
        year=year,
        source_url=source_url,
        assessment=assessment,
        council=council,
        found=parsed.problems,
        revise=revise,
        preview=preview,
    )


def rates_any(rags: dict[str, Rag]) -> bool:
    """Whether a file's RAG column rates anything."""
    return any(r is not Rag.UNRATED for r in rags.values())


def numbered_texts(catalogue: Catalogue) -> dict[str, dict[int, str]]:
    out: dict[str, dict[int, str]] = {}
    for m in catalogue.measures:
        out.setdefault(m.agreement, {})[m.number] = m.text
    return out


def save_rows(
    ctx: Context,
    rows: list[AppendixRow],
    file: str,
    hints: AppendixHints,
    year: str = "",
    source_url: str = "",
    source_title: str | None = None,
    assessment: str | None = None,
    council: str | None = None,
    rated_only: bool = False,
    found: list[Problem] | None = None,
    revise: bool = False,
    preview: bool = False,
) -> ImportOutcome:
    """Save a table's checked rows: catalogue, placements and the ratings in its RAG column.

    A measure is identified by its text: rows that repeat, reorder or leave out an agreement's
    measures add or confirm, never rewrite. ``revise`` treats the file as a new version of its
    agreements' documents: changed texts become new versions (the ratings on them then need
    review); with ``preview`` nothing is written and the changes are returned.
    With ``rated_only`` no assessment is created for a table without ratings (a plain catalogue).
    ``found`` are the problems the reader already met: the rows it accepted are still assembled,
    so that the refusal lists every problem in the file at once, in line order.

    A file that adds to or changes the shared catalogue (measures, agreements, authorities, new
    versions) is only its keepers' (`authorise`); one that only places and rates measures
    already here is any admin's: the placements and ratings are their council's own.
    """
    authorise(ctx, Action.MANAGE_CATALOGUE, role_only=True)  # the keeper: once the file is read
    session = ctx.session
    present = repo.load_catalogue(session, ctx.actor.council_id)
    known = reference_authorities() + present.authorities
    catalogue, rags, problems = to_catalogue(
        rows,
        file,
        known,
        year=year,
        source_title=hints.title if source_title is None else source_title,
        source_url=source_url,
        existing={a.slug: a.year for a in present.agreements},
        numbered=numbered_texts(present),
        revise=revise,
    )
    if found or problems:
        every = [*(found or []), *problems]
        # the first problems in file order, and how many more (a person reads a hundred)
        raise ImportRejected(limits.capped(every))

    before = {m.id: m.text for m in present.measures}
    revisions = tuple(
        Revision(m.id, before[m.id], m.text)
        for m in catalogue.measures
        if m.id in before and fold(before[m.id]) != fold(m.text)
    )
    if changes_shared(catalogue, present, revisions):
        authorise(ctx, Action.MANAGE_CATALOGUE)  # only its keepers change what all councils read
    if preview:
        counts = _counts(catalogue, before, present)
        rated = sum(1 for r in rags.values() if r is not Rag.UNRATED)
        measures, agreements, authorities = new_in_catalogue(catalogue, present)
        return ImportOutcome(
            "",
            len(rows),
            counts,
            rated,
            0,
            revisions,
            False,
            measures,
            agreements,
            authorities,
            notes=hints.notes,
        )

    at = ctx.now()
    cid = ctx.actor.council_id
    rated = not rated_only or rates_any(rags)
    if cid is None and (rated or repo.has_programme(catalogue)):
        # a workspace made empty: the file's council becomes its first council, which keeps the
        # catalogue (`authorise`); a programme alone never makes one nobody named
        named = council or hints.council or (FIRST_COUNCIL if rated else None)
        if named is None:
            raise InputError(NO_COUNCIL, field="council")
        cid = ensure_council(session, named, at).id
    added = repo.save_catalogue(
        session,
        catalogue,
        at,
        cid,
        revise=revise,
        progress=lambda done, total: ctx.report("Saving measures", done, total),
        recorded=repo.Recorded(ctx.actor.name, at, Path(file).name),
    )
    if any(added.values()):
        prevalence.refresh(session)
    if rated_only and not rates_any(rags):
        return ImportOutcome("", len(rows), added, 0, 0, revisions, notes=hints.notes)
    authorise(ctx, Action.RATE)
    assert cid is not None
    latest = repo.current_assessment(session, cid)
    name = assessment or assessment_name(
        hints, file, council or "", latest.name if latest else None
    )
    row: AssessmentRecord | AssessmentRow
    try:
        row = repo.assessment_row(session, cid, name)
    except NotFound:
        row = AssessmentRow(
            council_id=cid,
            name=name,
            council=council or hints.council or ctx.actor.council,
            description=f"imported from {Path(file).name}",
            created_at=at,
            created_by=ctx.actor.name,
        )
        session.add(row)
        session.flush()
        if latest is None:
            council_row = session.get(CouncilRow, cid)
            assert council_row is not None
            council_row.current_assessment_id = row.id
    histories = repo.rating_history(session, row)
    measure_rows = repo.measure_rows(session)  # one query, not one per rating
    rated = kept = 0
    for done, (measure_id, rag) in enumerate(rags.items()):
        if done % repo.PROGRESS_EVERY == 0:
            ctx.report("Recording ratings", done, len(rags))
        history = histories.get(measure_id, [])
        previous = history[-1].rag if history else Rag.UNRATED
        if previous is rag:
            continue
        if history and not imported(history[-1]):
            kept += 1  # a file never overwrites a person's later judgement
            continue
        if repo.held_lock(session, row.id) is not None:  # the whole file is rolled back
            raise Conflict(
                f"the file's RAG column would change ratings in '{row.name}', which is locked: it "
                "has been reported. Nothing was imported: make another assessment current to "
                "take the ratings, or import the file without its RAG column"
            )
        measure = measure_rows[measure_id]
        repo.add_rating(
            session,
            row,
            measure,
            Rating(
                measure_id,
                rag,
                f"{IMPORTED}{Path(file).name}",
                "",
                ctx.actor.name,
                at,
                previous,
                version=(history[-1].version if history else 0) + 1,
                source=FILE,
                measure_version=measure.version,
            ),
        )
        rated += 1
    session.flush()
    ctx.report("Recording ratings", len(rags), len(rags))
    return ImportOutcome(name, len(rows), added, rated, kept, revisions, notes=hints.notes)


def changes_shared(
    catalogue: Catalogue, present: Catalogue, revisions: tuple[Revision, ...]
) -> bool:
    """Whether saving ``catalogue`` would change what every council reads: a measure, agreement
    or authority not here, or a new version of a text. Its programme and placements are the
    acting council's own."""
    return bool(revisions) or any(new_in_catalogue(catalogue, present))


def new_in_catalogue(
    catalogue: Catalogue, present: Catalogue
) -> tuple[tuple[tuple[str, str, str], ...], tuple[str, ...], tuple[str, ...]]:
    """The measures, agreements and authorities a file would add, as a preview lists them."""
    names = {a.slug: a.name for a in catalogue.authorities}
    agreements = {a.slug: a for a in catalogue.agreements}
    had = {m.id for m in present.measures}
    measures = tuple(
        (m.id, "; ".join(names.get(s, s) for s in agreements[m.agreement].authorities), m.text)
        for m in catalogue.measures
        if m.id not in had
    )
    old_agreements = {a.slug for a in present.agreements}
    old_authorities = {a.slug for a in present.authorities}
    return (
        measures,
        tuple(a.title or a.slug for a in catalogue.agreements if a.slug not in old_agreements),
        tuple(a.name for a in catalogue.authorities if a.slug not in old_authorities),
    )


def _counts(catalogue: Catalogue, before: dict[str, str], present: Catalogue) -> dict[str, int]:
    """What a preview would add, in the counts ``save_catalogue`` returns (placements in the
    council's programme: ``present`` holds it; a theme retyped is the theme already there)."""
    new = [m for m in catalogue.measures if m.id not in before]
    revised = [m for m in catalogue.measures if m.id in before and before[m.id] != m.text]

    def key(p: Placement) -> tuple[str, str]:
        return fold(p.theme), fold(p.sub_theme or "")

    placed = {m.id: {key(p) for p in m.placements} for m in present.measures}
    added = {(m.id, key(p)) for m in catalogue.measures for p in m.placements}
    return {
        "authorities": 0,
        "agreements": 0,
        "measures": len(new),
        "revised": len(revised),
        "placements": sum(1 for mid, k in added if k not in placed.get(mid, set())),
    }
