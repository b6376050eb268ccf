"""Who is acting: the local administrator at the command line, or a registered person.

Read against the Core tables (no ORM), since every command and request asks it first.
"""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, func, or_, select

from valvecheck.domain.people import Role, by_name
from valvecheck.errors import Forbidden, InputError, NotFound, Unauthenticated
from valvecheck.services.context import Actor
from valvecheck.store import tables as t

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def council_row(db: Connection | Session, name: str) -> Row[Any]:
    """The council called ``name`` (any case): a row with its id, name and current assessment."""
    c = t.council.c
    row = db.execute(select(t.council).where(func.lower(c.name) == name.strip().lower())).first()
    if row is None:
        names = db.execute(select(c.name)).scalars()
        known = ", ".join(f"'{n}'" for n in names) or "none"
        raise NotFound(f"there is no council '{name}' (there are: {known})", field="council")
    return row


def local_admin(
    db: Connection | Session, council: str | None = None, by: str | None = None
) -> Actor:
    """The administrator at the command line (no account): the council named, else the only one.

    ``by`` is the name recorded on changes (default: the login name).
    """
    name = local_admin_name(by)
    if council:
        row = council_row(db, council)
        return Actor(name, Role.ADMIN, row.id, row.name)
    c = t.council.c
    rows = db.execute(select(c.id, c.name).order_by(c.id)).all()
    if len(rows) > 1:
        names = ", ".join(f"'{r.name}'" for r in rows)
        raise InputError(
            f"this workspace holds several councils ({names}): say which one", field="council"
        )
    if not rows:
        return Actor(name, Role.ADMIN, None)
    return Actor(name, Role.ADMIN, rows[0].id, rows[0].name)


def person_actor(db: Connection | Session, name: str, council: str | None = None) -> Actor:
    """Act as a registered person, with their council and role."""
    p = t.person.c
    rows = db.execute(
        select(p.id, p.name, p.role, p.active, p.council_id, t.council.c.name.label("home"))
        .join(t.council, t.council.c.id == p.council_id)
        .where(or_(p.name == name.strip(), func.lower(p.name) == name.strip().lower()))
    ).all()
    row = by_name(rows, name, lambda r: r.name)
    if row is None or not row.active:
        raise Unauthenticated(f"there is no active person called '{name}'", field="as")
    if council and council.strip().lower() != row.home.lower():
        raise Forbidden(f"{row.name} works in {row.home}, not in '{council}'", field="council")
    return Actor(row.name, Role(row.role), row.council_id, row.home, row.id)


def local_admin_name(by: str | None = None) -> str:
    """The name the local administrator's changes are recorded under: ``by`` (--by), else
    VALVECHECK_USER, else the login name."""
    from valvecheck.settings import settings

    name = (by or "").strip() or settings().user.strip() or _login_name()
    if len(name) > NAME_LONGEST:  # the length every "by" column keeps (store/tables.py)
        raise InputError(
            f"the name changes are recorded under can be at most {NAME_LONGEST} characters; "
            f"this one is {len(name):,}",
            field="by",
        )
    return name


NAME_LONGEST = 200


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers)
        return "unknown"
