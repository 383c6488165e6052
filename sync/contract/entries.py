"""Cloud → store: every kind of feed entry, as the cloud's services write them.

The cloud builds each entry from these models (`cloud_api.feed.service.append` takes one)
and stores it as it will be pulled; the store parses each with `parse_entry`. An entry
the store cannot parse or apply is quarantined at the store with its reason, the cursor
moves past it and the entries behind it apply in the same pull.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import Field, TypeAdapter, ValidationError, model_validator

from makeline.trade.hours import StoreHours
from makeline.trade.lifecycle import Service
from makeline.trade.limits import OrderLimits
from makeline.trade.menu import Menu
from makeline.trade.pricing import ItemRequest
from sync.contract.base import (
    Body,
    Cents,
    ContractError,
    Count,
    Id,
    Quantity,
    Text,
    UTCTime,
    Wire,
    carried,
    empty_items,
    merged,
    versioned,
)
from sync.contract.reasons import reason_of


class AddressOnWire(Wire):
    line1: Annotated[str, Field(min_length=1, max_length=200)]
    line2: Text = ""
    city: Text = ""
    lat: float | None = None
    lon: float | None = None
    notes: Text = ""


class OnlineOrder(Body):
    """`order.online`: an order to make exactly as the cloud priced it. Version 2 adds
    `scheduled_for`: an order for later, held until its time (an order for now stays version 1).
    Version 3: an item may carry `care` (allergy and special-care flags); an order without any
    keeps its version."""

    VERSION: ClassVar[int] = 3
    kind: Literal["order.online"] = "order.online"
    cloud_order_id: Id
    service: Service
    phone: Text = ""
    customer_name: Text = ""
    address: AddressOnWire | None = None
    items: list[ItemRequest] = Field(min_length=1, max_length=200)
    coupon: Text | None = None
    tip: Cents = 0
    notes: Text = ""
    payment: Literal["paid", "due"]
    total: Cents
    placed_at: UTCTime
    promise_at: UTCTime | None = None  # the promise the customer was given, from the store's load
    scheduled_for: UTCTime | None = None

    @model_validator(mode="after")
    def _version(self) -> Self:
        if "v" in self.model_fields_set:
            return self
        if carried(self.items, ("care",)):
            return versioned(self, 3)
        return versioned(self, 2) if self.scheduled_for is not None else self

    def left_out(self) -> Any:
        return empty_items(self.items, ("care",))


class OrderPaid(Body):
    """`order.paid`: what was due at the door was paid online: nobody collects cash for it."""

    kind: Literal["order.paid"] = "order.paid"
    cloud_order_id: Id
    payment_id: Id
    amount: Cents
    method: Literal["card"] = "card"


class OrderRefunded(Body):
    """`order.refunded`: the cloud gave the customer's online payment back."""

    kind: Literal["order.refunded"] = "order.refunded"
    cloud_order_id: Id
    amount: Cents
    reason: Text = ""


class CancelRequest(Body):
    """`order.cancel_request`: the customer asks; the store accepts only before the oven."""

    kind: Literal["order.cancel_request"] = "order.cancel_request"
    cloud_order_id: Id
    reason: Text = ""


class MenuPublished(Body):
    """`menu.version`: head office published a menu; the store applies it whole."""

    kind: Literal["menu.version"] = "menu.version"
    version: Count
    menu: Menu


class _Partial(Body):
    """A change of some fields only: the ones not sent are left out of the payload."""

    def left_out(self) -> Any:
        return {name for name in type(self).model_fields if getattr(self, name) is None}


class StoreSettings(_Partial):
    """`store.settings`: only the settings sent change. Version 2 adds `hours` (the weekly
    hours and holiday closures, whole); version 3 adds `quality_check` (the cut table's check
    before the rack, on or off), version 4 `rack_cap_s` (an order on the heat rack this long
    goes out first); settings without them stay at the older version."""

    VERSION: ClassVar[int] = 4
    kind: Literal["store.settings"] = "store.settings"
    name: Text | None = None
    address: Text | None = None
    phone: Text | None = None
    tax_rate_bp: Annotated[int, Field(ge=0, le=5000)] | None = None
    delivery_radius_km: Annotated[float, Field(ge=0, le=200)] | None = None
    day_starts_hour: Annotated[int, Field(ge=0, le=23)] | None = None
    daytime_from_hour: Annotated[int, Field(ge=0, le=23)] | None = None
    daytime_to_hour: Annotated[int, Field(ge=0, le=24)] | None = None
    make_target_s: Annotated[int, Field(ge=1, le=86400)] | None = None
    make_late_s: Annotated[int, Field(ge=1, le=86400)] | None = None
    oven_s: Annotated[int, Field(ge=1, le=86400)] | None = None
    rack_target_s: Annotated[int, Field(ge=1, le=86400)] | None = None
    rack_cap_s: Annotated[int, Field(ge=300, le=7200)] | None = None
    hot_bag_capacity: Annotated[int, Field(ge=1, le=100)] | None = None
    avg_speed_kmh: Annotated[float, Field(gt=0, le=200)] | None = None
    road_factor: Annotated[float, Field(ge=1, le=10)] | None = None
    mileage_cents_per_km: Annotated[int, Field(ge=0, le=10_000)] | None = None
    order_limits: OrderLimits | None = None  # whole, as head office set them
    hours: StoreHours | None = None  # whole, as head office set them
    quality_check: bool | None = None

    @model_validator(mode="after")
    def _version(self) -> Self:
        if "v" in self.model_fields_set:
            return self
        for version, added in ((4, self.rack_cap_s), (3, self.quality_check), (2, self.hours)):
            if added is not None:
                return versioned(self, version)
        return self


class InventoryItemChanged(_Partial):
    """`inventory.item`: head office changed an item chain-wide (cost, par, discontinued)."""

    kind: Literal["inventory.item"] = "inventory.item"
    code: Annotated[str, Field(min_length=1, max_length=60)]
    name: Text | None = None
    unit: Text | None = None
    cost_cents: Cents | None = None  # per counting unit
    cost_cents_per_purchase: Cents | None = None
    par: Quantity | None = None
    discontinued: bool | None = None


FeedBody = Annotated[
    OnlineOrder
    | OrderPaid
    | OrderRefunded
    | CancelRequest
    | MenuPublished
    | StoreSettings
    | InventoryItemChanged,
    Field(discriminator="kind"),
]
FEED_BODY: TypeAdapter[FeedBody] = TypeAdapter(FeedBody)
ENTRY_KINDS: tuple[type[Body], ...] = (
    OnlineOrder,
    OrderPaid,
    OrderRefunded,
    CancelRequest,
    MenuPublished,
    StoreSettings,
    InventoryItemChanged,
)


def parse_entry(kind: str, payload: Mapping[str, Any]) -> FeedBody:
    """The typed feed entry, or `ContractError` saying why this payload is not one."""
    try:
        return FEED_BODY.validate_python(merged(kind, payload))
    except ValidationError as exc:
        raise ContractError(kind, reason_of(exc, kind)) from exc
