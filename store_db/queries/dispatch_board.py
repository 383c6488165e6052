"""The dispatch board as the store reads it: delivery orders not yet out, by stage, and
the drivers on the clock, in the store or out on a run.

`read_board` takes the snapshot the dispatch screen shows and the planner is asked
about (`store_db.dispatch.planning`): ready orders on the rack, orders still on the
line or in the oven with the time they will be ready, drivers in the store and drivers
out with their expected return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.dispatch.runs import RACK_CAP_S
from makeline.dispatch.travel import GreatCircleTravel, TravelTimes
from makeline.trade.business_day import business_date
from makeline.trade.lifecycle import Stage
from store_db.errors import NotFound
from store_db.models import DeliveryRun, Order, RunStop, Staff, Store, utcnow
from store_db.queries.scheduled import NOT_HELD
from store_db.services import drivers as driver_service
from store_db.services import runs as run_service

BOX_S = 60  # cutting and boxing after the oven
MIN_PENDING_S = 30  # an order not yet marked ready is never counted as ready now
ON_THE_BOARD = (Stage.PLACED, Stage.MADE, Stage.BAKED, Stage.READY)


@dataclass(frozen=True)
class WaitingOrder:
    """A delivery order not yet out the door."""

    order_id: str
    number: int
    stage: str  # placed, made, baked, ready
    customer: str
    address: str
    lat: float | None
    lon: float | None
    placed_at: datetime
    promise_at: datetime
    ready_at: datetime | None  # when it was marked ready
    expected_ready_at: datetime | None  # when it will be ready; None while not yet made
    amount_due: int

    @property
    def label(self) -> str:
        return f"#{self.number}"

    @property
    def ready(self) -> bool:
        return self.stage == Stage.READY.value

    def rack_s(self, at: datetime) -> int | None:
        """Seconds on the heat rack so far; None until it is ready."""
        return None if self.ready_at is None else max(0, int((at - self.ready_at).total_seconds()))

    def over_cap(self, at: datetime, cap_s: int) -> bool:
        """On the rack for the rack-time cap or longer: the planner sends it before anything else."""
        rack_s = self.rack_s(at)
        return rack_s is not None and rack_s >= cap_s


@dataclass(frozen=True)
class DriverIn:
    driver_id: str
    name: str
    since: datetime  # clocked in, or back from the last run


@dataclass(frozen=True)
class DriverOut:
    driver_id: str
    name: str
    run_id: str
    orders: tuple[str, ...]  # labels, in stop order
    dispatched_at: datetime
    expected_return_at: datetime


@dataclass(frozen=True)
class Board:
    at: datetime
    zone: str
    store_lat: float
    store_lon: float
    capacity: int
    speed_kmh: float
    road_factor: float
    orders: tuple[WaitingOrder, ...]  # soonest ready first
    drivers_in: tuple[DriverIn, ...]  # longest in the store first
    drivers_out: tuple[DriverOut, ...]  # soonest back first
    rack_cap_s: int = RACK_CAP_S  # an order on the rack this long goes first, shown in red

    def over_cap(self) -> tuple[WaitingOrder, ...]:
        """Orders over the rack-time cap at the board's moment, longest waiting first."""
        over = [o for o in self.orders if o.over_cap(self.at, self.rack_cap_s)]
        return tuple(sorted(over, key=lambda o: (-(o.rack_s(self.at) or 0), o.number)))

    def travel(self) -> TravelTimes:
        return GreatCircleTravel(self.speed_kmh, self.road_factor)

    def order(self, ref: str) -> WaitingOrder:
        found = next((o for o in self.orders if ref in (o.order_id, o.label, str(o.number))), None)
        if found is None:
            raise NotFound(f"Order {_label(ref)} is not waiting on the dispatch board.")
        return found


def _label(ref: str) -> str:
    return ref if ref.startswith("#") or not ref.isdigit() else f"#{ref}"


