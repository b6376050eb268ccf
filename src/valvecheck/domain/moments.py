"""Moments in time as the store gives them back."""

from __future__ import annotations

from datetime import UTC, datetime


def aware(at: datetime) -> datetime:
    """The moment in UTC with its offset: SQLite hands back naive datetimes for values stored as
    UTC, PostgreSQL aware ones."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)
