"""Every setting in one place, with its default and where it comes from."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    database_url: str = Field(
        default="valvecheck.db",
        description="SQLite file path, or a SQLAlchemy URL such as "
        "postgresql+psycopg://user@host/db. Env: DATABASE_URL; CLI: --db.",
    )
    user: str = Field(
        default="",
        alias="VALVECHECK_USER",
        description="Name recorded on ratings and links when --by is not given.",
    )
    year_basis: Literal["academic", "financial"] = Field(
        default="financial",
        alias="VALVECHECK_YEAR_BASIS",
        description="How a year written like 2021-22 in a measure is read when the text does not say: "
        "'financial' (1 April - 31 March, the default: Safety Valve agreements are DSG funding "
        "agreements profiled by financial year) or 'academic' (1 September - 31 August).",
    )

    secret_key: str = Field(
        default="",
        alias="VALVECHECK_SECRET_KEY",
        description="The web app's key for signing session cookies (32 or more random "
        "characters; keep it out of the repository). Unset: a new key each time the server "
        "starts, so everyone signs in again after a restart.",
    )
    cookie_secure: bool = Field(
        default=False,
        alias="VALVECHECK_COOKIE_SECURE",
        description="Send the web app's session cookie only over HTTPS: set it to true behind "
        "an HTTPS proxy.",
    )
    session_hours: float = Field(
        default=8,
        alias="VALVECHECK_SESSION_HOURS",
        description="How long a web sign-in lasts, in hours.",
    )
    threads: int = Field(
        default=4,
        ge=1,
        alias="VALVECHECK_THREADS",
        description="Requests each web server process works on at once; the rest wait their "
        "turn in order. Pages are mostly Python work, which one process does one at a time "
        "anyway: a few threads keep the slowest answers fast (docs/benchmarks.md).",
    )

    @field_validator("year_basis", mode="before")
    @classmethod
    def _any_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


def settings() -> Settings:
    """The settings from the environment; a bad value is one clear InputError naming it."""
    from valvecheck.errors import InputError

    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first.get("loc") else "a setting"
        raise InputError(f"{name}: {first['msg']}") from None
