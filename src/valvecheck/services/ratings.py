"""Rating measures, their history, and assessments (one run of the exercise each)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select

from valvecheck.domain.names import fold
from valvecheck.domain.people import Action
from valvecheck.domain.rag import Rag
from valvecheck.domain.rating import (
    PERSON,
    Rating,
    as_typed,
    carried_note,
    check_rating,
    current,
    own_words,
)
from valvecheck.errors import Conflict, InputError, NotFound
from valvecheck.services.context import Context, authorise, council_id
from valvecheck.store import repository as repo
from valvecheck.store.models import AssessmentRow, CouncilRow, MeasureRow
from valvecheck.store.queries import AssessmentRecord


@dataclass(frozen=True)
class AssessmentInfo:
    id: int
    name: str
    council: str
    created_at: datetime
    created_by: str
    rated: int
    current: bool
    locked: bool = False
    trajectory_years: int = 0  # of the deficit trajectory carried forward

    @property
    def latest(self) -> bool:  # the name the CLI's table used
        return self.current


@dataclass(frozen=True)
class Rated:
    """A rating just recorded, and the assessment it went into."""

    rating: Rating
    assessment: str


def _assessment(ctx: Context, name: str | None = None) -> AssessmentRecord:
    """The acting council's assessment by name, else its current one."""
    return repo.assessment_row(ctx.session, council_id(ctx), name)


def rate(
    ctx: Context,
    measure_id: str,
    rag: Rag | str,
    rationale: str = "",
    evidence: str = "",
    assessment: str | None = None,
    expected_version: int | None = None,
    drawn_for: str | None = None,
) -> Rated:
    """Record a new rating for a measure: appended to its history, never overwriting.

    The previous rating is read and the new one appended under one lock on the measure's
    history, so concurrent raters each see the one before them. ``expected_version`` is the
    version of the history the person read (0: not rated); if someone has rated since, the
    rating is refused with Conflict and nothing is written. ``drawn_for`` is the assessment the
    person's form was drawn for: if another has been made current since, the rating is refused
    too (Conflict on "assessment"), rather than go into an assessment they were not looking at.
    """
    authorise(ctx, Action.RATE)
    rag = rag if isinstance(rag, Rag) else Rag.parse(rag)
    rationale, evidence = as_typed(rationale), as_typed(evidence)
    check_rating(rag, rationale, evidence)
    row = open_for_rating(ctx, assessment, drawn_for)
    measure = repo.measure_row(ctx.session, measure_id)
    before = history_at(ctx, row, measure, expected_version)
    rating = append_rating(ctx, row, measure, before, rag, rationale, evidence, ctx.now())
    ctx.session.flush()
    return Rated(rating, row.name)


def _unrated_without_reasons(
    history: list[Rating], rag: Rag, rationale: str, evidence: str
) -> tuple[str, str]:
    """A measure set back to not rated with the rationale (and evidence) its rating had, as the
    rating form offers them again, keeps neither: they were the reasons for the rating taken
    away (a committee paper printed "Not rated | Post-16 offer reformed with colleges"), a carried
    rating's too, and on every copy "Rate all" sets. They stay in its history; a reason typed
    for the change itself is kept."""
    if rag != Rag.UNRATED or not history or history[-1].rag == Rag.UNRATED:
        return rationale, evidence
    last = history[-1]
    # as the form offers them: a carried rating's reason without its note; spaces aside
    same_reason = own_words(rationale.strip()) == own_words(last.rationale)
    return (
        "" if same_reason else rationale,
        "" if evidence.strip() == last.evidence.strip() else evidence,
    )


def open_for_rating(
    ctx: Context, assessment: str | None, drawn_for: str | None
) -> AssessmentRecord:
    """The assessment ratings go into (by name, else the current one), if they still may: not
    when another has been made current since the form was drawn for ``drawn_for``, nor when it
    is locked (read again under a shared lock, held until commit)."""
    row = _assessment(ctx, assessment)
    if drawn_for is not None and drawn_for != row.name:
        raise Conflict(
            f"the current assessment is now '{row.name}': the page you rated from was for "
            f"'{drawn_for}'. Nothing was saved; check the rating against '{row.name}' and save again",
            field="assessment",
        )
    if repo.held_lock(ctx.session, row.id) is not None:  # read again, under a shared lock
        raise Conflict(
            f"the assessment '{row.name}' is locked: it has been reported", reason="locked"
        )
    return row


