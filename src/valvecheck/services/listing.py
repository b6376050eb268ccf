"""A page of the measures listing, with the choices its filters offer (the web app's /measures)."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import astuple, dataclass
from datetime import date
from typing import Any

from valvecheck.analysis.deadlines import YearBasis, due_date, read_deadlines
from valvecheck.analysis.suggest import Suggestion
from valvecheck.domain.model import Catalogue
from valvecheck.domain.people import Action
from valvecheck.domain.views import AssessmentState, Filters, MeasureView
from valvecheck.errors import InputError
from valvecheck.services.context import Context, authorise
from valvecheck.services.measures import check_filters_of, load_state

PER_PAGE = 50


@dataclass(frozen=True)
class FilterChoices:
    """What each filter can be set to: every authority, agreement, theme and sub-theme known."""

    authorities: tuple[str, ...]
    agreements: tuple[tuple[str, str], ...]  # (slug, title)
    themes: tuple[str, ...]
    sub_themes: tuple[str, ...]


@dataclass(frozen=True)
class MeasureListing:
    assessment: str
    views: tuple[MeasureView, ...]  # this page's
    due: dict[str, date | None]  # due date read from each shown measure's text
    total: int  # measures matching the filters
    page: int
    pages: int
    per_page: int
    choices: FilterChoices

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.page * self.per_page, self.total)


@functools.lru_cache(maxsize=8192)
def _due(text: str, basis: YearBasis) -> date | None:
    """The due date read from a measure's text (it depends on nothing else)."""
    return due_date(read_deadlines(text, basis))


# "Due within 6 months": measures due from today on, not those overdue for years (an address that
# keeps its meaning when bookmarked, unlike a date).
WITHIN = {"6-months": 6, "12-months": 12}


def parse_due(value: str | None, filters: Filters) -> Filters:
    """``due``: 'overdue', '6-months' or '12-months' (due from today to that far on), or a
    date (YYYY-MM-DD): only measures due before it."""
    text = (value or "").strip().lower()
    if not text:
        return filters
    if text == "overdue":
        filters.overdue = True
        return filters
    if text in WITHIN:
        filters.due_within = WITHIN[text]
        return filters
    try:
        filters.due_before = date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"'{value}' is not a due filter; use 'overdue', '6-months', '12-months' or a date "
            "such as 2026-03-31",
            field="due",
        ) from None
    return filters


