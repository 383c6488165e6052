"""A new online order, its lines and its payment as plain records: built, answered and
written on the hot path without the ORM (`rows.write` takes their `COLUMNS`).

The views (`OrderView`, `LineView`, `PaymentView`) are what the answer and the feed entry
read: a plain record or an ORM row.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, ClassVar

from cloud_api.models import Order, OrderLine, Payment


@dataclass(slots=True)
class NewOrder:
    """A new online order; `COLUMNS` are written, the rest keep the table's defaults."""

    COLUMNS: ClassVar[tuple[str, ...]]  # set below, from the fields

    id: str
    store_id: str
    customer_id: str | None
    business_date: date
    channel: str
    service: str
    stage: str
    tracked_status: str
    customer_name: str
    phone: str
    address: str
    lat: float | None
    lon: float | None
    notes: str
    menu_version: int
    coupon: str | None
    subtotal: int
    discount: int
    tax: int
    tip: int
    total: int
    payment: str
    placed_at: datetime
    scheduled_for: datetime | None
    promise_at: datetime | None
    updated_at: datetime
    number: int | None = None  # the store numbers it when it takes it
    cancel_state: str | None = None


@dataclass(frozen=True, slots=True)
class NewLine:
    """One line of a new order (every column)."""

    COLUMNS: ClassVar[tuple[str, ...]]  # set below, from the fields

    store_id: str
    order_id: str
    line_no: int
    product: str
    name: str
    size: str
    quantity: int
    unit_price: int
    line_total: int
    item: dict[str, Any]


@dataclass(frozen=True, slots=True)
class NewPayment:
    """A payment being made (every column)."""

    COLUMNS: ClassVar[tuple[str, ...]]  # set below, from the fields

    id: str
    store_id: str
    order_id: str
    method: str
    status: str
    amount: int
    refunded: int
    currency: str
    gateway: str
    gateway_ref: str | None
    idempotency_key: str
    decline_code: str | None
    message: str
    refund_attempts: int
    next_refund_at: datetime | None
    created_at: datetime
    updated_at: datetime


def columns(record: NewOrder | NewLine | NewPayment) -> dict[str, Any]:
    """The record's columns by name, as written."""
    return {c: getattr(record, c) for c in record.COLUMNS}


_UNWRITTEN = ("number", "cancel_state")
NewOrder.COLUMNS = tuple(f.name for f in fields(NewOrder) if f.name not in _UNWRITTEN)
NewLine.COLUMNS = tuple(f.name for f in fields(NewLine))
NewPayment.COLUMNS = tuple(f.name for f in fields(NewPayment))

OrderView = Order | NewOrder
LineView = OrderLine | NewLine
PaymentView = Payment | NewPayment
