"""Stores, the streets they deliver to, their enrollment codes and device credentials."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from cloud_api.db.base import Base, new_id


class Store(Base):
    __tablename__ = "store"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    timezone: Mapped[str] = mapped_column(String(64))
    tax_rate_bp: Mapped[int] = mapped_column(Integer)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    delivery_radius_km: Mapped[float] = mapped_column(Float, default=6.0)
    day_starts_hour: Mapped[int] = mapped_column(Integer, default=4)
    # Promotions are texted only between these local hours.
    daytime_from_hour: Mapped[int] = mapped_column(Integer, default=9)
    daytime_to_hour: Mapped[int] = mapped_column(Integer, default=21)
    # The store's `OrderLimits`, whole; None: the chain's defaults.
    order_limits: Mapped[dict[str, int] | None] = mapped_column(JSONB, nullable=True)
    # An order on the store's heat rack this long goes out first (dispatch planner, board, quote).
    rack_cap_s: Mapped[int] = mapped_column(Integer, default=1800)
    # The store's `StoreHours` (weekly hours, holiday closures), whole; None: open around the clock.
    hours: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    # Speed-of-service targets in seconds (`reports.speed.targets`); None: the store's defaults.
    make_target_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    oven_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rack_target_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    out_the_door_target_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    delivery_target_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    menu_version: Mapped[int | None] = mapped_column(ForeignKey("menu_version.version"), nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The kitchen's load and online ordering's throttle from the latest heartbeat
    # (`sync.contract.LiveLoad`): online quotes use it while it is fresh.
    live_load: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    live_load_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StreetBlock(Base):
    """A numbered range of one street, so an address finds its coordinates."""

    __tablename__ = "street_block"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("store.id"), index=True)
    key: Mapped[str] = mapped_column(String(120), index=True)
    name: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(80), default="")
    from_number: Mapped[int] = mapped_column(Integer)
    to_number: Mapped[int] = mapped_column(Integer)
    lat1: Mapped[float] = mapped_column(Float)
    lon1: Mapped[float] = mapped_column(Float)
    lat2: Mapped[float] = mapped_column(Float)
    lon2: Mapped[float] = mapped_column(Float)


class Enrollment(Base):
    """A one-use code head office hands to a store to connect it."""

    __tablename__ = "enrollment"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    created_by: Mapped[str] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The store it enrolled (set when claimed).
    store_id: Mapped[str | None] = mapped_column(ForeignKey("store.id"), nullable=True)
    # Set when head office issues the code to re-enroll this one existing store; a code
    # without it may only create a new store.
    for_store_id: Mapped[str | None] = mapped_column(ForeignKey("store.id"), nullable=True)


class Device(Base):
    """A store computer's credential: bound to one store, hashed here, revocable."""

    __tablename__ = "device"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    store_id: Mapped[str] = mapped_column(ForeignKey("store.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CloudSecret(Base):
    """Secrets every worker must share (the token signing key when none is configured)."""

    __tablename__ = "cloud_secret"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
