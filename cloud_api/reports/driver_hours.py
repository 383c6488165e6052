"""Runs per driver-hour, honestly: the hours behind the rate are the driver's time on the clock,
but never less than the time the driver was out on the very runs counted (dispatched to back
in the store); and under `MIN_HOURS` there is no rate at all. A shift clocked for one minute
with five runs behind it would otherwise read 300 runs an hour.

`run_seconds` sums the time out on runs per store or driver; `rate` is the pure rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from cloud_api.models import DeliveryRun, Store
from cloud_api.reports.period import Period

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


def run_seconds(session: Session, stores: Sequence[str] | None, span: Period, by: Any) -> dict[Any, Decimal]:
    """Seconds out on runs dispatched in the period (in each store's own business days) and
    back in the store, per `by` (a store or a driver column)."""
    local = func.timezone(Store.timezone, DeliveryRun.dispatched_at) - func.make_interval(
        0, 0, 0, 0, Store.day_starts_hour
    )
    seconds = func.sum(extract("epoch", DeliveryRun.returned_at - DeliveryRun.dispatched_at))
    query = (
        select(by, seconds)
        .join(Store, Store.id == DeliveryRun.store_id)
        .where(func.date(local).between(span.first, span.last), DeliveryRun.returned_at.is_not(None))
        .group_by(by)
    )
    if stores is not None:
        query = query.where(DeliveryRun.store_id.in_(list(stores)))
    return {row[0]: Decimal(str(row[1] or 0)) for row in session.execute(query)}
