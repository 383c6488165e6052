"""Store → cloud: every kind of outbox event, as the store's services write them.

The store builds each event from these models (`store_db.services.outbox.emit` takes one)
and the cloud parses each pushed payload with `parse_event`; an event that does not parse
is quarantined in the cloud with its reason and acknowledged, so the outbox flows on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import Field, TypeAdapter, ValidationError, model_validator

from makeline.trade.integrity import IntegrityFlag
from makeline.trade.lifecycle import Channel, Service, Stage
from makeline.trade.pricing import PricedItem
from sync.contract.base import (
    Body,
    Cents,
    ContractError,
    Count,
    Id,
    Text,
    UTCTime,
    Wire,
    carried,
    empty_items,
    merged,
    versioned,
)
from sync.contract.kitchen_events import CareAck, OrderChecked, OrderFlagged
from sync.contract.reasons import reason_of
from sync.contract.stock_events import (
    CountedLine,
    ItemTerms,
    ReceivedLine,
    StockCounted,
    StockItems,
    StockLine,
    StockReceived,
    StockUsage,
    StockWaste,
)

# Orders.


class TenderLine(Wire):
    id: Id
    kind: Literal["cash", "card", "online", "pay_at_door"]
    amount: Cents
    tendered: Cents
    change: Cents


class OrderPlaced(Body):
    """`order.placed`: the order joins the reports; an online order is now in the kitchen.
    Version 2 adds `scheduled_for`: an order for later, held in the store until its time
    (an order for now stays version 1). Version 3: an item may carry `care` (allergy and
    special-care flags) and `allergens` (what it contains); an order whose items carry
    neither keeps its version."""

    VERSION: ClassVar[int] = 3
    kind: Literal["order.placed"] = "order.placed"
    id: Id
    number: Count
    business_date: date
    channel: Channel
    service: Service
    stage: Stage
    customer_name: Text = ""
    phone: Text = ""
    address: Text = ""
    lat: float | None = None
    lon: float | None = None
    notes: Text = ""
    menu_version: Count = 0
    coupon: Text | None = None
    subtotal: Cents
    discount: Cents = 0
    tax: Cents = 0
    tip: Cents = 0
    total: Cents
    payment: Literal["paid", "due", "refunded"]
    promise_at: UTCTime | None = None
    placed_at: UTCTime
    cloud_order_id: Id | None = None
    items: list[PricedItem] = Field(max_length=500)
    tenders: list[TenderLine] = Field(default_factory=list, max_length=50)
    scheduled_for: UTCTime | None = None

    @model_validator(mode="after")
    def _version(self) -> Self:
        if "v" in self.model_fields_set:
            return self
        if carried(self.items, ("care", "allergens")):
            return versioned(self, 3)
        return versioned(self, 2) if self.scheduled_for is not None else self

    def left_out(self) -> Any:
        return empty_items(self.items, ("care", "allergens"))


class OrderStaged(Body):
    """`order.stage`: the order moved forward (made, baked, ready, out the door, …).

    Version 2 adds `care_ack` (the acknowledgement a flagged ticket's bump needed) and
    `flags` (the store's honest-timer flags: an early bump, a delivery quicker than the
    drive). A stage with neither is sent as version 1, as before.
    """

    VERSION: ClassVar[int] = 2
    kind: Literal["order.stage"] = "order.stage"
    order_id: Id
    number: Count
    stage: Stage
    at: UTCTime
    staff_id: Id | None = None
    care_ack: CareAck | None = None
    flags: list[IntegrityFlag] = Field(default_factory=list, max_length=10)

    @model_validator(mode="after")
    def _version(self) -> Self:
        if "v" not in self.model_fields_set and (self.care_ack or self.flags):
            return versioned(self, 2)
        return self

    def left_out(self) -> Any:
        return {added for added in ("care_ack", "flags") if not getattr(self, added)} or None


class OrderFired(Body):
    """`order.fired`: an order for later went to the kitchen (its tickets and kitchen print)."""

    kind: Literal["order.fired"] = "order.fired"
    order_id: Id
    number: Count
    at: UTCTime


class OrderStageUndone(Body):
    """`order.stage_undone`: a bump taken back at once (a wrong key); the cloud keeps it."""

    kind: Literal["order.stage_undone"] = "order.stage_undone"
    order_id: Id
    number: Count
    stage: Stage
    back_to: Stage
    at: UTCTime
    staff_id: Id | None = None


class OrderVoided(Body):
    """`order.voided`: cancelled before it left the store; a card payment is refunded."""

    kind: Literal["order.voided"] = "order.voided"
    order_id: Id
    number: Count
    reason: Text
    approved_by: Text
    after_made: bool
    refunded_cash: Cents = 0  # cash handed back to the customer at the counter
    at: UTCTime


class CancelAnswer(Body):
    """`order.cancel_answer`: the store's answer to a customer's cancel request."""

    kind: Literal["order.cancel_answer"] = "order.cancel_answer"
    cloud_order_id: Id
    accepted: bool
    reason: Text
    at: UTCTime


# Answers to the feed.


class FeedRefused(Body):
    """`feed.refused`: by its own rules the store will not apply a feed entry (an online order
    for a product it does not sell); a refused online order is cancelled and refunded."""

    kind: Literal["feed.refused"] = "feed.refused"
    cursor: Count
    entry_kind: Text
    reason: Text
    cloud_order_id: Id | None = None


class FeedQuarantined(Body):
    """`feed.quarantined`: the store could not read or apply a feed entry and set it aside;
    head office sees why. Retried at the store once fixed (`feed.released` follows)."""

    kind: Literal["feed.quarantined"] = "feed.quarantined"
    cursor: Count
    entry_kind: Text
    reason: Text
    at: UTCTime


class FeedReleased(Body):
    """`feed.released`: a quarantined feed entry was applied after all."""

    kind: Literal["feed.released"] = "feed.released"
    cursor: Count
    entry_kind: Text
    at: UTCTime


class PriceMismatch(Body):
    """`feed.price_mismatch`: the store priced an online order differently from the cloud."""

    kind: Literal["feed.price_mismatch"] = "feed.price_mismatch"
    cloud_order_id: Id
    cloud_total: Cents
    store_total: Cents


class StoreRestored(Body):
    """`store.restored`: the store's database was rebuilt from the cloud on a new computer
    (`makeline restore`); its first event, numbered right after the last one the cloud held."""

    kind: Literal["store.restored"] = "store.restored"
    at: UTCTime
    feed_cursor: Count
    orders: Count = 0  # open orders restored
    device_label: Text = ""


# Delivery.


class DispatchedStop(Wire):
    order_id: Id
    number: Count
    cloud_order_id: Id | None = None
    phone: Text = ""
    eta_at: UTCTime | None = None


class RunDispatched(Body):
    """`run.dispatched`: a driver left with these orders, in this order."""

    kind: Literal["run.dispatched"] = "run.dispatched"
    run_id: Id
    driver_id: Id
    driver: Text
    at: UTCTime
    expected_return_at: UTCTime | None = None
    distance_m: Count = 0
    stops: list[DispatchedStop] = Field(max_length=50)


class RunNotDelivered(Body):
    """`run.not_delivered`: an order came back (nobody home, wrong address, …)."""

    kind: Literal["run.not_delivered"] = "run.not_delivered"
    order_id: Id
    number: Count
    run_id: Id
    reason: Text
    at: UTCTime


class ClosedStop(Wire):
    order_id: Id
    outcome: Literal["delivered", "not_delivered", "pending"]
    reason: Text = ""
    collected: Cents = 0
    tip: Cents = 0


class RunClosed(Body):
    """`run.closed`: the driver is back; every stop marked and the cash counted."""

    kind: Literal["run.closed"] = "run.closed"
    run_id: Id
    driver_id: Id
    returned_at: UTCTime
    dispatched_at: UTCTime
    distance_m: Count = 0
    cash_due: Cents = 0
    cash_collected: Cents = 0
    tips: Cents = 0
    mileage_cents: Cents = 0
    stops: list[ClosedStop] = Field(max_length=50)


class DriverCashOut(Body):
    """`driver.cash_out`: the end of a driver's shift, what the driver owes the store."""

    kind: Literal["driver.cash_out"] = "driver.cash_out"
    id: Id
    driver_id: Id
    driver: Text
    shift_start: UTCTime
    at: UTCTime
    runs: Count = 0
    deliveries: Count = 0
    distance_m: Count = 0
    starting_bank: Cents = 0
    cash_collected: Cents = 0
    cash_tips: Cents = 0
    card_tips: Cents = 0
    mileage_cents: Cents = 0
    owed_to_store: Cents = 0
    approved_by: Text = ""


StoreEvent = Annotated[
    OrderPlaced
    | OrderStaged
    | OrderFlagged
    | OrderChecked
    | OrderFired
    | OrderStageUndone
    | OrderVoided
    | CancelAnswer
    | FeedRefused
    | FeedQuarantined
    | FeedReleased
    | PriceMismatch
    | StoreRestored
    | RunDispatched
    | RunNotDelivered
    | RunClosed
    | DriverCashOut
    | StockUsage
    | StockWaste
    | StockCounted
    | StockReceived,
    Field(discriminator="kind"),
]
STORE_EVENT: TypeAdapter[StoreEvent] = TypeAdapter(StoreEvent)
EVENT_KINDS: tuple[type[Body], ...] = (
    OrderPlaced,
    OrderStaged,
    OrderFlagged,
    OrderChecked,
    OrderFired,
    OrderStageUndone,
    OrderVoided,
    CancelAnswer,
    FeedRefused,
    FeedQuarantined,
    FeedReleased,
    PriceMismatch,
    StoreRestored,
    RunDispatched,
    RunNotDelivered,
    RunClosed,
    DriverCashOut,
    StockUsage,
    StockWaste,
    StockCounted,
    StockReceived,
)


def parse_event(kind: str, payload: Mapping[str, Any]) -> StoreEvent:
    """The typed event, or `ContractError` saying why this payload is not one."""
    try:
        return STORE_EVENT.validate_python(merged(kind, payload))
    except ValidationError as exc:
        raise ContractError(kind, reason_of(exc, kind)) from exc


def parse_event_json(kind: str, payload: str) -> StoreEvent:
    """`parse_event` of a payload as JSON text (a JSON object, as PostgreSQL prints a stored
    one), read by the contract straight from the text: the envelope's kind is written in
    after the payload's own fields, so it wins over one the payload carries, as it does there."""
    body = payload.strip()
    if not (body.startswith("{") and body.endswith("}")):
        raise ContractError(kind, "the payload is not a JSON object")
    fields = body[1:-1].strip()
    document = f'{{{fields}{"," if fields else ""}"kind":{json.dumps(kind)}}}'
    try:
        return STORE_EVENT.validate_json(document)
    except ValidationError as exc:
        raise ContractError(kind, reason_of(exc, kind)) from exc


# The stock events live in `sync.contract.stock_events`; importers find them here too.
__all__ = [
    "EVENT_KINDS",
    "STORE_EVENT",
    "CancelAnswer",
    "CareAck",
    "ClosedStop",
    "CountedLine",
    "DispatchedStop",
    "DriverCashOut",
    "FeedQuarantined",
    "FeedRefused",
    "FeedReleased",
    "ItemTerms",
    "OrderChecked",
    "OrderFired",
    "OrderFlagged",
    "OrderPlaced",
    "OrderStageUndone",
    "OrderStaged",
    "OrderVoided",
    "PriceMismatch",
    "ReceivedLine",
    "RunClosed",
    "RunDispatched",
    "RunNotDelivered",
    "StockCounted",
    "StockItems",
    "StockLine",
    "StockReceived",
    "StockUsage",
    "StockWaste",
    "StoreEvent",
    "TenderLine",
    "parse_event",
    "parse_event_json",
]
