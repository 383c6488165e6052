"""Queries for payments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud_api.models import Payment
from cloud_api.orders.state import OrderState


def by_id(session: Session, payment_id: str) -> Payment | None:
    """The payment with this id, whichever store keeps it (every store's shard is asked)."""
    return session.scalars(select(Payment).where(Payment.id == payment_id).limit(1)).first()


def by_reference(session: Session, reference: str) -> Payment | None:
    """The payment the gateway knows by this reference (every store's shard is asked)."""
    return session.scalars(select(Payment).where(Payment.gateway_ref == reference).with_for_update()).first()


def of_order(session: Session, order: OrderState) -> Sequence[Payment]:
    return session.scalars(
        select(Payment)
        .where(Payment.store_id == order.store_id, Payment.order_id == order.id)
        .order_by(Payment.created_at)
    ).all()


def refunds_due(session: Session, now: datetime, limit: int) -> Sequence[Payment]:
    return session.scalars(
        select(Payment)
        .where(Payment.status == "refund_pending", Payment.next_refund_at <= now)
        .order_by(Payment.next_refund_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
