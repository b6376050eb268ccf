"""Read models: a measure as a person reads it, the filters of a listing, an assessment's state.

Pure: built by the services from the store, read by the CLI, the web pages and the reports.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import date

from valvecheck.analysis.deadlines import Deadline, YearBasis, due_date, is_overdue, read_deadlines
from valvecheck.domain.measure_ids import measure_key
from valvecheck.domain.model import (
    Agreement,
    Catalogue,
    Measure,
    Placement,
    PlacementChange,
    Programme,
)
from valvecheck.domain.moments import aware, end_of_day
from valvecheck.domain.names import fold
from valvecheck.domain.rag import Rag
from valvecheck.domain.rating import Rating, current
from valvecheck.domain.search import matches


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
    def version(self) -> int:
        """The version of the rating history (0: never rated): what a rating form carries."""
        return self.history[-1].version if self.history else 0

    @property
    def needs_review(self) -> bool:
        """Rated against an earlier text of the measure: the agreement has been revised since."""
        latest = self.latest
        return (
            latest is not None
            and latest.rag is not Rag.UNRATED
            and latest.measure_version < self.measure.version
        )

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


@dataclass(frozen=True)
class MeasureDeadlines:
    """The deadlines read from one measure's text, its due date and whether it is overdue."""

    deadlines: tuple[Deadline, ...]
    due: date | None
    overdue: bool


def deadlines_of(view: MeasureView, today: date, basis: YearBasis) -> MeasureDeadlines:
    """Overdue: the due date is before ``today`` and the rating is not green.

    A measure rated not applicable is never overdue: the council has said it does not apply.
    """
    found = tuple(read_deadlines(view.measure.text, basis))
    due = due_date(found)
    settled = view.rag in (Rag.GREEN, Rag.NOT_APPLICABLE)
    return MeasureDeadlines(found, due, is_overdue(due, settled, today))


def overdue_words(view: MeasureView, council: str) -> str:
    """What an overdue flag says: "Overdue" for the council's own agreement, else whose
    deadline it is ("Bury's deadline passed"): another council's date binds only that council."""
    ours = fold(council) if council else ""
    if ours and any(fold(n) == ours or ours in fold(n) for n in view.authority_names):
        return "Overdue"
    return f"{view.la or view.agreement.slug}'s deadline passed"


def months_on(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day where it has no such day)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


@dataclass
class Filters:
    authority: str | None = None
    theme: str | None = None
    sub_theme: str | None = None
    rag: Rag | None = None
    text: str | None = None
    due_before: date | None = None  # only measures due strictly before this date
    due_within: int | None = None  # only measures due from today to this many months on
    overdue: bool = False  # only measures past their due date and not green
    today: date | None = None  # what "overdue" is judged against (default: the real today)
    agreement: str | None = None  # an agreement's slug

    def keep(self, view: MeasureView, basis: YearBasis = "financial") -> bool:
        m = view.measure
        if self.due_before or self.overdue or self.due_within:
            today = self.today or date.today()
            d = deadlines_of(view, today, basis)
            if self.due_before and not (d.due and d.due < self.due_before):
                return False
            if self.due_within and not (
                d.due and today <= d.due < months_on(today, self.due_within)
            ):
                return False
            if self.overdue and not d.overdue:
                return False
        if self.authority and not any(
            fold(self.authority) in fold(n) for n in [*view.authority_names, view.agreement.slug]
        ):
            return False
        if self.agreement and fold(self.agreement) != fold(view.agreement.slug):
            return False
        # a theme and a sub-theme asked for together are one placement's (a measure placed in
        # two themes is not under the one theme's sub-theme by its other placement)
        if (self.theme or self.sub_theme) and not any(
            (not self.theme or fold(self.theme) == fold(p.theme))
            and (not self.sub_theme or fold(self.sub_theme) == fold(p.sub_theme or ""))
            for p in m.placements
        ):
            return False
        if self.rag and view.rag is not self.rag:
            return False
        return not (self.text and not matches(self.text, m.text))


