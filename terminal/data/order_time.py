"""The counter's "for later" field: the time a caller asks for, typed the way it is said.

`18:30`, `6:30pm`, `6.30 p`, `tomorrow 11:30`, `sat 7pm`; empty, `now` or `asap` is as
soon as possible. Read in the store's zone; whether the store is open then is the order
service's rule (`makeline.trade.hours`), asked before the order is placed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from makeline.trade.hours import say_time
from store_db.queries.manager import OrderRow
from terminal.errors import TerminalError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(
    r"^(?:(?P<day>today|tomorrow|tmrw|tom|mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?\s+)?"
    r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<half>am|pm|a|p)?\.?$"
)
EXAMPLES = "type e.g. 18:30, 6:30pm, tomorrow 11:30 or sat 7pm (empty: as soon as possible)"


def read_order_time(text: str, now: datetime, zone: str) -> datetime | None:
    """The UTC time the caller asked for, or None for as soon as possible; a `TerminalError`
    saying how to type it when it cannot be read or has passed."""
    typed = " ".join(text.strip().lower().split())
    if typed in ("", "now", "asap"):
        return None
    found = _TIME.match(typed)
    if found is None:
        raise TerminalError(f"'{text.strip()[:40]}' is not a time; {EXAMPLES}.")
    hour, minute = int(found["hour"]), int(found["minute"] or 0)
    half = found["half"]
    if half is not None:
        if not 1 <= hour <= 12:
            raise TerminalError(f"'{text.strip()[:40]}': with am/pm the hour is 1 to 12; {EXAMPLES}.")
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise TerminalError(f"'{text.strip()[:40]}' is not a time of day; {EXAMPLES}.")
    local_now = now.astimezone(ZoneInfo(zone))
    day = local_now.date()
    named = found["day"]
    if named in ("tomorrow", "tmrw", "tom"):
        day += timedelta(days=1)
    elif named in DAYS:
        day += timedelta(days=(DAYS.index(named) - day.weekday()) % 7)
    wanted = datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)
    if wanted <= now:
        raise TerminalError(
            f"{hour:02d}:{minute:02d} has passed today; type tomorrow {hour:02d}:{minute:02d} for tomorrow."
        )
    return wanted


def later_words(when: datetime | None, zone: str, now: datetime) -> str:
    """What the counter says back for the time it read."""
    if when is None:
        return "As soon as possible."
    return f"For later: {say_time(when, zone, now)}. Held off the make line; the kitchen gets it in time."


def stage_words(order: OrderRow, zone: str, now: datetime) -> str:
    """An order's stage on the manager's list; an order held for later says when it is for."""
    if order.held and order.scheduled_for is not None:
        return f"SCHEDULED {say_time(order.scheduled_for, zone, now)}"
    return order.stage.replace("_", " ")
