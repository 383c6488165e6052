"""The reports' aggregates, kept by `cloud_api.reports.refresh` as events arrive: per store
and business day (and hour for sales), so a report over the chain reads a few rows per
store-day instead of every order. Each row is what the raw orders, runs, shifts and stock
movements of its store-day add up to; `tests/cloud/test_report_aggregates.py` proves it.

Seconds are exact sums of timestamp differences (numeric), beside how many orders had both
stamps, so averages are exact. Quantities are base units, like `stock_movement`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Date, DateTime, Index, Integer, Numeric, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from cloud_api.db.base import Base

EXACT = Numeric()
# What the chain's sales page reads of each row, carried in the indexes by day.
SALES_PAGE = (
    "store_id",
    "hour",
    "channel",
    "service",
    "orders",
    "gross_cents",
    "discount_cents",
    "tax_cents",
    "tip_cents",
    "total_cents",
    "voided_orders",
    "voided_cents",
)
PRODUCT_MIX = ("product", "name", "size", "quantity", "sales_cents")
SEGMENT_SUMS = ("code", "opened_at", "opening", "closing", "received", "waste", "usage")


class SalesHour(Base):
    """Orders of one store, business day, local hour placed, channel and service.

    Sales figures count orders not voided; voids and refunds are counted apart. The
    speed-of-service sums (make from the order's start: in store, else placed; oven, rack,
    out the door, delivery), on-time counts and the store's honest-timer flags are over
    orders not voided."""

    __tablename__ = "report_sales_hour"
    # By store for a store's pages; by day for the chain's (every store's week), covering the
    # sales page's columns so the chain's week is read from the index alone.
    __table_args__ = (
        PrimaryKeyConstraint("store_id", "business_date", "hour", "channel", "service"),
        Index("ix_report_sales_hour_day", "business_date", postgresql_include=list(SALES_PAGE)),
    )

    store_id: Mapped[str] = mapped_column(String(36))
    business_date: Mapped[date] = mapped_column(Date)
    hour: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(10))
    service: Mapped[str] = mapped_column(String(10))
    orders: Mapped[int] = mapped_column(BigInteger)
    gross_cents: Mapped[int] = mapped_column(BigInteger)
    discount_cents: Mapped[int] = mapped_column(BigInteger)
    tax_cents: Mapped[int] = mapped_column(BigInteger)
    tip_cents: Mapped[int] = mapped_column(BigInteger)
    total_cents: Mapped[int] = mapped_column(BigInteger)
    voided_orders: Mapped[int] = mapped_column(BigInteger)
    voided_cents: Mapped[int] = mapped_column(BigInteger)
    refunded_orders: Mapped[int] = mapped_column(BigInteger)
    refunded_cents: Mapped[int] = mapped_column(BigInteger)
    delivered: Mapped[int] = mapped_column(BigInteger)
    make_s: Mapped[Decimal] = mapped_column(EXACT)
    make_n: Mapped[int] = mapped_column(BigInteger)
    oven_s: Mapped[Decimal] = mapped_column(EXACT)
    oven_n: Mapped[int] = mapped_column(BigInteger)
    rack_s: Mapped[Decimal] = mapped_column(EXACT)
    rack_n: Mapped[int] = mapped_column(BigInteger)
    out_the_door_s: Mapped[Decimal] = mapped_column(EXACT)
    out_the_door_n: Mapped[int] = mapped_column(BigInteger)
    delivery_s: Mapped[Decimal] = mapped_column(EXACT)
    delivery_n: Mapped[int] = mapped_column(BigInteger)
    on_time: Mapped[int] = mapped_column(BigInteger)
    promised: Mapped[int] = mapped_column(BigInteger)
    early_bumps: Mapped[int] = mapped_column(BigInteger, server_default="0")
    quick_deliveries: Mapped[int] = mapped_column(BigInteger, server_default="0")
    repeated_recalls: Mapped[int] = mapped_column(BigInteger, server_default="0")
    flagged: Mapped[int] = mapped_column(BigInteger, server_default="0")  # orders with any flag


class ProductDay(Base):
    """Product mix: what one store sold of each product and size on a business day."""

    __tablename__ = "report_product_day"
    __table_args__ = (
        PrimaryKeyConstraint("store_id", "business_date", "product", "name", "size"),
        Index("ix_report_product_day_day", "business_date", postgresql_include=list(PRODUCT_MIX)),
    )

    store_id: Mapped[str] = mapped_column(String(36))
    business_date: Mapped[date] = mapped_column(Date)
    product: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(80))
    size: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(BigInteger)
    sales_cents: Mapped[int] = mapped_column(BigInteger)


class CouponDay(Base):
    __tablename__ = "report_coupon_day"
    __table_args__ = (
        PrimaryKeyConstraint("store_id", "business_date", "coupon"),
        Index("ix_report_coupon_day_day", "business_date"),
    )

    store_id: Mapped[str] = mapped_column(String(36))
    business_date: Mapped[date] = mapped_column(Date)
    coupon: Mapped[str] = mapped_column(String(30))
    orders: Mapped[int] = mapped_column(BigInteger)
    discount_cents: Mapped[int] = mapped_column(BigInteger)


class DriverDay(Base):
    """One driver of one store on a business day: their delivery orders (by the orders'
    business day), runs (by the day they were dispatched) and seconds on the clock (by the
    day the shift began), each by the raw report's own rule."""

    __tablename__ = "report_driver_day"
    __table_args__ = (
        PrimaryKeyConstraint("store_id", "business_date", "driver"),
        Index("ix_report_driver_day_day", "business_date"),
    )

    store_id: Mapped[str] = mapped_column(String(36))
    business_date: Mapped[date] = mapped_column(Date)
    driver: Mapped[str] = mapped_column(String(80))
    orders: Mapped[int] = mapped_column(BigInteger)
    delivered: Mapped[int] = mapped_column(BigInteger)
    out_the_door_s: Mapped[Decimal] = mapped_column(EXACT)
    out_the_door_n: Mapped[int] = mapped_column(BigInteger)
    delivery_s: Mapped[Decimal] = mapped_column(EXACT)
    delivery_n: Mapped[int] = mapped_column(BigInteger)
    on_time: Mapped[int] = mapped_column(BigInteger)
    promised: Mapped[int] = mapped_column(BigInteger)
    runs: Mapped[int] = mapped_column(BigInteger)
    shift_s: Mapped[Decimal] = mapped_column(EXACT)
    # Seconds out on the runs dispatched that day and back in the store (honest driver-hours).
    run_s: Mapped[Decimal] = mapped_column(EXACT, server_default="0")


