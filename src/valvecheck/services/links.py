"""Links between a council's activities and the catalogue's measures: each link, unlink and
"not relevant" is an event kept for ever (who, when, why, and its version within the pair), and
the links in force are each pair's latest event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from valvecheck.domain.measure_ids import measure_key, nearest
from valvecheck.domain.moments import in_england, short_date
from valvecheck.domain.people import Action
from valvecheck.errors import Conflict, NotFound
from valvecheck.services.context import Context, authorise, council_id
from valvecheck.store import activities as store
from valvecheck.store import repository as repo
from valvecheck.store.models import LinkEventRow, MeasureRow


@dataclass(frozen=True)
class LinkEvent:
    """One link or unlink of an activity and a measure."""

    activity_id: str
    measure_id: str
    linked: bool
    rationale: str
    by: str
    at: datetime | None
    version: int = 0  # 1, 2, 3 ... within the pair's link history: what a change must name

    def as_dict(self) -> dict[str, object]:
        return {
            "activity": self.activity_id,
            "measure": self.measure_id,
            "action": "link" if self.linked else "unlink",
            "rationale": self.rationale,
            "by": self.by,
            "at": self.at.isoformat() if self.at else None,
        }


def event(activity: str, measure: str, row: object) -> LinkEvent:
    return LinkEvent(activity, measure, row.linked, row.rationale, row.by, row.at, row.version)  # type: ignore[attr-defined]


def link_events(ctx: Context) -> list[LinkEvent]:
    """Every link and unlink of the council's activities, oldest first."""
    authorise(ctx, Action.READ)
    return [event(a, m, e) for a, m, e in repo.link_events(ctx.session, council_id(ctx))]


def latest_events(events: list[LinkEvent]) -> dict[tuple[str, str], LinkEvent]:
    """Each (activity, measure) pair's latest event: a link in force, or the unlink that ended it."""
    latest: dict[tuple[str, str], LinkEvent] = {}
    for e in events:
        latest[(e.activity_id, e.measure_id)] = e
    return latest


def current_links(events: list[LinkEvent]) -> list[LinkEvent]:
    """The links in force: the pairs whose latest event is a link."""
    return [e for e in latest_events(events).values() if e.linked]


def link(
    ctx: Context,
    activity_id: str,
    measure_id: str,
    rationale: str = "",
    expected_version: int | None = None,
) -> LinkEvent:
    """Link an activity to a measure, recording who, when and why."""
    return _change(ctx, activity_id, measure_id, True, rationale, expected_version)


def unlink(
    ctx: Context,
    activity_id: str,
    measure_id: str,
    rationale: str = "",
    expected_version: int | None = None,
) -> LinkEvent:
    """End a link; the link and its ending both stay in the history."""
    return _change(ctx, activity_id, measure_id, False, rationale, expected_version)


def find_measure(ctx: Context, typed: str) -> MeasureRow:
    """The measure a person means by ``typed`` ('Bury 3' is bury-3); an unknown one is not
    found, naming the nearest id ("Did you mean bury-3?")."""
    try:
        return repo.measure_row(ctx.session, measure_key(typed) or typed)
    except NotFound:
        near = nearest(typed, repo.measure_rows(ctx.session))
        hint = f". Did you mean {near}?" if near else " (measure ids look like bury-4)"
        raise NotFound(f"there is no measure '{typed.strip()}'{hint}", field="measure") from None


def _change(
    ctx: Context,
    activity_id: str,
    measure_id: str,
    linked: bool,
    rationale: str,
    expected_version: int | None,
) -> LinkEvent:
    authorise(ctx, Action.LINK)
    cid = council_id(ctx)
    activity = store.activity_row(ctx.session, cid, activity_id)
    activity_id = activity.code  # as first written, whatever the case given
    measure = find_measure(ctx, measure_id)
    measure_id = measure.code
    repo.lock_pair(ctx.session, activity.id, -measure.id)
    latest = ctx.session.scalar(
        select(LinkEventRow)
        .where(LinkEventRow.activity_id == activity.id, LinkEventRow.measure_id == measure.id)
        .order_by(LinkEventRow.version.desc())
        .limit(1)
    )
    version = latest.version if latest else 0
    if expected_version is not None and expected_version != version:
        raise Conflict(
            f"the link of {activity_id} and {measure_id} was changed by someone else since "
            "you read it",
            field="version",
            reason="stale-version",
            version=version,
        )
    in_force = latest is not None and latest.linked
    if linked and in_force:
        raise Conflict(f"{activity_id} is already linked to {measure_id}", reason="already-linked")
    if not linked and not in_force:
        raise Conflict(f"{activity_id} is not linked to {measure_id}", reason="not-linked")
    row = store.add_link_event(
        ctx.session,
        activity,
        measure,
        linked,
        rationale.strip(),
        ctx.actor.name,
        ctx.now(),
        version + 1,
    )
    return event(activity_id, measure_id, row)


# The rationale of a suggestion a person marked "not relevant" (an unlink with no link before it).
NOT_RELEVANT = "Not relevant"


def not_relevant(ctx: Context, activity_id: str, measure_id: str, reason: str = "") -> LinkEvent:
    """Record that a suggested measure is not one this activity delivers: who, when and why.

    Kept in the link history as an unlink of a pair never linked: the suggestions leave out a
    pair whose latest event is an unlink ("not this"), as they do one a person has unlinked,
    and a tracker's measures column does not link it again. A pair already judged is a conflict.
    """
    authorise(ctx, Action.LINK)
    cid = council_id(ctx)
    activity = store.activity_row(ctx.session, cid, activity_id)
    measure = find_measure(ctx, measure_id)
    repo.lock_pair(ctx.session, activity.id, -measure.id)
    latest = ctx.session.scalar(
        select(LinkEventRow)
        .where(LinkEventRow.activity_id == activity.id, LinkEventRow.measure_id == measure.id)
        .order_by(LinkEventRow.version.desc())
        .limit(1)
    )
    if latest is not None:
        if latest.linked:
            state = f"is linked to {measure.code} already"
        elif latest.version == 1:  # never linked: marked not relevant
            state = f"has {measure.code} marked not relevant already"
        else:
            state = f"was unlinked from {measure.code} already"
        when = short_date(in_england(latest.at).date())
        raise Conflict(
            f"{activity.code} {state} (by {latest.by}, {when}; see its history)",
            reason="already-judged",
        )
    why = " ".join(reason.split())
    rationale = f"{NOT_RELEVANT}: {why}" if why else NOT_RELEVANT
    row = store.add_link_event(
        ctx.session, activity, measure, False, rationale, ctx.actor.name, ctx.now(), 1
    )
    return event(activity.code, measure.code, row)


def is_not_relevant(event: LinkEvent) -> bool:
    """An unlink with no link before it: a suggestion marked not relevant."""
    return not event.linked and event.version == 1
