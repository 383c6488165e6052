"""Store hours and holiday closures: when a store is open, when it next opens, and whether
an order for later falls within its hours.

Hours are written as the store's manager says them, in the store's zone: on Fridays
11:00 to 02:00. An opening belongs to the business day it starts on (with the day turning
over at `day_starts_hour`), so "Friday 11:00–02:00" closes early on Saturday morning and a
closure on 25 December closes the opening that starts on the 25th. A day missing from the
week is closed; a store with no hours set (`StoreHours.week` is None) is open around the
clock, closures apart. Pure: the store and the cloud call the same code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal, Self
from zoneinfo import ZoneInfo

from pydantic import Field, model_validator

from makeline.trade.errors import BadInput
from makeline.trade.menu import Frozen

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HORIZON = timedelta(days=7)  # how far ahead an order for later may be
SLOT = timedelta(minutes=15)  # the storefront's time slots
DAY = timedelta(days=1)
Clock = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="HH:MM, 24-hour")]


class OutsideHours(BadInput):
    """An order for a time the store is closed, or too far ahead; names the next opening."""


class Span(Frozen):
    """One opening of a day: `opens` to `closes`; a close at or before the open (or before the
    business day's turn) is on the next calendar day."""

    opens: Clock
    closes: Clock


class Closure(Frozen):
    """A business day the store is closed all day (a holiday)."""

    day: date
    reason: Annotated[str, Field(max_length=80)] = ""


class StoreHours(Frozen):
    week: dict[Weekday, Annotated[list[Span], Field(max_length=3)]] | None = None
    closures: list[Closure] = Field(default_factory=list, max_length=400)

    @model_validator(mode="after")
    def _spans_in_order(self) -> Self:
        for day, spans in (self.week or {}).items():
            for span in spans:
                if _minutes(span.opens) == _minutes(span.closes):
                    raise ValueError(f"{day}: a span that opens and closes at {span.opens} is empty")
        return self


ALWAYS_OPEN = StoreHours()


@dataclass(frozen=True)
class Opening:
    """One stretch the store is open, as UTC-aware [start, end)."""

    start: datetime
    end: datetime

    def holds(self, at: datetime) -> bool:
        return self.start <= at < self.end


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _local(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    whole_days, rest = divmod(minutes, 24 * 60)
    wall = datetime.combine(day + timedelta(days=whole_days), time(rest // 60, rest % 60), tzinfo=zone)
    # A wall time skipped by a clock change is moved to the hour after: round-trip through UTC.
    return wall.astimezone(UTC)


def _day_openings(hours: StoreHours, day: date, zone: ZoneInfo, day_starts_hour: int) -> list[Opening]:
    """The openings that start on business day `day` (closures applied)."""
    if any(c.day == day for c in hours.closures):
        return []
    turn = day_starts_hour * 60
    if hours.week is None:
        return [Opening(_local(day, turn, zone), _local(day, turn + 24 * 60, zone))]
    found = []
    for span in hours.week.get(WEEKDAYS[day.weekday()], []):
        opens = _minutes(span.opens)
        opens += 24 * 60 if opens < turn else 0
        closes = _minutes(span.closes)
        while closes <= opens:
            closes += 24 * 60
        found.append(Opening(_local(day, opens, zone), _local(day, closes, zone)))
    return sorted(found, key=lambda o: o.start)


def openings(
    hours: StoreHours, timezone: str, day_starts_hour: int, start: datetime, end: datetime
) -> Iterator[Opening]:
    """Every opening that overlaps [start, end), in order, touching ones joined into one."""
    zone = ZoneInfo(timezone)
    day = (start.astimezone(zone) - timedelta(hours=day_starts_hour)).date() - DAY  # spans past midnight
    last = (end.astimezone(zone) - timedelta(hours=day_starts_hour)).date()
    pending: Opening | None = None
    while day <= last:
        for opening in _day_openings(hours, day, zone, day_starts_hour):
            if opening.end <= start or opening.start >= end:
                continue
            if pending is not None and opening.start <= pending.end:
                pending = Opening(pending.start, max(pending.end, opening.end))
                continue
            if pending is not None:
                yield pending
            pending = opening
        day += DAY
    if pending is not None:
        yield pending


def current_or_next(
    hours: StoreHours, timezone: str, day_starts_hour: int, at: datetime, within: timedelta = HORIZON * 2
) -> Opening | None:
    """The opening the store is in at `at`, or the next one within `within`; None: closed all that time."""
    for opening in openings(hours, timezone, day_starts_hour, at, at + within):
        return opening
    return None


def is_open(hours: StoreHours, timezone: str, day_starts_hour: int, at: datetime) -> bool:
    found = current_or_next(hours, timezone, day_starts_hour, at)
    return found is not None and found.holds(at)


def next_opening(hours: StoreHours, timezone: str, day_starts_hour: int, at: datetime) -> datetime | None:
    """When the store next opens after `at` (it may be open now); None: not within two weeks."""
    for opening in openings(hours, timezone, day_starts_hour, at, at + HORIZON * 2):
        if opening.start > at:
            return opening.start
    return None


def say_time(at: datetime, timezone: str, now: datetime | None = None) -> str:
    """A time as a person says it, in the store's zone: "today 17:30", "tomorrow 11:00",
    "Friday 11:00 (12 Dec)"."""
    zone = ZoneInfo(timezone)
    local = at.astimezone(zone)
    clock = local.strftime("%H:%M")
    if now is not None:
        days = (local.date() - now.astimezone(zone).date()).days
        if days == 0:
            return f"today {clock}"
        if days == 1:
            return f"tomorrow {clock}"
    return f"{DAY_NAMES[local.weekday()]} {clock} ({local.day} {local.strftime('%b')})"


def check_order_time(
    hours: StoreHours, timezone: str, day_starts_hour: int, now: datetime, wanted: datetime
) -> datetime:
    """`wanted` as a UTC time if the store can take an order for it: not in the past, at
    most 7 days ahead, within the store's hours. Otherwise `OutsideHours` saying when the
    store next opens."""
    if wanted.tzinfo is None:
        raise OutsideHours("Give the time with its zone (e.g. 2026-12-05T18:30:00-06:00).")
    wanted = wanted.astimezone(UTC)
    if wanted < now:
        raise OutsideHours(
            f"{say_time(wanted, timezone, now)} has passed; choose a later time or order for now."
        )
    if wanted > now + HORIZON:
        raise OutsideHours(
            f"Orders for later can be at most 7 days ahead (until {say_time(now + HORIZON, timezone, now)})."
        )
    found = current_or_next(hours, timezone, day_starts_hour, wanted)
    if found is not None and found.holds(wanted):
        return wanted
    reopens = next_opening(hours, timezone, day_starts_hour, wanted)
    then = say_time(wanted, timezone, now)
    if reopens is None:
        raise OutsideHours(f"The store is closed at {then} and has no opening in the 14 days after.")
    raise OutsideHours(f"The store is closed at {then}; it next opens {say_time(reopens, timezone, now)}.")


def time_slots(
    hours: StoreHours, timezone: str, day_starts_hour: int, earliest: datetime, now: datetime
) -> list[datetime]:
    """Every quarter hour within the store's hours from `earliest` up to 7 days after `now`."""
    slots: list[datetime] = []
    for opening in openings(hours, timezone, day_starts_hour, earliest, now + HORIZON):
        first = max(opening.start, earliest)
        seconds = -(-int(first.timestamp()) // int(SLOT.total_seconds())) * int(SLOT.total_seconds())
        slot = datetime.fromtimestamp(seconds, UTC)
        while slot < opening.end and slot <= now + HORIZON:
            slots.append(slot)
            slot += SLOT
    return slots
