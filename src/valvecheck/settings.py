"""Every setting in one place, with its default and where it comes from."""

from __future__ import annotations

from pydantic import Field
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
