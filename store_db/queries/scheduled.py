"""Orders for later still held (not yet fired to the kitchen), soonest first: what the
counter and manager screens list as *scheduled*."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.hours import StoreHours, check_order_time
from makeline.trade.lifecycle import Stage
from store_db.models import Order, Store
from store_db.services.store_settings import AnyStore

# An order in the store's work now: not an order for later still held off the make line.
NOT_HELD = Order.scheduled_for.is_(None) | Order.fired_at.is_not(None)


def store_hours(store: AnyStore) -> StoreHours:
    """The store's hours as head office set them; none set: open around the clock."""
    return StoreHours.model_validate(store.hours or {})


def check_time(session: Session, wanted: datetime, at: datetime) -> datetime:
    """`wanted` if the store takes an order for it (within hours, at most 7 days ahead),
    else `OutsideHours` naming the next opening. Reads only."""
    store = session.scalars(select(Store)).one()
    return check_order_time(store_hours(store), store.timezone, store.day_starts_hour, at, wanted)


@dataclass(frozen=True)
class HeldOrder:
    id: str
    number: int
    service: str
    customer_name: str
    total: int
    scheduled_for: datetime


def held_orders(session: Session, limit: int = 50) -> list[HeldOrder]:
    rows = session.scalars(
        select(Order)
        .where(Order.scheduled_for.is_not(None), Order.fired_at.is_(None), Order.stage == Stage.PLACED.value)
        .order_by(Order.scheduled_for, Order.number)
        .limit(limit)
    )
    return [
        HeldOrder(o.id, o.number, o.service, o.customer_name, o.total, o.scheduled_for)
        for o in rows
        if o.scheduled_for is not None
    ]
