"""Delivery runs (a driver, 1–3 orders, in stop order), their stops, and drivers' cash-outs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store_db.models.base import Base, UTCDateTime, new_id


class DeliveryRun(Base):
    __tablename__ = "delivery_run"
    __table_args__ = (Index("ix_delivery_run_driver_status", "driver_id", "status"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    driver_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    shift_id: Mapped[str] = mapped_column(ForeignKey("shift.id"), index=True)
    status: Mapped[str] = mapped_column(String(10))  # out, closed
    dispatched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expected_return_at: Mapped[datetime] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    distance_m: Mapped[int] = mapped_column(Integer, default=0)  # the planned route, out and back
    drive_s: Mapped[int] = mapped_column(Integer, default=0)
    cash_due: Mapped[int] = mapped_column(Integer, default=0)
    cash_collected: Mapped[int] = mapped_column(Integer, default=0)
    tips: Mapped[int] = mapped_column(Integer, default=0)
    mileage_cents: Mapped[int] = mapped_column(Integer, default=0)
    dispatched_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class RunStop(Base):
    __tablename__ = "run_stop"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    run_id: Mapped[str] = mapped_column(ForeignKey("delivery_run.id"), index=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    eta_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    amount_due: Mapped[int] = mapped_column(Integer)  # cash to collect at the door
    outcome: Mapped[str] = mapped_column(String(14), default="pending")  # pending, delivered, not_delivered
    reason: Mapped[str] = mapped_column(Text, default="")
    collected: Mapped[int] = mapped_column(Integer, default=0)  # cash taken at the door, tip included
    tip: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Marked delivered sooner than the drive could take (`makeline.trade.integrity`).
    quick: Mapped[bool] = mapped_column(default=False)


class CashOut(Base):
    """The end of a driver's shift: what the driver hands the store, signed by a manager."""

    __tablename__ = "cash_out"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    shift_id: Mapped[str] = mapped_column(ForeignKey("shift.id"), unique=True)
    driver_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    runs: Mapped[int] = mapped_column(Integer)
    deliveries: Mapped[int] = mapped_column(Integer)
    distance_m: Mapped[int] = mapped_column(Integer)
    starting_bank: Mapped[int] = mapped_column(Integer)
    cash_collected: Mapped[int] = mapped_column(Integer)
    cash_tips: Mapped[int] = mapped_column(Integer)
    card_tips: Mapped[int] = mapped_column(Integer)  # tips paid with the order, paid out in cash now
    mileage_cents: Mapped[int] = mapped_column(Integer)
    owed_to_store: Mapped[int] = mapped_column(Integer)  # negative: the store owes the driver
    approved_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
