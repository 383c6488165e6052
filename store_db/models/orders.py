"""Orders, their lines and tenders, and the kitchen tickets per station."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store_db.models.base import Base, UTCDateTime, new_id


class DayCounter(Base):
    """The last order number handed out on each business day."""

    __tablename__ = "day_counter"

    business_date: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("business_date", "number", name="uq_orders_day_number"),
        Index("ix_orders_stage_placed", "stage", "placed_at"),
        # Only the orders with a customer, and the orders for later still waiting to fire: an
        # order without them is not written into these (migration 0017).
        Index("ix_orders_customer_id", "customer_id", sqlite_where=text("customer_id IS NOT NULL")),
        Index(
            "ix_orders_held",
            "scheduled_for",
            sqlite_where=text("scheduled_for IS NOT NULL AND fired_at IS NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    business_date: Mapped[date] = mapped_column(Date)  # looked up by uq_orders_day_number
    number: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(10))
    service: Mapped[str] = mapped_column(String(10))
    stage: Mapped[str] = mapped_column(String(14))
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customer.id"), nullable=True)
    customer_name: Mapped[str] = mapped_column(String(80), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(250), default="")
    address_note: Mapped[str] = mapped_column(Text, default="")  # "side door, ring twice"
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
    payment: Mapped[str] = mapped_column(String(20), default="due")  # due, paid, refunded
    promise_at: Mapped[datetime] = mapped_column(UTCDateTime)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    made_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    baked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The pizzas were cut and boxed; the order is ready once its other stations are done too.
    boxed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    picked_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    out_the_door_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    void_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    void_approved_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    taken_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    # The manager who let this order go over the store's order limits.
    limits_approved_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    cloud_order_id: Mapped[str | None] = mapped_column(String(36), nullable=True, unique=True)
    # An order for later: held (no kitchen ticket yet) until it fires at `fired_at`.
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # An online order: when it reached this store (applied from the feed; `placed_at` is the
    # customer's time) and when it was first seen on a make-line screen (None: not yet).
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The cut table's quality check (stores that check): passed when and by whom; how many times
    # a pizza was sent back to be remade, and when the last remake left the make line.
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    checked_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    remakes: Mapped[int] = mapped_column(Integer, default=0)
    remade_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Bumps taken back on the oven and rack screens (the make line's are on its tickets).
    recalls: Mapped[int] = mapped_column(Integer, default=0)

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", lazy="raise", order_by="OrderLine.line_no"
    )
    tenders: Mapped[list[Tender]] = relationship(lazy="raise", order_by="Tender.created_at")
    tickets: Mapped[list[KitchenTicket]] = relationship(lazy="raise", viewonly=False)

    @property
    def label(self) -> str:
        return f"#{self.number}"


# The rows an order writes by the handful, each in its id's own b-tree (migration 0018).
WITHOUT_ROWID = {"sqlite_with_rowid": False}


class OrderLine(Base):
    __tablename__ = "order_line"
    __table_args__ = WITHOUT_ROWID

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    product: Mapped[str] = mapped_column(String(30))  # no index: nothing looks lines up by product
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(10))
    station: Mapped[str] = mapped_column(String(10))
    size: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(Integer)
    line_total: Mapped[int] = mapped_column(Integer)
    item: Mapped[dict[str, object]] = mapped_column(JSON)  # the priced item, whole
    order: Mapped[Order] = relationship(back_populates="lines", lazy="raise")


class Tender(Base):
    """How an order is paid. Kept by its order (`PRIMARY KEY (order_id, id)`, migration 0020):
    an order's tenders are read by the order, never by their own id, so no second b-tree by
    order is written beside them."""

    __tablename__ = "tender"
    __table_args__ = (PrimaryKeyConstraint("order_id", "id", name="pk_tender"), WITHOUT_ROWID)

    id: Mapped[str] = mapped_column(String(36), default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    kind: Mapped[str] = mapped_column(String(20))  # cash, card, online, pay_at_door
    amount: Mapped[int] = mapped_column(Integer)
    tendered: Mapped[int] = mapped_column(Integer, default=0)  # cash handed over
    change: Mapped[int] = mapped_column(Integer, default=0)
    reference: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class KitchenTicket(Base):
    """What one station must make for one order; bumped when that station is done."""

    __tablename__ = "kitchen_ticket"
    __table_args__ = (Index("ix_kitchen_ticket_open", "station", "bumped_at", "created_at"), WITHOUT_ROWID)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    station: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    bumped_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    suspicious: Mapped[bool] = mapped_column(default=False)
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    # Who read the ticket's allergy and care flags before bumping it, and when (flagged tickets only).
    care_ack_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    care_ack_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Back on the make line from the cut table's quality check: why it must be made again.
    remake_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