def expected_ready_at(order: Order, store: Store, at: datetime) -> datetime | None:
    """Ready orders: when marked ready. Made: after the oven belt and boxing. Baked: after boxing.

    An order not yet marked ready is never counted ready before `at` plus a moment, even
    when the oven is overdue: it is not on the rack, so no run can take it yet.
    """
    if order.stage == Stage.READY.value:
        return order.ready_at or at
    if order.stage == Stage.BAKED.value and order.baked_at is not None:
        estimate = order.baked_at + timedelta(seconds=BOX_S)
    elif order.stage == Stage.MADE.value and order.made_at is not None:
        estimate = order.made_at + timedelta(seconds=store.oven_s + BOX_S)
    else:
        return None
    return max(estimate, at + timedelta(seconds=MIN_PENDING_S))


def read_board(session: Session, at: datetime | None = None) -> Board:
    """The store's delivery orders not yet out, and its drivers on the clock, at `at`."""
    at = at or utcnow()
    store = session.scalars(select(Store)).one()
    rows = session.scalars(
        select(Order).where(
            Order.service == "delivery", Order.stage.in_([s.value for s in ON_THE_BOARD]), NOT_HELD
        )
    ).all()
    orders = [
        WaitingOrder(
            order_id=o.id,
            number=o.number,
            stage=o.stage,
            customer=o.customer_name,
            address=o.address,
            lat=o.lat,
            lon=o.lon,
            placed_at=o.placed_at,
            promise_at=o.promise_at,
            ready_at=o.ready_at if o.stage == Stage.READY.value else None,
            expected_ready_at=expected_ready_at(o, store, at),
            amount_due=run_service.amount_due(o),
        )
        for o in rows
    ]
    far = at + timedelta(days=1)
    orders.sort(key=lambda o: (o.expected_ready_at or far, o.promise_at, o.number))
    drivers_in: list[DriverIn] = []
    drivers_out: list[DriverOut] = []
    for staff, shift in driver_service.drivers_on_clock(session):
        run = run_service.open_run(session, staff.id)
        if run is not None:
            drivers_out.append(_out(session, staff, run))
            continue
        back = session.scalars(
            select(DeliveryRun.returned_at)
            .where(DeliveryRun.shift_id == shift.id, DeliveryRun.returned_at.is_not(None))
            .order_by(DeliveryRun.returned_at.desc())
        ).first()
        drivers_in.append(DriverIn(staff.id, staff.name, max(shift.clock_in_at, back or shift.clock_in_at)))
    drivers_in.sort(key=lambda d: (d.since, d.name))
    drivers_out.sort(key=lambda d: (d.expected_return_at, d.name))
    return Board(
        at=at,
        zone=store.timezone,
        store_lat=store.lat,
        store_lon=store.lon,
        capacity=store.hot_bag_capacity,
        rack_cap_s=store.rack_cap_s,
        speed_kmh=store.avg_speed_kmh,
        road_factor=store.road_factor,
        orders=tuple(orders),
        drivers_in=tuple(drivers_in),
        drivers_out=tuple(drivers_out),
    )


def _out(session: Session, staff: Staff, run: DeliveryRun) -> DriverOut:
    numbers = session.scalars(
        select(Order.number)
        .join(RunStop, RunStop.order_id == Order.id)
        .where(RunStop.run_id == run.id)
        .order_by(RunStop.position)
    ).all()
    return DriverOut(
        staff.id,
        staff.name,
        run.id,
        tuple(f"#{n}" for n in numbers),
        run.dispatched_at,
        run.expected_return_at,
    )


def find_order(session: Session, ref: str, at: datetime) -> Order:
    """An order by its label ("#1042" or "1042", today's business day) or its id."""
    store = session.scalars(select(Store)).one()
    number = ref.strip().removeprefix("#")
    if number.isdigit():
        day = business_date(at, store.timezone, store.day_starts_hour)
        order = session.scalars(
            select(Order).where(Order.business_date == day, Order.number == int(number))
        ).one_or_none()
        if order is None:
            raise NotFound(f"There is no order #{number} today ({day}).")
        return order
    found = session.get(Order, ref)
    if found is None:
        raise NotFound(f"There is no order {ref}.")
    return found
