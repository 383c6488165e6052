"""What an order's progress reads and changes: the mapped `Order`, or a plain row of the
`orders` table (`store_events.order_rows`, the way a chunk of a store's events holds its
orders). The lifecycle's rules (`progress`) and what they queue (texts, emails, refunds)
take either."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


class OrderState(Protocol):
    id: str
    store_id: str
    customer_id: str | None
    store_order_id: str | None
    number: int | None
    business_date: date
    channel: str
    service: str
    stage: str
    tracked_status: str
    phone: str
    total: int
    payment: str
    promise_at: datetime | None
    placed_at: datetime
    scheduled_for: datetime | None
    fired_at: datetime | None
    in_store_at: datetime | None
    picked_up_at: datetime | None
    delivered_at: datetime | None
    voided_at: datetime | None
    void_reason: str | None
    cancel_state: str | None
    cancel_reason: str | None
    driver_name: str | None
    eta_at: datetime | None
    updated_at: datetime


@dataclass(slots=True)
class TrackedOrder:
    """The columns a tracker update tells (`progress.tracker_update`), read on their own: a
    delivery order on the store's plan (`plan_news`), its store's id for the plan's doors."""

    id: str
    store_order_id: str | None
    number: int | None
    stage: str
    tracked_status: str
    driver_name: str | None
    promise_at: datetime | None
    picked_up_at: datetime | None
    delivered_at: datetime | None
    eta_at: datetime | None
    updated_at: datetime
