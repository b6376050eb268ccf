"""Rating every copy of a common measure in one go: DfE writes agreements from templates, so one
commitment is often in several agreements, and a council's answer is often the same for each.

Each copy is rated by ``services.ratings``' own steps (the assessment still open, the history
at the version the person read, appended after it), so the rules are those of rating one
measure; here only the choosing of the copies, and all of them or none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from valvecheck.domain.people import Action
from valvecheck.domain.rag import Rag
from valvecheck.domain.rating import Rating, as_typed, check_rating
from valvecheck.errors import Conflict, InputError, InputErrors, NotFound
from valvecheck.services.context import Context, authorise
from valvecheck.services.ratings import append_rating, history_at, open_for_rating
from valvecheck.store import repository as repo
from valvecheck.store.models import MeasureRow


@dataclass(frozen=True)
class CopiesRated:
    """The ratings just recorded for copies of one common measure, and their assessment."""

    ratings: tuple[Rating, ...]  # in the group's order
    assessment: str
    # the copies chosen that already had this rating, rationale and evidence (on their text as
    # it is now): nothing recorded for them, as rating one measure records nothing then
    unchanged: tuple[str, ...] = ()


def rate_copies(
    ctx: Context,
    measure_id: str,
    copies: Sequence[str],
    rag: Rag | str,
    rationale: str = "",
    evidence: str = "",
    versions: Mapping[str, int] | None = None,
    assessment: str | None = None,
    drawn_for: str | None = None,
) -> CopiesRated:
    """Give ``copies`` of one common measure the same rating at once: ``measure_id`` and the
    measures of other agreements grouped with it (``common_measures``), each appended to its
    own history exactly as ``rate`` appends it, by the same person at the same moment.

    All or nothing: if any copy is refused, none is rated, and the refusal names every problem
    at once (InputErrors, in a form's order): ``measures`` (none chosen, or one that is not a
    copy of ``measure_id``: this rates a group, not any measures), ``version`` (each copy rated
    since the person read it: ``versions`` maps each copy to the version read, 0 not rated;
    None checks none), then the rating's own (``rag``, ``rationale``, ``evidence``). When
    copies rated since are the only problem it is a Conflict, reason stale-version. A locked
    assessment, or ``drawn_for`` no longer the current one, is refused as ``rate`` refuses it;
    NotFound when ``measure_id`` has no copies.
    """
    authorise(ctx, Action.RATE)
    rationale, evidence = as_typed(rationale), as_typed(evidence)
    group = _copies_of(ctx, measure_id)
    row = open_for_rating(ctx, assessment, drawn_for)
    problems: dict[str, str] = {}
    codes: dict[str, str] = {}
    chosen, outside = _chosen(group, copies)
    if outside:
        problems["measures"] = (
            f"{_and(outside)} {'is' if len(outside) == 1 else 'are'} not grouped with "
            f"{group[0]}: only its copies ({_and(group)}) can be rated with it"
        )
        codes["measures"] = "not-a-copy"
    elif not chosen:
        problems["measures"] = "choose at least one of the measures to rate"
    read = {k.strip().lower(): v for k, v in (versions or {}).items()}
    stale: list[str] = []
    histories: list[tuple[MeasureRow, list[Rating]]] = []
    # locked in one order (the rows' ids), so that two people rating one group never deadlock
    for measure in sorted((repo.measure_row(ctx.session, c) for c in chosen), key=_row_id):
        expected = read.get(measure.code)
        if versions is not None and expected is None:
            stale.append(f"{measure.code}: the version of its ratings that was read is missing")
            continue
        try:
            histories.append((measure, history_at(ctx, row, measure, expected)))
        except Conflict as exc:
            stale.append(str(exc))
    if stale:
        problems["version"] = "; ".join(stale) + ". None of the measures was rated"
        codes["version"] = "stale-version"
    try:
        parsed = rag if isinstance(rag, Rag) else Rag.parse(rag)
        check_rating(parsed, rationale, evidence)
    except InputError as exc:
        problems[exc.field or "rag"] = str(exc)
    if set(problems) - {"version"}:
        raise InputErrors(problems, codes)
    if stale:
        raise Conflict(problems["version"], field="version", reason="stale-version")
    at = ctx.now()
    made = {
        measure.code: append_rating(ctx, row, measure, before, parsed, rationale, evidence, at)
        for measure, before in histories
        if not _as_it_stands(measure, before, parsed, rationale, evidence)
    }
    ctx.session.flush()
    unchanged = tuple(c for c in group if c in chosen and c not in made)
    return CopiesRated(tuple(made[c] for c in group if c in made), row.name, unchanged)


def _as_it_stands(
    measure: MeasureRow, before: list[Rating], rag: Rag, rationale: str, evidence: str
) -> bool:
    """Whether the copy's latest rating already says this, of the text it has now."""
    latest = before[-1] if before else None
    return (
        latest is not None
        and latest.rag is rag
        and latest.rationale.strip() == rationale.strip()
        and latest.evidence.strip() == evidence.strip()
        and latest.measure_version == measure.version
    )


def _copies_of(ctx: Context, measure_id: str) -> list[str]:
    """The measure and the others of its common-measure group, in catalogue order after it."""
    from valvecheck.services.measures import load_state
    from valvecheck.services.prevalence import equivalents_of

    code = repo.measure_row(ctx.session, measure_id).code
    others = equivalents_of(ctx.session, load_state(ctx).catalogue, code)
    if not others:
        raise NotFound(
            f"{code} has no copies in other agreements to rate with it: rate it on its own",
            field="measure",
        )
    return [code, *others]


def _chosen(group: list[str], copies: Sequence[str]) -> tuple[list[str], list[str]]:
    """The copies chosen (once each, as ids are written: trimmed, lower case), and the ids
    given that are not of the group, as they were given."""
    chosen: list[str] = []
    outside: list[str] = []
    for given in copies:
        code = given.strip().lower()
        if not code:
            continue
        if code not in group:
            outside.append(given.strip())
        elif code not in chosen:
            chosen.append(code)
    return chosen, outside


def _row_id(measure: MeasureRow) -> int:
    return measure.id


def _and(ids: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return ", ".join(ids[:-1]) + (" and " if len(ids) > 1 else "") + ids[-1]
