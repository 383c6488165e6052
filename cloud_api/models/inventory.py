"""The chain's item catalog, each store's stock as sync reports it, and stock movements."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from cloud_api.db.base import Base

QTY = Numeric(14, 4)


class InventoryItem(Base):
    """An item chain-wide. Quantities are in its counting unit; cost is per counting unit."""

    __tablename__ = "inventory_item"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    unit: Mapped[str] = mapped_column(String(10))
    cost_cents: Mapped[int] = mapped_column(Integer, default=0)
    par: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    discontinued: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StoreStock(Base):
    __tablename__ = "store_stock"
    __table_args__ = (PrimaryKeyConstraint("store_id", "code"),)

    store_id: Mapped[str] = mapped_column(ForeignKey("store.id"))
    code: Mapped[str] = mapped_column(ForeignKey("inventory_item.code"))
    on_hand: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    cost_cents: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the store's own
    last_count: Mapped[Decimal | None] = mapped_column(QTY, nullable=True)
    last_count_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StockMovement(Base):
    """count (what was on the shelf), received, waste, usage (ideal, from recipes)."""

    __tablename__ = "stock_movement"
    __table_args__ = (Index("ix_stock_movement_store_at", "store_id", "code", "at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("store.id"))
    code: Mapped[str] = mapped_column(ForeignKey("inventory_item.code"))
    kind: Mapped[str] = mapped_column(String(10))
    quantity: Mapped[Decimal] = mapped_column(QTY)
    cost_cents: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reference: Mapped[str] = mapped_column(String(60), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
