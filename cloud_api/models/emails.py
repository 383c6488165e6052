"""The storefront's contact email per order, and the email outbox (confirmation, delivered):
both the order's store's records, keyed by store with the order `(store_id, order_id)`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.schema import PrimaryKeyConstraint, UniqueConstraint

from cloud_api.db.base import Base
from cloud_api.models.orders import of_order


class OrderContact(Base):
    """The email a customer gave at checkout (a guest has no account email to use)."""

    __tablename__ = "order_contact"
    __table_args__ = (
        PrimaryKeyConstraint("store_id", "order_id"),
        of_order(),
    )

    store_id: Mapped[str] = mapped_column(String(36))
    order_id: Mapped[str] = mapped_column(String(36))
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EmailMessage(Base):
    __tablename__ = "email_message"
    __table_args__ = (
        PrimaryKeyConstraint("store_id", "id"),
        of_order(),
        UniqueConstraint("store_id", "dedupe_key", name="uq_email_message_dedupe_key"),
        Index("ix_email_message_due", "status", "next_attempt_at"),
        Index("ix_email_message_order_id", "order_id"),
    )

    store_id: Mapped[str] = mapped_column(String(36))
    id: Mapped[int] = mapped_column(BigInteger, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(20))  # confirmation, delivered
    # "order:<id>:<kind>": at most one of each kind per order, however often its event repeats.
    dedupe_key: Mapped[str] = mapped_column(String(80))
    email: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(12), default="queued")  # queued, sending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    provider_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
