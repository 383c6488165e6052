"""Runs per driver-hour, honestly: the hours behind the rate are the driver's time on the clock,
but never less than the time the driver was out on the very runs counted (dispatched to back
in the store); and under `MIN_HOURS` there is no rate at all. A shift clocked for one minute
with five runs behind it would otherwise read 300 runs an hour.

The time out on runs comes with the reports' other figures (`Figures.run_seconds`, from the
aggregates); `rate` is the pure rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MIN_HOURS = Decimal(1)


@dataclass(frozen=True)
class DriverRate:
    hours: float  # the hours the rate stands on
    runs_per_hour: float | None  # None: too few hours to rate
    clock_short: bool  # the clock showed less time than the runs took


def rate(runs: int, clock_seconds: Decimal, run_seconds: Decimal) -> DriverRate:
    seconds = max(clock_seconds, run_seconds)
    hours = seconds / 3600
    shown = float(hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    if hours < MIN_HOURS:
        return DriverRate(shown, None, run_seconds > clock_seconds)
    per_hour = (Decimal(runs) / hours).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return DriverRate(shown, float(per_hour), run_seconds > clock_seconds)
