"""A new online order, its lines and its payment as plain records: built, answered and
written on the hot path without the ORM (`rows.write` takes their `COLUMNS`).

The views (`OrderView`, `LineView`, `PaymentView`) are what the answer and the feed entry
read: a plain record and an ORM row both fit them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, Protocol


class OrderView(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def store_id(self) -> str: ...
    @property
    def number(self) -> int | None: ...
    @property
    def business_date(self) -> date: ...
    @property
    def channel(self) -> str: ...
    @property
    def service(self) -> str: ...
    @property
    def stage(self) -> str: ...
    @property
    def tracked_status(self) -> str: ...
    @property
    def customer_name(self) -> str: ...
    @property
    def phone(self) -> str: ...
    @property
    def address(self) -> str: ...
    @property
    def lat(self) -> float | None: ...
    @property
    def lon(self) -> float | None: ...
    @property
    def notes(self) -> str: ...
    @property
    def coupon(self) -> str | None: ...
    @property
    def subtotal(self) -> int: ...
    @property
    def discount(self) -> int: ...
    @property
    def tax(self) -> int: ...
    @property
    def tip(self) -> int: ...
    @property
    def total(self) -> int: ...
    @property
    def payment(self) -> str: ...
    @property
    def placed_at(self) -> datetime: ...
    @property
    def promise_at(self) -> datetime | None: ...
    @property
    def scheduled_for(self) -> datetime | None: ...
    @property
    def cancel_state(self) -> str | None: ...


class LineView(Protocol):
    @property
    def line_no(self) -> int: ...
    @property
    def product(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def size(self) -> str: ...
    @property
    def quantity(self) -> int: ...
    @property
    def unit_price(self) -> int: ...
    @property
    def line_total(self) -> int: ...
    @property
    def item(self) -> dict[str, Any]: ...


class PaymentView(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def order_id(self) -> str: ...
    @property
    def method(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def amount(self) -> int: ...
    @property
    def refunded(self) -> int: ...
    @property
    def currency(self) -> str: ...
    @property
    def decline_code(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...


@dataclass(slots=True)
class NewOrder:
    """A new online order; `COLUMNS` are written, the rest keep the table's defaults."""

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "id",
        "store_id",
        "customer_id",
        "business_date",
        "channel",
        "service",
        "stage",
        "tracked_status",
        "customer_name",
        "phone",
        "address",
        "lat",
        "lon",
        "notes",
        "menu_version",
        "coupon",
        "subtotal",
        "discount",
        "tax",
        "tip",
        "total",
        "payment",
        "placed_at",
        "scheduled_for",
        "promise_at",
        "updated_at",
    )

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

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "store_id",
        "order_id",
        "line_no",
        "product",
        "name",
        "size",
        "quantity",
        "unit_price",
        "line_total",
        "item",
    )

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

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "id",
        "store_id",
        "order_id",
        "method",
        "status",
        "amount",
        "refunded",
        "currency",
        "gateway",
        "gateway_ref",
        "idempotency_key",
        "decline_code",
        "message",
        "refund_attempts",
        "next_refund_at",
        "created_at",
        "updated_at",
    )

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