def measure_listing(
    ctx: Context,
    filters: Filters | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    assessment: str | None = None,
) -> MeasureListing:
    """The measures matching ``filters`` in catalogue order, one page of them."""
    authorise(ctx, Action.READ)
    if page < 1:
        raise InputError("the page number starts at 1", field="page")
    state = load_state(ctx, assessment)
    basis = ctx.settings.year_basis
    if filters is not None:
        check_filters_of(ctx, filters, state.catalogue)
    if filters is not None and filters.today is None:
        filters.today = ctx.today()
    matching = _matching(state, filters, basis)
    pages = max(1, -(-len(matching) // per_page))
    shown = tuple(matching[(page - 1) * per_page : page * per_page])
    return MeasureListing(
        assessment=state.assessment,
        views=shown,
        due={v.id: _due(v.measure.text, basis) for v in shown},
        total=len(matching),
        page=page,
        pages=pages,
        per_page=per_page,
        choices=_choices(state.catalogue),
    )


def next_in_listing(
    ctx: Context, filters: Filters | None, measure_id: str, assessment: str | None = None
) -> str | None:
    """The measure after ``measure_id`` among those ``filters`` keep, in catalogue order (the
    next row of the same listing, on whatever page), even when rating it has taken it out of
    the listing ("not rated" ones); None after the last."""
    authorise(ctx, Action.READ)
    state = load_state(ctx, assessment)
    if filters is not None:
        check_filters_of(ctx, filters, state.catalogue)
        if filters.today is None:
            filters.today = ctx.today()
    kept = {v.id for v in _matching(state, filters, ctx.settings.year_basis)}
    found = state.view(measure_id)
    if found is None:
        return None
    order = [v.id for v in state.views]
    return next((i for i in order[order.index(found.id) + 1 :] if i in kept), None)


_MATCHING: OrderedDict[tuple[Any, ...], tuple[AssessmentState, list[MeasureView]]] = OrderedDict()
_MATCHING_LOCK = threading.Lock()


def _matching(
    state: AssessmentState, filters: Filters | None, basis: YearBasis
) -> list[MeasureView]:
    """The state's views the filters keep, remembered per state (a state is reused while
    unchanged, read-only): paging through a listing filters the catalogue once."""
    if filters is None:
        return list(state.views)
    key = (id(state), basis, *astuple(filters))
    with _MATCHING_LOCK:
        found = _MATCHING.get(key)
        if found is not None and found[0] is state:
            _MATCHING.move_to_end(key)
            return found[1]
    matching = [v for v in state.views if filters.keep(v, basis)]
    with _MATCHING_LOCK:
        _MATCHING[key] = (state, matching)
        while len(_MATCHING) > 64:
            _MATCHING.popitem(last=False)
    return matching


_CHOICES: dict[int, tuple[Catalogue, FilterChoices]] = {}


def _choices(catalogue: Catalogue) -> FilterChoices:
    # The state (and so its catalogue) is reused while unchanged: so are its choices.
    found = _CHOICES.get(id(catalogue))
    if found is not None and found[0] is catalogue:
        return found[1]
    subs = sorted({s for m in catalogue.measures for s in m.sub_themes}, key=str.lower)
    themes = list(catalogue.programme.themes)
    themes += sorted({t for m in catalogue.measures for t in m.themes} - set(themes))
    made = FilterChoices(
        authorities=tuple(sorted((a.name for a in catalogue.authorities), key=str.lower)),
        agreements=tuple((a.slug, a.title or a.slug) for a in catalogue.agreements),
        themes=tuple(themes),
        sub_themes=tuple(subs),
    )
    _CHOICES.clear()  # one catalogue at a time is enough
    _CHOICES[id(catalogue)] = (catalogue, made)
    return made


def activity_suggestions(ctx: Context, activity_id: str, top: int = 5) -> list[Suggestion]:
    """The measures an activity may deliver, best first, with their reasons. Kept, as a
    measure's are, while the catalogue, the activities and the links are unchanged."""
    authorise(ctx, Action.READ)
    from valvecheck.services.suggestions import suggest

    code = activity_id.strip().lower()

    def ranked() -> list[Suggestion]:
        found = suggest(ctx, activity=activity_id, top=top)
        return next((v for k, v in found.groups.items() if k.lower() == code), [])

    return _kept_ranking(ctx, f"suggest-activity:{code}", top, ranked)


def measure_suggestions(ctx: Context, measure_id: str, top: int = 5) -> list[Suggestion]:
    """The council's activities that may deliver a measure, best first, with their reasons
    (none when the council has no activities). Kept while the catalogue, the activities and
    the links they learn from are unchanged."""
    authorise(ctx, Action.READ)
    from valvecheck.services.suggestions import suggest

    code = measure_id.strip().lower()

    def ranked() -> list[Suggestion]:
        return suggest(ctx, measure=code, top=top).groups.get(code, [])

    return _kept_ranking(ctx, f"suggest:{code}", top, ranked)


def _kept_ranking(
    ctx: Context, name: str, top: int, ranked: Callable[[], list[Suggestion]]
) -> list[Suggestion]:
    """``ranked()``, kept while the catalogue, the council's activities and its links are
    unchanged; none when the council has no activities (nothing to rank)."""
    from valvecheck.services import snapshot

    work = snapshot.council_work(ctx)
    if not work or not work[2]:
        return []
    key = (snapshot.fingerprint(ctx, None)[1:-2], work, top)
    return snapshot.kept(ctx, name, key, ranked, many=True)


def band(score: float) -> str:
    """A suggestion's score in words for a page: High, Medium or Low (``Method.band``)."""
    from valvecheck.analysis.methods import DEFAULT, METHODS

    return METHODS[DEFAULT].band(score)
