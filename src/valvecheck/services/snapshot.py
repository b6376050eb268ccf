"""Reuse an assessment's state while nothing it was read from has changed.

Reading a large catalogue with an assessment's rating histories takes a few hundred milliseconds
(3,750 measures); a web page asks for it on every request. The answer depends only on the
catalogue's rows and the assessment's rating rows, and ratings are only ever appended, so a
fingerprint of a few indexed aggregates (row counts and highest ids, the highest id of the
earlier texts a revision keeps, and how many of the council's people had their details removed,
which rewrites names in place) says whether a kept state is still the state. Each request
still reads the fingerprint inside its own transaction, so it never sees an older state than
its snapshot holds. The kept states are shared between requests: read-only by contract.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import Any, TypeVar

from sqlalchemy import Select, Table, bindparam, func, select

from valvecheck.domain.people import FORMER_MEMBER
from valvecheck.domain.rating import Rating
from valvecheck.domain.views import AssessmentState
from valvecheck.services.context import Context
from valvecheck.store import queries
from valvecheck.store import tables as t
from valvecheck.store.db import engine_of

T = TypeVar("T")
FORMER_NAMES = FORMER_MEMBER.format(number="%")  # the names removed details leave (LIKE)
KEEP = 16  # states kept per process (several councils and assessments, a few workspaces)

KEEP_MANY = 2048  # small answers kept per process (a measure's suggestions)

_kept: OrderedDict[Hashable, tuple[Hashable, object]] = OrderedDict()
_many: OrderedDict[Hashable, tuple[Hashable, object]] = OrderedDict()
_lock = threading.Lock()
_CATALOGUE_TABLES = (
    t.measure,
    t.measure_version,
    t.placement,
    t.agreement,
    t.agreement_authority,
    t.authority,
    t.authority_alias,
    t.theme,
    t.sub_theme,
    t.equivalence_event,  # people's decisions on common measures change prevalence
)


def _aggregates(table: Table) -> list[Any]:
    """Scalar subqueries: the table's row count and highest id (one round trip for them all)."""
    count = select(func.count()).select_from(table).scalar_subquery()
    if table is t.agreement_authority:
        return [count]
    return [count, select(func.max(table.c.id)).scalar_subquery()]


@functools.cache
def _fingerprint_query() -> Select[Any]:
    """Built once: the aggregates of the catalogue tables and of one assessment's ratings."""
    ratings = t.rating.c.assessment_id == bindparam("assessment")
    columns = [c for table in _CATALOGUE_TABLES for c in _aggregates(table)]
    columns += [
        _forgotten(bindparam("council")),
        select(func.count()).select_from(t.rating).where(ratings).scalar_subquery(),
        select(func.max(t.rating.c.id)).where(ratings).scalar_subquery(),
    ]
    return select(*columns)


def _forgotten(council: Any) -> Any:
    """How many of the council's people had their personal details removed: each removal
    rewrites, in place, the names their ratings, links and other records hold, which no count
    or highest id of those rows shows (``services.forget``)."""
    return (
        select(func.count())
        .select_from(t.person)
        .where(t.person.c.council_id == council, t.person.c.name.like(FORMER_NAMES))
        .scalar_subquery()
    )


def fingerprint(ctx: Context, assessment: str | None) -> tuple[Hashable, ...]:
    """What a state read now would be read from: the catalogue's and the assessment's rows."""
    db = ctx.db
    assessment_id = None
    cid = ctx.actor.council_id
    if cid is not None and assessment is None:
        current = queries.current_assessment(db, cid)
        assessment_id = current.id if current is not None else None
    elif cid is not None:
        assessment_id = queries.assessment_row(db, cid, assessment).id
    found = db.execute(_fingerprint_query(), {"assessment": assessment_id, "council": cid}).one()
    return (assessment_id, *found)


def _where(ctx: Context, name: str) -> tuple[Hashable, ...]:
    return (str(engine_of(ctx.db).url), name, ctx.actor.council_id, ctx.settings.year_basis)


