"""A report's period: business dates, inclusive, in the store's zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cloud_api.errors import BadRequest

MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def bounds(self, timezone: str, day_starts_hour: int) -> tuple[datetime, datetime]:
        """The UTC-aware [start, end) of the period's business days in one store's zone."""
        zone = ZoneInfo(timezone)
        start = datetime.combine(self.first, time(hour=day_starts_hour), tzinfo=zone)
        end = datetime.combine(self.last + timedelta(days=1), time(hour=day_starts_hour), tzinfo=zone)
        return start, end


def period(first: date | None, last: date | None, today: date) -> Period:
    first = first or last or today
    last = last or (first if first > today else today)
    if last < first:
        raise BadRequest(f"'to' ({last}) is before 'from' ({first}).", "to")
    if (last - first).days >= MAX_DAYS:
        raise BadRequest(f"A report covers at most {MAX_DAYS} days; narrow 'from' and 'to'.", "from")
    return Period(first, last)


def business_day(timezone: str, day_starts_hour: int, now: datetime) -> date:
    """The business day a store (its zone, the hour its day turns) is in at `now`."""
    return (now.astimezone(ZoneInfo(timezone)) - timedelta(hours=day_starts_hour)).date()
