"""Queries on the SMS outbox and the opt-out list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from cloud_api.models import Notification, SmsOptOut


def due(session: Session, now: datetime, limit: int) -> Sequence[Notification]:
    return session.scalars(
        select(Notification)
        .where(Notification.status == "queued", Notification.next_attempt_at <= now)
        .order_by(Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def stale_sends(session: Session, before: datetime, limit: int) -> Sequence[Notification]:
    """Texts a worker claimed and never reported on: it stopped mid-send."""
    return session.scalars(
        select(Notification)
        .where(Notification.status == "sending", Notification.claimed_at < before)
        .order_by(Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def opted_out(session: Session, phone: str) -> bool:
    return session.get(SmsOptOut, phone) is not None


def opt_out(session: Session, phone: str, at: datetime) -> None:
    session.execute(insert(SmsOptOut).values(phone=phone, opted_out_at=at).on_conflict_do_nothing())


def opt_in(session: Session, phone: str) -> None:
    session.execute(delete(SmsOptOut).where(SmsOptOut.phone == phone))
