"""Inventory items, the units they are bought and counted in, and stock movements."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from store_db.models.base import Base, Quantity


class InventoryItem(Base):
    __tablename__ = "inventory_item"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    storage_area: Mapped[str] = mapped_column(String(20))  # walk_in, freezer, dry
    shelf_order: Mapped[int] = mapped_column(Integer, default=0)
    base_unit: Mapped[str] = mapped_column(String(10))  # oz, each, fl_oz
    count_unit: Mapped[str] = mapped_column(String(10))
    purchase_unit: Mapped[str] = mapped_column(String(10))
    cost_cents_per_purchase: Mapped[int] = mapped_column(Integer)
    par: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))  # in count units
    daily: Mapped[bool] = mapped_column(default=False)  # on the daily short count
    active: Mapped[bool] = mapped_column(default=True)


class ItemUnit(Base):
    """How many base units one of `unit` holds for this item (a case = 480 oz)."""

    __tablename__ = "item_unit"

    item: Mapped[str] = mapped_column(ForeignKey("inventory_item.code"), primary_key=True)
    unit: Mapped[str] = mapped_column(String(10), primary_key=True)
    base_qty: Mapped[Decimal] = mapped_column(Quantity)
