"""The menu as applied in this store: one row per version, the current one in tables.

The whole `Menu` document is kept with its version (it is what pricing reads and
what the cloud publishes); products, toppings and sizes are also laid out in
tables so reports and recipes can join on them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from store_db.models.base import Base, Quantity, UTCDateTime


class MenuVersion(Base):
    __tablename__ = "menu_version"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    document: Mapped[dict[str, object]] = mapped_column(JSON)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(20))  # demo, cloud, file


class MenuSize(Base):
    __tablename__ = "menu_size"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    inches: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sort: Mapped[int] = mapped_column(Integer, default=0)


class MenuCategory(Base):
    __tablename__ = "menu_category"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    sort: Mapped[int] = mapped_column(Integer, default=0)


class MenuProduct(Base):
    __tablename__ = "menu_product"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    category: Mapped[str] = mapped_column(ForeignKey("menu_category.code"))
    kind: Mapped[str] = mapped_column(String(20))
    station: Mapped[str] = mapped_column(String(20))
    sort: Mapped[int] = mapped_column(Integer, default=0)


class MenuPrice(Base):
    __tablename__ = "menu_price"

    product: Mapped[str] = mapped_column(ForeignKey("menu_product.code"), primary_key=True)
    size: Mapped[str] = mapped_column(ForeignKey("menu_size.code"), primary_key=True)
    cents: Mapped[int] = mapped_column(Integer)


class MenuTopping(Base):
    __tablename__ = "menu_topping"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20))


class MenuOption(Base):
    """Crusts, sauces and cheeses."""

    __tablename__ = "menu_option"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # crust, sauce, cheese
    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))


class RecipePortion(Base):
    """How much of an inventory item one menu part uses at one size.

    `part` is `product:CODE`, `crust:CODE`, `sauce:CODE`, `cheese:CODE`,
    `topping:CODE` or `box:SIZE`; amounts and halves scale it when used.
    """

    __tablename__ = "recipe_portion"

    part: Mapped[str] = mapped_column(String(50), primary_key=True)
    size: Mapped[str] = mapped_column(String(20), primary_key=True)
    item: Mapped[str] = mapped_column(ForeignKey("inventory_item.code"), primary_key=True)
    qty: Mapped[Decimal] = mapped_column(Quantity)
