"""Delivery KPIs per driver for the business day, read off stage timestamps and runs.

The figures of DOMAIN.md, as head office's delivery report states them: runs
dispatched that day, orders delivered, average delivery time (placed →
delivered), on-time % (delivered by the promise, of delivered orders) and runs
per driver-hour. Hours run from clock-in to cash-out; a shift still open counts
to `at`, so the manager sees the figure grow through the night (the cloud's report
counts closed shifts only). `compute_driver_kpis` is pure; `driver_kpis` reads the store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.business_day import business_date, day_bounds
from store_db.models import DeliveryRun, Order, RunStop, Shift, Staff, Store


@dataclass(frozen=True)
class RunTime:
    driver_id: str
    dispatched_at: datetime


@dataclass(frozen=True)
class DeliveredStop:
    driver_id: str
    placed_at: datetime
    promise_at: datetime
    delivered_at: datetime


@dataclass(frozen=True)
class ShiftTime:
    driver_id: str
    clock_in_at: datetime
    clock_out_at: datetime | None  # None: still on the clock


@dataclass(frozen=True)
class DriverKpis:
    driver_id: str
    driver: str
    runs: int
    deliveries: int
    avg_delivery_s: float | None  # placed → delivered, over this driver's deliveries
    on_time_pct: float | None  # delivered by the promise, of this driver's deliveries
    hours: float  # on the clock today
    on_clock: bool

    @property
    def runs_per_hour(self) -> float | None:
        return self.runs / self.hours if self.hours > 0 else None


def compute_driver_kpis(
    names: dict[str, str],
    runs: Iterable[RunTime],
    stops: Iterable[DeliveredStop],
    shifts: Iterable[ShiftTime],
    at: datetime,
) -> list[DriverKpis]:
    """One row per driver with a shift or a run, by name."""
    run_count: dict[str, int] = defaultdict(int)
    for run in runs:
        run_count[run.driver_id] += 1
    delivered: dict[str, list[DeliveredStop]] = defaultdict(list)
    for stop in stops:
        delivered[stop.driver_id].append(stop)
    seconds: dict[str, float] = defaultdict(float)
    on_clock: set[str] = set()
    for shift in shifts:
        end = shift.clock_out_at or at
        if shift.clock_out_at is None:
            on_clock.add(shift.driver_id)
        seconds[shift.driver_id] += max(0.0, (end - shift.clock_in_at).total_seconds())
    rows = []
    for driver_id in set(run_count) | set(delivered) | set(seconds):
        theirs = delivered.get(driver_id, [])
        spans = [(s.delivered_at - s.placed_at).total_seconds() for s in theirs]
        on_time = sum(1 for s in theirs if s.delivered_at <= s.promise_at)
        rows.append(
            DriverKpis(
                driver_id=driver_id,
                driver=names.get(driver_id, "?"),
                runs=run_count.get(driver_id, 0),
                deliveries=len(theirs),
                avg_delivery_s=sum(spans) / len(spans) if spans else None,
                on_time_pct=100.0 * on_time / len(theirs) if theirs else None,
                hours=seconds.get(driver_id, 0.0) / 3600,
                on_clock=driver_id in on_clock,
            )
        )
    rows.sort(key=lambda r: (r.driver.lower(), r.driver_id))
    return rows


def driver_kpis(session: Session, at: datetime) -> list[DriverKpis]:
    """Today's (the business day of `at`) delivery KPIs for every driver who worked it."""
    store = session.scalars(select(Store)).one()
    day = business_date(at, store.timezone, store.day_starts_hour)
    start, end = day_bounds(day, store.timezone, store.day_starts_hour)
    runs = [
        RunTime(driver_id, dispatched_at)
        for driver_id, dispatched_at in session.execute(
            select(DeliveryRun.driver_id, DeliveryRun.dispatched_at).where(
                DeliveryRun.dispatched_at >= start, DeliveryRun.dispatched_at < end
            )
        )
    ]
    stops = [
        DeliveredStop(driver_id, placed_at, promise_at, delivered_at or placed_at)
        for driver_id, placed_at, promise_at, delivered_at in session.execute(
            select(DeliveryRun.driver_id, Order.placed_at, Order.promise_at, Order.delivered_at)
            .join(RunStop, RunStop.run_id == DeliveryRun.id)
            .join(Order, Order.id == RunStop.order_id)
            .where(
                DeliveryRun.dispatched_at >= start,
                DeliveryRun.dispatched_at < end,
                RunStop.outcome == "delivered",
                Order.delivered_at.is_not(None),
            )
        )
    ]
    shifts = [
        ShiftTime(staff_id, clock_in_at, clock_out_at)
        for staff_id, clock_in_at, clock_out_at in session.execute(
            select(Shift.staff_id, Shift.clock_in_at, Shift.clock_out_at)
            .join(Staff, Staff.id == Shift.staff_id)
            .where(Staff.role == "driver", Shift.clock_in_at >= start, Shift.clock_in_at < end)
        )
    ]
    ids = {r.driver_id for r in runs} | {s.driver_id for s in shifts}
    names = {
        staff_id: name
        for staff_id, name in session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(ids)))
    }
    return compute_driver_kpis(names, runs, stops, shifts, at)
