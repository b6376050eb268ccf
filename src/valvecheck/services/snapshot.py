"""Reuse an assessment's state while nothing it was read from has changed.

Reading a large catalogue with an assessment's rating histories takes a few hundred milliseconds
(3,750 measures); a web page asks for it on every request. The answer depends only on the
catalogue's rows and the assessment's rating rows, and ratings are only ever appended, so a
fingerprint of a few indexed aggregates (row counts and highest ids, the highest id of the
earlier texts a revision keeps) says whether a kept state is still the state. Each request
still reads the fingerprint inside its own transaction, so it never sees an older state than
its snapshot holds. The kept states are shared between requests: read-only by contract.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import func, select

from valvecheck.services.context import Context
from valvecheck.store import repository as repo
from valvecheck.store.models import (
    AgreementAuthorityRow,
    AgreementRow,
    AuthorityAliasRow,
    AuthorityRow,
    MeasureRow,
    MeasureVersionRow,
    PlacementRow,
    RatingRow,
    SubThemeRow,
    ThemeRow,
)

T = TypeVar("T")
KEEP = 16  # states kept per process (several councils and assessments, a few workspaces)

_kept: OrderedDict[Hashable, tuple[Hashable, object]] = OrderedDict()
_lock = threading.Lock()
_CATALOGUE_TABLES = (
    MeasureRow,
    MeasureVersionRow,
    PlacementRow,
    AgreementRow,
    AgreementAuthorityRow,
    AuthorityRow,
    AuthorityAliasRow,
    ThemeRow,
    SubThemeRow,
)


def _aggregates(model: type[Any]) -> list[Any]:
    """Scalar subqueries: the table's row count and highest id (one round trip for them all)."""
    count = select(func.count()).select_from(model).scalar_subquery()
    if model is AgreementAuthorityRow:
        return [count]
    return [count, select(func.max(model.id)).scalar_subquery()]


def fingerprint(ctx: Context, assessment: str | None) -> tuple[Hashable, ...]:
    """What a state read now would be read from: the catalogue's and the assessment's rows."""
    session = ctx.session
    assessment_id = None
    cid = ctx.actor.council_id
    if cid is not None and (
        assessment is not None or repo.current_assessment(session, cid) is not None
    ):
        assessment_id = repo.assessment_row(session, cid, assessment).id
    ratings = RatingRow.assessment_id == assessment_id
    columns = [c for model in _CATALOGUE_TABLES for c in _aggregates(model)]
    columns += [
        select(func.count()).select_from(RatingRow).where(ratings).scalar_subquery(),
        select(func.max(RatingRow.id)).where(ratings).scalar_subquery(),
    ]
    return (assessment_id, *session.execute(select(*columns)).one())


def kept(ctx: Context, name: str, key: tuple[Hashable, ...], build: Callable[[], T]) -> T:
    """``build()``'s answer, reused while ``key`` (a fingerprint plus anything else the answer
    depends on) is unchanged in this workspace."""
    bind = ctx.session.get_bind()
    where = (str(bind.engine.url), name, ctx.actor.council_id, ctx.settings.year_basis)
    with _lock:
        found = _kept.get(where)
        if found is not None and found[0] == key:
            _kept.move_to_end(where)
            return found[1]  # type: ignore[return-value]
    value = build()
    with _lock:
        _kept[where] = (key, value)
        _kept.move_to_end(where)
        while len(_kept) > KEEP:
            _kept.popitem(last=False)
    return value
