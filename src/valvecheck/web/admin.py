"""People: an administrator adds people to their council, changes roles, removes access."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from valvecheck.domain.people import PERMITTED, Action, Role
from valvecheck.errors import Conflict, InputError, NotFound, ValvecheckError, http_status
from valvecheck.services.context import Context
from valvecheck.services.forget import forget_person
from valvecheck.services.people import (
    PersonInfo,
    add_person,
    deactivate,
    list_people,
    restore_access,
    set_password,
    set_role,
)
from valvecheck.web.auth import password_errors
from valvecheck.web.common import PROTECTED, done, form_page, render, whole_number, work
from valvecheck.web.text import count, sentence

router = APIRouter(dependencies=PROTECTED)
FIELDS = {"name": "username"}
MAX_NAME = 200  # a sign-in name's longest (services/people.py, add_person)


def role_name(role: Role) -> str:
    """A role as every page and message names it: 'Editor'."""
    return role.value.capitalize()


def _a(role: Role) -> str:
    return f"{'an' if role.value[0] in 'aeiou' else 'a'} {role_name(role)}"


# What an admin does with the `valvecheck` command on the server, not on these pages (a QA
# pass: the People page promised tokens and backups no page offers)
ON_THE_SERVER = (Action.MANAGE_COUNCILS, Action.MANAGE_TOKENS, Action.BACKUP)


def role_lines() -> list[tuple[str, str]]:
    """Each role in one line, from what it permits (so the page cannot drift from the rules)."""
    lines = []
    below: frozenset[Action] = frozenset()
    previous: Role | None = None
    for role in Role:
        new = [a for a in Action if a in PERMITTED[role] and a not in below]
        said = "; ".join(a.value for a in new if a not in ON_THE_SERVER)
        if server := [a.value for a in new if a in ON_THE_SERVER]:
            said += f"; and, with the valvecheck command on the server, {', '.join(server)}"
        if previous is None:  # the first role reads, and changes nothing
            said += " (measures, ratings, activities and reports) and change nothing"
        lead = f"do what {_a(previous)} can, and " if previous else ""
        lines.append((role_name(role), f"can {lead}{said}"))
        below, previous = PERMITTED[role], role
    return lines


def _person(ctx: Context, person_id: int) -> PersonInfo:
    """One of the council's own people by id; anyone else's is not found."""
    for person in list_people(ctx):
        if person.id == person_id:
            return person
    raise NotFound(f"there is no person {person_id}", field="person")


@router.get("/admin/users")
def people(request: Request) -> Response:
    return _people_page(request, 200, errors={}, typed={})


def _people_page(
    request: Request, status: int, errors: dict[str, str], typed: dict[str, str]
) -> Response:
    """The People page: everyone in the council, with a form's errors and what was typed."""
    with work(request) as ctx:
        found = list_people(ctx)
    return render(
        request,
        "admin/users.html",
        status,
        people=found,
        roles=list(Role),
        role_lines=role_lines(),
        errors=errors,
        typed=typed,
    )


@router.post("/admin/users")
def add_or_change_role(
    request: Request,
    username: Annotated[str, Form()] = "",
    role: Annotated[str | None, Form()] = None,
    password: Annotated[str, Form()] = "",
    confirm: Annotated[str | None, Form()] = None,
    person: Annotated[str | None, Form()] = None,
) -> Response:
    # Every form of the People page posts to the page's own address, so that a refusal is
    # shown there (the GOV.UK pattern: the page again, 4xx, with an error summary and what was
    # chosen), never at another address: a row's "Change role" names its person.
    if person is not None:
        found = whole_number(person)
        if found is None:
            raise NotFound(f"there is no person {person}", field="person")
        return _change_role(request, found, role or "")
    return _add(request, username, role or "viewer", password, confirm)


def _add(
    request: Request, username: str, role: str, password: str, confirm: str | None
) -> Response:
    # Every problem the form can show at once (add_person stops at the first): the name, then
    # the password, too short or not the same twice (the form asks twice; a script may not).
    errors: dict[str, str] = {}
    if not username.strip() or len(username.strip()) > MAX_NAME:
        errors["username"] = f"Enter a sign-in name of 1 to {MAX_NAME} characters"
    errors |= password_errors(password, password if confirm is None else confirm)
    if errors:
        return _people_page(request, 422, errors=errors, typed={"username": username, "role": role})
    try:
        with work(request, write=True) as ctx:
            made = add_person(ctx, username, role, password=password)
    except ValvecheckError as exc:
        if exc.code == "forbidden" or exc.field not in ("name", "role", "password"):
            raise
        field = FIELDS.get(exc.field, exc.field)
        return _people_page(
            request,
            http_status(exc),
            errors={field: sentence(str(exc))},
            typed={"username": username, "role": role},
        )
    return done(request, "/admin/users", f"Added {made.name} as {_a(made.role)}")


@router.post("/admin/users/{person_id:int}/role")
def change_role(request: Request, person_id: int, role: Annotated[str, Form()] = "") -> Response:
    """A row's "Change role" as People pages drawn before it posted to /admin/users sent it."""
    return _change_role(request, person_id, role)