def _keep(
    where: tuple[Hashable, ...], key: tuple[Hashable, ...], value: object, many: bool = False
) -> None:
    store, limit = (_many, KEEP_MANY) if many else (_kept, KEEP)
    with _lock:
        store[where] = (key, value)
        store.move_to_end(where)
        while len(store) > limit:
            store.popitem(last=False)


def _found(where: tuple[Hashable, ...], many: bool = False) -> tuple[Hashable, object] | None:
    store = _many if many else _kept
    with _lock:
        found = store.get(where)
        if found is not None:
            store.move_to_end(where)
        return found


def kept(
    ctx: Context,
    name: str,
    key: tuple[Hashable, ...],
    build: Callable[[], T],
    many: bool = False,
) -> T:
    """``build()``'s answer, reused while ``key`` (a fingerprint plus anything else the answer
    depends on) is unchanged in this workspace. ``many``: one of many small answers (kept in a
    larger store of their own, so they never push out a state)."""
    where = _where(ctx, name)
    found = _found(where, many)
    if found is not None and found[0] == key:
        return found[1]  # type: ignore[return-value]
    value = build()
    _keep(where, key, value, many)
    return value


def council_work(ctx: Context) -> tuple[Hashable, ...]:
    """What the council's activities and links are now: counts, the latest link and import."""
    cid = ctx.actor.council_id
    if cid is None:
        return ()
    links = ctx.db.execute(
        select(func.count(), func.max(t.link_event.c.id)).where(t.link_event.c.council_id == cid)
    ).one()
    a = t.activity.c
    activities = ctx.db.execute(
        select(func.count(), func.max(a.imported_at), _forgotten(cid)).where(a.council_id == cid)
    ).one()
    return (*links, *activities)


def state(
    ctx: Context, assessment: str | None, read: Callable[[], AssessmentState]
) -> AssessmentState:
    """An assessment's state: the kept one while unchanged; after new ratings (they are only
    ever appended), the kept one with just those added; otherwise read afresh."""
    key = fingerprint(ctx, assessment)
    where = _where(ctx, f"state:{assessment}")
    found = _found(where)
    if found is not None:
        old_key, old = found
        if old_key == key:
            return old  # type: ignore[return-value]
        newer = _appended(ctx, old_key, key)  # type: ignore[arg-type]
        if newer is not None:
            value = _with(old, newer)  # type: ignore[arg-type]
            _keep(where, key, value)
            return value
    value = read()
    _keep(where, key, value)
    if _freeze:
        # A long-running server keeps states of tens of thousands of objects for good: out of
        # the collector's sight, its full collections stop pausing every request (~0.1 s at
        # 3,750 measures). They are acyclic, so a replaced state is still freed by its count;
        # what the request in flight holds in cycles (its session) is frozen with them and never
        # collected, a small cost paid only when the catalogue changes (a full read).
        gc.collect()
        gc.freeze()
    return value


_freeze = False


def freeze_kept_states(on: bool = True) -> None:
    """For servers: move each newly read state out of the garbage collector's generations
    (``gc.freeze``). Commands, which read one state and end, leave it off."""
    global _freeze
    _freeze = on


def _appended(
    ctx: Context, old: tuple[Any, ...], new: tuple[Any, ...]
) -> dict[str, list[Rating]] | None:
    """The ratings added since ``old`` when only ratings were added (else None)."""
    if old[0] != new[0] or old[0] is None or old[1:-2] != new[1:-2] or old[-1] is None:
        return None
    r = t.rating.c
    rows = ctx.db.execute(
        select(t.measure.c.code.label("measure_code"), t.rating)
        .join(t.measure, t.measure.c.id == r.measure_id)
        .where(r.assessment_id == new[0], r.id > old[-1])
        .order_by(r.id)
    ).all()
    if len(rows) != new[-2] - old[-2]:
        return None
    out: dict[str, list[Rating]] = {}
    for row in rows:
        out.setdefault(row.measure_code, []).append(queries.to_rating(row.measure_code, row))
    return out


def _with(state: AssessmentState, newer: dict[str, list[Rating]]) -> AssessmentState:
    views = [
        replace(v, history=[*v.history, *newer[v.id]]) if v.id in newer else v for v in state.views
    ]
    return replace(state, views=views)
