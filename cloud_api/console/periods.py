"""The days a console page covers, in each store's own zone: a store's business day turns at
its `day_starts_hour`; the chain's "today" is the latest business day any store is in."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import Query

from cloud_api.errors import BadRequest
from cloud_api.models import Store
from cloud_api.reports.period import business_day

MAX_DAYS = 92


def today(stores: Sequence[Store], now: datetime) -> date:
    return max((business_day(s.timezone, s.day_starts_hour, now) for s in stores), default=now.date())


def parse_day(text: str | None, default: date, name: str = "day") -> date:
    if not text:
        return default
    try:
        return date.fromisoformat(text[:10])
    except ValueError as exc:
        raise BadRequest(f"'{text[:20]}' is not a date; use the form 2026-11-06.", name) from exc


def span(first: str | None, last: str | None, default_last: date) -> tuple[date, date]:
    """A period of business days (a week ending today unless asked), at most `MAX_DAYS`."""
    end = parse_day(last, default_last, "to")
    start = parse_day(first, end - timedelta(days=6), "from")
    if end < start:
        raise BadRequest(f"'to' ({end}) is before 'from' ({start}); swap them.", "to")
    if (end - start).days >= MAX_DAYS:
        raise BadRequest(f"A console page covers at most {MAX_DAYS} days; narrow 'from' and 'to'.", "from")
    return start, end


From = Annotated[str | None, Query(alias="from", max_length=20, description="first business day")]
To = Annotated[str | None, Query(alias="to", max_length=20, description="last business day")]
