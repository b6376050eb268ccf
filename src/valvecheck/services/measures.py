"""Reading the catalogue with an assessment's ratings: listing, filtering, showing one measure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from valvecheck.domain.model import Agreement, Catalogue, Measure
from valvecheck.domain.names import fold
from valvecheck.domain.rag import Rag
from valvecheck.domain.rating import Rating, current
from valvecheck.errors import NotFound
from valvecheck.services.deadlines import deadlines_of
from valvecheck.store import repository as repo
from valvecheck.store.db import Workspace


@dataclass
class MeasureView:
    """A measure as a person reads it: with its agreement, authorities and current rating."""

    measure: Measure
    agreement: Agreement
    authority_names: list[str]
    history: list[Rating] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.measure.id

    @property
    def la(self) -> str:
        """The LA column of the seed: authorities sharing an agreement joined by '/'."""
        return "/".join(self.authority_names)

    @property
    def rag(self) -> Rag:
        return current(self.history)

    @property
    def source_title(self) -> str:
        """The document the measure came from: its own, else its agreement's."""
        return self.measure.source_title or self.agreement.source_title

    @property
    def source_url(self) -> str:
        return self.measure.source_url or self.agreement.source_url

    @property
    def latest(self) -> Rating | None:
        return self.history[-1] if self.history else None


@dataclass
class Filters:
    authority: str | None = None
    theme: str | None = None
    sub_theme: str | None = None
    rag: Rag | None = None
    text: str | None = None
    due_before: date | None = None  # only measures due strictly before this date
    overdue: bool = False  # only measures past their due date and not green
    today: date | None = None  # what "overdue" is judged against (default: the real today)

    def keep(self, view: MeasureView) -> bool:
        m = view.measure
        if self.due_before or self.overdue:
            d = deadlines_of(view, self.today)
            if self.due_before and not (d.due and d.due < self.due_before):
                return False
            if self.overdue and not d.overdue:
                return False
        if self.authority and not any(
            fold(self.authority) in fold(n) for n in [*view.authority_names, view.agreement.slug]
        ):
            return False
        if self.theme and not any(fold(self.theme) == fold(t) for t in m.themes):
            return False
        if self.sub_theme and not any(fold(self.sub_theme) == fold(s) for s in m.sub_themes):
            return False
        if self.rag and view.rag is not self.rag:
            return False
        return not (self.text and fold(self.text) not in fold(m.text))


@dataclass
class AssessmentState:
    """A catalogue with one assessment's rating histories: what summaries and reports start from."""

    assessment: str
    council: str
    catalogue: Catalogue
    views: list[MeasureView]

    @property
    def ratings(self) -> dict[str, Rag]:
        return {v.id: v.rag for v in self.views}


def load_state(ws: Workspace, assessment: str | None = None) -> AssessmentState:
    """The catalogue and, when the workspace has any assessment, the chosen one's ratings."""
    ws.require()
    with ws.session() as session:
        catalogue = repo.load_catalogue(session)
        if assessment is None and not repo.assessments(session):
            name, council, histories = "", "", {}
        else:
            row = repo.assessment_row(session, assessment)
            name, council = row.name, row.council
            histories = repo.rating_history(session, row.id)
    names = {a.slug: a.name for a in catalogue.authorities}
    agreements = {a.slug: a for a in catalogue.agreements}
    views = [
        MeasureView(
            measure=m,
            agreement=agreements[m.agreement],
            authority_names=[names.get(s, s) for s in agreements[m.agreement].authorities],
            history=histories.get(m.id, []),
        )
        for m in catalogue.measures
    ]
    return AssessmentState(name, council, catalogue, views)


def list_measures(
    ws: Workspace, filters: Filters | None = None, assessment: str | None = None
) -> list[MeasureView]:
    state = load_state(ws, assessment)
    return [v for v in state.views if filters is None or filters.keep(v)]


def show_measure(ws: Workspace, measure_id: str, assessment: str | None = None) -> MeasureView:
    state = load_state(ws, assessment)
    for view in state.views:
        if view.id == measure_id.strip().lower():
            return view
    raise NotFound(f"there is no measure '{measure_id}' (see 'valvecheck measures' for ids)")
