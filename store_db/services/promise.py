"""Promise times quoted from the live load, not a constant.

A quote adds up what is ahead of the new order: pizzas waiting on the make
line (at the store's make target each), the oven belt, a few minutes on the
rack, and for delivery the drive out plus the wait for a driver.

One big order (a manager-approved catering order of 99 pizzas) does not stand in
front of every later one: the make line works a batch of it, then the next
ticket, then the next batch, so each waiting order counts at most
`ORDER_LOAD_CAP` pizzas toward the orders behind it. The big order's own promise
still counts all of its pizzas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from store_db.models import Order, OrderLine, Shift, Staff, Store
from store_db.queries.scheduled import NOT_HELD

RACK_BUFFER_S = 180
DRIVER_WAIT_S = 300  # half a typical run when every driver is out
ROUND_TO_S = 300
ORDER_LOAD_CAP = 12  # pizzas of one waiting order the make line works before the next ticket


@dataclass(frozen=True)
class KitchenLoad:
    pizzas_waiting: int  # on the make line, not yet made
    pizzas_ahead: int  # what a new order waits behind: each waiting order's pizzas up to the cap
    drivers_in: int
    drivers_out: int


def kitchen_load(session: Session) -> KitchenLoad:
    """Pizzas waiting on the make line (all, and as a new order waits behind them) and drivers
    in and out, in one statement."""
    per_order = (
        select(func.sum(OrderLine.quantity).label("pizzas"))
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.stage == "placed", OrderLine.station == "makeline")
        .where(NOT_HELD)  # orders for later wait apart until they fire
        .group_by(OrderLine.order_id)
        .subquery()
    )
    capped = case((per_order.c.pizzas > ORDER_LOAD_CAP, ORDER_LOAD_CAP), else_=per_order.c.pizzas)
    waiting = select(
        func.coalesce(func.sum(per_order.c.pizzas), 0), func.coalesce(func.sum(capped), 0)
    ).subquery()

    def drivers(out: bool) -> Any:
        return (
            select(func.count())
            .select_from(Shift)
            .join(Staff, Staff.id == Shift.staff_id)
            .where(Staff.role == "driver", Shift.clock_out_at.is_(None), Shift.out_on_run.is_(out))
            .scalar_subquery()
        )

    row = session.execute(select(waiting, drivers(False), drivers(True))).one()
    return KitchenLoad(
        pizzas_waiting=int(row[0]), pizzas_ahead=int(row[1]), drivers_in=int(row[2]), drivers_out=int(row[3])
    )


def quote_seconds(store: Store, load: KitchenLoad, pizzas: int, delivery: bool, drive_s: float) -> int:
    """Seconds from now to the promise: the pizzas ahead (capped per order) and this order's own
    at the make target each, the oven belt, the rack, and for delivery the drive and a driver."""
    make = (load.pizzas_ahead + pizzas) * store.make_target_s
    seconds = make + store.oven_s + RACK_BUFFER_S
    if delivery:
        seconds += int(drive_s)
        if load.drivers_in == 0:
            seconds += DRIVER_WAIT_S * (1 if load.drivers_out else 2)
    return seconds


def promise_time(placed_at: datetime, seconds: int) -> datetime:
    """Rounded up to the next 5 minutes: a time a person can say on the phone."""
    raw = placed_at + timedelta(seconds=seconds)
    epoch = raw.timestamp()
    rounded = -(-epoch // ROUND_TO_S) * ROUND_TO_S
    return raw + timedelta(seconds=rounded - epoch)


def drive_seconds(store: Store, km: float) -> float:
    return km * store.road_factor / store.avg_speed_kmh * 3600
