"""A council's backup: `backup` writes its data to a portable JSON file, `restore` reads it."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from valvecheck.cli import output
from valvecheck.cli.core import read_file, use
from valvecheck.cli.lazy import lazy
from valvecheck.domain.names import count
from valvecheck.errors import Conflict, WorkspaceError

if TYPE_CHECKING:
    from valvecheck.services import backup
else:  # loaded when a command first uses it (cli/lazy.py)
    backup = lazy("valvecheck.services.backup")


def register(app: typer.Typer) -> None:
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)


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

    The council is the global --council (or the only one): its programme and placements with
    their history, assessments, ratings with their history, activities, links and people."""
    with use(ctx) as c:
        dump = backup.backup(c, with_passwords=with_passwords)
    _write_private(file, backup.dumps(dump))
    counts = _counted(backup.counts(dump))
    output.line(f"Backed up {dump['council']['name']} to {file}: {counts}.")


def _council_in(data: bytes) -> str | None:
    """The council a backup file names; None for a file that does not (restore says why)."""
    try:
        found = json.loads(data)["council"]["name"]
    except (ValueError, KeyError, TypeError):
        return None
    return found if isinstance(found, str) else None


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
    named, held = root.get("council"), _council_in(data)
    if named and held and named.strip().casefold() != held.strip().casefold():
        # --council says which council a command acts in: a file of another is not it
        raise Conflict(
            f"{file}: the backup holds {held}'s data, not {named}'s: nothing was restored. To "
            "restore it, leave out --council: the local administrator restores the council the "
            "file holds",
            reason="another-council",
        )
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
    "placements": "placement",
    "placement changes": "placement change",
}


def _counted(counts: dict[str, int]) -> str:
    """'1 assessment, 12 rating changes, ...'."""
    return ", ".join(count(n, _ONE.get(many, many), many) for many, n in counts.items())
