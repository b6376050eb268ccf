"""Rating measures, their history, and assessments (one run of the exercise each)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from valvecheck.domain.rag import Rag
from valvecheck.domain.rating import Rating, check_rating, current
from valvecheck.errors import InputError, NotFound
from valvecheck.services.workspace import current_user
from valvecheck.store import repository as repo
from valvecheck.store.db import Workspace
from valvecheck.store.models import AssessmentRow


@dataclass(frozen=True)
class AssessmentInfo:
    name: str
    council: str
    created_at: datetime
    created_by: str
    rated: int
    latest: bool


def rate(
    ws: Workspace,
    measure_id: str,
    rag: Rag | str,
    rationale: str = "",
    by: str | None = None,
    evidence: str = "",
    assessment: str | None = None,
) -> Rating:
    """Record a new rating for a measure: appended to its history, never overwriting."""
    rag = rag if isinstance(rag, Rag) else Rag.parse(rag)
    check_rating(rag, rationale)
    ws.require()
    with ws.session() as session:
        measure = repo.measure_row(session, measure_id)
        row = repo.assessment_row(session, assessment)
        history = repo.rating_history(session, row.id).get(measure.code, [])
        rating = Rating(
            measure_id=measure.code,
            rag=rag,
            rationale=rationale,
            evidence=evidence,
            by=current_user(by),
            at=repo.now(),
            previous=current(history),
        )
        repo.add_rating(session, row.id, measure, rating)
    return rating


def history(ws: Workspace, measure_id: str, assessment: str | None = None) -> list[Rating]:
    ws.require()
    with ws.session() as session:
        measure = repo.measure_row(session, measure_id)
        row = repo.assessment_row(session, assessment)
        return repo.rating_history(session, row.id).get(measure.code, [])


def list_assessments(ws: Workspace) -> list[AssessmentInfo]:
    ws.require()
    with ws.session() as session:
        rows = repo.assessments(session)
        out = []
        for i, row in enumerate(rows):
            histories = repo.rating_history(session, row.id)
            rated = sum(1 for h in histories.values() if current(h) is not Rag.UNRATED)
            out.append(
                AssessmentInfo(
                    row.name, row.council, row.created_at, row.created_by, rated, i == len(rows) - 1
                )
            )
        return out


def new_assessment(
    ws: Workspace,
    name: str,
    council: str = "",
    carry_from: str | None = None,
    by: str | None = None,
    description: str = "",
) -> AssessmentInfo:
    """Start a council's own exercise: every measure unrated, or ratings carried forward."""
    name = name.strip()
    if not name:
        raise InputError("an assessment needs a name")
    ws.require()
    who = current_user(by)
    at = repo.now()
    with ws.session() as session:
        try:
            repo.assessment_row(session, name)
        except NotFound:
            pass
        else:
            raise InputError(f"an assessment called '{name}' already exists")
        source = repo.assessment_row(session, carry_from) if carry_from else None
        row = AssessmentRow(
            name=name,
            council=council or (source.council if source else ""),
            description=description,
            created_at=at,
            created_by=who,
        )
        session.add(row)
        session.flush()
        carried = 0
        if source is not None:
            for measure_id, entries in repo.rating_history(session, source.id).items():
                last = entries[-1]
                if last.rag is Rag.UNRATED:
                    continue
                note = f"carried forward from '{source.name}'"
                rationale = f"{last.rationale} ({note})" if last.rationale else note
                repo.add_rating(
                    session,
                    row.id,
                    repo.measure_row(session, measure_id),
                    # who rated it and when stay as they were: carrying forward is not re-rating
                    Rating(measure_id, last.rag, rationale, last.evidence, last.by, last.at or at),
                )
                carried += 1
        return AssessmentInfo(name, row.council, at, who, carried, True)
