"""API tokens (`tokens create/list/revoke`) and a council's backup (`backup`, `restore`)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from valvecheck import logs
from valvecheck.cli import output
from valvecheck.cli.core import read_file, use
from valvecheck.cli.lazy import lazy
from valvecheck.domain.names import count
from valvecheck.errors import Conflict, WorkspaceError

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
        logs.acted(c, "token-created", token=done.info.name, role=done.info.role.value)
    output.note(
        f"Created the token '{done.info.name}', {done.info.role.value} in {done.info.council}. "
        "Keep the secret below somewhere safe: it is not stored and cannot be shown again."
    )
    print(done.secret)


@tokens_app.command("list")
def tokens_list(ctx: typer.Context) -> None:
    """List the council's API tokens, with when each was last used (never their secrets)."""
    from valvecheck.domain.moments import in_england

    with use(ctx) as c:
        items = tokens.list_tokens(c)
    output.table(
        "API tokens",
        ["Name", "Role", "Created", "By", "Last used", "Revoked"],
        [
            [
                t.name,
                t.role.value,
                t.created_at.strftime("%Y-%m-%d"),
                t.created_by,
                in_england(t.last_used_at).strftime("%Y-%m-%d %H:%M")
                if t.last_used_at
                else "never",
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
        logs.acted(c, "token-revoked", token=done.name)
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
    """Back up one council's data to a portable JSON file.

    The council is the global --council (or the only one): its assessments, ratings with their history, activities, links and people."""
    with use(ctx) as c:
        dump = backup.backup(c, with_passwords=with_passwords)
    _write_private(file, backup.dumps(dump))
    counts = _counted(backup.counts(dump))
    output.line(f"Backed up {dump['council']['name']} to {file}: {counts}.")


def _write_private(file: Path, data: bytes) -> None:
    """Write ``file`` readable by its owner only (0600, as ssh-keygen's keys): a backup holds
    every rationale and person's name, and with --with-passwords their password hashes. A file
    that was there already is made private too, before anything is written into it."""
    with os.fdopen(os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        if hasattr(os, "fchmod"):  # not on Windows, where the mode bits mean little
            os.fchmod(out.fileno(), 0o600)
        out.write(data)


def restore_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A file written by valvecheck backup.")],
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Replace the council's data here with the backup's, when it has some (a copy "
            "of it as it is now is backed up beside FILE first).",
        ),
    ] = False,
) -> None:
    """Restore a council from a backup file, replacing all its data here (needs --replace).

    All of that council's data here is replaced with the file's, all or nothing; it is refused without --replace while the council has data here, and other councils are left alone. A new server needs 'valvecheck init --empty' first."""
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
    kept: list[Path] = []

    def keep_current(dump: dict[str, Any]) -> None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        kept.append(file.with_name(f"{file.stem}.before-restore-{stamp}.json"))
        _write_private(kept[0], backup.dumps(dump))

    try:
        with scope as c:
            done = backup.restore(c, data, str(file), replace=replace, keep_current=keep_current)
    except WorkspaceError as exc:
        if exc.reason != "missing":
            raise
        raise WorkspaceError(
            f"{exc}: run 'valvecheck init --empty' first (a plain init adds the bundled "
            "catalogue's council, Bristol, and its assessment)"
        ) from None
    except Conflict as exc:
        if exc.reason != "replaces-data":
            raise
        raise Conflict(
            f"{exc}. Run again with --replace to replace it: a copy of it as it is now is "
            "backed up beside the file first",
            reason=exc.reason,
        ) from None
    if kept:
        output.line(f"Backed up the council's data as it was to {kept[0]} (with password hashes).")
    counts = _counted(done.counts)
    output.line(f"Restored {done.council} from {file}: {counts}.")
    if done.without_password:
        who = count(done.without_password, "person has", "people have")
        output.line(
            f"{who} no password: set them with `valvecheck users password NAME --password-stdin`."
        )
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
    "activity changes": "activity change",
    "people": "person",
    "savings and trajectory rows": "savings or trajectory row",
}


def _counted(counts: dict[str, int]) -> str:
    """'1 assessment, 12 rating changes, ...'."""
    return ", ".join(count(n, _ONE.get(many, many), many) for many, n in counts.items())
