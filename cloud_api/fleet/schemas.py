"""What the fleet answers: one row per store, worst first."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class PrinterState(BaseModel):
    name: str
    online: bool
    waiting: int
    last_error: str


class FleetStore(BaseModel):
    store_id: str
    code: str
    name: str
    timezone: str
    online: bool = Field(description="its agent was heard from within the heartbeat window")
    last_heartbeat_at: datetime | None
    silent_seconds: int | None = Field(description="since it was last heard from; none: never")
    outbox_backlog: int | None = Field(description="events the store has not pushed (its last report)")
    feed_backlog: int | None = Field(description="feed entries the store has not pulled (its last report)")
    held_in_cloud: int = Field(description="its events the cloud set aside (quarantine)")
    held_at_store: int | None = Field(description="feed entries the store set aside (its last report)")
    printers: list[PrinterState] | None = Field(description="none: not reported yet")
    unseen_order_alarms: int | None = Field(
        default=None,
        description="online orders neither on a make-line screen nor printed a minute after they "
        "reached the store (its last report); none: not reported",
    )
    menu_version: int | None = Field(description="the menu the cloud sells from for this store")
    menu_applied: int | None = Field(description="the menu the store reported it sells from")
    online_ordering: bool
    online_ordering_why: str
    problems: list[str]
    weight: int = Field(description="how bad, summed; the fleet lists the heaviest first")
