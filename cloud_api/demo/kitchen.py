"""A stand-in kitchen for the demo store, so `makeline cloud --demo` alone shows an order
going all the way to the door: it keeps the store online and moves its orders along
on a short clock, through the same progress service as a real store's events.

It stands aside as soon as a real store computer is enrolled for the demo store.
Several workers may run it; a transaction-level advisory lock lets one act per round.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from cloud_api.db.base import utcnow
from cloud_api.db.database import Database
from cloud_api.deliveries import service as deliveries
from cloud_api.deliveries.repository import run_in_store
from cloud_api.demo import STORE_CODE
from cloud_api.models import Order
from cloud_api.orders import progress
from cloud_api.reports.refresh import note_days
from cloud_api.stores.repository import has_active_device, store_by_code
from cloud_api.stores.service import record_heartbeat
from makeline.trade.business_day import business_date
from makeline.trade.lifecycle import OPEN, Service, Stage, path

_LOCK = 7_301_003
DRIVER, DRIVER_ID = "Sam", "01a20000-0000-7000-8000-00000000d001"
# Seconds after the order was placed at which each stage is reached, on the demo's short clock.
CLOCK = {
    Stage.MADE: 20,
    Stage.BAKED: 45,
    Stage.READY: 55,
    Stage.OUT_THE_DOOR: 70,
    Stage.PICKED_UP: 90,
    Stage.DELIVERED: 120,
}
IN_STORE_AFTER = 3


def _next_number(session: Session, store_id: str, order: Order) -> int:
    found = session.scalar(
        select(func.max(Order.number)).where(
            Order.store_id == store_id, Order.business_date == order.business_date
        )
    )
    return (found or 1000) + 1


def work(session: Session, now: datetime) -> int:
    """One round; returns how many orders moved."""
    if not session.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _LOCK}):
        return 0
    store = store_by_code(session, STORE_CODE)
    if store is None or has_active_device(session, store.id):
        return 0
    record_heartbeat(session, store.id, now)
    moved = 0
    open_orders = session.scalars(
        select(Order)
        .where(
            Order.store_id == store.id,
            Order.stage.in_([s.value for s in OPEN]),
            Order.placed_at > now - timedelta(hours=6),
        )
        .with_for_update()
    ).all()
    for order in open_orders:
        age = (now - order.placed_at).total_seconds()
        if order.in_store_at is None:
            if age >= IN_STORE_AFTER:
                moved += progress.taken_in_store(
                    session,
                    order,
                    store_order_id=order.id,
                    number=_next_number(session, store.id, order),
                    business_date=order.business_date,
                    promise_at=order.placed_at + timedelta(minutes=30),
                    at=now,
                )
            continue
        stage = Stage(order.stage)
        following = path(Service(order.service))
        target = following[following.index(stage) + 1] if stage in following[:-1] else None
        if target is None or age < CLOCK[target]:
            continue
        if target is Stage.OUT_THE_DOOR:
            deliveries.dispatch(session, store.id, None, DRIVER_ID, DRIVER, [order.id], now, strict=False)
        elif target is Stage.DELIVERED and order.run_id is not None:
            run = run_in_store(session, store.id, order.run_id, lock=True)
            if run is not None:
                deliveries.change_status(
                    session, run, "closed", now, {"delivered_order_ids": [order.id]}, strict=False
                )
        moved += progress.advance(session, order, target, now, strict=False)
    if open_orders:
        days = {o.business_date for o in open_orders}
        note_days(session, store.id, days | {business_date(now, store.timezone, store.day_starts_hour)})
    return moved


def step(db: Database) -> int:
    with db.transaction() as session:
        return work(session, utcnow())
