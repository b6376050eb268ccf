"""The ``valvecheck`` logger: one line per sign-in and per change to who may do what.

What an administrator (or fail2ban) reads to know who signed in, who failed or was throttled,
and who added, removed or changed a person or an API token: each line names the event, who did
it, in which council, from which client address (a web request's, or "command line"), and what
it changed. Never a password, a password hash or a token's secret. The standard library's
logging, so a deployment routes it where it likes (uvicorn's ``--log-config``); without any
configuration a web app writes it to standard error (``ensure_handler``).
"""

from __future__ import annotations

import copy
import json
import logging
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from valvecheck.services.context import Context

logger = logging.getLogger("valvecheck")
# The client address of the web request being served (set by web/health.py's middleware).
client_address: ContextVar[str | None] = ContextVar("valvecheck_client_address", default=None)
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LEVELS = ("debug", "info", "warning", "error")


def _shown(value: object) -> str:
    """A value in a log line: quoted, with any line break or control character escaped, so that
    a name typed into a form cannot forge a line of its own."""
    return json.dumps(str(value)[:200], ensure_ascii=False)


def event(
    what: str,
    who: str,
    council: str | None,
    *,
    level: int = logging.INFO,
    client: str | None = None,
    **details: object,
) -> None:
    """One line: ``what who="..." council="..." client="..." key="value" ...``."""
    _line(what, who, council, level, client, details)


def _line(
    what: str,
    who: str,
    council: str | None,
    level: int,
    client: str | None,
    details: dict[str, object],
) -> None:
    where = client or client_address.get() or "command line"
    parts = [what, f"who={_shown(who)}", f"council={_shown(council or '-')}"]
    parts += [f"client={_shown(where)}", *(f"{k}={_shown(v)}" for k, v in details.items())]
    logger.log(level, " ".join(parts))


def acted(ctx: Context, what: str, **details: object) -> None:
    """An administrator's change, as the acting person of ``ctx``."""
    _line(what, ctx.actor.name, ctx.actor.council, logging.INFO, None, details)


def signed_in(name: str, council: str, client: str) -> None:
    event("sign-in", name, council, client=client)


def sign_in_failed(name: str, client: str) -> None:
    event("sign-in-failed", name, None, level=logging.WARNING, client=client)


def sign_in_throttled(name: str, client: str) -> None:
    event("sign-in-throttled", name, None, level=logging.WARNING, client=client)


def ensure_handler() -> None:
    """Write the lines to standard error unless logging was configured to put them elsewhere
    (a web app started by uvicorn's factory, whose own configuration knows only its loggers)."""
    if logger.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    logger.addHandler(handler)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)


def uvicorn_config(level: str = "info") -> dict[str, Any]:
    """uvicorn's logging configuration with the ``valvecheck`` logger in it, at ``level`` (every
    server process applies it, so ``--workers`` processes log alike)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["valvecheck"] = {"format": FORMAT}
    config["handlers"]["valvecheck"] = {
        "formatter": "valvecheck",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["valvecheck"] = {
        "handlers": ["valvecheck"],
        "level": level.upper(),
        "propagate": False,
    }
    return config
