"""What the order endpoints take and answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from cloud_api.api.types import Clean, Code, EntityId, Latitude, Longitude, Name, Note, ShortText
from cloud_api.payments.schemas import PaymentIn, PaymentPublic
from makeline.trade.care import CareFlags
from makeline.trade.lifecycle import Service, Stage
from makeline.trade.menu import Amount, Placement


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ToppingIn(Strict):
    code: Code
    placement: Placement = Placement.WHOLE
    amount: Amount = Amount.NORMAL


class ItemIn(Strict):
    """One line as the customer configured it; unset options take the product's recipe."""

    product: Code
    size: Code
    quantity: Annotated[int, Field(ge=1, le=99)] = 1
    crust: Code | None = None
    sauce: Code | None = None
    sauce_amount: Amount = Amount.NORMAL
    cheese: Code | None = None
    cheese_amount: Amount = Amount.NORMAL
    toppings: Annotated[list[ToppingIn], Field(max_length=30)] | None = None
    notes: Note = ""
    # Allergy and special care: [{"kind": "allergy", "text": "peanuts"}, {"kind": "well_done"}]
    care: CareFlags = Field(default_factory=list)


class AddressIn(Strict):
    line1: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200), Clean]
    line2: ShortText = ""
    city: ShortText = ""
    lat: Latitude | None = None
    lon: Longitude | None = None
    notes: Note = ""


class OrderCreate(Strict):
    store_id: EntityId
    service: Service
    items: Annotated[list[ItemIn], Field(min_length=1, max_length=50)]
    address: AddressIn | None = None
    coupon: Code | None = None
    best_deal: bool = False
    tip: Annotated[int, Field(ge=0, le=100_000)] = 0
    notes: Note = ""
    customer_name: Name | None = None
    phone: ShortText | None = None
    payment: PaymentIn
    scheduled_for: AwareDatetime | None = Field(
        default=None,
        description="an order for later (ISO time with its zone), within the store's hours and at most "
        "7 days ahead; leave out for as soon as possible",
    )


class OrderLinePublic(BaseModel):
    line_no: int
    product: str
    name: str
    size: str
    quantity: int
    unit_price: int
    line_total: int
    changes: list[str] = []


class OrderPublic(BaseModel):
    id: str
    store_id: str
    number: int | None
    business_date: date
    channel: str
    service: str
    stage: str
    status: str = Field(description="what the tracker shows: placed, prep, bake, quality_check, …")
    customer_name: str
    address: str
    items: list[OrderLinePublic]
    coupon: str | None
    subtotal: int
    discount: int
    tax: int
    tip: int
    total: int
    payment_state: str
    payments: list[PaymentPublic]
    placed_at: datetime
    promise_at: datetime | None
    scheduled_for: datetime | None = None
    cancel_state: str | None
    tracking_url: str
    leave_at: datetime | None = Field(
        default=None, description="a delivery not yet out: when the store's dispatch plan sends its run"
    )
    eta_at: datetime | None = Field(
        default=None,
        description="a delivery: at the door by the store's dispatch plan before the driver leaves, "
        "by the run once out",
    )


StatusValue = Literal[
    "made", "baked", "ready", "picked_up", "out_the_door", "delivered", "voided", "cancelled"
]


class StatusUpdate(Strict):
    """A store moves its order along (`made` … `delivered`, `voided`); a customer or head
    office asks to cancel (`cancelled`), which the store accepts or refuses."""

    status: StatusValue
    reason: Note = ""
    at: AwareDatetime | None = Field(default=None, description="when it happened in the store; default now")


class OrderStatus(BaseModel):
    id: str
    stage: Stage
    status: str
    cancel_state: str | None
    updated_at: datetime


class OrderSummary(BaseModel):
    id: str
    store_id: str
    number: int | None
    status: str
    service: str
    total: int
    placed_at: datetime


class QuotePublic(BaseModel):
    """The promise an online order would get now, part by part when it is the store's own."""

    store_id: str
    service: Service
    promise_at: datetime
    minutes: int
    from_store: bool = Field(description="false: the store's load is not fresh; the cloud's own estimate")
    delivery: Literal["open", "busy", "paused"]
    reason: str = ""
    make_min: int | None = None
    oven_min: int | None = None
    wait_min: int | None = None  # on the rack for a driver
    drive_min: int | None = None
    seconds: int | None = None
