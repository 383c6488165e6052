"""Orders of every store and channel: online orders born here, store orders fed by sync.

An online order keeps the id it was born with here; when its store takes it, the
store's own id is kept in `store_order_id`. Store-born orders use the store's id.

Keyed by store (`cloud_api.db.distribution`): an order is `(store_id, id)`, and its lines
refer to it by both.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from cloud_api.db.base import Base, new_id


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        PrimaryKeyConstraint("store_id", "id"),
        # The store's own id of an online order it took (a store-born order's own id).
        UniqueConstraint("store_id", "store_order_id", name="uq_orders_store_order_id"),
        Index("ix_orders_store_day", "store_id", "business_date"),
        # A customer's orders, and a store's made between two moments: an order taken at the
        # counter or on the phone has no customer, and none is made when placed; such an
        # entry is never sought, so none is kept (0030).
        Index(
            "ix_orders_customer_placed",
            "customer_id",
            "placed_at",
            postgresql_where=text("customer_id IS NOT NULL"),
        ),
        Index("ix_orders_store_made", "store_id", "made_at", postgresql_where=text("made_at IS NOT NULL")),
        # A tracker link, a customer's own order and a payment name the order by its id
        # alone (`orders.repository.order_by_id`): without this, a scan of every order (0026).
        Index("ix_orders_id", "id"),
        # A store's newest orders: the promises an online order is quoted from, the console's
        # list; without it, every order the store ever took read and sorted (0027).
        Index("ix_orders_store_placed", "store_id", "placed_at"),
    )

    store_id: Mapped[str] = mapped_column(ForeignKey("store.id"))
    id: Mapped[str] = mapped_column(String(36), default=new_id)
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    store_order_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    business_date: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(10))
    service: Mapped[str] = mapped_column(String(10))
    stage: Mapped[str] = mapped_column(String(14))
    tracked_status: Mapped[str] = mapped_column(String(20))
    customer_name: Mapped[str] = mapped_column(String(80), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(250), default="")
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    menu_version: Mapped[int] = mapped_column(Integer)
    coupon: Mapped[str | None] = mapped_column(String(30), nullable=True)
    subtotal: Mapped[int] = mapped_column(Integer)
    discount: Mapped[int] = mapped_column(Integer)
    tax: Mapped[int] = mapped_column(Integer)
    tip: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    payment: Mapped[str] = mapped_column(String(20))  # due, paid, refund_pending, refunded
    promise_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    placed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # An order for later: made to be ready (or at the door) then; None: as soon as possible.
    scheduled_for: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    fired_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )  # to the kitchen
    in_store_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    made_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    baked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ready_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    picked_up_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    out_the_door_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The store's honest-timer flags (`makeline.trade.integrity`), as its events carried them.
    flagged_early_bump: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    flagged_quick_delivery: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    flagged_repeated_recall: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    void_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    cancel_state: Mapped[str | None] = mapped_column(String(10), nullable=True)  # requested, ...
    cancel_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    run_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    driver_name: Mapped[str | None] = mapped_column(String(80), nullable=True)
    # When the store's dispatch plan has the driver at this door (its run's planned stop).
    eta_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def of_order() -> ForeignKeyConstraint:
    """A record of an order (its line, payment, contact, email) refers to it by its key."""
    return ForeignKeyConstraint(["store_id", "order_id"], ["orders.store_id", "orders.id"])


class OrderLine(Base):
    __tablename__ = "order_line"
    __table_args__ = (
        PrimaryKeyConstraint("store_id", "order_id", "line_no"),
        of_order(),
    )

    store_id: Mapped[str] = mapped_column(String(36))
    order_id: Mapped[str] = mapped_column(String(36))
    line_no: Mapped[int] = mapped_column(Integer)
    product: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(80))
    size: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(Integer)
    line_total: Mapped[int] = mapped_column(Integer)
    item: Mapped[dict[str, Any]] = mapped_column(JSONB)


class IdempotencyRecord(Base):
    """The first answer to a keyed request, replayed to every retry with the same key: the
    caller's own (`owner` is the account), kept with the account's records, not a store's."""

    __tablename__ = "idempotency_record"
    __table_args__ = (PrimaryKeyConstraint("owner", "key"),)

    owner: Mapped[str] = mapped_column(String(60))
    key: Mapped[str] = mapped_column(String(100))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
