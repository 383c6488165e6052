"""Queries for orders and their lines.

An order is keyed `(store_id, id)` (`cloud_api.db.distribution`): where the store is known it
is in the WHERE, so the look-up stays on that store's shard. By its id alone (a tracker link,
a customer's own order, a payment's) every shard is asked (`order_by_id`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cloud_api.models import Order, OrderLine
from cloud_api.orders.state import OrderState


def lines_of(session: Session, order: OrderState) -> Sequence[OrderLine]:
    return session.scalars(
        select(OrderLine)
        .where(OrderLine.store_id == order.store_id, OrderLine.order_id == order.id)
        .order_by(OrderLine.line_no)
    ).all()


def order_in_store(session: Session, store_id: str, order_id: str, *, lock: bool = False) -> Order | None:
    """The store's order with this id (the cloud's id)."""
    return session.get(Order, {"store_id": store_id, "id": order_id}, with_for_update=lock)


def order_by_id(
    session: Session, order_id: str, *, customer_id: str | None = None, lock: bool = False
) -> Order | None:
    """The order with this id, whichever store keeps it (every shard is asked); only the
    customer's own when `customer_id` is given. Ids are unique only within a store: should a
    store send an id already given, the order the cloud gave it to (an online order: its
    `store_order_id` is not its id) is the one the id names, then the first placed."""
    query = select(Order).where(Order.id == order_id)
    if customer_id is not None:
        query = query.where(Order.customer_id == customer_id)
    store_born = Order.store_order_id.is_not_distinct_from(Order.id)
    query = query.order_by(store_born, Order.placed_at, Order.store_id).limit(1)
    return session.scalars(query.with_for_update() if lock else query).first()


def by_store_reference(session: Session, store_id: str, order_id: str) -> Order | None:
    """An order as a store names it: its own id, or the cloud id of an online order."""
    return session.scalars(
        select(Order)
        .where(Order.store_id == store_id, or_(Order.store_order_id == order_id, Order.id == order_id))
        .with_for_update()
    ).first()


def of_customer(session: Session, customer_id: str, limit: int) -> Sequence[Order]:
    return session.scalars(
        select(Order).where(Order.customer_id == customer_id).order_by(Order.placed_at.desc()).limit(limit)
    ).all()


def of_store(session: Session, store_id: str, limit: int) -> Sequence[Order]:
    return session.scalars(
        select(Order).where(Order.store_id == store_id).order_by(Order.placed_at.desc()).limit(limit)
    ).all()
