"""Online ordering that slows down on its own when the kitchen is overloaded.

The measure is the delivery promise the store would quote now for a usual order (two
pizzas to a door half-way to the edge of the delivery area, `quote.estimate`). Three
levels, with a margin on the way down so the store does not flap at a threshold:

    open    online delivery promises are the store's quote
    busy    from `busy_at` minutes: online promises are padded by `BUSY_PAD_MIN`, which
            also slows the orders coming in; back to open below `busy_at - MARGIN_MIN`
    paused  from `pause_at` minutes: online delivery is refused, carryout stays open; back
            to busy below `pause_at - MARGIN_MIN`

A manager may hold a level by hand (`Throttle.override`): it holds until the manager
hands it back to the load.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from makeline.trade.quote import Estimate, Load, estimate

BUSY_PAD_MIN = 10
MARGIN_MIN = 10
USUAL_PIZZAS = 2


class Level(StrEnum):
    OPEN = "open"
    BUSY = "busy"
    PAUSED = "paused"


@dataclass(frozen=True)
class Thresholds:
    busy_at_min: int = 45
    pause_at_min: int = 75


def usual_quote(load: Load, radius_km: float) -> Estimate:
    """The delivery quote of a usual order now: two pizzas, half-way to the area's edge."""
    return estimate(load, USUAL_PIZZAS, True, load.drive_s(radius_km / 2))


def next_level(current: Level, minutes: int, limits: Thresholds) -> Level:
    """The level the load calls for, from `current` and the usual quote in minutes."""
    if minutes >= limits.pause_at_min:
        return Level.PAUSED
    if current is Level.PAUSED and minutes >= limits.pause_at_min - MARGIN_MIN:
        return Level.PAUSED
    if minutes >= limits.busy_at_min:
        return Level.BUSY
    if current is not Level.OPEN and minutes >= limits.busy_at_min - MARGIN_MIN:
        return Level.BUSY
    return Level.OPEN


def quote_minutes(quote: Estimate) -> int:
    return math.ceil(quote.promise_s / 60)


def pad_s(level: Level) -> int:
    """Seconds added to an online delivery promise at this level."""
    return BUSY_PAD_MIN * 60 if level is Level.BUSY else 0


@dataclass(frozen=True)
class Throttle:
    """Where online delivery stands: the load's level, and a manager's hold over it."""

    auto: Level
    since: datetime
    minutes: int  # the usual delivery quote when last reviewed
    override: Level | None = None
    override_by: str = ""  # the manager who holds it

    @property
    def level(self) -> Level:
        return self.override or self.auto

    @property
    def reason(self) -> str:
        """One line for the manager and the cloud: what online customers get, and why."""
        what = {
            Level.OPEN: "Online delivery open",
            Level.BUSY: f"Online delivery quotes +{BUSY_PAD_MIN} min",
            Level.PAUSED: "Online delivery paused (carryout open)",
        }[self.level]
        if self.override is not None:
            who = f" by {self.override_by}" if self.override_by else ""
            return f"{what}: held{who}; the load says {self.auto.value} ({self.minutes} min delivery quote)"
        return f"{what}: a usual delivery quotes {self.minutes} min"
