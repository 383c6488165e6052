"""The wire contract between a store's agent and the cloud, shared by both sides.

Versioned by `PROTOCOL`: a side that receives a newer protocol than it speaks
answers 426 / closes the socket with a message naming both versions.

    store → cloud   POST /api/v1/sync/push        PushBatch  → PushAck
    cloud → store   GET  /api/v1/sync/pull?after=N&limit=M   → PullPage
    heartbeat       POST /api/v1/sync/heartbeat   Heartbeat  → HeartbeatAck
    nudge           WS   /api/v1/sync/ws          Hello first, then a Nudge per feed commit

Every call carries the store's device credential as `Authorization: Bearer …`;
the cloud knows the store from it (a batch naming another store is refused).
Delivery is at-least-once; every apply is idempotent, so any timeout is
"unknown" and the same request is simply sent again.

Feed entries reach the store in the shapes below (`OnlineOrderEntry`,
`CancelRequestEntry`, …): the cloud turns its own records into them at the
pull endpoint, and the store's `feed.apply_entries` reads exactly these keys.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

PROTOCOL = 1
MAX_BATCH = 500  # events per push, unless one store transaction alone is longer
MAX_PAGE = 1000  # feed entries per pull

ORDER_ONLINE = "order.online"
CANCEL_REQUEST = "order.cancel_request"
MENU_VERSION = "menu.version"
STORE_SETTINGS = "store.settings"
INVENTORY_ITEM = "inventory.item"


class Wire(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


def _utc(value: datetime) -> datetime:
    """Naive times on the wire are UTC (both sides store UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class OutboxEvent(Wire):
    """One store event, exactly as the store's outbox holds it."""

    seq: int = Field(ge=1)
    event_id: str = Field(min_length=1, max_length=36)
    txn: str = Field(max_length=36)
    kind: str = Field(min_length=1, max_length=40)
    subject: str = Field(max_length=36)
    payload: dict[str, Any]
    created_at: datetime

    _aware = field_validator("created_at")(_utc)


class PushBatch(Wire):
    """Events in sequence order, never splitting one store transaction."""

    protocol: int = PROTOCOL
    store_id: str
    events: list[OutboxEvent] = Field(max_length=MAX_BATCH * 4)


class PushAck(Wire):
    """`high_water`: the highest sequence number up to which the cloud holds every event."""

    store_id: str
    high_water: int
    stored: int = 0  # events new in this batch (the rest were replays)


class FeedEntry(Wire):
    cursor: int
    kind: str
    payload: dict[str, Any]
    created_at: datetime


class PullPage(Wire):
    store_id: str
    entries: list[FeedEntry]
    high_water: int  # the newest cursor the cloud has for this store
    more: bool = False


class PrinterHealth(Wire):
    name: str
    online: bool
    waiting: int = 0
    last_error: str = ""


class Heartbeat(Wire):
    protocol: int = PROTOCOL
    store_id: str = ""  # empty on a first contact: the credential names the store
    sent_at: datetime
    outbox_backlog: int = Field(default=0, ge=0)
    acked_seq: int = Field(default=0, ge=0)
    feed_cursor: int = Field(default=0, ge=0)
    printers: list[PrinterHealth] = Field(default_factory=list, max_length=50)
    agent_version: str = Field(default="", max_length=40)


class HeartbeatAck(Wire):
    store_id: str
    store_code: str = ""
    high_water: int  # the cloud's high-water mark for this store's events
    feed_high_water: int


class Nudge(Wire):
    type: Literal["feed"] = "feed"
    cursor: int


class Hello(Wire):
    """The first message the cloud sends on the websocket: where both ledgers stand."""

    type: Literal["hello"] = "hello"
    protocol: int = PROTOCOL
    store_id: str = ""
    high_water: int
    feed_high_water: int


# Feed entry payloads, as the store applies them.


class AddressOnWire(Wire):
    line1: str
    line2: str = ""
    city: str = ""
    lat: float | None = None
    lon: float | None = None
    notes: str = ""


class OnlineOrderEntry(Wire):
    """`order.online`: an order to make exactly as the cloud priced it."""

    id: str  # the cloud's order id
    service: Literal["delivery", "carryout"]
    phone: str = ""
    customer_name: str = ""
    address: AddressOnWire | None = None
    items: list[dict[str, Any]]  # `makeline.trade.pricing.ItemRequest` documents
    coupon: str | None = None
    tip: int = 0
    notes: str = ""
    payment: Literal["paid", "due"]
    total: int
    placed_at: datetime


class CancelRequestEntry(Wire):
    """`order.cancel_request`: the customer asks; the store accepts only before the oven."""

    id: str  # the cloud's order id
    reason: str = ""
