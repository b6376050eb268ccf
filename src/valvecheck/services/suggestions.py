"""Suggestions: the first pass of the cross-referencing, and how good it is."""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from valvecheck.analysis.evaluate import Evaluation, evaluate
from valvecheck.analysis.suggest import DEFAULT, METHODS, Method, Suggester, Suggestion
from valvecheck.catalogue.loader import load_catalogue
from valvecheck.domain.activity import Activity, id_key, same_id
from valvecheck.domain.link_reason import RECORDED
from valvecheck.domain.model import Catalogue
from valvecheck.domain.people import Action
from valvecheck.errors import Conflict, ImportRejected, InputError, NotFound
from valvecheck.importers.labelled_csv import read_labelled_csv
from valvecheck.services.context import Context, authorise, council_id
from valvecheck.services.links import LinkEvent, current_links, latest_events, link, link_events
from valvecheck.store import activities as store
from valvecheck.store import repository as repo

if TYPE_CHECKING:
    from valvecheck.analysis.matcher import Example

ACCEPTED = "suggested, accepted by"  # the rationale of a link made by accepting a suggestion


@dataclass
class Suggestions:
    """Ranked suggestions, grouped by activity (``by`` = "activity") or by measure."""

    by: str
    groups: dict[str, list[Suggestion]]
    method: str
    threshold: float
    activities: int = 0  # how many activities were scored: none means none imported yet
    accept_threshold: float | None = None  # the stricter bar for linking without a look
    # per group, what the matcher ranked there but a person had already judged (linked, or
    # unlinked: "not this"), left out of the suggestions: id -> True if linked now
    left_out: dict[str, dict[str, bool]] = dataclasses.field(default_factory=dict)

    @property
    def shown(self) -> list[Suggestion]:
        """Every suggestion in every group, in the order they are shown."""
        return [s for found in self.groups.values() for s in found]

    @property
    def to_accept(self) -> list[Suggestion]:
        """The suggestions shown that clear the accept bar: what accepting them all would link."""
        bar = self.threshold if self.accept_threshold is None else self.accept_threshold
        return [s for s in self.shown if s.score >= bar]

    def as_dict(self) -> dict[str, object]:
        key = "activities" if self.by == "activity" else "measures"
        return {
            "by": self.by,
            "method": self.method,
            "threshold": self.threshold,
            "accept_threshold": self.accept_threshold,
            key: [
                {
                    "id": gid,
                    "suggestions": [self._item(s) for s in found],
                    "left_out": [
                        {"id": i, "action": "link" if linked else "unlink"}
                        for i, linked in self.left_out.get(gid, {}).items()
                    ],
                }
                for gid, found in self.groups.items()
            ],
        }

    def _item(self, s: Suggestion) -> dict[str, object]:
        bar = self.threshold if self.accept_threshold is None else self.accept_threshold
        return s.as_dict() | {"accept": s.score >= bar}


def method_of(name: str | None = None, threshold: float | None = None) -> Method:
    name = name or DEFAULT
    if name not in METHODS:
        raise InputError(
            f"unknown method '{name}'; use one of: {', '.join(METHODS)}", field="method"
        )
    if threshold is not None and not 0 <= threshold <= 1:
        raise InputError(
            f"the threshold must be between 0 and 1, not {threshold:g}", field="threshold"
        )
    method = METHODS[name]
    return method if threshold is None else dataclasses.replace(method, threshold=threshold)


def suggester_for(
    catalogue: Catalogue,
    method: Method | str | None = None,
    links: list[Example] | None = None,
    groups: Groups = (),
) -> Suggester:
    """A suggester over a catalogue's measures (authority names are not content words); a learned
    method also learns from ``links``, the council's own linked activities, and reads a measure
    of another agreement through its common-measure group (``groups``, ``_groups_of``)."""
    chosen = method if isinstance(method, Method) else method_of(method)
    return Suggester(
        [(m.id, m.text) for m in catalogue.measures],
        chosen,
        [n for a in catalogue.authorities for n in (a.name, *a.aliases)],
        links=links or (),
        equivalents=dict(groups),
    )


