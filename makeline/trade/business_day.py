"""The business day: the store's local date, turning over at an hour after midnight."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def business_date(at: datetime, timezone: str, day_starts_hour: int) -> date:
    """A 1 a.m. order on a Friday night belongs to Friday when the day starts at 4."""
    local = at.astimezone(ZoneInfo(timezone))
    return (local - timedelta(hours=day_starts_hour)).date()


def day_bounds(day: date, timezone: str, day_starts_hour: int) -> tuple[datetime, datetime]:
    """The UTC-aware [start, end) of a business day."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time(hour=day_starts_hour), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(hour=day_starts_hour), tzinfo=zone)
    return start, end