@dataclass
class AssessmentState:
    """A catalogue with one assessment's rating histories: what summaries and reports start from."""

    assessment: str
    council: str
    catalogue: Catalogue
    views: list[MeasureView]

    _index: dict[str, MeasureView] = field(default_factory=dict, init=False, repr=False)

    @property
    def ratings(self) -> dict[str, Rag]:
        return {v.id: v.rag for v in self.views}

    def view(self, measure_id: str) -> MeasureView | None:
        """The view of one measure (by id as people type it: 'Bury 3' is bury-3), or None."""
        if not self._index:
            self._index.update((v.id, v) for v in self.views)
        plain = measure_id.strip().lower()
        return self._index.get(plain) or self._index.get(measure_key(measure_id))


def as_at(state: AssessmentState, on: date) -> AssessmentState:
    """The assessment as it stood at the end of the day ``on``: ratings given later left out."""
    end = end_of_day(on)

    def until(view: MeasureView) -> MeasureView:
        kept = [r for r in view.history if r.at is None or aware(r.at) < end]
        return view if len(kept) == len(view.history) else replace(view, history=kept)

    return replace(state, views=[until(v) for v in state.views])


def programme_before(state: AssessmentState, later: list[PlacementChange]) -> AssessmentState:
    """The state with the council's programme as it stood before the ``later`` changes (oldest
    first), undone newest first: a placement made since is taken away, one taken away since is
    back. A rename (a placement taken away and one made for the same measure, by the same
    person at the same moment: services/programme.py writes a theme's rename so) is undone in
    place: the old name stands where the new one does, in the measure's placements and in the
    programme's order. A theme or sub-theme that only a later change named, and that holds
    nothing once the changes are undone, is left out; one that comes back is put after the
    themes kept."""
    if not later:
        return state
    placed = {m.id: list(m.placements) for m in state.catalogue.measures}
    renames: list[tuple[Placement, Placement]] = []  # (then, now), newest first
    i = len(later) - 1
    while i >= 0:
        c, before = later[i], later[i - 1] if i else None
        placements = placed.get(c.measure_id)
        if before is not None and _renamed(before, c):
            if placements is not None and c.placement in placements:
                placements[placements.index(c.placement)] = before.placement
            elif placements is not None and before.placement not in placements:
                placements.append(before.placement)
            renames.append((before.placement, c.placement))
            i -= 2
            continue
        i -= 1
        if placements is None:
            continue
        if c.placed:
            if c.placement in placements:
                placements.remove(c.placement)
        elif c.placement not in placements:
            placements.append(c.placement)
    themes = {theme: list(subs) for theme, subs in state.catalogue.programme.themes.items()}
    for then, now in renames:
        themes = _named_back(themes, then, now)
    held = {p for ps in placed.values() for p in ps}
    held_themes = {p.theme for p in held}
    named_later = {c.placement for c in later} | {Placement(c.placement.theme) for c in later}
    programme = Programme()
    for theme, subs in themes.items():
        if theme in held_themes or Placement(theme) not in named_later:
            programme.add(theme)
            for sub in subs:
                if Placement(theme, sub) in held or Placement(theme, sub) not in named_later:
                    programme.add(theme, sub)
    for p in (p for ps in placed.values() for p in ps):  # in catalogue order
        if p.theme not in programme.themes or (
            p.sub_theme and p.sub_theme not in programme.themes[p.theme]
        ):
            programme.add(p.theme, p.sub_theme)
    measures = {m.id: replace(m, placements=tuple(placed[m.id])) for m in state.catalogue.measures}
    catalogue = replace(state.catalogue, measures=list(measures.values()), programme=programme)
    views = [replace(v, measure=measures.get(v.id, v.measure)) for v in state.views]
    return replace(state, catalogue=catalogue, views=views)


@dataclass(frozen=True)
class PlacementStep:
    """One line of a measure's placement history as a person reads it: a placement made or
    taken away, or (``renamed_from``) the theme or sub-theme it is placed in renamed, which the
    history keeps as the old name taken away and the new one placed at one moment."""

    change: PlacementChange  # the placing or taking away (a rename's: the new name placed)
    renamed_from: Placement | None = None

    @property
    def renamed(self) -> tuple[str, str, str]:
        """A rename's ("theme" or "sub-theme", its name before, its name after)."""
        was, now = self.renamed_from or self.change.placement, self.change.placement
        if was.theme != now.theme:
            return "theme", was.theme, now.theme
        return "sub-theme", was.sub_theme or "", now.sub_theme or ""


