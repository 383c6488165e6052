"""Payments taken for orders, and the test gateway's own record of charges.

A payment is its store's record, keyed `(store_id, id)` with its order `(store_id, order_id)`;
the test gateway's charges stand for the card processor's own books (a reference table,
`cloud_api.db.distribution`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.schema import PrimaryKeyConstraint, UniqueConstraint

from cloud_api.db.base import Base, new_id
from cloud_api.models.orders import of_order


class Payment(Base):
    __tablename__ = "payment"
    __table_args__ = (
        PrimaryKeyConstraint("store_id", "id"),
        of_order(),
        UniqueConstraint("store_id", "idempotency_key", name="uq_payment_idempotency_key"),
        Index("ix_payment_order_id", "order_id"),
        # The refunds' sender looks for those due every few seconds: the few pending, not a
        # scan of every payment (0026).
        Index("ix_payment_refund_due", "next_refund_at", postgresql_where=text("status = 'refund_pending'")),
    )

    store_id: Mapped[str] = mapped_column(String(36))
    id: Mapped[str] = mapped_column(String(36), default=new_id)
    order_id: Mapped[str] = mapped_column(String(36))
    method: Mapped[str] = mapped_column(String(10))  # card, cash
    # due (cash at the door), succeeded, declined, refund_pending, refunded
    status: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(Integer)
    refunded: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="usd")
    gateway: Mapped[str] = mapped_column(String(10), default="")
    gateway_ref: Mapped[str | None] = mapped_column(String(80), nullable=True, index=True)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    decline_code: Mapped[str | None] = mapped_column(String(60), nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")
    refund_attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_refund_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TestGatewayCharge(Base):
    """What the built-in test gateway remembers, as a real gateway would on its side."""

    __tablename__ = "test_gateway_charge"
    __test__ = False  # not a pytest class

    idempotency_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    intent_id: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # charge, refund
    amount: Mapped[int] = mapped_column(Integer)
    token: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20))
    decline_code: Mapped[str | None] = mapped_column(String(60), nullable=True)
    calls: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
