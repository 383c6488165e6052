"""Customers, found by phone number, with their saved delivery addresses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store_db.models.base import Base, UTCDateTime, new_id


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    phone: Mapped[str] = mapped_column(String(20), unique=True)  # digits only, normalised
    name: Mapped[str] = mapped_column(String(80))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    addresses: Mapped[list[CustomerAddress]] = relationship(
        back_populates="customer", lazy="raise", order_by="CustomerAddress.last_used_at.desc()"
    )


class CustomerAddress(Base):
    __tablename__ = "customer_address"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customer.id"), index=True)
    line1: Mapped[str] = mapped_column(String(120))
    line2: Mapped[str] = mapped_column(String(120), default="")
    city: Mapped[str] = mapped_column(String(60))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    notes: Mapped[str] = mapped_column(Text, default="")
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime)
    customer: Mapped[Customer] = relationship(back_populates="addresses", lazy="raise")


class Street(Base):
    """One block range of a street, for finding an address's coordinates offline."""

    __tablename__ = "street"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(80), index=True)  # "N Maple Ave", as written
    key: Mapped[str] = mapped_column(String(80), index=True)  # normalised for look-ups
    city: Mapped[str] = mapped_column(String(60))
    from_number: Mapped[int]
    to_number: Mapped[int]
    lat1: Mapped[float] = mapped_column(Float)
    lon1: Mapped[float] = mapped_column(Float)
    lat2: Mapped[float] = mapped_column(Float)
    lon2: Mapped[float] = mapped_column(Float)
