"""Today's service KPIs, read off the orders' stage timestamps (DOMAIN.md's table).

`compute_kpis` is pure over `StageTimes`; `todays_kpis` reads the business day.
Voided orders count for nothing but the void count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from makeline.trade.business_day import business_date
from makeline.trade.lifecycle import Stage
from store_db.models import Order, Store


@dataclass(frozen=True)
class StageTimes:
    service: str
    stage: str
    total: int
    promise_at: datetime
    placed_at: datetime
    made_at: datetime | None = None
    baked_at: datetime | None = None
    ready_at: datetime | None = None
    picked_up_at: datetime | None = None
    out_the_door_at: datetime | None = None
    delivered_at: datetime | None = None


@dataclass(frozen=True)
class Measure:
    """An average duration over the orders that have both timestamps."""

    name: str
    span: str  # "placed → made"
    target: str
    average_s: float | None
    count: int


@dataclass(frozen=True)
class Kpis:
    orders: int
    voids: int
    sales: int  # cents, voids excluded
    measures: tuple[Measure, ...]
    on_time_pct: float | None  # delivered before the promise, of delivered orders
    delivered: int

    def measure(self, name: str) -> Measure:
        return next(m for m in self.measures if m.name == name)


_SPANS = (
    ("make", "placed → made", "under 1 min", "placed_at", "made_at"),
    ("oven", "made → baked", "5–7 min", "made_at", "baked_at"),
    ("rack", "ready → out the door", "short", "ready_at", "out_the_door_at"),
    ("out the door", "placed → out the door", "12–15 min", "placed_at", "out_the_door_at"),
    ("delivery", "placed → delivered", "≤ 35 min", "placed_at", "delivered_at"),
    ("carryout wait", "ready → picked up", "short", "ready_at", "picked_up_at"),
)


def _average(times: Sequence[StageTimes], start: str, end: str) -> tuple[float | None, int]:
    spans = [
        (e - s).total_seconds()
        for t in times
        if (s := getattr(t, start)) is not None and (e := getattr(t, end)) is not None
    ]
    return (sum(spans) / len(spans) if spans else None), len(spans)


def compute_kpis(times: Sequence[StageTimes]) -> Kpis:
    live = [t for t in times if t.stage != Stage.VOIDED.value]
    measures = []
    for name, span, target, start, end in _SPANS:
        average, count = _average(live, start, end)
        measures.append(Measure(name=name, span=span, target=target, average_s=average, count=count))
    delivered = [t for t in live if t.delivered_at is not None]
    on_time = sum(1 for t in delivered if t.delivered_at is not None and t.delivered_at <= t.promise_at)
    return Kpis(
        orders=len(live),
        voids=len(times) - len(live),
        sales=sum(t.total for t in live),
        measures=tuple(measures),
        on_time_pct=(100.0 * on_time / len(delivered)) if delivered else None,
        delivered=len(delivered),
    )


def todays_kpis(session: Session, at: datetime) -> Kpis:
    store = session.scalars(select(Store)).one()
    day = business_date(at, store.timezone, store.day_starts_hour)
    rows = session.execute(
        select(
            Order.service,
            Order.stage,
            Order.total,
            Order.promise_at,
            # An order for later starts its clocks when it fires to the kitchen.
            func.coalesce(Order.fired_at, Order.placed_at),
            Order.made_at,
            Order.baked_at,
            Order.ready_at,
            Order.picked_up_at,
            Order.out_the_door_at,
            Order.delivered_at,
        ).where(Order.business_date == day)
    ).all()
    return compute_kpis([StageTimes(*row) for row in rows])