class StockSegment(Base):
    """One item of one store from one count to the next: the opening and closing counts (the
    last one written at each moment) and what was received, wasted and used (ideal, from recipes)
    after the previous count up to this one. A period's variance adds up its segments."""

    __tablename__ = "report_stock_segment"
    # By moment first: a period of every item of a store is one range of the key; the chain's
    # league table sums that range from the index alone.
    __table_args__ = (
        PrimaryKeyConstraint("store_id", "closed_at", "code"),
        Index("ix_report_stock_segment_sums", "store_id", "closed_at", postgresql_include=list(SEGMENT_SUMS)),
    )

    store_id: Mapped[str] = mapped_column(String(36))
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    code: Mapped[str] = mapped_column(String(30))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    opening: Mapped[Decimal | None] = mapped_column(EXACT, nullable=True)  # the previous count's
    closing: Mapped[Decimal] = mapped_column(EXACT)
    received: Mapped[Decimal] = mapped_column(EXACT)
    waste: Mapped[Decimal] = mapped_column(EXACT)
    usage: Mapped[Decimal] = mapped_column(EXACT)


class CountSales(Base):
    """Net sales of one store's orders made after its previous count moment (of any item) up
    to this one, not voided: the sales a variance period between two counts is set against."""

    __tablename__ = "report_count_sales"
    __table_args__ = (PrimaryKeyConstraint("store_id", "counted_at"),)

    store_id: Mapped[str] = mapped_column(String(36))
    counted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    net_sales_cents: Mapped[int] = mapped_column(BigInteger)


class DueDay(Base):
    """A store's business day whose aggregates are behind its records: its events were applied
    in a chunk with more of the store's backlog waiting behind it, and the day is recomputed
    once, with the chunk that empties the backlog (`reports.refresh`), not at every chunk.
    Written in the applying transaction, so a crash loses neither the events nor the note."""

    __tablename__ = "report_due_day"
    __table_args__ = (PrimaryKeyConstraint("store_id", "business_date"),)

    store_id: Mapped[str] = mapped_column(String(36))
    business_date: Mapped[date] = mapped_column(Date)
