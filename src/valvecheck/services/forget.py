"""Removing a leaver's personal details (UK GDPR erasure) while the history stays whole.

Every change records who made it as text: the acting person's sign-in name, as it was, on the
rating, the link, the saving, the placement in the programme, the assessment started or locked,
the token issued. Forgetting a person replaces that text, on the council's own records only,
with a pseudonym unique in the council ("Former member 3"), so "rated GREEN by Former member 3
on 3 May" still tells one person's work from another's without naming them; their own row
loses its name, password and sessions.
It cannot be undone here. The records are matched on the name exactly as recorded and on the
council (for the catalogue's shared decisions, the council they record), so a same-named person
of another council, or their records, are never touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Table, and_, func, or_, select, update

from valvecheck import logs
from valvecheck.domain.people import FORMER_MEMBER, Action
from valvecheck.errors import Conflict, InputError, NotFound
from valvecheck.services.context import Context, authorise, council_id
from valvecheck.services.people import is_former_member, name_taken, sign_out
from valvecheck.store import tables as t
from valvecheck.store.models import CouncilRow, PersonRow

# The council's tables with columns holding a person's name as recorded when they acted (or,
# for an activity, as the council typed or imported its owner), and what one of their rows is
# called in a sentence. equivalence_event, the catalogue's shared decisions, is not a council
# table: its rows are matched by the council they record (DECISIONS). A test lists every text
# column of every table and asks that each is here or said not to hold a person's name.
RECORDED: dict[str, tuple[str, tuple[str, ...]]] = {
    "rating": ("rating changes", ("by",)),
    "link_event": ("link changes", ("by",)),
    "assessment": ("assessments", ("created_by", "locked_by")),
    "activity_change": ("activity changes", ("by",)),
    "placement_event": ("placement changes", ("by",)),
    "impact_entry": ("savings entries", ("by",)),
    "impact_weight": ("saving weights", ("by",)),
    "trajectory": ("trajectory entries", ("by", "ended_by")),
    "api_token": ("API tokens", ("created_by",)),
    "activity": ("activities (as their owner)", ("owner",)),
}
DECISIONS = "decisions on common measures"
# An activity change of its owner holds the owner's name as it was and became.
OWNER_CHANGE = ("before", "after")
_NUMBER = re.compile(r"former member ([0-9]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Forgotten:
    """What removing a person's personal details changed."""

    pseudonym: str  # what their records and their row now read: "Former member 3"
    # how many records of each kind ("rating changes") now read it, the kinds with any only
    records: dict[str, int]
    # their decisions on common measures recorded before decisions recorded a council (0009):
    # no council to tell them by, so they are left naming the person
    undated_decisions: int = 0

    @property
    def total(self) -> int:
        return sum(self.records.values())


def forget_person(ctx: Context, person_id: int) -> Forgotten:
    """Replace the name of one of the council's people whose access was removed, on every
    record of the council and their own row, with the next free "Former member N"; clear their
    password and end their sessions. Their sign-in name may then be given to someone else.
    Irreversible (a backup written before brings the name back if restored)."""
    authorise(ctx, Action.MANAGE_PEOPLE)
    cid = council_id(ctx)
    row = ctx.session.get(PersonRow, person_id)
    if row is None or row.council_id != cid:
        raise NotFound(f"there is no person {person_id}", field="person")
    if not row.active and is_former_member(row.name):
        raise Conflict(f"{row.name}'s personal details were removed already", field="person")
    if row.active:
        raise InputError(
            f"{row.name} can still sign in: remove their access first, then their personal details",
            field="person",
        )
    home = ctx.session.get(CouncilRow, cid)
    assert home is not None
    name = row.name
    pseudonym = _next_pseudonym(ctx, cid, home.name)
    records: dict[str, int] = {}
    for table_name, (kind, columns) in RECORDED.items():
        table = t.metadata.tables[table_name]
        places = [(c, _held(table, c, name)) for c in _columns(table_name, columns)]
        found = _count(ctx, table, or_(*(w for _, w in places)), cid)
        for column, where in places:
            ctx.session.execute(
                update(table).where(table.c.council_id == cid, where).values({column: pseudonym})
            )
        if found:
            records[kind] = found
    e = t.equivalence_event.c
    theirs = and_(e.by == name, e.council == home.name)
    decided = ctx.session.scalar(select(func.count()).where(theirs)) or 0
    ctx.session.execute(update(t.equivalence_event).where(theirs).values(by=pseudonym))
    if decided:
        records[DECISIONS] = decided
    undated = ctx.session.scalar(select(func.count()).where(e.by == name, e.council == ""))
    row.name = pseudonym
    row.password_hash = None
    row.last_signed_in_at = None
    sign_out(ctx.session, row.id, ctx.now())
    result = Forgotten(pseudonym, records, undated or 0)
    logs.acted(ctx, "person-forgotten", person=pseudonym, records=result.total)
    return result


def _columns(table_name: str, columns: tuple[str, ...]) -> tuple[str, ...]:
    return (*columns, *OWNER_CHANGE) if table_name == "activity_change" else columns


def _held(table: Table, column: str, name: str) -> ColumnElement[bool]:
    """The rows whose ``column`` records ``name``, exactly as recorded."""
    holds = table.c[column] == name
    if table.name == "activity_change" and column in OWNER_CHANGE:
        return and_(table.c.field == "owner", holds)
    return holds


def _count(ctx: Context, table: Table, where: ColumnElement[bool], cid: int) -> int:
    return (
        ctx.session.scalar(
            select(func.count()).select_from(table).where(table.c.council_id == cid, where)
        )
        or 0
    )


def _next_pseudonym(ctx: Context, cid: int, council: str) -> str:
    """The lowest "Former member N" no record of the council reads and nobody on the server
    (every council: a person's row takes it, and sign-in names are one namespace) is called."""
    used: set[int] = set()
    for value in _former_members(ctx, cid, council):
        match = _NUMBER.fullmatch(" ".join(value.split()))
        if match:
            used.add(int(match[1]))
    number = 1
    # name_taken looks across councils under the lock every process naming a person takes, held to
    # the end of the transaction: nobody is given the name between this check and the renaming
    while number in used or name_taken(ctx, FORMER_MEMBER.format(number=number)):
        number += 1
    return FORMER_MEMBER.format(number=number)


def _former_members(ctx: Context, cid: int, council: str) -> list[str]:
    """Every value of the council's recorded names that looks like a pseudonym."""
    found: list[str] = []
    for table_name, (_, columns) in RECORDED.items():
        table = t.metadata.tables[table_name]
        for column in _columns(table_name, columns):
            found += _like_former(ctx, table.c[column], table.c.council_id == cid)
    e = t.equivalence_event.c
    found += _like_former(ctx, e.by, e.council == council)
    return found


def _like_former(ctx: Context, column: ColumnElement[str], where: ColumnElement[bool]) -> list[str]:
    query = select(column).distinct().where(where, func.lower(column).like("former member %"))
    return [str(v) for v in ctx.session.scalars(query)]
