"""The store's dayparts: lunch from the day's start to 15:00, dinner to 21:00, late until the
day turns; as a rule and as the same rule in SQL, so a chain's hours fold into dayparts in the
database and the speed page reads three rows per store, not twenty-four."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case

DAYPARTS = ("lunch", "dinner", "late")


def daypart(hour: int, day_starts_hour: int) -> str:
    """Lunch from the day's start to 15:00, dinner to 21:00, late until the day turns."""
    if 15 <= hour < 21:
        return "dinner"
    if day_starts_hour <= hour < 15:
        return "lunch"
    return "late"


def daypart_of(hour: Any, day_starts_hour: Any) -> Any:
    """`daypart` of a local hour column and the store's day-start column."""
    return case(
        ((hour >= 15) & (hour < 21), "dinner"),
        ((hour >= day_starts_hour) & (hour < 15), "lunch"),
        else_="late",
    )
