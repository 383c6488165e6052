"""Delivery runs and driver shifts, as the stores report them: each keyed `(store_id, id)`."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Index, Integer, Numeric, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from cloud_api.db.base import Base, new_id


class DeliveryRun(Base):
    __tablename__ = "delivery_run"
    __table_args__ = (
        PrimaryKeyConstraint("store_id", "id"),
        Index("ix_delivery_run_store_out", "store_id", "dispatched_at"),
    )

    store_id: Mapped[str] = mapped_column(ForeignKey("store.id"))
    id: Mapped[str] = mapped_column(String(36), default=new_id)
    driver_id: Mapped[str] = mapped_column(String(36))
    driver_name: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(10))  # out, returned, closed
    dispatched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    returned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    mileage_km: Mapped[Decimal | None] = mapped_column(Numeric(8, 2), nullable=True)
    cash_due: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cash_collected: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tips: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DriverShift(Base):
    """A driver's clock-in to cash-out: the hours behind runs per driver-hour."""

    __tablename__ = "driver_shift"
    __table_args__ = (PrimaryKeyConstraint("store_id", "id"),)

    store_id: Mapped[str] = mapped_column(ForeignKey("store.id"))
    id: Mapped[str] = mapped_column(String(36))
    driver_id: Mapped[str] = mapped_column(String(36))
    driver_name: Mapped[str] = mapped_column(String(80))
    clock_in_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    clock_out_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cash_owed: Mapped[int] = mapped_column(Integer, default=0)
    tips: Mapped[int] = mapped_column(Integer, default=0)
    mileage_cents: Mapped[int] = mapped_column(Integer, default=0)
