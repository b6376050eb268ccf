"""`valvecheck serve`: the web app, on the workspace --db names (created on first run)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from valvecheck.cli import output
from valvecheck.cli.core import ws_of
from valvecheck.cli.lazy import lazy

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
) -> None:
    """Start the web app; on first run, create the workspace with the bundled catalogue and the
    seed's assessment."""
    import uvicorn

    from valvecheck.settings import settings
    from valvecheck.web.app import served_app

    config = settings()
    ws = ws_of(ctx)
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
        before, after = workspace.migrate_workspace(ws)
        output.line(f"Upgraded the workspace {ws.label} from schema {before} to {after}.")
    app = served_app(config, ws)
    with ws.session(write=False) as session:
        nobody = not people.has_people(session)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    output.line(f"Valvecheck is at {url} (stop it with Ctrl+C).")
    if nobody:
        output.line(
            f"Nobody has an account yet: open {url}setup to create the first administrator, "
            "or run 'valvecheck users add NAME --council COUNCIL --role admin --password-stdin'."
        )
    if not config.secret_key:
        output.note(
            "VALVECHECK_SECRET_KEY is not set: everyone signs in again when the server restarts."
        )
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
        return
    # Each process builds its own app from the environment: the same workspace and, so that a
    # sign-in made by one process is honoured by the others, the same signing key.
    os.environ["DATABASE_URL"] = ws.url
    import secrets

    os.environ.setdefault("VALVECHECK_SECRET_KEY", secrets.token_urlsafe(48))
    ws.dispose()
    uvicorn.run(
        "valvecheck.web.app:served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )
