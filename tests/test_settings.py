"""The settings object: read from the environment, every bad value named."""

from __future__ import annotations

import pytest

from valvecheck.errors import InputError
from valvecheck.settings import Settings, settings


def test_defaults_when_nothing_is_set() -> None:
    config = Settings.from_env({})
    assert config == Settings()
    assert (config.database_url, config.year_basis, config.threads) == (
        "valvecheck.db",
        "financial",
        4,
    )
    assert (config.cookie_secure, config.session_hours, config.secret_key) == (False, 8.0, "")


def test_every_setting_read_and_parsed() -> None:
    config = Settings.from_env(
        {
            "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1/x",
            "VALVECHECK_USER": "Ann",
            "VALVECHECK_YEAR_BASIS": " Academic ",
            "VALVECHECK_SECRET_KEY": "s" * 40,
            "VALVECHECK_COOKIE_SECURE": "yes",
            "VALVECHECK_SESSION_HOURS": "0.5",
            "VALVECHECK_THREADS": "2",
            "UNRELATED": "ignored",
        }
    )
    assert config == Settings(
        database_url="postgresql+psycopg://postgres@127.0.0.1/x",
        user="Ann",
        year_basis="academic",
        secret_key="s" * 40,
        cookie_secure=True,
        session_hours=0.5,
        threads=2,
    )


def test_names_in_any_case() -> None:
    assert Settings.from_env({"valvecheck_threads": "3"}).threads == 3


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("VALVECHECK_YEAR_BASIS", "lunar", "'academic' or 'financial'"),
        ("VALVECHECK_COOKIE_SECURE", "maybe", "true or false"),
        ("VALVECHECK_SESSION_HOURS", "eight", "number of hours"),
        ("VALVECHECK_SESSION_HOURS", "0", "more than 0"),
        ("VALVECHECK_THREADS", "0", "1 or more"),
        ("VALVECHECK_THREADS", "2.5", "whole number"),
    ],
)
def test_a_bad_value_names_the_variable(monkeypatch, name: str, value: str, words: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(InputError) as caught:
        settings()
    assert str(caught.value).startswith(f"{name}: ") and words in str(caught.value)


def test_settings_are_frozen() -> None:
    with pytest.raises(AttributeError):
        Settings().threads = 9  # type: ignore[misc]
