"""Builders for stock tests: orders made at a given moment, counts of what is physically there."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.lifecycle import Stage
from makeline.trade.pricing import ItemRequest
from makeline.trade.recipes import Usage, needed_parts, order_usage
from store_db.db import StoreDB
from store_db.models import Order, OrderLine, Staff
from store_db.queries import stock_ledger as ledger
from store_db.services import lifecycle
from store_db.services.orders import place_order
from store_db.services.usage import priced_items
from tests.store.helpers import carryout

T0 = datetime(2024, 11, 18, 15, 0, tzinfo=UTC)  # a Monday, 9 a.m. in the store's zone: long past
MANAGER, MANAGER_PIN = "Dana", "1234"
LEAD, CREW, CREW_PIN = "Chris", "Alex", "3333"
ZERO = Decimal(0)


def make(db: StoreDB, at: datetime, *items: ItemRequest, made_after: timedelta = timedelta(minutes=3)) -> str:
    """Place a carryout order at `at` and bump it off the make line `made_after` later."""
    with db.write() as session:
        order = place_order(session, carryout(*items), at)
    with db.write() as session:
        lifecycle.advance(session, order.id, Stage.MADE, at + made_after)
    return order.id


def approver(session: Session, name: str = MANAGER) -> Staff:
    return session.scalars(select(Staff).where(Staff.name == name)).one()


def recipe_usage(session: Session, order_ids: Iterable[str] | None = None) -> Usage:
    """What the orders' recipes use, computed straight from their lines."""
    query = select(OrderLine).join(Order, Order.id == OrderLine.order_id).where(Order.made_at.is_not(None))
    if order_ids is not None:
        query = query.where(Order.id.in_(list(order_ids)))
    lines = session.scalars(query).all()
    items = priced_items(lines)
    return order_usage(items, ledger.recipes_for(session, needed_parts(items)))


def add(*usages: dict[str, Decimal], sign: int = 1) -> dict[str, Decimal]:
    total: dict[str, Decimal] = {}
    for usage in usages:
        for code, qty in usage.items():
            total[code] = total.get(code, ZERO) + sign * qty
    return total
