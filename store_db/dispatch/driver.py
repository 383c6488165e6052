"""A run as its driver sees it: stops in order, amount due and how to collect it.

What the driver screen shows and the run sheet prints, read from the store's
records. Reads only; the driver's actions (mark a stop, check in) are the
services' in `store_db.services.runs`. Imports no solver, so the print queue
can build a run sheet without loading one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from makeline.trade.business_day import business_date, day_bounds
from store_db.errors import NotFound
from store_db.models import DeliveryRun, Order, RunStop, Staff, Store
from store_db.queries.cut_table import box_lines
from store_db.services import runs

Collect = Literal["cash", "paid"]


def collect_how(amount_due: int) -> Collect:
    """Cash at the door unless the order was paid already (card at the counter, online)."""
    return "paid" if amount_due == 0 else "cash"


@dataclass(frozen=True)
class DoorStop:
    order_id: str
    label: str  # "#1042"
    customer: str
    address: str
    phone: str
    notes: str
    total: int  # the order's total, cents
    amount_due: int  # cash to take at the door; 0 when paid
    collect: Collect
    eta_at: datetime | None
    promise_at: datetime
    outcome: str  # pending, delivered, not_delivered
    reason: str = ""
    collected: int = 0
    tip: int = 0
    address_note: str = ""  # "side door, ring twice"
    bag: tuple[str, ...] = ()  # what goes in the hot bag: "1 LG Pepperoni Pizza", "1 2 Liter Cola"

    @property
    def pending(self) -> bool:
        return self.outcome == "pending"


@dataclass(frozen=True)
class DriverRun:
    run_id: str
    number: int  # the store's run number for the business day: "run 14"
    driver_id: str
    driver: str
    status: str  # out, closed
    dispatched_at: datetime
    expected_return_at: datetime
    distance_m: int
    zone: str
    stops: tuple[DoorStop, ...]

    @property
    def cash_due(self) -> int:
        return sum(stop.amount_due for stop in self.stops)

    @property
    def cash_collected(self) -> int:
        return sum(stop.collected for stop in self.stops)

    @property
    def pending(self) -> tuple[DoorStop, ...]:
        return tuple(stop for stop in self.stops if stop.pending)

    @property
    def next_stop(self) -> DoorStop | None:
        return next(iter(self.pending), None)


def run_number(session: Session, run: DeliveryRun, store: Store | None = None) -> int:
    """Runs are numbered from 1 each business day, in the order they left."""
    store = store or session.scalars(select(Store)).one()
    day = business_date(run.dispatched_at, store.timezone, store.day_starts_hour)
    start, _ = day_bounds(day, store.timezone, store.day_starts_hour)
    earlier = session.scalar(
        select(func.count())
        .select_from(DeliveryRun)
        .where(
            DeliveryRun.dispatched_at >= start,
            or_(
                DeliveryRun.dispatched_at < run.dispatched_at,
                and_(DeliveryRun.dispatched_at == run.dispatched_at, DeliveryRun.id <= run.id),
            ),
        )
    )
    return int(earlier or 1)


def run_view(session: Session, run_id: str) -> DriverRun:
    """The run `run_id` with its stops in order; `NotFound` when there is no such run."""
    run = session.get(DeliveryRun, run_id)
    if run is None:
        raise NotFound(f"There is no delivery run {run_id} in this store's database.")
    store = session.scalars(select(Store)).one()
    driver = session.get(Staff, run.driver_id)
    stops = runs.run_stops(session, run.id)
    orders = {
        o.id: o for o in session.scalars(select(Order).where(Order.id.in_([s.order_id for s in stops])))
    }
    bags = {
        order_id: tuple(line.text() for line in lines)
        for order_id, lines in box_lines(session, list(orders)).items()
    }
    return DriverRun(
        run_id=run.id,
        number=run_number(session, run, store),
        driver_id=run.driver_id,
        driver=driver.name if driver else "",
        status=run.status,
        dispatched_at=run.dispatched_at,
        expected_return_at=run.expected_return_at,
        distance_m=run.distance_m,
        zone=store.timezone,
        stops=tuple(_door(stop, orders[stop.order_id], bags.get(stop.order_id, ())) for stop in stops),
    )


def current_run(session: Session, driver_id: str) -> DriverRun | None:
    """The run the driver is out on, or None when the driver is in the store."""
    run = runs.open_run(session, driver_id)
    return run_view(session, run.id) if run else None


def _door(stop: RunStop, order: Order, bag: tuple[str, ...]) -> DoorStop:
    return DoorStop(
        order_id=order.id,
        label=order.label,
        customer=order.customer_name,
        address=order.address,
        phone=order.phone,
        notes=order.notes,
        total=order.total,
        amount_due=stop.amount_due,
        collect=collect_how(stop.amount_due),
        eta_at=stop.eta_at,
        promise_at=order.promise_at,
        outcome=stop.outcome,
        reason=stop.reason,
        collected=stop.collected,
        tip=stop.tip,
        address_note=order.address_note,
        bag=bag,
    )
