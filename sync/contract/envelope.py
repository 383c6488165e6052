"""The envelopes: how events and feed entries travel, and what each side says on connect.

    store → cloud   POST /api/v1/sync/push        PushBatch  → PushAck
    cloud → store   GET  /api/v1/sync/pull?after=N&limit=M   → PullPage
    heartbeat       POST /api/v1/sync/heartbeat   Heartbeat  → HeartbeatAck
    nudge           WS   /api/v1/sync/ws          Hello first, then a Nudge per feed commit

An envelope carries its body as plain JSON (`payload`) so that one body that does not fit
its model is set aside alone: the envelope still parses, the others still flow.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from sync.contract.base import Id, Text, UTCTime, Wire
from sync.contract.quote import LiveLoad

PROTOCOL = 2
MAX_BATCH = 500  # events per push, unless one store transaction alone is longer
MAX_PAGE = 1000  # feed entries per pull
PROTOCOL_HEADER = "x-makeline-protocol"
INSTANCE_HEADER = "x-makeline-instance"
# The cloud keeps an idle connection this long: past a store's 15 s between heartbeats, so an
# agent's next beat goes on the connection it has; the agent lets go of one idle a little less
# long (`AGENT_KEEPS_IDLE_S`), so it never sends on one the cloud is closing at that moment.
CLOUD_KEEPS_IDLE_S = 20
AGENT_KEEPS_IDLE_S = CLOUD_KEEPS_IDLE_S - 2

Kind = Annotated[str, Field(min_length=1, max_length=40)]


class PushedEvent(Wire):
    """A store event's envelope: what the cloud reads of each pushed event itself. Its payload
    is left unread here (a field this model does not name is skipped, not built): the cloud
    stores each payload as sent, taken from the body by the database (`PushHead`)."""

    seq: int = Field(ge=1, le=2**62)
    event_id: Id
    txn: str = Field(max_length=36)
    kind: Kind
    subject: str = Field(max_length=36)
    created_at: UTCTime


class OutboxEvent(PushedEvent):
    """One store event, exactly as the store's outbox holds it."""

    payload: dict[str, Any]


class _Push(Wire):
    protocol: int = PROTOCOL
    store_id: str = Field(default="", max_length=36)
    instance: str = Field(default="", max_length=64)  # which computer speaks for the store


class PushBatch(_Push):
    """Events in sequence order, never splitting one store transaction."""

    events: list[OutboxEvent] = Field(max_length=MAX_BATCH * 4)


class PushHead(_Push):
    """A `PushBatch` as the cloud reads it: every envelope checked, the payloads left in the
    body for the statement that stores them (each must be a JSON object, checked there)."""

    events: list[PushedEvent] = Field(max_length=MAX_BATCH * 4)


class PushAck(Wire):
    """`high_water`: the highest sequence number up to which the cloud holds every event."""

    store_id: str
    high_water: int
    stored: int = 0  # events new in this batch (the rest were replays)
    quarantined: int = 0  # of those, set aside in the cloud (stored, not applied)


class FeedEntry(Wire):
    cursor: int = Field(ge=1)
    kind: Kind
    payload: dict[str, Any]
    created_at: UTCTime


class PullPage(Wire):
    store_id: str
    entries: list[FeedEntry]
    high_water: int  # the newest cursor the cloud has for this store
    more: bool = False


class PrinterHealth(Wire):
    name: Text
    online: bool
    waiting: int = 0
    last_error: Text = ""


class Heartbeat(Wire):
    protocol: int = PROTOCOL
    store_id: str = Field(default="", max_length=36)  # empty on a first contact
    instance: str = Field(default="", max_length=64)  # which computer speaks for the store
    sent_at: UTCTime
    outbox_backlog: int = Field(default=0, ge=0)
    acked_seq: int = Field(default=0, ge=0)
    last_seq: int = Field(default=0, ge=0)
    feed_cursor: int = Field(default=0, ge=0)
    quarantined: int = Field(default=0, ge=0)  # feed entries set aside at the store
    printers: list[PrinterHealth] = Field(default_factory=list, max_length=50)
    agent_version: str = Field(default="", max_length=40)
    menu_version: int = Field(default=0, ge=0, le=2**31 - 1)  # the menu the store sells from (0: none)
    load: LiveLoad | None = None  # the kitchen's load and online ordering's throttle, for quotes
    # Online orders neither on a make-line screen nor printed a minute after reaching the store.
    unseen_orders: int = Field(default=0, ge=0, le=100_000)
    # Of those, the cloud's ids of the ones unseen for five minutes: their customers are told.
    unseen_late: list[Annotated[str, Field(max_length=36)]] = Field(default_factory=list, max_length=200)


class HeartbeatAck(Wire):
    """`push_after_s`: the cloud is storing many stores' backlogs at once (a storm of stores
    back from an outage) and gives this store a place in its line: its next push goes after
    that many seconds, so its backlog is not sent whole only to be turned away. 0: now."""

    store_id: str
    store_code: str = ""
    high_water: int  # the cloud's high-water mark for this store's events
    feed_high_water: int
    protocol: int = PROTOCOL
    push_after_s: float = Field(default=0.0, ge=0, le=300, allow_inf_nan=False)


class Nudge(Wire):
    type: Literal["feed"] = "feed"
    cursor: int


class Hello(Wire):
    """The first message the cloud sends on the websocket: where both ledgers stand, and the
    agent instance it accepted as speaking for the store (the agent names itself in the
    handshake's `X-Makeline-Instance` header, as on every other call; a second computer is
    refused before this is sent)."""

    type: Literal["hello"] = "hello"
    protocol: int = PROTOCOL
    store_id: str = ""
    instance: str = Field(default="", max_length=64)
    high_water: int
    feed_high_water: int


def too_new(theirs: int, side: str) -> str:
    """The sentence both sides use when the other speaks a newer protocol."""
    return (
        f"The {side} speaks sync protocol {theirs}; this side speaks {PROTOCOL}. "
        f"Update this side's makeline to protocol {theirs} or newer."
    )
