"""API tokens (`tokens create/list/revoke`) and a council's backup (`backup`, `restore`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from valvecheck.cli import output
from valvecheck.cli.core import read_file, use
from valvecheck.cli.lazy import lazy
from valvecheck.domain.names import count

if TYPE_CHECKING:
    from valvecheck.services import backup, tokens
else:  # loaded when a command first uses them (cli/lazy.py)
    backup = lazy("valvecheck.services.backup")
    tokens = lazy("valvecheck.services.tokens")

tokens_app = typer.Typer(
    help="API tokens: how programs call the JSON API for one council, with one role.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(tokens_app, name="tokens")
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)


@tokens_app.command("create")
def tokens_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="What the token is for, e.g. finance-dashboard.")],
    role: Annotated[str, typer.Option(help="viewer (the default), editor or admin.")] = "viewer",
) -> None:
    """Issue an API token for the council and print its secret, once (admins only)."""
    with use(ctx, write=True) as c:
        done = tokens.create_token(c, name, role)
    output.note(
        f"Created the token '{done.info.name}', {done.info.role.value} in {done.info.council}. "
        "Keep the secret below somewhere safe: it is not stored and cannot be shown again."
    )
    print(done.secret)


@tokens_app.command("list")
def tokens_list(ctx: typer.Context) -> None:
    """List the council's API tokens (never their secrets)."""
    with use(ctx) as c:
        items = tokens.list_tokens(c)
    output.table(
        "API tokens",
        ["Name", "Role", "Created", "By", "Revoked"],
        [
            [
                t.name,
                t.role.value,
                t.created_at.strftime("%Y-%m-%d"),
                t.created_by,
                "revoked" if t.revoked else "",
            ]
            for t in items
        ],
    )


@tokens_app.command("revoke")
def tokens_revoke(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The token's name.")]
) -> None:
    """Revoke an API token: programs using it are refused from now on."""
    with use(ctx, write=True) as c:
        done = tokens.revoke_token(c, name)
    output.line(f"Revoked the token '{done.name}'.")


def backup_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The JSON file to write.")],
    with_passwords: Annotated[
        bool,
        typer.Option(
            "--with-passwords", help="Include people's password hashes (keep the file safe)."
        ),
    ] = False,
) -> None:
    """Back up one council's data (assessments, ratings with history, activities, links,
    people) to a portable JSON file."""
    with use(ctx) as c:
        dump = backup.backup(c, with_passwords=with_passwords)
    data = backup.dumps(dump)
    file.write_bytes(data)
    counts = _counted(backup.counts(dump))
    output.line(f"Backed up {dump['council']['name']} to {file}: {counts}.")


def restore_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A file written by valvecheck backup.")],
) -> None:
    """Restore a council from a backup file: all or nothing; other councils are left alone."""
    data = read_file(file)
    from valvecheck.cli.core import ws_of
    from valvecheck.domain.people import Role
    from valvecheck.services import workspace
    from valvecheck.services.context import Actor
    from valvecheck.services.people import local_admin_name

    root = ctx.find_root().params
    if root.get("as_person") or root.get("council"):
        scope = use(ctx, write=True)
    else:  # the local administrator restores whichever council the file holds
        admin = Actor(local_admin_name(), Role.ADMIN, None)
        scope = workspace.unit_of_work(ws_of(ctx), write=True, actor=admin)
    with scope as c:
        done = backup.restore(c, data, str(file))
    counts = _counted(done.counts)
    output.line(f"Restored {done.council} from {file}: {counts}.")
    if done.decisions_left_out:
        decisions = count(done.decisions_left_out, "decision", "decisions")
        output.line(
            f"{decisions} on common measures in the backup "
            f"{'differs' if done.decisions_left_out == 1 else 'differ'} from this server's and "
            "were not applied: the catalogue here is every council's and is kept as it is (make "
            "them again with 'valvecheck same-as' if they should hold)."
        )


# What a backup holds, one of each (the service counts them by their plural).
_ONE = {
    "assessments": "assessment",
    "rating changes": "rating change",
    "activities": "activity",
    "link changes": "link change",
    "people": "person",
    "savings and trajectory rows": "savings or trajectory row",
}


def _counted(counts: dict[str, int]) -> str:
    """'1 assessment, 12 rating changes, ...'."""
    return ", ".join(count(n, _ONE.get(many, many), many) for many, n in counts.items())
