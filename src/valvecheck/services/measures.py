"""Reading the catalogue with an assessment's ratings: listing, filtering, showing one measure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from valvecheck.domain import locked_catalogue
from valvecheck.domain.equivalence import EquivalenceDecision
from valvecheck.domain.measure_ids import measure_key
from valvecheck.domain.model import Catalogue
from valvecheck.domain.moments import in_england, short_date
from valvecheck.domain.names import fold
from valvecheck.domain.people import Action
from valvecheck.domain.rating import Rating
from valvecheck.domain.views import (
    AssessmentState,
    Filters,
    MeasureDeadlines,
    MeasureView,
    overdue_words,
)
from valvecheck.errors import InputError, NotFound
from valvecheck.services.context import Context, authorise
from valvecheck.services.deadlines import deadlines_of
from valvecheck.store import queries

if TYPE_CHECKING:
    from valvecheck.services.programme import PlacementChange

__all__ = [
    "AssessmentState",
    "Filters",
    "MeasureView",
    "MeasurePage",
    "load_state",
    "list_measures",
    "show_measure",
    "measure_page",
    "measure_choices",
]


def load_state(ctx: Context, assessment: str | None = None) -> AssessmentState:
    """The catalogue and, when the council has any assessment, the chosen one's ratings.

    Reused while none of the rows it is read from has changed (services/snapshot.py): treat
    the state as read-only.
    """
    authorise(ctx, Action.READ)
    from valvecheck.services import snapshot

    return snapshot.state(ctx, assessment, lambda: _read_state(ctx, assessment))


def _read_state(ctx: Context, assessment: str | None) -> AssessmentState:
    """The state as read from the store: of a locked assessment named, with the catalogue it was
    locked with (`as_locked`)."""
    db = ctx.db
    catalogue = queries.load_catalogue(db, ctx.actor.council_id)
    name, council, histories = "", "", {}
    if ctx.actor.council_id is not None:
        cid = ctx.actor.council_id
        if assessment is not None or queries.current_assessment(db, cid) is not None:
            row = queries.assessment_row(db, cid, assessment)
            name, council = row.name, row.council
            histories = queries.rating_history(db, row)
            if assessment is not None:
                # the locked assessment asked for by name (its page, summary, report) is the
                # paper: its catalogue then. The current one read as the workspace's state (the
                # Measures pages, a measure's page, the common measures) is the catalogue as it
                # is now, locked or not: a measure added since is there to be read and placed
                catalogue = as_locked(db, row, catalogue)
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


def as_locked(db: queries.Db, row: queries.AssessmentRecord, catalogue: Catalogue) -> Catalogue:
    """The catalogue (as it is now) as the assessment ``row`` was locked with it: its measures
    then, each at its text then (domain/locked_catalogue.py); ``catalogue`` itself while the
    assessment is open, or when it was locked before the catalogue was recorded (schema 0018).
    """
    if row.locked_at is None:
        return catalogue
    stored = queries.locked_measures(db, row)
    if stored is None:
        return catalogue
    try:
        recorded = locked_catalogue.decode(stored)
    except ValueError as exc:
        raise ValueError(
            f"the catalogue recorded with '{row.name}' at its lock is damaged ({exc})"
        ) from None
    now = {m.id: m.version for m in catalogue.measures}
    revised = {code for code, version in recorded if now.get(code, version) != version}
    return locked_catalogue.as_recorded(catalogue, recorded, queries.earlier_texts(db, revised))


def list_measures(
    ctx: Context, filters: Filters | None = None, assessment: str | None = None
) -> list[MeasureView]:
    state = load_state(ctx, assessment)
    basis = ctx.settings.year_basis
    if filters is not None:
        check_filters_of(ctx, filters, state.catalogue)
    return [v for v in state.views if filters is None or filters.keep(v, basis)]


_QUOTES = "\"'“”‘’"


def check_filters(filters: Filters, catalogue: Catalogue) -> None:
    """Refuse a filter that no measure could ever match (a misspelt theme, an authority the
    catalogue does not hold, words with no letter or digit), so that "0 measures" is always a
    real answer; words in quotes are searched for without them."""
    if filters.text is not None:
        filters.text = filters.text.strip().strip(_QUOTES).strip() or None
        if filters.text is None or not fold(filters.text):
            raise InputError("search for words: the search holds no letter or digit", field="text")
    themes = {t for m in catalogue.measures for t in m.themes} | set(catalogue.programme.themes)
    _one_of("theme", filters.theme, themes, "your programme")
    subs = {s for m in catalogue.measures for s in m.sub_themes}
    _one_of("sub-theme", filters.sub_theme, subs, "your programme")
    _one_of("agreement", filters.agreement, {a.slug for a in catalogue.agreements}, "the catalogue")
    if filters.authority is not None:
        names = [a.name for a in catalogue.authorities] + [a.slug for a in catalogue.agreements]
        if not any(fold(filters.authority) in fold(n) for n in names):
            raise InputError(
                f"no authority in the catalogue is called '{filters.authority}'", field="authority"
            )


def check_filters_of(ctx: Context, filters: Filters, catalogue: Catalogue) -> None:
    """``check_filters``, and a theme (or sub-theme) the programme has renamed since is said to
    be called so now, not only refused (a saved address, a bookmark from before the rename)."""
    try:
        check_filters(filters, catalogue)
    except InputError as exc:
        if exc.field not in ("theme", "sub_theme"):
            raise
        from valvecheck.services.programme import renamed_to

        theme, sub = filters.theme or "", filters.sub_theme
        if exc.field == "theme":
            now = renamed_to(ctx, theme)
        else:
            now = renamed_to(ctx, theme, sub) if theme else ""
        if not now:
            raise
        what, named = ("theme", theme) if exc.field == "theme" else ("sub-theme", sub)
        raise InputError(
            f"there is no {what} '{named}' in your programme: {now}", field=exc.field
        ) from None


def _one_of(what: str, chosen: str | None, known: set[str], where: str) -> None:
    if chosen is None or any(fold(chosen) == fold(k) for k in known):
        return
    listed = "; ".join(sorted(known, key=str.lower))
    there = f"the {what}s are: {listed}" if known else f"it has no {what}s yet"
    raise InputError(
        f"there is no {what} '{chosen}' in {where}; {there}", field=what.replace("-", "_")
    )


def show_measure(ctx: Context, measure_id: str, assessment: str | None = None) -> MeasureView:
    state = load_state(ctx, assessment)
    found = state.view(measure_id)
    if found is not None:
        return found
    raise _no_measure(ctx, measure_id, state)


def _no_measure(ctx: Context, measure_id: str, state: AssessmentState) -> NotFound:
    """There is no such measure, or (a locked assessment's) it was added to the catalogue after
    the assessment was locked."""
    if state.assessment and ctx.actor.council_id is not None:
        row = queries.assessment_row(ctx.db, ctx.actor.council_id, state.assessment)
        code = measure_key(measure_id)
        if row.locked_at is not None and queries.has_measure(ctx.db, code):
            return NotFound(
                f"{code} is not in '{row.name}': it was added to the catalogue after the "
                "assessment was locked",
                field="measure",
            )
    return NotFound(f"there is no measure '{measure_id}'", field="measure")


@dataclass(frozen=True)
class RatingElsewhere:
    """A measure's latest rating in another of the council's assessments."""

    assessment: str
    locked: bool
    rating: Rating


@dataclass(frozen=True)
class MeasurePage:
    """Everything a measure's page shows, from one call: the CLI's `show` and the web page."""

    view: MeasureView
    assessment: str
    deadlines: MeasureDeadlines
    deadline_lines: tuple[str, ...]
    linked_activities: tuple[tuple[str, str], ...]  # (activity id, title)
    # The same commitment read in other agreements (its common-measure group), catalogue order.
    equivalents: tuple[MeasureView, ...] = ()
    # People's decisions in force that name this measure (the same as, or not, another one).
    decisions: tuple[EquivalenceDecision, ...] = ()
    # Who locked the assessment shown, and when ("" while it can still be rated).
    locked: str = ""
    # What its overdue flag says: "Overdue", or "Bury's deadline passed" for another council's.
    overdue_words: str = "Overdue"
    # Its latest rating in each of the council's other assessments (last year's, a draft).
    elsewhere: tuple[RatingElsewhere, ...] = ()
    # Where the council placed it in its programme, or took a placement away, oldest first.
    placement_history: tuple[PlacementChange, ...] = ()

    def decided(self, other: str) -> EquivalenceDecision | None:
        """The decision in force between this measure and ``other``, if anyone made one."""
        return next((d for d in self.decisions if other in (d.measure, d.other)), None)


def measure_page(ctx: Context, measure_id: str, assessment: str | None = None) -> MeasurePage:
    from valvecheck.services.deadlines import describe
    from valvecheck.services.equivalence import decisions_about
    from valvecheck.services.prevalence import equivalents_of
    from valvecheck.services.programme import changes_of

    state = load_state(ctx, assessment)
    view = state.view(measure_id)
    if view is None:
        raise _no_measure(ctx, measure_id, state)
    linked: list[tuple[str, str]] = []
    moves: list[PlacementChange] = []
    if ctx.actor.council_id is not None:
        titles = {a.id: a.title for a in queries.activities(ctx.db, ctx.actor.council_id)}
        linked = [
            (a, titles.get(a, ""))
            for a, m, _ in queries.current_links(ctx.db, ctx.actor.council_id)
            if m == view.id
        ]
        moves = changes_of(ctx.db, ctx.actor.council_id, view.id)
    state_name = state.assessment if ctx.actor.council_id is not None else ""
    locked = ""
    if state_name and ctx.actor.council_id is not None:
        row = queries.assessment_row(ctx.db, ctx.actor.council_id, state_name)
        if row.locked_at is not None:
            locked = f"{row.locked_by}, {short_date(in_england(row.locked_at).date())}"
    return MeasurePage(
        view,
        state_name,
        deadlines_of(view, ctx),
        tuple(describe(view, ctx)),
        tuple(linked),
        tuple(
            found
            for mid in equivalents_of(ctx.db, state.catalogue, view.id)
            if (found := state.view(mid)) is not None
        ),
        tuple(decisions_about(ctx, view.id)),
        locked,
        overdue_words(view, ctx.actor.council or state.council),
        tuple(_elsewhere(ctx, view.id, state_name)),
        tuple(moves),
    )


def _elsewhere(ctx: Context, measure_id: str, shown: str) -> list[RatingElsewhere]:
    """The measure's latest rating in each assessment of the council but the one shown."""
    if ctx.actor.council_id is None:
        return []
    return [
        RatingElsewhere(a.name, a.locked_at is not None, rating)
        for a, rating in queries.latest_rating_by_assessment(
            ctx.db, ctx.actor.council_id, measure_id
        )
        if a.name != shown
    ]


# A catalogue this big is chosen from by a list; a bigger one by typing the id (or searching).
CHOOSABLE = 600


def measure_choices(ctx: Context) -> list[tuple[str, list[tuple[str, str]]]]:
    """The measures to choose from, by agreement in catalogue order: (agreement title, [(id,
    the id with the measure's first words)]); none when the catalogue is too big for a list."""
    state = load_state(ctx)
    if len(state.views) > CHOOSABLE:
        return []
    groups: dict[str, list[tuple[str, str]]] = {}
    for v in state.views:
        title = v.agreement.title or v.agreement.slug
        groups.setdefault(title, []).append((v.id, f"{v.id}: {_first_words(v.measure.text)}"))
    return list(groups.items())


def _first_words(text: str, most: int = 60) -> str:
    words = " ".join(text.split())
    return words if len(words) <= most else words[:most].rsplit(" ", 1)[0] + "…"
