"""API tokens: `tokens create`, `tokens list`, `tokens revoke`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from valvecheck import logs
from valvecheck.cli import output
from valvecheck.cli.core import use
from valvecheck.cli.lazy import lazy

if TYPE_CHECKING:
    from valvecheck.services import tokens
else:  # loaded when a command first uses it (cli/lazy.py)
    tokens = lazy("valvecheck.services.tokens")

tokens_app = typer.Typer(
    help="API tokens: how programs call the JSON API for one council, with one role.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(tokens_app, name="tokens")


@tokens_app.command("create")
def tokens_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="What the token is for, e.g. finance-dashboard.")],
    role: Annotated[str, typer.Option(help="viewer (the default), editor or admin.")] = "viewer",
    expires_in: Annotated[
        int | None,
        typer.Option(
            "--expires-in",
            metavar="DAYS",
            help="Refuse the token this many days from now (1 to 3650; default: never, until "
            "revoked).",
        ),
    ] = None,
) -> None:
    """Issue an API token for the council and print its secret, once (admins only)."""
    with use(ctx, write=True) as c:
        done = tokens.create_token(c, name, role, expires_in=expires_in)
        info = done.info
        ends = info.expires_at.isoformat() if info.expires_at else "never"
        logs.acted(c, "token-created", token=info.name, role=info.role.value, expires=ends)
    until = f", expiring {when(info.expires_at)}" if info.expires_at else ""
    output.note(
        f"Created the token '{info.name}', {info.role.value} in {info.council}{until}. "
        "Keep the secret below somewhere safe: it is not stored and cannot be shown again."
    )
    print(done.secret)


def when(at: datetime) -> str:
    """A moment to the minute on England's clock: 2027-01-05 10:00."""
    from valvecheck.domain.moments import in_england

    return in_england(at).strftime("%Y-%m-%d %H:%M")


@tokens_app.command("list")
def tokens_list(ctx: typer.Context) -> None:
    """List the council's API tokens, with when each was last used and when it expires (never
    their secrets)."""
    with use(ctx) as c:
        items = tokens.list_tokens(c)
    output.table(
        "API tokens",
        ["Name", "Role", "Created", "By", "Last used", "Expires", "Revoked"],
        [
            [
                t.name,
                t.role.value,
                t.created_at.strftime("%Y-%m-%d"),
                t.created_by,
                when(t.last_used_at) if t.last_used_at else "never",
                expiry(t),
                "revoked" if t.revoked else "",
            ]
            for t in items
        ],
    )


def expiry(t: tokens.TokenInfo) -> str:
    if t.expires_at is None:
        return "never"
    return f"{when(t.expires_at)} (expired)" if t.expired else when(t.expires_at)


@tokens_app.command("revoke")
def tokens_revoke(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The token's name.")]
) -> None:
    """Revoke an API token: programs using it are refused from now on."""
    with use(ctx, write=True) as c:
        done = tokens.revoke_token(c, name)
        logs.acted(c, "token-revoked", token=done.name)
    output.line(f"Revoked the token '{done.name}'.")