def history_at(
    ctx: Context, row: AssessmentRecord, measure: MeasureRow, expected_version: int | None
) -> list[Rating]:
    """The measure's history in ``row``, locked until commit (each rater sees the one before);
    refused (Conflict, stale-version) unless it is at ``expected_version`` (None: any)."""
    repo.lock_pair(ctx.session, row.id, measure.id)
    history = repo.measure_history(ctx.session, row, measure)
    version = history[-1].version if history else 0
    if expected_version is not None and expected_version != version:
        if not history or expected_version > version:
            raise Conflict(
                f"the ratings of {measure.code} in '{row.name}' are not the ones you opened "
                f"(version {expected_version}; it is at version {version}): reload the page",
                field="version",
                reason="stale-version",
                version=version,
            )
        latest = history[-1]
        raise Conflict(
            f"{measure.code} was rated {latest.rag.label} by {latest.by} since you opened it",
            field="version",
            reason="stale-version",
            version=version,
        )
    return history


def append_rating(
    ctx: Context,
    row: AssessmentRecord,
    measure: MeasureRow,
    history: list[Rating],
    rag: Rag,
    rationale: str,
    evidence: str,
    at: datetime,
) -> Rating:
    """A person's rating, appended to the measure's ``history`` (read by ``history_at``)."""
    rationale, evidence = _unrated_without_reasons(history, rag, rationale, evidence)
    rating = Rating(
        measure_id=measure.code,
        rag=rag,
        rationale=rationale.strip(),
        evidence=evidence.strip(),
        by=ctx.actor.name,
        at=at,
        previous=current(history),
        version=(history[-1].version if history else 0) + 1,
        source=PERSON,
        measure_version=measure.version,
    )
    repo.add_rating(ctx.session, row, measure, rating)
    return rating


def history(ctx: Context, measure_id: str, assessment: str | None = None) -> list[Rating]:
    """Every rating a measure has had in an assessment, oldest first."""
    authorise(ctx, Action.READ)
    measure = repo.measure_row(ctx.session, measure_id)
    return repo.measure_history(ctx.session, _assessment(ctx, assessment), measure)


def _info(
    ctx: Context, row: AssessmentRecord | AssessmentRow, current_id: int | None
) -> AssessmentInfo:
    histories = repo.rating_history(ctx.session, row)
    rated = sum(1 for h in histories.values() if current(h) is not Rag.UNRATED)
    return AssessmentInfo(
        row.id,
        row.name,
        row.council,
        row.created_at,
        row.created_by,
        rated,
        row.id == current_id,
        row.locked_at is not None,
    )


def list_assessments(ctx: Context) -> list[AssessmentInfo]:
    authorise(ctx, Action.READ)
    cid = council_id(ctx)
    chosen = repo.current_assessment(ctx.session, cid)
    current_id = chosen.id if chosen else None
    return [_info(ctx, row, current_id) for row in repo.assessments(ctx.session, cid)]


def being_prepared(ctx: Context) -> list[AssessmentInfo]:
    """The council's assessments started after its current one and not locked: next year's,
    being rated before an administrator makes it current (what the dashboard warns of)."""
    found = list_assessments(ctx)
    shown = next((a for a in found if a.current), None)
    if shown is None:
        return []
    return [a for a in found if a.id > shown.id and not a.locked]


def current_assessment(ctx: Context) -> AssessmentInfo | None:
    """The assessment commands act on unless told otherwise."""
    authorise(ctx, Action.READ)
    row = repo.current_assessment(ctx.session, council_id(ctx))
    return _info(ctx, row, row.id) if row else None


def use_assessment(ctx: Context, name: str) -> AssessmentInfo:
    """Make ``name`` the assessment commands act on unless told otherwise (never a locked one:
    see ``refuse_locked``). services.switch.make_current first says what would stay behind."""
    authorise(ctx, Action.MANAGE_ASSESSMENTS)
    row = _assessment(ctx, name)
    refuse_locked(row)
    council = ctx.session.get(CouncilRow, row.council_id)
    assert council is not None
    council.current_assessment_id = row.id
    return _info(ctx, row, row.id)


def refuse_locked(row: AssessmentRecord, locked: bool = False) -> None:
    """A locked assessment is never made current: nobody could rate in it, and every editor
    would be told to start a new one while an open one exists. Reports, summaries and comparisons
    name a locked assessment directly instead."""
    if locked or row.locked_at is not None:
        raise Conflict(
            f"'{row.name}' is locked: it has been reported, so nobody could rate in it. Make an "
            "open assessment current, or start a new one that carries its ratings forward",
            field="assessment",
            reason="locked",
        )


def lock_assessment(ctx: Context, name: str | None = None) -> AssessmentInfo:
    """Lock a reported assessment: read-only from now on (an admin's: it cannot be undone).

    The catalogue's measures as they stand are recorded with it, each with the version of its
    text (``locked_measures``): the catalogue is every council's and keeps changing, but the
    locked assessment is read with these alone, at these texts (services/measures.py), so its
    figures stay those of the paper that was reported. Locking one already locked changes
    nothing."""
    from valvecheck.domain.locked_catalogue import encode
    from valvecheck.store.versions import measure_versions

    authorise(ctx, Action.LOCK_ASSESSMENT)
    row = _assessment(ctx, name)
    # waits for ratings being written into it to commit; none can start until this one does
    if repo.held_lock(ctx.session, row.id, exclusive=True) is None:
        held = ctx.session.get(AssessmentRow, row.id)
        assert held is not None
        held.locked_at, held.locked_by = ctx.now(), ctx.actor.name
        held.locked_measures = encode(measure_versions(ctx.session))
        row = replace(row, locked_at=held.locked_at, locked_by=held.locked_by)
    chosen = repo.current_assessment(ctx.session, row.council_id)
    return _info(ctx, row, chosen.id if chosen else None)


def new_assessment(
    ctx: Context,
    name: str,
    council: str = "",
    carry_from: str | None = None,
    description: str = "",
    use: bool = False,
) -> AssessmentInfo:
    """Start a council's own exercise: every measure unrated, or ratings carried forward.

    The new assessment becomes the current one only with ``use`` (or when it is the council's
    first): starting one never silently changes what other commands act on.
    """
    authorise(ctx, Action.MANAGE_ASSESSMENTS)
    cid = council_id(ctx)
    name = name.strip()
    if not name:
        raise InputError("an assessment needs a name", field="name")
    # one name per exercise, whatever its case or spacing: two that differ only so are
    # near-twins in every list (and a name is found whatever its case: queries.assessment_row)
    names = ctx.session.scalars(select(AssessmentRow.name).where(AssessmentRow.council_id == cid))
    exists = next((n for n in names if fold(n) == fold(name)), None)
    if exists is not None:
        said = f"'{name}'" if exists == name else f"'{exists}' (as '{name}' is written)"
        raise Conflict(
            f"an assessment called {said} already exists", field="name", reason="already-exists"
        )
    first = repo.current_assessment(ctx.session, cid) is None
    source = _assessment(ctx, carry_from) if carry_from else None
    at = ctx.now()
    row = AssessmentRow(
        council_id=cid,
        name=name,
        council=council or (source.council if source else ctx.actor.council),
        description=description,
        created_at=at,
        created_by=ctx.actor.name,
    )
    ctx.session.add(row)
    ctx.session.flush()
    carried = 0
    if source is not None:
        for measure_id, entries in repo.rating_history(ctx.session, source).items():
            last = entries[-1]
            if last.rag is Rag.UNRATED:
                continue
            rationale = carried_note(last.rationale, source.name)
            # who rated it and when stay as they were: carrying forward is not re-rating
            carried_rating = Rating(
                measure_id,
                last.rag,
                rationale,
                last.evidence,
                last.by,
                last.at or at,
                version=1,
                source=last.source,
                measure_version=last.measure_version,
            )
            repo.add_rating(
                ctx.session, row, repo.measure_row(ctx.session, measure_id), carried_rating
            )
            carried += 1
    years = _carry_trajectory(ctx, source, row) if source is not None else 0
    if use or first:
        council_row = ctx.session.get(CouncilRow, cid)
        assert council_row is not None
        council_row.current_assessment_id = row.id
    ctx.session.flush()
    return AssessmentInfo(
        row.id, name, row.council, at, ctx.actor.name, carried, use or first, trajectory_years=years
    )


def _carry_trajectory(ctx: Context, source: AssessmentRecord, row: AssessmentRow) -> int:
    """The deficit trajectory goes forward with the ratings, as it was recorded (who and when)."""
    from valvecheck.store import impact as impact_store

    years = impact_store.trajectory(ctx.session, source)
    impact_store.put_years(ctx.session, row, years)
    return len(years)


def assessment_named(ctx: Context, name: str | None) -> str:
    """The name of the assessment a command acts on (for saying so in its output)."""
    authorise(ctx, Action.READ)
    try:
        return _assessment(ctx, name).name
    except NotFound:
        if name is not None:
            raise
        return ""
