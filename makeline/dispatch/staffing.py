"""Drivers from the numbers: how many the next hour's deliveries need, when to call one in,
and per shift of the day the driver-hours the runs took against the hours on the clock.

Pure: plain numbers in, a verdict out (the store's figures come from
`store_db.queries.staffing`).

**The next hour** (`outlook`), in driver-seconds of work:

* every delivery order on the rack or still in the kitchen: its round trip, shared with
  the other orders of its run (divided by the orders a run has carried lately, at least
  one), plus the time at the door;
* the orders expected from the recent rate (delivery orders placed in the last half hour,
  twice that for the hour), each at the typical round trip, shared the same way.

Against it: an hour from each driver in the store, and from each driver out what is left
of the hour once back. The drivers the load needs is the work in whole hours, rounded up.
When the work is more than the drivers in and on their way can cover, call in as many as
cover the rest, each working what is left of the hour once there (`CALL_IN_LEAD_S`).

**Per shift** (`shift_hours`): for each part of the business day, the driver-hours on
runs (dispatched to back, the work the deliveries needed) against the driver-hours on the
clock (worked), both clipped to the part.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from makeline.dispatch import PlanError

HOUR_S = 3600
RECENT_S = 30 * 60  # the window the expected rate is read from
CALL_IN_LEAD_S = 20 * 60  # a driver called now is on the road this much later
DEFAULT_TRIP_S = 15 * 60  # round trip to a door when the store has none to measure
# The store's shifts, by local hour; the last runs past midnight to the business day's end.
DAY_PARTS: tuple[tuple[str, int], ...] = (("Morning", 4), ("Lunch", 11), ("Afternoon", 14), ("Dinner", 17))


@dataclass(frozen=True)
class Load:
    """What the store has in front of it now."""

    trips_s: tuple[int, ...]  # round trip to the door of each delivery order waiting (rack, kitchen)
    door_s: int  # time at a door
    orders_per_run: float  # what runs have carried lately (1 when none)
    recent_orders: int  # delivery orders placed in the last `RECENT_S`
    drivers_in: int
    back_in_s: tuple[int, ...]  # for each driver out, seconds until expected back (0: overdue)
    typical_trip_s: int = DEFAULT_TRIP_S  # round trip for an order not yet placed

    def __post_init__(self) -> None:
        if self.orders_per_run < 1:
            raise PlanError(f"Orders per run cannot be below 1 ({self.orders_per_run}).")
        if min((*self.trips_s, *self.back_in_s, self.door_s, self.recent_orders, self.drivers_in, 0)) < 0:
            raise PlanError("Trips, door time, orders, drivers and return times cannot be negative.")


@dataclass(frozen=True)
class Outlook:
    waiting: int  # orders on the rack or in the kitchen
    expected: float  # orders expected in the hour
    waiting_s: int  # driver-seconds of work for the orders waiting
    expected_s: int  # for the orders expected
    cover_s: int  # driver-seconds the drivers in and on their way have in the hour
    needed: int  # drivers the hour's work needs
    drivers_in: int
    drivers_out: int
    call_in: int  # drivers to call in now

    @property
    def work_s(self) -> int:
        return self.waiting_s + self.expected_s

    def sentence(self) -> str:
        """What the dispatcher reads: the need, the cover, and whether to call a driver in."""
        need = (
            f"the next hour needs {self.needed} driver{'s' * (self.needed != 1)} "
            f"({self.work_s / HOUR_S:.1f} driver-hours: {self.waiting} waiting, ~{self.expected:.0f} expected)"
        )
        cover = f"{self.drivers_in} in" + (
            f" and {self.drivers_out} on the way back" if self.drivers_out else ""
        )
        if self.call_in:
            return (
                f"Call in {self.call_in} driver{'s' * (self.call_in != 1)} now: {need}; "
                f"{cover} cover {self.cover_s / HOUR_S:.1f}."
            )
        return f"Drivers: {need}; {cover}: enough."


def outlook(load: Load) -> Outlook:
    """The next hour's driving work against the drivers in and on their way (see above)."""
    share = load.orders_per_run
    waiting_s = sum(trip / share + load.door_s for trip in load.trips_s)
    expected = load.recent_orders * HOUR_S / RECENT_S
    expected_s = expected * (load.typical_trip_s / share + load.door_s)
    cover_s = load.drivers_in * HOUR_S + sum(max(0, HOUR_S - back) for back in load.back_in_s)
    work_s = waiting_s + expected_s
    short_s = work_s - cover_s
    call_in = math.ceil(short_s / (HOUR_S - CALL_IN_LEAD_S)) if short_s > 0 else 0
    return Outlook(
        waiting=len(load.trips_s),
        expected=expected,
        waiting_s=round(waiting_s),
        expected_s=round(expected_s),
        cover_s=cover_s,
        needed=math.ceil(work_s / HOUR_S),
        drivers_in=load.drivers_in,
        drivers_out=len(load.back_in_s),
        call_in=call_in,
    )


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Part:
    name: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class ShiftHours:
    name: str
    needed_h: float  # driver-hours on runs
    worked_h: float  # driver-hours on the clock

    @property
    def idle_h(self) -> float:
        """Worked and not on a run: negative when runs outlasted the clocked hours (a late
        clock-in, a run left open)."""
        return self.worked_h - self.needed_h


def day_parts(day: date, zone: str, starts_hour: int) -> list[Part]:
    """The business day `day` cut at `DAY_PARTS` local hours, the last part to the day's end."""
    tz = ZoneInfo(zone)
    begin = datetime.combine(day, time(starts_hour), tz)
    end = begin + timedelta(days=1)
    cuts = [begin, *(max(begin, datetime.combine(day, time(hour), tz)) for _, hour in DAY_PARTS[1:])]
    bounds = [*cuts[1:], end]
    return [Part(name, start, stop) for (name, _), start, stop in zip(DAY_PARTS, cuts, bounds, strict=True)]


def _overlap_s(span: Span, part: Part) -> float:
    return max(0.0, (min(span.end, part.end) - max(span.start, part.start)).total_seconds())


def shift_hours(parts: Sequence[Part], runs: Sequence[Span], shifts: Sequence[Span]) -> list[ShiftHours]:
    """Per part of the day: driver-hours on runs (needed) and on the clock (worked)."""
    return [
        ShiftHours(
            part.name,
            sum(_overlap_s(run, part) for run in runs) / HOUR_S,
            sum(_overlap_s(shift, part) for shift in shifts) / HOUR_S,
        )
        for part in parts
    ]
