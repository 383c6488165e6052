"""Queries for payments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud_api.models import Payment


def by_reference(session: Session, reference: str) -> Payment | None:
    return session.scalars(select(Payment).where(Payment.gateway_ref == reference).with_for_update()).first()


def of_order(session: Session, order_id: str) -> Sequence[Payment]:
    return session.scalars(
        select(Payment).where(Payment.order_id == order_id).order_by(Payment.created_at)
    ).all()


def refunds_due(session: Session, now: datetime, limit: int) -> Sequence[Payment]:
    return session.scalars(
        select(Payment)
        .where(Payment.status == "refund_pending", Payment.next_refund_at <= now)
        .order_by(Payment.next_refund_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
