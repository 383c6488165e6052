"""A Friday rush run through a store database in virtual time, dispatched from the board.

The pure simulation (`rush.simulate`) compares dispatchers on plain data; this
one runs the same kind of night through the store's own services: orders are
placed back-dated with `place_order` (so the store's own promise rule quotes
them), moved along the make line, oven and cut table with `lifecycle.advance`,
dispatched by accepting the board's suggestion, delivered at their ETAs and
checked in when the driver is back. Time is virtual: every write is stamped
with the moment it happens in the rush, and nothing waits on a real clock.

Whenever something changes (an order placed, made, baked or ready, a driver
back), the board is read and the dispatcher asked; the runs that can leave
then go. The result is a `rush.RushResult` read back from the orders' stage
timestamps.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum

from sqlalchemy import select

from makeline.demo.rush import Delivery, RushResult, friday_rush
from makeline.demo.simulate import clock_in_drivers
from makeline.dispatch import PlanError
from makeline.dispatch.travel import LatLon
from makeline.trade.lifecycle import Channel, Service, Stage
from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.dispatch.planning import Planner, plan_board
from store_db.models import DeliveryRun, Order, RunStop, Store
from store_db.queries.dispatch_board import read_board
from store_db.services import lifecycle, runs
from store_db.services.dispatch import accept_all
from store_db.services.orders import AddressRequest, OrderRequest, TenderRequest, place_order

FRIDAY_5PM_CHICAGO = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)


class _Kind(IntEnum):
    """At one moment: doors first, then drivers back, then the kitchen, then new orders."""

    DELIVERED = 0
    BACK = 1
    STAGE = 2
    PLACE = 3


@dataclass(frozen=True)
class _Planned:
    placed_s: int
    make_s: int
    box_s: int
    request: OrderRequest


def _orders(store: Store, seed: int, orders: int, minutes: int) -> list[_Planned]:
    """The rush's doors and order times, around this store, within its delivery area."""
    rush = friday_rush(
        seed,
        orders,
        minutes,
        store=LatLon(store.lat, store.lon),
        radius_m=store.delivery_radius_km * 1000 * 0.97,
        oven_s=store.oven_s,
        speed_kmh=store.avg_speed_kmh,
        road_factor=store.road_factor,
    )
    rng = random.Random(seed)
    planned: list[_Planned] = []
    for i, order in enumerate(rush.orders):
        pizzas = rng.choices([1, 2], [70, 30])[0]
        request = OrderRequest(
            channel=Channel.PHONE,
            service=Service.DELIVERY,
            items=[ItemRequest(product=rng.choice(["pepperoni", "cheese"]), size="lg", quantity=pizzas)],
            phone=f"708555{2000 + i:04d}",
            customer_name=f"Rush Customer {i + 1}",
            address=AddressRequest(line1=f"{100 + i} Rush St", lat=order.lat, lon=order.lon),
            tenders=[TenderRequest(kind=rng.choice(["pay_at_door", "card"]))],
        )
        planned.append(_Planned(order.placed_s, rng.randint(60, 120), rng.randint(60, 180), request))
    return planned


def store_rush(
    db: StoreDB,
    planner: Planner,
    *,
    seed: int = 2024,
    orders: int = 120,
    minutes: int = 120,
    drivers: int = 6,
    start: datetime = FRIDAY_5PM_CHICAGO,
    time_limit_ms: int = 250,
    progress: Callable[[str], None] | None = None,
) -> RushResult:
    """Run the rush in `db` (a store with no open orders) with `drivers` clocked in."""
    with db.read() as session:
        store = session.scalars(select(Store)).one()
    clock_in_drivers(db, drivers, at=start - timedelta(minutes=15))
    planned = _orders(store, seed, orders, minutes)
    events: list[tuple[int, int, int, str, str]] = []  # (second, kind, seq, a, b)
    seq = 0

    def push(second: int, kind: _Kind, a: str = "", b: str = "") -> None:
        nonlocal seq
        heapq.heappush(events, (second, int(kind), seq, a, b))
        seq += 1

    for i, order in enumerate(planned):
        push(order.placed_s, _Kind.PLACE, str(i))
    ready: set[str] = set()
    drivers_in = drivers
    while events:
        now = events[0][0]
        at = start + timedelta(seconds=now)
        while events and events[0][0] == now:
            _, kind, _, a, b = heapq.heappop(events)
            if kind == _Kind.PLACE:
                order = planned[int(a)]
                placed = db.run(place_order, order.request, at)
                made = now + order.make_s
                push(made, _Kind.STAGE, placed.id, Stage.MADE.value)
                push(made + store.oven_s, _Kind.STAGE, placed.id, Stage.BAKED.value)
                push(made + store.oven_s + order.box_s, _Kind.STAGE, placed.id, Stage.READY.value)
            elif kind == _Kind.STAGE:
                db.run(lifecycle.advance, a, Stage(b), at)
                if b == Stage.READY.value:
                    ready.add(a)
            elif kind == _Kind.DELIVERED:
                db.run(runs.deliver_in_full, b, a, at)
            else:
                db.run(runs.checkout_as_collected, a, at)
                drivers_in += 1
        if not ready or not drivers_in:
            continue
        with db.read() as session:
            board = read_board(session, at)
        suggestion = plan_board(board, planner=planner, time_limit_ms=time_limit_ms)
        leaving = suggestion.leaving_now()
        if not leaving:
            continue
        for run, sent in zip(leaving, db.run(accept_all, leaving, at), strict=True):
            for stop in run.stops:
                assert stop.eta_at is not None
                push(_second(start, stop.eta_at), _Kind.DELIVERED, stop.order_id, sent.id)
                ready.discard(stop.order_id)
            push(_second(start, run.return_at), _Kind.BACK, sent.id)
            drivers_in -= 1
        if progress:
            progress(f"{at:%H:%M:%S} sent {len(leaving)} runs, {len(ready)} orders waiting")
    return _result(db, start, drivers)


def _second(start: datetime, at: datetime) -> int:
    return round((at - start).total_seconds())


def _result(db: StoreDB, start: datetime, drivers: int) -> RushResult:
    with db.read() as session:
        rows = session.execute(
            select(Order, DeliveryRun.driver_id)
            .join(RunStop, RunStop.order_id == Order.id)
            .join(DeliveryRun, DeliveryRun.id == RunStop.run_id)
            .where(Order.placed_at >= start)
        ).all()
        left = session.scalars(
            select(Order.number).where(Order.placed_at >= start, Order.stage != Stage.DELIVERED.value)
        ).all()
        run_count = len(
            session.scalars(select(DeliveryRun.id).where(DeliveryRun.dispatched_at >= start)).all()
        )
        back = session.scalars(
            select(DeliveryRun.returned_at).where(DeliveryRun.dispatched_at >= start)
        ).all()
    if left:
        raise PlanError(f"The rush stalled with {len(left)} orders never delivered.")

    def s(at: datetime | None) -> int:
        assert at is not None
        return _second(start, at)

    deliveries = tuple(
        Delivery(
            o.label,
            driver_id,
            s(o.placed_at),
            s(o.ready_at),
            s(o.out_the_door_at),
            s(o.delivered_at),
            s(o.promise_at),
        )
        for o, driver_id in rows
    )
    first = min(d.placed_s for d in deliveries)
    last = max(s(t) for t in back)
    return RushResult(deliveries, run_count, drivers, last - first)