def _change_role(request: Request, person_id: int, role: str) -> Response:
    name = ""
    try:
        with work(request, write=True) as ctx:
            person = _person(ctx, person_id)
            name = person.name
            if Role.parse(role) is person.role:
                return done(request, "/admin/users", f"{name} is already {_a(person.role)}")
            changed = set_role(ctx, name, role)
    except ValvecheckError as exc:
        if exc.code not in REFUSALS:
            raise
        # at that person's row, with the role chosen still chosen
        field = f"role-{person_id}"
        errors = {field: sentence(str(exc), (name,))}
        return _people_page(request, http_status(exc), errors=errors, typed={field: role})
    return done(request, "/admin/users", f"{changed.name} is now {_a(changed.role)}")


# what a change of role may be refused for, shown on the People page at that person's row (the
# only admin made a viewer, say); anything else is the error page
REFUSALS = ("invalid-input", "conflict")


def _removable(ctx: Context, person_id: int) -> PersonInfo:
    """The person whose access is to be removed: one of the council's, not oneself."""
    person = _person(ctx, person_id)
    if person.id == ctx.actor.person_id:
        raise InputError("you cannot remove your own account: ask another administrator")
    return person


@router.get("/admin/users/{person_id:int}/remove")
def confirm_remove(request: Request, person_id: int) -> Response:
    """The question before access is removed (it can be restored from the People page)."""
    with work(request) as ctx:
        person = _removable(ctx, person_id)
    return render(request, "admin/remove.html", person=person)


@router.get("/admin/users/{person_id:int}/role")
@router.get("/admin/users/{person_id:int}/restore")
def person_form_address(request: Request, person_id: int) -> Response:
    """A person's role or restore form's address opened as a page: the People page (a person
    who is not the council's is not found, as on the page)."""

    def people_page(ctx: Context) -> str:
        _person(ctx, person_id)
        return "/admin/users"

    return form_page(request, people_page)


@router.post("/admin/users/{person_id:int}/restore")
def restore(request: Request, person_id: int) -> Response:
    with work(request, write=True) as ctx:
        restored = restore_access(ctx, _person(ctx, person_id).name)
    return done(request, "/admin/users", f"{restored.name} can sign in again")


@router.get("/admin/users/{person_id:int}/password")
def password_page(request: Request, person_id: int) -> Response:
    with work(request) as ctx:
        person = _person(ctx, person_id)
    return render(request, "admin/password.html", person=person, errors={})


@router.post("/admin/users/{person_id:int}/password")
def new_password(
    request: Request,
    person_id: int,
    password: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    try:
        with work(request, write=True) as ctx:
            person = _person(ctx, person_id)
            errors = password_errors(password, confirm)
            if errors:
                return render(request, "admin/password.html", 422, person=person, errors=errors)
            changed = set_password(ctx, person.name, password)
            own = person.id == ctx.actor.person_id
    except InputError as exc:
        with work(request) as ctx:
            person = _person(ctx, person_id)
        errors = {exc.field or "password": sentence(str(exc))}
        return render(request, "admin/password.html", 422, person=person, errors=errors)
    said = (
        "Your password is changed"
        if own
        else f"{changed.name} has a new password: give it to them privately"
    )
    return done(request, "/admin/users", said)


@router.post("/admin/users/{person_id:int}/remove")
def remove(request: Request, person_id: int) -> Response:
    # Refused as the question is (at this same address): the error page, saying why.
    with work(request, write=True) as ctx:
        removed = deactivate(ctx, _removable(ctx, person_id).name)
    return done(request, "/admin/users", f"{removed.name} can no longer sign in")


def _forgettable(ctx: Context, person_id: int) -> PersonInfo:
    """The person whose personal details are to be removed: one of the council's, whose access
    was removed and whose details were not removed already (the service refuses the same)."""
    person = _person(ctx, person_id)
    if person.forgotten:
        raise Conflict(f"{person.name}'s personal details were removed already")
    if person.active:
        raise InputError(
            f"{person.name} can still sign in: remove their access first, then their personal "
            "details"
        )
    return person


@router.get("/admin/users/{person_id:int}/forget")
def confirm_forget(request: Request, person_id: int) -> Response:
    """The question before a person's personal details are removed (it cannot be undone): the
    administrator types the person's name to confirm."""
    with work(request) as ctx:
        person = _forgettable(ctx, person_id)
    return render(request, "admin/forget.html", person=person, errors={}, typed="")


@router.post("/admin/users/{person_id:int}/forget")
def forget(request: Request, person_id: int, name: Annotated[str, Form()] = "") -> Response:
    with work(request, write=True) as ctx:
        person = _forgettable(ctx, person_id)
        if name.strip().casefold() != person.name.casefold():
            said = "Enter their name" if not name.strip() else "The name you entered is not theirs"
            errors = {"name": f"{said}: type {person.name} to confirm"}
            return render(
                request, "admin/forget.html", 422, person=person, errors=errors, typed=name
            )
        forgotten = forget_person(ctx, person.id)
    records = count(forgotten.total, "record", "records")
    said = f"Personal details removed: {records} now read “{forgotten.pseudonym}”"
    if forgotten.undated_decisions:
        decisions = count(forgotten.undated_decisions, "decision", "decisions")
        said += (
            f". {decisions} on common measures made before decisions recorded a council "
            "still name them"
        )
    return done(request, "/admin/users", said)
