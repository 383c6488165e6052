"""Rebuilding a store from the cloud: what a store computer that replaces a dead one asks
for, and the cloud's picture of the store it answers with.

    store → cloud   POST /api/v1/enrollments/restore   RestoreClaim → RestoreGranted
    store → cloud   GET  /api/v1/sync/snapshot         (the new device credential) → StoreSnapshot

The snapshot is built from the cloud's own records of the store: its settings and streets,
its menu, the people it knows work there, customers (from their orders), today's open orders
in their stages, the drivers' open runs, stock on hand, the online orders the store had not
taken yet (their feed entries, applied as the feed would), and where both ledgers stand, so
the restored store's next event and next feed entry follow on from them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from makeline.trade.hours import StoreHours
from makeline.trade.lifecycle import Channel, Service, Stage
from makeline.trade.limits import OrderLimits
from makeline.trade.menu import Menu
from makeline.trade.pricing import PricedItem
from sync.contract.base import Cents, Count, Id, Quantity, Text, UTCTime, Wire
from sync.contract.envelope import FeedEntry

Code = Annotated[str, Field(min_length=4, max_length=20, pattern=r"^[A-Za-z0-9-]+$")]
Short = Annotated[str, Field(max_length=120)]


class RestoreClaim(Wire):
    """A re-enrollment code head office issued for the store, and this computer's label."""

    code: Code
    device_label: Annotated[str, Field(max_length=80)] = ""


class RestoreGranted(Wire):
    """The store the code was issued for and this computer's new device credential (shown
    once); the store's earlier credentials no longer work."""

    store_id: Id
    store_code: Short
    device_id: Id
    device_token: Text
    revoked_device_ids: list[Id] = Field(default_factory=list, max_length=1000)
    message: Text = ""


class SnapshotStore(Wire):
    code: Short
    name: Short
    address: Text = ""
    phone: Short = ""
    timezone: Short
    tax_rate_bp: Annotated[int, Field(ge=0, le=5000)]
    lat: float
    lon: float
    delivery_radius_km: float = 6.0
    day_starts_hour: Annotated[int, Field(ge=0, le=23)] = 4
    order_limits: OrderLimits | None = None
    hours: StoreHours | None = None  # weekly hours and holiday closures; None: never set


class SnapshotStreet(Wire):
    name: Short
    city: Short = ""
    from_number: int
    to_number: int
    lat1: float
    lon1: float
    lat2: float
    lon2: float


class SnapshotPerson(Wire):
    """Someone the cloud knows works at the store: a driver (from runs and shifts) or a store
    manager account. PINs never leave the store, so none travels here."""

    id: Id
    name: Short
    role: Literal["manager", "driver"]


class SnapshotCustomer(Wire):
    """A customer as their latest order with the store left them."""

    phone: Annotated[str, Field(min_length=1, max_length=20)]
    name: Short = ""
    address: Text = ""
    lat: float | None = None
    lon: float | None = None
    last_order_at: UTCTime


class SnapshotOrder(Wire):
    """One of today's open orders, as far as the store told the cloud: its stage stamps and
    its lines as the store priced them. `id` is the store's own id of the order."""

    id: Id
    cloud_order_id: Id | None = None
    number: Count
    business_date: date
    channel: Channel
    service: Service
    stage: Stage
    customer_name: Text = ""
    phone: Short = ""
    address: Text = ""
    lat: float | None = None
    lon: float | None = None
    notes: Text = ""
    menu_version: Count
    coupon: Short | None = None
    subtotal: Cents
    discount: Cents
    tax: Cents
    tip: Cents
    total: Cents
    payment: Literal["due", "paid", "refund_pending", "refunded"]
    promise_at: UTCTime | None = None
    placed_at: UTCTime
    made_at: UTCTime | None = None
    baked_at: UTCTime | None = None
    ready_at: UTCTime | None = None
    out_the_door_at: UTCTime | None = None
    eta_at: UTCTime | None = None
    scheduled_for: UTCTime | None = None  # an order for later
    fired_at: UTCTime | None = None  # when the store sent it to its kitchen
    items: list[PricedItem] = Field(min_length=1, max_length=200)


class SnapshotRun(Wire):
    """A driver out on a run: the orders in stop order."""

    id: Id
    driver_id: Id
    driver_name: Short
    dispatched_at: UTCTime
    order_ids: list[Id] = Field(min_length=1, max_length=100)


class SnapshotStock(Wire):
    """An item and how much of it the store has, in its base unit, with the store's units
    when the cloud has heard them (else the catalog's counting unit)."""

    code: Annotated[str, Field(min_length=1, max_length=30)]
    name: Short
    base_unit: Short
    count_unit: Short
    count_size: Quantity = Field(gt=0)
    purchase_size: Quantity = Field(gt=0)
    cost_cents_per_purchase: Cents = 0
    par: Quantity = Field(default=Decimal(0), ge=0)
    on_hand: Quantity


class StoreSnapshot(Wire):
    store_id: Id
    taken_at: UTCTime
    store: SnapshotStore
    streets: list[SnapshotStreet] = Field(default_factory=list, max_length=5000)
    menu: Menu | None = None
    staff: list[SnapshotPerson] = Field(default_factory=list, max_length=1000)
    customers: list[SnapshotCustomer] = Field(default_factory=list, max_length=100_000)
    orders: list[SnapshotOrder] = Field(default_factory=list, max_length=5000)
    # The last number each recent business day handed out (so numbers are never used twice).
    day_numbers: dict[date, Count] = Field(default_factory=dict, max_length=10)
    runs: list[SnapshotRun] = Field(default_factory=list, max_length=500)
    stock: list[SnapshotStock] = Field(default_factory=list, max_length=5000)
    # Feed entries the restored store applies exactly as its feed would have: head office's
    # `store.settings` changes, and the online orders the store had not taken.
    pending: list[FeedEntry] = Field(default_factory=list, max_length=5000)
    events_high_water: Count  # the store's events the cloud holds, gapless, up to here
    feed_high_water: Count  # the store's feed, up to here