def placement_steps(changes: list[PlacementChange]) -> list[PlacementStep]:
    """The history (oldest first) with each rename's two changes read as one step."""
    steps: list[PlacementStep] = []
    i = 0
    while i < len(changes):
        if i + 1 < len(changes) and _renamed(changes[i], changes[i + 1]):
            steps.append(PlacementStep(changes[i + 1], changes[i].placement))
            i += 2
        else:
            steps.append(PlacementStep(changes[i]))
            i += 1
    return steps


def where_renamed(
    changes: list[PlacementChange], named: Placement
) -> tuple[Placement, Placement, PlacementChange] | None:
    """Where a theme (``named`` with no sub-theme) or a sub-theme of the council's programme
    went, by its history (oldest first): the newest rename away from that name, followed
    through every later rename of it (a typo put right, then the board's new name) and of its
    theme. Returns the name as it was, the name it has now, and the rename's own change (who,
    when); None when nothing was renamed from that name. Names compare as the programme
    matches them (case, spacing and punctuation aside)."""
    steps = _rename_steps(changes)
    for i in range(len(steps) - 1, -1, -1):
        before, after, change = steps[i]
        if bool(before.sub_theme) != bool(named.sub_theme):
            continue
        if fold(before.sub_theme or "") != fold(named.sub_theme or ""):
            continue
        # the theme the person typed, as later renames of it left it
        if fold(_followed(steps[i + 1 :], Placement(before.theme)).theme) != fold(named.theme):
            continue
        return before, _followed(steps[i + 1 :], after), change
    return None


def _rename_steps(
    changes: list[PlacementChange],
) -> list[tuple[Placement, Placement, PlacementChange]]:
    """Each rename once (a theme's rename moves each of its placements), as (from, to, change):
    a theme's as themes alone, a sub-theme's whole."""
    steps: list[tuple[Placement, Placement, PlacementChange]] = []
    for one in placement_steps(changes):  # a rename's pair of changes read once, as shown
        if one.renamed_from is None:
            continue
        made = one.change
        was, now = one.renamed_from, made.placement
        if was.theme != now.theme:
            was, now = Placement(was.theme), Placement(now.theme)
        if not steps or steps[-1][:2] != (was, now) or steps[-1][2].at != made.at:
            steps.append((was, now, made))
    return steps


def _followed(
    steps: list[tuple[Placement, Placement, PlacementChange]], name: Placement
) -> Placement:
    """``name`` (a theme, or a sub-theme) through these renames, in order."""
    for before, after, _ in steps:
        if fold(before.theme) != fold(name.theme):
            continue
        if before.sub_theme is None:
            name = Placement(after.theme, name.sub_theme)
        elif name.sub_theme and fold(before.sub_theme) == fold(name.sub_theme):
            name = after
    return name


def _renamed(taken: PlacementChange, made: PlacementChange) -> bool:
    """Whether two changes, one after the other, are one placement renamed: taken out of one
    name and placed in another by one person at one moment, by hand (an import names its file),
    the theme or the sub-theme renamed but not both (that would be a move)."""
    was, now = taken.placement, made.placement
    return (
        not taken.placed
        and made.placed
        and taken.measure_id == made.measure_id
        and taken.at == made.at
        and taken.by == made.by
        and not taken.file
        and not made.file
        and (was.theme != now.theme) != (was.sub_theme != now.sub_theme)
    )


def _named_back(
    themes: dict[str, list[str]], then: Placement, now: Placement
) -> dict[str, list[str]]:
    """The programme's themes with ``now``'s name put back to ``then``'s, in its place."""
    if then.theme != now.theme:
        if now.theme not in themes or then.theme in themes:
            return themes
        return {then.theme if t == now.theme else t: subs for t, subs in themes.items()}
    subs = themes.get(now.theme, [])
    if now.sub_theme in subs and then.sub_theme and then.sub_theme not in subs:
        subs[subs.index(now.sub_theme)] = then.sub_theme
    return themes
