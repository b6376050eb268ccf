"""Moments in time as the store gives them back."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Moments are stored in UTC; a council in England reads them on its own clock (BST in summer).
ENGLAND = ZoneInfo("Europe/London")


def aware(at: datetime) -> datetime:
    """The moment in UTC with its offset: SQLite hands back naive datetimes for values stored as
    UTC, PostgreSQL aware ones."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def in_england(at: datetime) -> datetime:
    """A stored moment on the clock in England (GMT in winter, BST in summer)."""
    return aware(at).astimezone(ENGLAND)


def short_date(on: date) -> str:
    """A date as the pages and previews show it, in GOV.UK's short style for tables: "1 Apr
    2026", with no leading zero (the reports write the month in full: reports/model.long_date)."""
    return f"{on.day} {on:%b %Y}"


def end_of_day(on: date) -> datetime:
    """The first moment after the day ``on`` in England (midnight GMT in winter, 23:00 UTC the
    day before in summer): what stood "at the end of that day" was recorded before it. Every
    dated view (ratings, links, savings, the trajectory) uses this one moment, in UTC."""
    return datetime.combine(on + timedelta(days=1), time.min, ENGLAND).astimezone(UTC)
