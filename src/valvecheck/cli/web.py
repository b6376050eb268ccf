"""`valvecheck serve`: the web app, on the workspace --db names (created on first run)."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

import typer

from valvecheck.cli import output
from valvecheck.cli.core import ws_of
from valvecheck.cli.lazy import lazy, load_all

if TYPE_CHECKING:
    from valvecheck.services import people, workspace
else:  # loaded when the command first uses them (cli/lazy.py)
    people = lazy("valvecheck.services.people")
    workspace = lazy("valvecheck.services.workspace")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option(help="Address to listen on (127.0.0.1: this computer only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=0, max=65535)] = 8000,
    workers: Annotated[
        int,
        typer.Option(help="Server processes (one per core serves more people at once).", min=1),
    ] = 1,
    log_level: Annotated[
        str,
        typer.Option(
            help="What the server logs, on standard error: debug, info (sign-ins, failed and "
            "throttled ones, changes to people and tokens), warning or error.",
        ),
    ] = "info",
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            help="Log every request (client address, method, path, status) on standard output.",
        ),
    ] = True,
) -> None:
    """Start the web app on this computer (a laptop, or a small team's server).

    On first run it creates the workspace with the bundled catalogue and the seed's assessment; an older SQLite workspace is upgraded first (the file is copied before it changes). An older PostgreSQL database is refused: back it up, stop its servers and run 'valvecheck migrate' (docs/deploy.md). Settings from the environment: VALVECHECK_SECRET_KEY, VALVECHECK_COOKIE_SECURE, VALVECHECK_SESSION_HOURS, VALVECHECK_SESSION_MAX_HOURS and VALVECHECK_THREADS (docs/cli.md). A production server runs the app under uvicorn or gunicorn behind a proxy instead (docs/deploy.md)."""
    import uvicorn

    from valvecheck import logs

    if log_level.lower() not in logs.LEVELS:
        raise typer.BadParameter(f"use one of {', '.join(logs.LEVELS)}", param_hint="--log-level")
    log_options = {
        "log_config": logs.uvicorn_config(log_level.lower()),
        "log_level": log_level.lower(),
        "access_log": access_log,
    }

    from valvecheck.analysis import embedding
    from valvecheck.cli import message
    from valvecheck.errors import ValvecheckError
    from valvecheck.settings import settings
    from valvecheck.web.app import STARTUP_FAILURE, served_app, signing_key

    config = settings()
    ws = ws_of(ctx)
    try:
        embedding.check()
        # Signed with VALVECHECK_SECRET_KEY, else the key kept beside a SQLite workspace (made
        # on the first start): a restart, and every worker, honour the sign-ins made before. On
        # PostgreSQL the setting is required, and its absence stops the command before it
        # changes anything.
        given = bool(config.secret_key)
        key = signing_key(config, ws)
        if ws.exists() and not ws.is_sqlite_file:
            # a shared database is upgraded deliberately, backed up first and with every worker
            # stopped (docs/deploy.md), never by one server starting
            ws.require()
    except ValvecheckError as exc:
        output.error(message(exc))
        raise typer.Exit(STARTUP_FAILURE) from None  # as each worker: do not start it again
    config = replace(config, secret_key=key)
    if not ws.exists():
        with output.progress() as bar:
            done = workspace.init_workspace(
                ws, council=ctx.find_root().params.get("council"), progress=bar
            )
        output.line(
            f"Created a workspace at {ws.label}: {done['measures']} measures, "
            f"{done['ratings']} ratings from the seed's assessment."
        )
    elif ws.revision() != ws.head():
        upgrade = workspace.migrate_workspace(ws)
        output.line(
            f"Upgraded the workspace {ws.label} from schema {upgrade.before} to {upgrade.after}."
        )
        if upgrade.copy is not None:
            output.line(f"A copy of it as it was before is at {upgrade.copy}.")
    load_all()  # before the server's threads share them (cli/lazy.py)
    app = served_app(config, ws)
    with ws.session(write=False, all_councils=True) as session:
        nobody = not people.has_people(session)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    output.line(f"Valvecheck is at {url} (stop it with Ctrl+C).")
    if nobody:
        output.line(
            f"Nobody has an account yet: open {url}setup to create the first administrator, "
            "or run 'valvecheck users add NAME --council COUNCIL --role admin --password-stdin'."
        )
    if not given and ws.kept_secret(lambda: key) != key:
        output.note(
            "VALVECHECK_SECRET_KEY is not set and the key could not be kept beside the "
            "workspace: everyone signs in again when the server restarts."
        )
    if workers == 1:
        uvicorn.run(app, host=host, port=port, **log_options)  # type: ignore[arg-type]
        return
    # Each process builds its own app from the environment: the same workspace and, so that a
    # sign-in made by one process is honoured by the others, the same signing key.
    os.environ["DATABASE_URL"] = ws.url
    os.environ["VALVECHECK_SECRET_KEY"] = key
    ws.dispose()
    uvicorn.run(
        "valvecheck.web.app:served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        **log_options,  # type: ignore[arg-type]
    )
