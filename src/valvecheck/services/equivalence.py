"""People's decisions that two measures of different agreements are, or are not, the same
commitment. The common-measure grouping reads measures by their words and finds about half of the
copies that are reworded a long way (docs/benchmarks.md); a person who knows two are the same (or
sees two grouped that are not) says so here, and every grouping, prevalence and report follows."""

from __future__ import annotations

import re
from dataclasses import dataclass

from valvecheck.domain.equivalence import DECISIONS, EquivalenceDecision
from valvecheck.domain.names import fold
from valvecheck.domain.people import Action
from valvecheck.domain.rating import MAX_RATIONALE, as_typed
from valvecheck.domain.views import MeasureView
from valvecheck.errors import InputError, NotFound
from valvecheck.services import prevalence
from valvecheck.services.context import Context, authorise
from valvecheck.store import equivalence as store
from valvecheck.store import repository as repo
from valvecheck.store.queries import load_catalogue

__all__ = [
    "DECISIONS",
    "EquivalenceDecision",
    "Found",
    "decide",
    "decisions",
    "decisions_about",
    "other_measures",
]

# How many measures a search for the other measure shows.
SHOWN = 10


@dataclass(frozen=True)
class Found:
    """Measures of other agreements that hold every word searched for: the first ``SHOWN`` in
    catalogue order, and how many there are in all."""

    words: str
    views: tuple[MeasureView, ...]
    total: int


def decide(
    ctx: Context, measure_id: str, other_id: str, decision: str, rationale: str = ""
) -> EquivalenceDecision | None:
    """Record that two measures are the same commitment (``same``), are not (``different``), or
    withdraw the decision (``none``); returns the decision now in force (None once withdrawn)."""
    from valvecheck.analysis.common import one_text

    authorise(ctx, Action.MANAGE_CATALOGUE)
    rationale = as_typed(rationale)
    if len(rationale) > MAX_RATIONALE:
        raise InputError(
            f"the reason can be at most {MAX_RATIONALE:,} characters; this one has "
            f"{len(rationale):,}. Shorten it, or link to the document instead",
            field="rationale",
        )
    decision = decision.strip().lower()
    if decision not in DECISIONS:
        raise InputError(
            f"'{decision}' is not a decision: say same, different or none", field="decision"
        )
    session = ctx.session
    one = repo.measure_row(session, measure_id)
    try:
        other = repo.measure_row(session, other_id)
    except NotFound as e:
        raise NotFound(str(e), field="other") from None
    if one.id == other.id:
        raise InputError(f"{one.code} is the same measure as itself", field="other")
    if decision == "same" and one.agreement_id == other.agreement_id:
        raise InputError(
            f"{one.code} and {other.code} are measures of one agreement: a common measure is one "
            "commitment in several agreements",
            field="other",
        )
    if decision == "different" and one_text(load_catalogue(ctx.db, None), one.code, other.code):
        raise InputError(
            f"{one.code} and {other.code} have the same words once names and dates are left out, "
            "so they are one text to the grouping and cannot be kept apart",
            field="other",
        )
    store.record(
        session,
        one.id,
        other.id,
        decision,
        rationale.strip(),
        ctx.actor.name,
        ctx.now(),
        ctx.actor.council,
    )
    prevalence.refresh(session)
    pair = tuple(sorted((one.code, other.code)))
    return next(
        (d for d in store.current(session) if tuple(sorted((d.measure, d.other))) == pair), None
    )


def decisions(ctx: Context) -> list[EquivalenceDecision]:
    """Every decision in force, by the pair's ids. The catalogue is shared, so every council
    sees every decision and why; another council's people are named by their council only."""
    authorise(ctx, Action.READ)
    return [_seen(ctx, d) for d in store.current(ctx.db)]


def decisions_about(ctx: Context, measure_id: str) -> list[EquivalenceDecision]:
    """The decisions in force that name a measure (as ``decisions`` shows them)."""
    code = measure_id.strip().lower()
    return [d for d in decisions(ctx) if code in (d.measure, d.other)]


def _seen(ctx: Context, decision: EquivalenceDecision) -> EquivalenceDecision:
    return decision.seen_from(None if ctx.actor.is_local_admin else ctx.actor.council)


def other_measures(ctx: Context, measure_id: str, words: str) -> Found:
    """The measures of other agreements whose id or text holds every one of ``words`` at the
    start of a word (case, hyphens and spacing aside: "ehcp" finds "EHCPs", "stoke" finds
    stoke-on-trent-2), so a person can find the measure they mean without knowing its id."""
    from valvecheck.services.measures import load_state

    authorise(ctx, Action.READ)
    wanted = _words(words)
    if not wanted:
        raise InputError("Enter a word or two of the other measure", field="find")
    state = load_state(ctx)
    this = next((v for v in state.views if v.id == measure_id.strip().lower()), None)
    if this is None:
        raise NotFound(f"there is no measure '{measure_id.strip()}'")
    matching = [
        v
        for v in state.views
        if v.agreement.slug != this.agreement.slug and _holds(f"{v.id} {v.measure.text}", wanted)
    ]
    return Found(" ".join(words.split()), tuple(matching[:SHOWN]), len(matching))


def _words(text: str) -> list[str]:
    """The words of ``text`` as a search compares them (folded, punctuation left out)."""
    return fold(re.sub(r"[^\w\s-]", " ", text)).split()


def _holds(text: str, wanted: list[str]) -> bool:
    words = _words(text)
    return all(any(word.startswith(w) for word in words) for w in wanted)
