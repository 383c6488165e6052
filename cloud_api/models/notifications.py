"""The SMS outbox, and the phone numbers that replied STOP.

Every text is a store's record, keyed `(store_id, id)`: a text about an order is its store's,
a promotion keeps its store's daytime, and head office names the store a message is sent for."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.schema import PrimaryKeyConstraint, UniqueConstraint

from cloud_api.db.base import Base


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (
        PrimaryKeyConstraint("store_id", "id"),
        UniqueConstraint("store_id", "dedupe_key", name="uq_notification_dedupe_key"),
        Index("ix_notification_due", "status", "next_attempt_at"),
    )

    store_id: Mapped[str] = mapped_column(ForeignKey("store.id"))
    id: Mapped[int] = mapped_column(BigInteger, autoincrement=True)
    order_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(12))  # status, message, promotion
    stage: Mapped[str | None] = mapped_column(String(14), nullable=True)
    # "order:<id>:<stage>" for status texts: at most one per order per stage.
    dedupe_key: Mapped[str | None] = mapped_column(String(80), nullable=True)
    phone: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text, default="")  # rendered when claimed, if empty
    # queued, sending, sent, failed, suppressed
    status: Mapped[str] = mapped_column(String(12), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    provider_sid: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SmsOptOut(Base):
    __tablename__ = "sms_opt_out"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    opted_out_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