@functools.cache
def _bundled_ids() -> frozenset[str]:
    return frozenset(m.id for m in load_catalogue().measures)


# each measure with others in its common-measure group -> those others (hashable, for the cache)
Groups = tuple[tuple[str, tuple[str, ...]], ...]


def _groups_of(ctx: Context, catalogue: Catalogue) -> Groups:
    """The catalogue's common-measure groups, as the suggestions read them: none for the bundled
    catalogue alone (every measure of it has labelled examples of its own), so only a workspace
    that imported further agreements reads the index."""
    if {m.id for m in catalogue.measures} <= _bundled_ids():
        return ()
    from valvecheck.services import prevalence  # the grouping: only for a larger catalogue

    found = prevalence.equivalents(ctx.db, catalogue)
    return tuple((mid, others) for mid, others in found.items() if others)


def ranked_for(
    catalogue: Catalogue,
    method: Method | str | None,
    links: list[Example],
    activities: Sequence[Activity],
    top: int | None,
    groups: Groups = (),
) -> dict[str, list[Suggestion]]:
    """Each activity's measures above the threshold, best first (``top`` of them, None: all),
    from ``suggester_for``'s suggester; the same as building it and asking, but the answers for
    the last few sets of inputs are kept, so the page of every activity's suggestions read again
    (its next page, a refused batch) is not scored again. Any change to the measures, the
    council's links or its activities' words is new inputs, scored afresh."""
    chosen = method if isinstance(method, Method) else method_of(method)
    return _ranked(
        chosen,
        tuple((m.id, m.text) for m in catalogue.measures),
        tuple(n for a in catalogue.authorities for n in (a.name, *a.aliases)),
        tuple(links),
        tuple(_items(list(activities))),
        top,
        tuple(a.title for a in activities),
        groups,
    )


@functools.lru_cache(maxsize=4)
def _ranked(
    method: Method,
    measures: tuple[tuple[str, str], ...],
    names: tuple[str, ...],
    links: tuple[Example, ...],
    items: tuple[tuple[str, str], ...],
    top: int | None,
    titles: tuple[str, ...],
    groups: Groups,
) -> dict[str, list[Suggestion]]:
    engine = Suggester(list(measures), method, list(names), links=links, equivalents=dict(groups))
    return engine.for_activities(list(items), top, list(titles))


def council_links(
    ctx: Context, activities: list[Activity], events: list[LinkEvent] | None = None
) -> list[Example]:
    """The council's links in force, one example per linked activity (its text and rationales).

    Links made by accepting a suggestion are left out: the matcher would only be learning from itself.
    A link recorded in an imported tracker's measures column counts; its note (the file's name) is
    not part of the text. ``events``: the council's link events, when already read.
    """
    from valvecheck.analysis.matcher import Example  # SciPy: only when suggesting

    by_activity: dict[str, list[LinkEvent]] = {}
    for e in current_links(link_events(ctx) if events is None else events):
        if not e.rationale.startswith(ACCEPTED):
            by_activity.setdefault(e.activity_id.lower(), []).append(e)
    out: list[Example] = []
    for a in activities:
        found = by_activity.get(a.id.lower())
        if found:
            notes = " ".join(
                e.rationale for e in found if e.rationale and not e.rationale.startswith(RECORDED)
            )
            measures = tuple(dict.fromkeys(e.measure_id for e in found))
            out.append(Example(a.id, f"{a.text} {notes}".strip(), measures, "council", own=True))
    return out


def _items(activities: list[Activity]) -> list[tuple[str, str]]:
    return [(a.id, a.text) for a in activities]


def _load(ctx: Context) -> tuple[Catalogue, list[Activity]]:
    authorise(ctx, Action.READ)
    cid = council_id(ctx)
    return repo.load_catalogue(ctx.session, cid), store.activities(ctx.session, cid)


