"""Councils and people: `councils add/list`, `users add/list/role/remove/forget`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from valvecheck.cli import output
from valvecheck.cli.core import use
from valvecheck.cli.lazy import lazy

if TYPE_CHECKING:
    from valvecheck.services import forget, people
else:  # loaded when a command first uses it (cli/lazy.py)
    people = lazy("valvecheck.services.people")
    forget = lazy("valvecheck.services.forget")

councils_app = typer.Typer(
    help="Councils: each owns its assessments, activities and people; the catalogue is shared.",
    no_args_is_help=True,
)
users_app = typer.Typer(
    help="People and their roles (viewer, editor, admin).", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(councils_app, name="councils")
    app.add_typer(users_app, name="users")


@councils_app.command("add")
def councils_add(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The council's name.")]
) -> None:
    """Add a council to the workspace."""
    with use(ctx, write=True, workspace_wide=True) as c:
        done = people.add_council(c, name)
    output.line(f"Added the council '{done.name}'.")


@councils_app.command("list")
def councils_list(ctx: typer.Context) -> None:
    """List the councils, with how many people and assessments each has."""
    with use(ctx, workspace_wide=True) as c:
        items = people.list_councils(c)
    output.table(
        "Councils",
        ["Name", "People", "Assessments"],
        [[i.name, i.people, i.assessments] for i in items],
    )


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Sign-in name, e.g. ann.lee.")],
    role: Annotated[str, typer.Option(help="viewer, editor or admin.")] = "viewer",
    council: Annotated[
        str | None, typer.Option("--council", help="Their council (default: the acting one).")
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read a password (for the web app) from standard input; never on the command "
            "line.",
        ),
    ] = False,
) -> None:
    """Register a person in a council with a role (admins only)."""
    password = _password_read() if password_stdin else None
    with use(ctx, write=True, council=council) as c:
        done = people.add_person(c, name, role, council, password)
    output.line(f"Added {done.name}, {done.role.value} in {done.council}.")


@users_app.command("list")
def users_list(ctx: typer.Context) -> None:
    """List the council's people and their roles, with when each last signed in on the web."""
    from valvecheck.domain.moments import in_england

    with use(ctx) as c:
        items = people.list_people(c)
    output.table(
        "People",
        ["Name", "Role", "Council", "Password", "Active", "Last signed in"],
        [
            [
                p.name,
                p.role.value,
                p.council,
                "set" if p.has_password else "",
                "yes" if p.active else "no",
                in_england(p.last_signed_in_at).strftime("%Y-%m-%d %H:%M")
                if p.last_signed_in_at
                else "never",
            ]
            for p in items
        ],
    )


@users_app.command("role")
def users_role(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Sign-in name.")],
    role: Annotated[str, typer.Argument(help="viewer, editor or admin.")],
) -> None:
    """Change a person's role."""
    with use(ctx, write=True) as c:
        done = people.set_role(c, name, role)
    output.line(f"{done.name} is now {done.role.value}.")


@users_app.command("remove")
def users_remove(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="Sign-in name.")]
) -> None:
    """Deactivate a person: they can no longer sign in or act; their history stays."""
    with use(ctx, write=True) as c:
        done = people.deactivate(c, name)
    output.line(f"{done.name} can no longer sign in or act.")


@users_app.command("restore")
def users_restore(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="Sign-in name.")]
) -> None:
    """Let a person whose access was removed sign in and act again (the role they had)."""
    with use(ctx, write=True) as c:
        done = people.restore_access(c, name)
    output.line(f"{done.name} can sign in again, as {done.role.value}.")


@users_app.command("password")
def users_password(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Sign-in name.")],
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the new password from standard input (required: never on the command line).",
        ),
    ] = False,
) -> None:
    """Give a person a new password (one they forgot); their other sign-ins end."""
    if not password_stdin:
        raise typer.BadParameter("give the password on standard input with --password-stdin")
    password = _password_read()
    with use(ctx, write=True) as c:
        done = people.set_password(c, name, password)
    output.line(f"{done.name} has a new password.")


@users_app.command("forget")
def users_forget(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Sign-in name of someone whose access was removed.")],
    yes: Annotated[
        bool,
        typer.Option(
            "--yes", help="Remove them without asking (needed when not run at a terminal)."
        ),
    ] = False,
) -> None:
    """Remove a leaver's personal details for good: their records then read 'Former member N'.

    Their access must have been removed first (users remove). Every record of the council that names them (ratings, links, decisions, imports, assessments, tokens, savings) then names the pseudonym instead, and their sign-in name is free again. It cannot be undone; a backup written before still holds the name."""
    from valvecheck.domain.names import count
    from valvecheck.domain.people import by_name
    from valvecheck.errors import InputError, NotFound

    if not yes:
        if not sys.stdin.isatty():
            raise InputError(
                f"removing {name}'s personal details cannot be undone and there is no terminal "
                "to ask on: run again with --yes to confirm (nothing was changed)"
            )
        typer.confirm(
            f"Remove {name}'s personal details for good? Every record of the council that "
            "names them will read 'Former member N' instead; this cannot be undone",
            abort=True,
        )
    with use(ctx, write=True) as c:
        person = by_name(people.list_people(c), name, lambda p: p.name)
        if person is None:
            raise NotFound(f"there is no person called '{name}'", field="name")
        done = forget.forget_person(c, person.id)
    said = count(done.total, "record", "records")
    output.line(f"Removed {person.name}'s personal details: {said} now read '{done.pseudonym}'.")
    for kind, number in done.records.items():
        output.line(f"  {kind}: {number:,}")
    if done.undated_decisions:
        decisions = count(done.undated_decisions, "decision", "decisions")
        output.note(
            f"{decisions} on common measures made before decisions recorded a council still "
            f"{'names' if done.undated_decisions == 1 else 'name'} {person.name}: "
            "nothing tells which council made them, so they were left as they are."
        )


def _password_read() -> str:
    """The password's line on standard input; bytes that are not UTF-8 are refused, never
    hashed as something the person did not type."""
    from valvecheck.errors import InputError

    password = sys.stdin.readline().rstrip("\r\n")
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(
            "the password on standard input is not UTF-8 text: set the terminal to UTF-8 "
            "(nothing was changed)",
            field="password",
        ) from None
    return password
