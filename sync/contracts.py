"""The wire contract between a store's agent and the cloud, shared by both sides.

Versioned by `PROTOCOL`: a side that receives a newer protocol than it speaks
answers 426 / closes the socket with a message naming both versions.

    store → cloud   POST /api/v1/sync/push   PushBatch   → PushAck
    cloud → store   GET  /api/v1/sync/pull?after=N&limit=M → PullPage
    heartbeat       POST /api/v1/sync/heartbeat Heartbeat → HeartbeatAck
    nudge           WS   /api/v1/sync/ws     server sends Nudge when a feed entry commits

Every call carries the store's device credential as `Authorization: Bearer …`.
Delivery is at-least-once; every apply is idempotent, so any timeout is
"unknown" and the same request is simply sent again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PROTOCOL = 1
MAX_BATCH = 500


class Wire(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class OutboxEvent(Wire):
    """One store event, exactly as the store's outbox holds it."""

    seq: int = Field(ge=1)
    event_id: str
    txn: str
    kind: str
    subject: str
    payload: dict[str, Any]
    created_at: datetime


class PushBatch(Wire):
    """Events in sequence order, never splitting one store transaction."""

    protocol: int = PROTOCOL
    store_id: str
    events: list[OutboxEvent] = Field(max_length=MAX_BATCH * 4)


class PushAck(Wire):
    """`high_water`: the highest sequence number below which the cloud holds every event."""

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
    store_id: str
    sent_at: datetime
    outbox_backlog: int = 0
    acked_seq: int = 0
    feed_cursor: int = 0
    printers: list[PrinterHealth] = Field(default_factory=list)
    agent_version: str = ""


class HeartbeatAck(Wire):
    store_id: str
    high_water: int  # the cloud's high-water mark for this store's events
    feed_high_water: int


class Nudge(Wire):
    type: Literal["feed"] = "feed"
    cursor: int


class Hello(Wire):
    """The first message the cloud sends on the websocket: where both ledgers stand."""

    type: Literal["hello"] = "hello"
    protocol: int = PROTOCOL
    high_water: int
    feed_high_water: int
