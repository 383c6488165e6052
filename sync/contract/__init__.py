"""The wire contract between a store and the cloud, shared by both sides. A pure leaf:
it imports pydantic, the standard library and the trade's pure rules, nothing else of ours.

- `envelope`: push batches, acks, pull pages, heartbeats, hello and nudges, and `PROTOCOL`
  (a side that receives a newer protocol answers 426 / closes, naming both versions);
- `events`: every kind of store event (store → cloud), a union on `kind`, versioned;
- `entries`: every kind of feed entry (cloud → store), a union on `kind`, versioned;
- `quote`: the store's live load and online ordering's throttle, carried by the heartbeat;
- `doc`: `python -m sync.contract.doc` writes `docs/sync.md` from the models.

Each side builds what it sends from these models and parses what it receives with
`parse_event` / `parse_entry`; nothing reads a payload by string key.
"""

from sync.contract.base import Body, ContractError
from sync.contract.entries import ENTRY_KINDS, FeedBody, parse_entry
from sync.contract.envelope import (
    AGENT_KEEPS_IDLE_S,
    CLOUD_KEEPS_IDLE_S,
    INSTANCE_HEADER,
    MAX_BATCH,
    MAX_PAGE,
    PROTOCOL,
    PROTOCOL_HEADER,
    FeedEntry,
    Heartbeat,
    HeartbeatAck,
    Hello,
    Nudge,
    OutboxEvent,
    PrinterHealth,
    PullPage,
    PushAck,
    PushBatch,
    PushedEvent,
    PushHead,
    too_new,
)
from sync.contract.events import EVENT_KINDS, StoreEvent, parse_event, parse_event_json
from sync.contract.quote import LiveLoad, PlannedDoor, WaitingDelivery

__all__ = [
    "AGENT_KEEPS_IDLE_S",
    "CLOUD_KEEPS_IDLE_S",
    "ENTRY_KINDS",
    "EVENT_KINDS",
    "INSTANCE_HEADER",
    "MAX_BATCH",
    "MAX_PAGE",
    "PROTOCOL",
    "PROTOCOL_HEADER",
    "Body",
    "ContractError",
    "FeedBody",
    "FeedEntry",
    "Heartbeat",
    "HeartbeatAck",
    "Hello",
    "LiveLoad",
    "Nudge",
    "OutboxEvent",
    "PlannedDoor",
    "PrinterHealth",
    "PullPage",
    "PushAck",
    "PushBatch",
    "PushHead",
    "PushedEvent",
    "StoreEvent",
    "WaitingDelivery",
    "parse_entry",
    "parse_event",
    "parse_event_json",
    "too_new",
]
