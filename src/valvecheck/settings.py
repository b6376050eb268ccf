"""Every setting in one place, with its default and where it comes from."""

from __future__ import annotations

from typing import Literal

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
    year_basis: Literal["academic", "financial"] = Field(
        default="financial",
        alias="VALVECHECK_YEAR_BASIS",
        description="How a year written like 2021-22 in a measure is read when the text does not say: "
        "'financial' (1 April - 31 March, the default: Safety Valve agreements are DSG funding "
        "agreements profiled by financial year) or 'academic' (1 September - 31 August).",
    )
