"""API tokens: `tokens create`, `tokens list`, `tokens revoke`."""

from __future__ import annotations

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