def suggest(
    ctx: Context,
    activity: str | None = None,
    measure: str | None = None,
    top: int = 5,
    method: str | None = None,
) -> Suggestions:
    """Measures for each activity (or one), or activities for one measure, best first."""
    if activity and measure:
        raise InputError("ask for an activity's measures or a measure's activities, not both")
    catalogue, activities = _load(ctx)
    events = link_events(ctx)
    chosen = method_of(method)
    links = council_links(ctx, activities, events)
    info = (chosen.name, chosen.threshold, len(activities), chosen.accept_threshold)
    judged = _judged(events)
    if measure:
        if catalogue.measure(measure) is None:
            raise NotFound(f"there is no measure '{measure}'", field="measure")
        if not activities:
            return Suggestions("measure", {measure: []}, *info)
        code = measure.strip().lower()
        mine = {a: j[code] for a, j in judged.items() if code in j}
        titles = [a.title for a in activities]
        engine = suggester_for(catalogue, chosen, links, _groups_of(ctx, catalogue))
        found = engine.for_measures(_items(activities), top + len(mine), titles)
        kept, left = _without(found[measure], top, "activity_id", lambda a: mine.get(a.lower()))
        return Suggestions("measure", {measure: kept}, *info, left_out={measure: left})
    if activity:
        activities = [a for a in activities if same_id(a.id, activity)]
        if not activities and info[2]:
            raise NotFound(f"there is no activity '{activity}'", field="activity")
    if not activities:
        return Suggestions("activity", {}, *info)
    most = max((len(j) for j in judged.values()), default=0)
    # room for the judged; titles: each activity's own, once narrowed to one
    found = ranked_for(catalogue, chosen, links, activities, top + most, _groups_of(ctx, catalogue))
    groups: dict[str, list[Suggestion]] = {}
    left_out: dict[str, dict[str, bool]] = {}
    for aid, ranked in found.items():
        here = judged.get(aid.lower(), {})
        groups[aid], left_out[aid] = _without(ranked, top, "measure_id", here.get)
    return Suggestions("activity", groups, *info, left_out=left_out)


def _judged(events: list[LinkEvent]) -> dict[str, dict[str, bool]]:
    """Every measure each activity has been linked to or unlinked from: True if linked now.

    A pair is judged once it has been linked, and stays judged when unlinked: "not this" is a
    decision too, so neither is suggested again for that activity (the matcher still learns
    from the links in force)."""
    out: dict[str, dict[str, bool]] = {}
    for (activity, measure), e in latest_events(events).items():
        out.setdefault(activity.lower(), {})[measure] = e.linked
    return out


def _without(
    ranked: list[Suggestion], top: int, side: str, judged: Callable[[str], bool | None]
) -> tuple[list[Suggestion], dict[str, bool]]:
    """The suggestions a person has not judged, ranked again from 1 and cut to ``top``; and
    what was left out, by the id on the other ``side`` of the pair (``measure_id`` for an
    activity's suggestions, ``activity_id`` for a measure's): True if linked now."""
    kept: list[Suggestion] = []
    left: dict[str, bool] = {}
    for s in ranked:
        other = getattr(s, side)
        linked = judged(other)
        if linked is not None:
            left[other] = linked
        elif len(kept) < top:
            kept.append(dataclasses.replace(s, rank=len(kept) + 1))
    return kept, left


def accept(
    ctx: Context, pairs: list[tuple[str, str]], method: str | None = None
) -> list[LinkEvent]:
    """Link the (activity, measure) pairs a person accepted, all or none.

    A pair that has ever been linked or unlinked is left alone: a person has already judged it,
    before the batch was read or while it was being scored (each pair is linked only if it is
    still unjudged under its lock, so a colleague's "not relevant" meanwhile stands).
    Every other pair must be a suggestion now (``method``'s, the default one's if None): one the
    matcher scores at or above its threshold for that activity, whatever its rank. A pair naming
    an unknown activity or measure, or one not suggested, refuses the whole batch; such a link is
    made with ``link`` and a rationale of the person's own, not recorded as "suggested".
    """
    authorise(ctx, Action.SUGGEST)
    events = link_events(ctx)
    seen = {(id_key(e.activity_id), e.measure_id.lower()) for e in events}  # judged already
    wanted: list[tuple[str, str]] = []
    for activity_id, measure_id in pairs:
        key = (id_key(activity_id), measure_id.strip().lower())
        if key not in seen:
            seen.add(key)
            wanted.append((activity_id, measure_id))
    if wanted:
        _require_suggested(ctx, wanted, events, method)
    note = f"{ACCEPTED} {ctx.actor.name}"
    made: list[LinkEvent] = []
    for activity_id, measure_id in wanted:
        try:  # never judged when read: a colleague's judgement since (under the pair's lock) stands
            made.append(link(ctx, activity_id, measure_id, note, expected_version=0))
        except Conflict as exc:
            if exc.reason not in ("stale-version", "already-linked"):
                raise
    return made


def _require_suggested(
    ctx: Context, pairs: list[tuple[str, str]], events: list[LinkEvent], method: str | None
) -> None:
    """Refuse the batch unless every pair names a known activity and measure and is suggested
    now. Pairs judged before are not among ``pairs`` (accept leaves them alone)."""
    catalogue, activities = _load(ctx)
    by_id = {id_key(a.id): a for a in activities}
    measures = {m.id.lower() for m in catalogue.measures}
    for activity_id, measure_id in pairs:
        if id_key(activity_id) not in by_id:
            raise NotFound(f"there is no activity '{activity_id.strip()}'", field="activity")
        if measure_id.strip().lower() not in measures:
            raise NotFound(f"there is no measure '{measure_id.strip()}'", field="measure")
    chosen = list({id_key(a): by_id[id_key(a)] for a, _ in pairs}.values())
    # Every score at or above the threshold, not only the top few: the same ranking as
    # suggest(), which a page or a program may have cut to any length.
    links = council_links(ctx, activities, events)
    found = ranked_for(catalogue, method, links, chosen, None, _groups_of(ctx, catalogue))
    suggested = {
        (id_key(aid), s.measure_id.lower()) for aid, ranked in found.items() for s in ranked
    }
    missing = [
        (a.strip(), m.strip()) for a, m in pairs if (id_key(a), m.strip().lower()) not in suggested
    ]
    if missing:
        activity_id, measure_id = missing[0]
        more = f" (nor are {len(missing) - 1} more of the pairs)" if len(missing) > 1 else ""
        raise InputError(
            f"{measure_id} is not suggested for {activity_id} now{more}, so it cannot be "
            "accepted as a suggestion and nothing was linked: link it with a rationale of "
            "your own instead",
            field="pairs",
        )


def evaluate_file(
    data: bytes,
    file: str,
    method: str | None = None,
    threshold: float | None = None,
    ctx: Context | None = None,
    links: bool = True,
    curve: Sequence[int] = (),
) -> Evaluation:
    """Score labelled activities (activity_id, title, description, expected_measures).

    With no ``ctx`` they are scored against the bundled catalogue. With one (a workspace), against
    the workspace's catalogue, and, unless ``links`` is False, with the council's own links as
    evidence; an activity of the file that the council has linked is never scored with its own
    link. ``curve``: also the figures when that many of the file's activities are linked, and
    when half of them are (each size a few random draws, scored only on the activities not linked).
    """
    started = time.perf_counter()
    evidence: list[Example] = []
    groups: Groups = ()
    if ctx is None:
        catalogue = load_catalogue()
    else:
        catalogue, activities = _load(ctx)
        groups = _groups_of(ctx, catalogue)
        if links:
            evidence = council_links(ctx, activities)
    parsed = read_labelled_csv(data, file, {m.id for m in catalogue.measures})
    if parsed.problems:
        raise ImportRejected(parsed.problems, outcome="the file was not evaluated")
    chosen = method_of(method, threshold)
    result = evaluate(suggester_for(catalogue, chosen, evidence, groups), parsed.rows, started)
    result.links = len(evidence)
    if curve:
        from valvecheck.analysis.validation import learning_curve

        # half of the file linked is always one of the points: "does linking half help the rest?"
        sizes = sorted({*curve, len(parsed.rows) // 2})
        result.curve = learning_curve(
            lambda more: suggester_for(catalogue, chosen, [*evidence, *more], groups),
            parsed.rows,
            sizes,
        )
    result.seconds = time.perf_counter() - started
    return result
