"""The delivery KPIs of DOMAIN.md computed from the store's own database, the way head office's
delivery report states them: per store and per driver, delivery orders of the business day
(voids left out), average out-the-door and delivery minutes, on-time % (delivered by the
promise), runs dispatched that day, driver hours clock-in to cash-out, runs per driver-hour.
Averages are exact sums of seconds, rounded half up once (minutes and % to 0.1, hours and
runs per driver-hour to 0.01). `delivery_kpis` is pure; `read_delivery` reads the store."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.business_day import business_date
from store_db.models import DeliveryRun, Order, RunStop, Shift, Staff, Store


@dataclass(frozen=True)
class DeliveryOrder:
    driver: str | None  # of the run it went out on; None when it never went on one
    placed_at: datetime
    promise_at: datetime
    out_the_door_at: datetime | None
    delivered_at: datetime | None


@dataclass(frozen=True)
class DriverTime:
    driver: str
    runs: int
    seconds: Decimal  # on the clock, clock-in to cash-out


def _seconds(span: timedelta) -> Decimal:
    return Decimal(span.days * 86_400 + span.seconds) + Decimal(span.microseconds) / 1_000_000


def _rounded(value: Decimal, places: str) -> float:
    return float(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def _average_minutes(spans: list[timedelta]) -> float | None:
    if not spans:
        return None
    return _rounded(sum((_seconds(s) for s in spans), Decimal(0)) / len(spans) / 60, "0.1")


def kpis(orders: list[DeliveryOrder], runs: int, seconds: Decimal) -> dict[str, Any]:
    delivered = [o for o in orders if o.delivered_at is not None]
    on_time = sum(1 for o in delivered if o.delivered_at is not None and o.delivered_at <= o.promise_at)
    hours = seconds / 3600
    return {
        "orders": len(orders),
        "delivered": len(delivered),
        "avg_out_the_door_min": _average_minutes(
            [o.out_the_door_at - o.placed_at for o in orders if o.out_the_door_at is not None]
        ),
        "avg_delivery_min": _average_minutes(
            [o.delivered_at - o.placed_at for o in orders if o.delivered_at is not None]
        ),
        "on_time_pct": _rounded(Decimal(100 * on_time) / len(delivered), "0.1") if delivered else None,
        "runs": runs,
        "driver_hours": _rounded(hours, "0.01"),
        "runs_per_driver_hour": _rounded(runs / hours, "0.01") if hours else None,
    }


def delivery_kpis(
    orders: Iterable[DeliveryOrder], drivers: Iterable[DriverTime]
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The store's row and one row per driver who took orders out."""
    found = list(orders)
    times = {d.driver: d for d in drivers}
    store = kpis(
        found, sum(d.runs for d in times.values()), sum((d.seconds for d in times.values()), Decimal(0))
    )
    by_driver: dict[str, list[DeliveryOrder]] = defaultdict(list)
    for order in found:
        if order.driver is not None:
            by_driver[order.driver].append(order)
    per_driver = {}
    for name, theirs in sorted(by_driver.items()):
        time = times.get(name, DriverTime(name, 0, Decimal(0)))
        per_driver[name] = kpis(theirs, time.runs, time.seconds)
    return store, per_driver


def read_delivery(session: Session, day: date) -> tuple[list[DeliveryOrder], list[DriverTime]]:
    store = session.scalars(select(Store)).one()

    def on_day(at: datetime) -> bool:
        return business_date(at, store.timezone, store.day_starts_hour) == day

    drivers = {
        order_id: name
        for order_id, name in session.execute(
            select(RunStop.order_id, Staff.name)
            .join(DeliveryRun, DeliveryRun.id == RunStop.run_id)
            .join(Staff, Staff.id == DeliveryRun.driver_id)
        )
    }
    orders = [
        DeliveryOrder(drivers.get(o.id), o.placed_at, o.promise_at, o.out_the_door_at, o.delivered_at)
        for o in session.scalars(
            select(Order).where(
                Order.business_date == day, Order.service == "delivery", Order.stage != "voided"
            )
        )
    ]
    runs: dict[str, int] = defaultdict(int)
    for name, at in session.execute(
        select(Staff.name, DeliveryRun.dispatched_at).join(Staff, Staff.id == DeliveryRun.driver_id)
    ):
        if on_day(at):
            runs[name] += 1
    seconds: dict[str, Decimal] = defaultdict(Decimal)
    for name, clock_in, clock_out in session.execute(
        select(Staff.name, Shift.clock_in_at, Shift.clock_out_at)
        .join(Staff, Staff.id == Shift.staff_id)
        .where(Staff.role == "driver", Shift.clock_out_at.is_not(None))
    ):
        if clock_out is not None and on_day(clock_in):
            seconds[name] += _seconds(clock_out - clock_in)
    names = sorted(set(runs) | set(seconds))
    return orders, [DriverTime(n, runs.get(n, 0), seconds.get(n, Decimal(0))) for n in names]
