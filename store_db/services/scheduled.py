"""Orders for later: the store's hours, and firing each held order to the kitchen once.

An order for later is written whole when it is taken (priced, numbered, paid, told to the
cloud) but held: no kitchen ticket and no kitchen print until it *fires*, at its promise
minus the time the kitchen and the drive need (`fire_at`). Firing writes the tickets and
the kitchen print job and stamps `fired_at` in one transaction: whichever process fires
it first does, and every later look sees it fired. An order that reaches the store late
(placed online while the store was offline) fires as soon as it arrives if it is due.

The estimate comes from the counter's own promise rules (`store_db.services.promise`) by
way of `estimate`, the one place to point at a better model of the store's load.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from pydantic import ValidationError
from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from makeline.trade.geo import distance_km
from makeline.trade.hours import StoreHours, check_order_time
from makeline.trade.lifecycle import Service, Stage
from makeline.trade.menu import Station
from makeline.trade.quote import Load
from makeline.trade.quote import estimate as estimate_load
from store_db.errors import BadInput
from store_db.models import KitchenTicket, Order, OrderLine, Store, new_id, utcnow
from store_db.queries.scheduled import store_hours
from store_db.services import kitchen, outbox, printing, promise
from store_db.services.store_settings import AnyStore
from sync.contract.events import OrderFired

# No estimate is longer than this: held orders further out are not looked at yet.
LONGEST_ESTIMATE = timedelta(hours=3)


def set_hours(store: Store, value: object) -> None:
    """Take the store's hours (a whole `StoreHours`), or refuse them and keep the old ones."""
    try:
        hours = StoreHours.model_validate(value)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'hours'}: {e['msg']}" for e in exc.errors())
        raise BadInput(f"These store hours cannot be used ({problems}); the old ones stay.") from exc
    store.hours = hours.model_dump(mode="json")


def check_time(store: AnyStore, wanted: datetime, at: datetime) -> datetime:
    """`wanted` if the store takes orders for it (within hours, at most 7 days ahead), else
    `OutsideHours` naming the next opening."""
    return check_order_time(store_hours(store), store.timezone, store.day_starts_hour, at, wanted)


def fire_at(scheduled_for: datetime, estimate: timedelta) -> datetime:
    """When a held order goes to the kitchen: its promise minus make, oven and drive."""
    return scheduled_for - estimate


def estimate(
    session: Session, store: Store, pizzas: int, delivery: bool, km: float, at: datetime | None = None
) -> timedelta:
    """How long the store needs now from ticket to customer: the one quote model
    (`makeline.trade.quote`) over the live load: make, oven, a wait for a driver, the drive."""
    load = promise.live_load(session, at or utcnow(), store)
    found = estimate_load(load, pizzas, delivery, load.drive_s(km) if delivery else 0)
    return timedelta(seconds=found.total_s)


def order_estimate(session: Session, store: Store, order: Order, at: datetime | None = None) -> timedelta:
    return _estimate_on(session, store, order, promise.live_load(session, at or utcnow(), store))


def _estimate_on(session: Session, store: Store, order: Order, load: Load) -> timedelta:
    """The order's estimate on a live load read once (many orders, one read)."""
    pizzas = sum(
        session.scalars(
            select(OrderLine.quantity).where(
                OrderLine.order_id == order.id, OrderLine.station == Station.MAKELINE.value
            )
        )
    )
    delivery = order.service == Service.DELIVERY.value
    km = 0.0
    if delivery and order.lat is not None and order.lon is not None:
        km = distance_km(store.lat, store.lon, order.lat, order.lon)
    found = estimate_load(load, pizzas, delivery, load.drive_s(km) if delivery else 0)
    return timedelta(seconds=found.total_s)


def firing_within(session: Session, at: datetime, within: timedelta) -> list[Order]:
    """Held orders that go to the kitchen before `at + within` by the live estimate (or are
    already due and about to fire), soonest first: what the make line should expect."""
    store = session.scalars(select(Store)).one()
    candidates = held_orders(session, at + within + LONGEST_ESTIMATE)
    if not candidates:
        return []
    load = promise.live_load(session, at, store)
    return [
        order
        for order in candidates
        if order.scheduled_for is not None
        and fire_at(order.scheduled_for, _estimate_on(session, store, order, load)) <= at + within
    ]


def held_orders(session: Session, until: datetime | None = None) -> list[Order]:
    """Orders for later not fired yet (and not voided), soonest first."""
    query = select(Order).where(
        Order.scheduled_for.is_not(None), Order.fired_at.is_(None), Order.stage == Stage.PLACED.value
    )
    if until is not None:
        query = query.where(Order.scheduled_for <= until)
    return list(session.scalars(query.order_by(Order.scheduled_for, Order.number)))


def fire(session: Session, order_id: str, at: datetime) -> Order:
    """Send a held order to the kitchen now: its tickets, its kitchen print, `fired_at`."""
    order = session.get_one(Order, order_id)
    if order.fired_at is not None:
        return order
    store = session.scalars(select(Store)).one()
    stations = {
        Station(s) for s in session.scalars(select(OrderLine.station).where(OrderLine.order_id == order.id))
    }
    tickets = [
        {
            "id": new_id(),
            "order_id": order.id,
            "station": station,
            "created_at": at,
            "suspicious": False,
            "recalls": 0,
            "note": "",
        }
        for station in kitchen.ticket_stations(store, stations)
    ]
    order.fired_at = at
    outbox.emit(session, OrderFired(order_id=order.id, number=order.number, at=at), order.id, at)
    jobs = printing.jobs_for(session, ["kitchen"], order.id, at)
    session.add_all(jobs)
    if tickets:
        session.connection().execute(insert(cast(Table, KitchenTicket.__table__)), tickets)
        session.flush()
        return order
    session.flush()
    return kitchen.start_without_tickets(session, order.id, stations, at)


def fire_due(session: Session, at: datetime) -> list[int]:
    """Fire every held order whose time has come (its promise minus the live estimate);
    returns their numbers. Idempotent: an order fires once, whoever calls and however often."""
    store = session.scalars(select(Store)).one()
    return [
        order.number
        for order in held_orders(session, at + LONGEST_ESTIMATE)
        if fire_if_due(session, store, order.id, at)
    ]


def fire_if_due(session: Session, store: Store, order_id: str, at: datetime) -> bool:
    """Fire a held order if its time has come at `at`; True when it fired now."""
    order = session.get_one(Order, order_id)
    if order.scheduled_for is None or order.fired_at is not None or order.stage != Stage.PLACED.value:
        return False
    if at < fire_at(order.scheduled_for, order_estimate(session, store, order, at)):
        return False
    fire(session, order.id, at)
    return True


def is_held(order: Order) -> bool:
    return order.scheduled_for is not None and order.fired_at is None
