"""Payments taken for orders, and the test gateway's own record of charges."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cloud_api.db.base import Base, new_id


class Payment(Base):
    __tablename__ = "payment"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    method: Mapped[str] = mapped_column(String(10))  # card, cash
    # due (cash at the door), succeeded, declined, refund_pending, refunded
    status: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(Integer)
    refunded: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="usd")
    gateway: Mapped[str] = mapped_column(String(10), default="")
    gateway_ref: Mapped[str | None] = mapped_column(String(80), nullable=True, index=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
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
