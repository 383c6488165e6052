"""The store itself, its staff, and the audit log of who did what."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store_db.models.base import Base, UTCDateTime, new_id


class Store(Base):
    """One row: this store's identity and the settings its rules read."""

    __tablename__ = "store"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64))
    tax_rate_bp: Mapped[int] = mapped_column(Integer)  # basis points: 825 = 8.25 %
    address: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    delivery_radius_km: Mapped[float] = mapped_column(Float, default=6.0)
    day_starts_hour: Mapped[int] = mapped_column(Integer, default=4)  # business day boundary
    make_target_s: Mapped[int] = mapped_column(Integer, default=60)
    make_late_s: Mapped[int] = mapped_column(Integer, default=120)
    oven_s: Mapped[int] = mapped_column(Integer, default=360)
    rack_target_s: Mapped[int] = mapped_column(Integer, default=300)
    # An order on the heat rack this long goes out first (the planner, the dispatch board's red
    # line, the quote); head office or the manager sets it with the store's settings.
    rack_cap_s: Mapped[int] = mapped_column(Integer, default=1800)
    hot_bag_capacity: Mapped[int] = mapped_column(Integer, default=3)
    avg_speed_kmh: Mapped[float] = mapped_column(Float, default=30.0)
    road_factor: Mapped[float] = mapped_column(Float, default=1.35)
    mileage_cents_per_km: Mapped[int] = mapped_column(Integer, default=25)
    # A sides screen makes wings and bread; without one they are bagged at the cut table.
    sides_station: Mapped[bool] = mapped_column(default=False)
    # A quality check at the cut table: boxed pizzas wait for a pass before the rack.
    quality_check: Mapped[bool] = mapped_column(default=False)
    menu_version: Mapped[int] = mapped_column(Integer, default=0)
    # The store's `OrderLimits` as head office set them; None: the chain's defaults.
    order_limits: Mapped[dict[str, int] | None] = mapped_column(JSON, nullable=True)
    # The store's `StoreHours` (weekly hours and holiday closures); None: open around the clock.
    hours: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    oven_belt_pizzas: Mapped[int] = mapped_column(Integer, default=8)  # pizzas the belt holds at once
    # Online ordering's throttle (makeline.trade.throttle): the level the load called for at the
    # last review, since when, the usual delivery quote then, and a manager's hold.
    throttle_busy_min: Mapped[int] = mapped_column(Integer, default=45)
    throttle_pause_min: Mapped[int] = mapped_column(Integer, default=75)
    throttle_level: Mapped[str] = mapped_column(String(10), default="open")
    throttle_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    throttle_minutes: Mapped[int] = mapped_column(Integer, default=0)
    throttle_override: Mapped[str | None] = mapped_column(String(10), nullable=True)
    throttle_override_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(20))  # crew, shift_lead, manager, driver
    pin_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    failed_pins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    phone: Mapped[str] = mapped_column(String(20), default="")


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")


class Shift(Base):
    """A staff member's clock-in to clock-out; drivers' shifts end with a cash-out."""

    __tablename__ = "shift"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), index=True)
    clock_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    clock_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    out_on_run: Mapped[bool] = mapped_column(default=False)  # a driver away on a delivery run
    starting_bank: Mapped[int] = mapped_column(Integer, default=0)  # change handed to a driver
