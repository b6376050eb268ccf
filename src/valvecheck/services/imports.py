"""Importing files. A file is read whole and checked first; nothing is written unless all of it is accepted."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from valvecheck.catalogue.loader import reference_authorities
from valvecheck.domain.model import Catalogue
from valvecheck.domain.names import agreement_year
from valvecheck.domain.problems import Problem
from valvecheck.domain.rag import Rag
from valvecheck.domain.rating import IMPORTED, Rating, imported
from valvecheck.errors import ImportRejected, InputError, NotFound
from valvecheck.importers.appendix import (
    AppendixHints,
    AppendixRow,
    read_appendix,
    to_catalogue,
)
from valvecheck.services.workspace import current_user
from valvecheck.store import repository as repo
from valvecheck.store.db import Workspace
from valvecheck.store.models import AssessmentRow


@dataclass(frozen=True)
class ImportOutcome:
    assessment: str
    rows: int
    added: dict[str, int]
    ratings: int
    kept: int = 0  # ratings in the file not applied: a person has rated the measure since

    def describe(self, file: str | Path) -> str:
        """One sentence for a person: what the import changed."""
        a = self.added
        text = (
            f"Imported {self.rows} rows from {file}: {a['measures']} new measures, "
            f"{a['revised']} revised, {a['agreements']} new agreements, "
            f"{a['placements']} new placements"
        )
        if self.assessment:
            text += f", {self.ratings} ratings into '{self.assessment}'"
        if self.kept:
            text += (
                f"; {self.kept} ratings in the file not applied, as people have rated them since"
            )
        return text + "."


def read_bytes(path: str | Path) -> bytes:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    return path.read_bytes()


def assessment_name(
    hints: AppendixHints, file: str, council: str = "", latest: str | None = None
) -> str:
    """Where a file's ratings go when no --assessment is given.

    The council's own exercise when the document (or --council) names the council, e.g.
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
    ws: Workspace,
    path: str | Path,
    year: str = "",
    assessment: str | None = None,
    council: str | None = None,
    source_url: str = "",
    by: str | None = None,
) -> ImportOutcome:
    """Import the seed's document form: catalogue, placements and the ratings in its RAG column."""
    ws.require()
    try:
        year = agreement_year(year)
    except InputError as exc:
        raise InputError(f"--year: {exc}") from None
    file = str(path)
    parsed, hints = read_appendix(read_bytes(path), file)
    return save_rows(
        ws,
        parsed.rows,
        file,
        hints,
        year=year,
        source_url=source_url,
        assessment=assessment,
        council=council,
        by=by,
        found=parsed.problems,
    )


def numbered_texts(catalogue: Catalogue) -> dict[str, dict[int, str]]:
    out: dict[str, dict[int, str]] = {}
    for m in catalogue.measures:
        out.setdefault(m.agreement, {})[m.number] = m.text
    return out


def save_rows(
    ws: Workspace,
    rows: list[AppendixRow],
    file: str,
    hints: AppendixHints,
    year: str = "",
    source_url: str = "",
    source_title: str | None = None,
    assessment: str | None = None,
    council: str | None = None,
    by: str | None = None,
    rated_only: bool = False,
    found: list[Problem] | None = None,
) -> ImportOutcome:
    """Save a table's checked rows: catalogue, placements and the ratings in its RAG column.

    With ``rated_only`` no assessment is created for a table without ratings (a plain catalogue).
    ``found`` are the problems the reader already met: the rows it accepted are still assembled,
    so that the refusal lists every problem in the file at once, in line order.
    """
    with ws.session() as session:
        present = repo.load_catalogue(session)
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
    )
    if found or problems:
        every = [*(found or []), *problems]
        raise ImportRejected(sorted(every, key=lambda p: (p.line is not None, p.line or 0)))

    who = current_user(by)
    at = repo.now()
    with ws.session() as session:
        latest = repo.assessments(session)
        name = assessment or assessment_name(
            hints, file, council or "", latest[-1].name if latest else None
        )
        added = repo.save_catalogue(session, catalogue, at)
        if rated_only and not any(r is not Rag.UNRATED for r in rags.values()):
            return ImportOutcome("", len(rows), added, 0)
        try:
            row = repo.assessment_row(session, name)
        except NotFound:
            row = AssessmentRow(
                name=name,
                council=council or hints.council,
                description=f"imported from {Path(file).name}",
                created_at=at,
                created_by=who,
            )
            session.add(row)
            session.flush()
        histories = repo.rating_history(session, row.id)
        rated = kept = 0
        for measure_id, rag in rags.items():
            before = histories.get(measure_id)
            previous = before[-1].rag if before else Rag.UNRATED
            if previous is rag:
                continue
            if before and not imported(before[-1]):
                kept += 1  # a file never overwrites a person's later judgement
                continue
            repo.add_rating(
                session,
                row.id,
                repo.measure_row(session, measure_id),
                Rating(measure_id, rag, f"{IMPORTED}{Path(file).name}", "", who, at, previous),
            )
            rated += 1
    return ImportOutcome(name, len(rows), added, rated, kept)
