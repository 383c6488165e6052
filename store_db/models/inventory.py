"""Stock movements: counts with their lines, supplier receipts, waste, and ideal usage.

Every quantity here is a `Decimal` in the item's base unit (oz, each, fl_oz)
unless a column says otherwise; money is integer cents.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store_db.models.base import Base, Quantity, UTCDateTime, new_id


class StockCount(Base):
    """One count of the shelves. Its moment is `started_at`: the figures are stock at that instant."""

    __tablename__ = "stock_count"
    __table_args__ = (Index("ix_stock_count_state_started", "state", "started_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(10))  # daily, full
    state: Mapped[str] = mapped_column(String(10))  # open, paused, finalised
    source: Mapped[str] = mapped_column(String(10), default="screen")  # screen, csv
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    area: Mapped[str | None] = mapped_column(String(20), nullable=True)  # the area being counted
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finalised_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)


class StockCountLine(Base):
    """One item on a count: what the shelf held when counted, and that rolled back to the moment."""

    __tablename__ = "stock_count_line"

    count_id: Mapped[str] = mapped_column(ForeignKey("stock_count.id"), primary_key=True)
    item: Mapped[str] = mapped_column(ForeignKey("inventory_item.code"), primary_key=True, index=True)
    storage_area: Mapped[str] = mapped_column(String(20))
    shelf_order: Mapped[int] = mapped_column(Integer)
    expected: Mapped[Decimal] = mapped_column(Quantity)  # on hand by the books at the moment
    counted: Mapped[Decimal | None] = mapped_column(Quantity, nullable=True)  # on the shelf
    entry: Mapped[str] = mapped_column(String(120), default="")  # as typed: "2 case + 3 bag"
    counted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    counted_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    on_hand: Mapped[Decimal | None] = mapped_column(Quantity, nullable=True)  # at the moment


class StockReceipt(Base):
    """A supplier delivery received against its invoice."""

    __tablename__ = "stock_receipt"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    supplier: Mapped[str] = mapped_column(String(80))
    invoice: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    received_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    total_cents: Mapped[int] = mapped_column(Integer)


class StockReceiptLine(Base):
    __tablename__ = "stock_receipt_line"

    receipt_id: Mapped[str] = mapped_column(ForeignKey("stock_receipt.id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    item: Mapped[str] = mapped_column(ForeignKey("inventory_item.code"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)  # as invoiced, in `unit`
    unit: Mapped[str] = mapped_column(String(10))
    qty: Mapped[Decimal] = mapped_column(Quantity)  # base units
    cost_cents: Mapped[int] = mapped_column(Integer)  # the line's total on the invoice


class WasteEntry(Base):
    """Something thrown away: an item (expired dough) or a whole pizza (dropped, remade)."""

    __tablename__ = "waste_entry"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)  # None: cloud
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"), nullable=True, index=True)
    order_line_id: Mapped[str | None] = mapped_column(ForeignKey("order_line.id"), nullable=True)
    description: Mapped[str] = mapped_column(String(120))
    cost_cents: Mapped[int] = mapped_column(Integer)


class WasteLine(Base):
    __tablename__ = "waste_line"

    entry_id: Mapped[str] = mapped_column(ForeignKey("waste_entry.id"), primary_key=True)
    item: Mapped[str] = mapped_column(ForeignKey("inventory_item.code"), primary_key=True, index=True)
    qty: Mapped[Decimal] = mapped_column(Quantity)
    cost_cents: Mapped[int] = mapped_column(Integer)


class UsageRecord(Base):
    """Ideal usage of one item by one order, from its recipes, at the moment it was made.

    A void after the order was made writes the same quantities negated (`kind`
    `void`) at the void's moment: those ingredients become waste, not sales.
    """

    __tablename__ = "usage_record"
    # Covering index: the variance report reads (at range) → item, qty without touching the table.
    __table_args__ = (Index("ix_usage_record_at_item_qty", "at", "item", "qty"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    item: Mapped[str] = mapped_column(ForeignKey("inventory_item.code"))
    qty: Mapped[Decimal] = mapped_column(Quantity)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(10), default="made")  # made, void
