"""Queries for orders and their lines."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cloud_api.models import Order, OrderLine


def lines_of(session: Session, order_id: str) -> Sequence[OrderLine]:
    return session.scalars(
        select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.line_no)
    ).all()


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
