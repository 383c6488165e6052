"""The chain's item catalog, each store's stock as sync reports it, stock movements and the
orders' ideal usage.

A store's quantities are kept exactly as it sends them: base units (oz, each),
exact decimals. Each store's row of an item carries that store's units and
cost, so figures in counting units and money come out as the store's own.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    String,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from cloud_api.db.base import Base

QTY = Numeric(14, 4)
EXACT = Numeric()  # no scale: half a light topping on a half is 0.28125 oz, kept to the last digit


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
    """One store's stock of an item: on hand and last count in base units, with the store's
    units (base units per counting and per purchase unit) and its latest cost."""

    __tablename__ = "store_stock"
    __table_args__ = (PrimaryKeyConstraint("store_id", "code"),)

    store_id: Mapped[str] = mapped_column(ForeignKey("store.id"))
    code: Mapped[str] = mapped_column(ForeignKey("inventory_item.code"))
    on_hand: Mapped[Decimal] = mapped_column(EXACT, default=Decimal(0))
    cost_cents: Mapped[int | None] = mapped_column(Integer, nullable=True)  # per counting unit
    last_count: Mapped[Decimal | None] = mapped_column(EXACT, nullable=True)
    last_count_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    base_unit: Mapped[str] = mapped_column(String(10), default="")
    count_unit: Mapped[str] = mapped_column(String(10), default="")
    count_size: Mapped[Decimal] = mapped_column(EXACT, default=Decimal(1))
    purchase_size: Mapped[Decimal] = mapped_column(EXACT, default=Decimal(1))
    cost_cents_per_purchase: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The store's sequence number of the event the units and cost came from: an older
    # event applied late never overwrites a newer cost.
    priced_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class StockMovement(Base):
    """count (on the shelf at the count's moment), received and waste; quantities in the
    store's base units, `cost_cents` what the store said the line was worth. The orders' ideal
    usage, a dozen lines an order, is a row an order in `stock_usage` (`IdealUsage`).

    A ledger of a row per line of every stock event, with no foreign keys (0025): its store
    and item are checked where it is written (the store's own events; only items the catalog
    has, `inventory.repository.known_codes`), not by a trigger a row."""

    __tablename__ = "stock_movement"
    __table_args__ = (
        # Sharded by store; the reports read by (store, item, moment): one index, not two (0023).
        PrimaryKeyConstraint("store_id", "code", "at", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, autoincrement=True)
    store_id: Mapped[str] = mapped_column(String(36))
    code: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(10))
    quantity: Mapped[Decimal] = mapped_column(EXACT)
    cost_cents: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reference: Mapped[str] = mapped_column(String(60), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IdealUsage(Base):
    """An order's ideal usage (from the recipes) as its store sent it (`stock.usage`): made,
    or its negation at a void after it was made. One row for the order's lines, as arrays in
    step: code, quantity in the store's base units, what the store said the line was worth
    (a null where it did not say). An order is about a dozen lines: a row a line was a quarter
    of the WAL an evening's events wrote, and the chain's largest table (0029).

    Read by the store and a range of moments, unnested (`inventory.ledger`)."""

    __tablename__ = "stock_usage"
    __table_args__ = (PrimaryKeyConstraint("store_id", "at", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, autoincrement=True)
    store_id: Mapped[str] = mapped_column(String(36))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reference: Mapped[str] = mapped_column(String(60), default="")
    codes: Mapped[list[str]] = mapped_column(ARRAY(String(30)))
    quantities: Mapped[list[Decimal]] = mapped_column(ARRAY(EXACT))
    costs: Mapped[list[int | None]] = mapped_column(ARRAY(Integer))


class UnknownStockItem(Base):
    """An item a store reported (in a count, receipt, waste or usage) that the chain's
    catalog does not have. It is kept aside for head office, who adds it to the catalog
    or not; the store's report never adds it by itself."""

    __tablename__ = "unknown_stock_item"
    __table_args__ = (PrimaryKeyConstraint("store_id", "code"),)

    store_id: Mapped[str] = mapped_column(ForeignKey("store.id"))
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(80))
    unit: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20))  # the latest event it came in
    reference: Mapped[str] = mapped_column(String(60))
    quantity: Mapped[Decimal] = mapped_column(EXACT)  # the latest line's, in the store's base unit
    times: Mapped[int] = mapped_column(Integer)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
