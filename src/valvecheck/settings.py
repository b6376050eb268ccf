"""Every setting in one place, with its default and where it comes from.

Read from the environment by the standard library: every command reads its settings before it
does anything, and pydantic-settings (with pydantic under it) cost a command's start-up more
than the rest of its settings work together (docs/benchmarks.md, "Start-up without pydantic").
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

YearBasis = Literal["academic", "financial"]


def _year_basis(raw: str) -> YearBasis:
    value = raw.strip().lower()
    if value == "academic":
        return "academic"
    if value == "financial":
        return "financial"
    raise ValueError("should be 'academic' or 'financial'")


def _flag(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on", "t", "y"}:
        return True
    if value in {"0", "false", "no", "off", "f", "n", ""}:
        return False
    raise ValueError("should be true or false")


def _hours(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError("should be a number of hours, such as 8 or 0.5") from None
    if not value > 0:
        raise ValueError("should be more than 0")
    return value


def _threads(raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValueError("should be a whole number, such as 4") from None
    if value < 1:
        raise ValueError("should be 1 or more")
    return value


KEY_LENGTH = 32  # the signing key's least length: a short one can be guessed


def _key(raw: str) -> str:
    if raw and len(raw) < KEY_LENGTH:
        raise ValueError(
            f"should be {KEY_LENGTH} or more random characters (this one has {len(raw)}), such "
            "as python3 -c 'import secrets; print(secrets.token_urlsafe(48))' prints"
        )
    return raw


def _setting(env: str, parse: Callable[[str], Any], default: Any, doc: str) -> Any:
    return field(default=default, metadata={"env": env, "parse": parse, "doc": doc})


@dataclass(frozen=True)
class Settings:
    database_url: str = _setting(
        "DATABASE_URL",
        str,
        "valvecheck.db",
        "SQLite file path, or a SQLAlchemy URL such as postgresql+psycopg://user@host/db. "
        "CLI: --db.",
    )
    user: str = _setting(
        "VALVECHECK_USER", str, "", "Name recorded on ratings and links when --by is not given."
    )
    year_basis: YearBasis = _setting(
        "VALVECHECK_YEAR_BASIS",
        _year_basis,
        "financial",
        "How a year written like 2021-22 in a measure is read when the text does not say: "
        "'financial' (1 April - 31 March, the default: Safety Valve agreements are DSG funding "
        "agreements profiled by financial year) or 'academic' (1 September - 31 August).",
    )
    secret_key: str = _setting(
        "VALVECHECK_SECRET_KEY",
        _key,
        "",
        "The web app's key for signing session cookies (32 or more random characters; keep it "
        "out of the repository), the same for every worker. Unset: on a SQLite workspace the "
        "server makes one on its first start and keeps it beside the file (valvecheck.db-secret, "
        "readable by its owner only), so sign-ins outlast a restart; on PostgreSQL it must be "
        "set.",
    )
    cookie_secure: bool = _setting(
        "VALVECHECK_COOKIE_SECURE",
        _flag,
        False,
        "Send the web app's session cookie only over HTTPS: set it to true behind an HTTPS proxy.",
    )
    session_hours: float = _setting(
        "VALVECHECK_SESSION_HOURS",
        _hours,
        8.0,
        "How long a web sign-in lasts unused, in hours: every page renews it, so nobody is "
        "signed out while they work (up to VALVECHECK_SESSION_MAX_HOURS).",
    )
    session_max_hours: float = _setting(
        "VALVECHECK_SESSION_MAX_HOURS",
        _hours,
        24.0,
        "The longest a web sign-in lasts however busy, in hours, from signing in (at least "
        "VALVECHECK_SESSION_HOURS). Over 20 hours, as WCAG 2.2.1 allows for a time limit.",
    )
    threads: int = _setting(
        "VALVECHECK_THREADS",
        _threads,
        4,
        "Requests each web server process works on at once; the rest wait their turn in order. "
        "Pages are mostly Python work, which one process does one at a time anyway: a few "
        "threads keep the slowest answers fast (docs/benchmarks.md).",
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings in ``environ`` (default: the process's environment); names in any case.

        A bad value raises ValueError naming the variable, e.g. "VALVECHECK_THREADS: should be 1
        or more".
        """
        env = os.environ if environ is None else environ
        by_upper = {name.upper(): value for name, value in env.items()}
        given: dict[str, Any] = {}
        for f in fields(cls):
            name = f.metadata["env"]
            raw = env.get(name, by_upper.get(name))
            if raw is None:
                continue
            try:
                given[f.name] = f.metadata["parse"](raw)
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
        longest, unused = (
            given.get("session_max_hours"),
            given.get("session_hours", cls.session_hours),
        )
        if longest is not None and longest < unused:
            # never quietly raised to the other: the one a person set is the one they meant
            raise ValueError(
                f"VALVECHECK_SESSION_MAX_HOURS: should be at least VALVECHECK_SESSION_HOURS "
                f"({unused:g}), the time a sign-in lasts unused"
            )
        return cls(**given)


def settings() -> Settings:
    """The settings from the environment; a bad value is one clear InputError naming it."""
    from valvecheck.errors import InputError

    try:
        return Settings.from_env()
    except ValueError as exc:
        raise InputError(str(exc)) from None
