"""The customer's cart, kept in a signed cookie: which store, delivery or carryout, where, the
lines as configured, coupon, tip, and the checkout's idempotency key (made once per checkout,
so pressing *place order* twice or reloading the page places one order)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cloud_api.orders.schemas import AddressIn, ItemIn
from makeline.trade.lifecycle import Service

COOKIE = "cart"
MAX_LINES = 8
MAX_COOKIE = 3800  # browsers keep cookies up to 4 KB


class CartFull(Exception):
    pass


class Cart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    store_id: str | None = None
    service: Service = Service.DELIVERY
    address: AddressIn | None = None
    lines: Annotated[list[ItemIn], Field(max_length=MAX_LINES)] = []
    coupon: str | None = None
    best_deal: bool = True
    tip: Annotated[int, Field(ge=0, le=100_000)] = 0
    checkout_key: str | None = None
    # The last checkout placed and where its tracker is: sent again, it answers that order.
    placed_key: str | None = None
    placed_url: str | None = None

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)


def _mac(key: bytes, body: str) -> str:
    return base64.urlsafe_b64encode(hmac.new(key, body.encode(), hashlib.sha256).digest()[:18]).decode()


def encode(cart: Cart, key: bytes) -> str:
    raw = json.dumps(cart.model_dump(mode="json", exclude_defaults=True), separators=(",", ":"))
    body = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    value = f"{body}.{_mac(key, body)}"
    if len(value) > MAX_COOKIE:
        raise CartFull("Your cart is full; check out these items first, or remove one.")
    return value


def decode(value: str | None, key: bytes) -> Cart:
    """The cart in the cookie; an empty one when it is missing, altered or unreadable."""
    if not value or len(value) > MAX_COOKIE or "." not in value:
        return Cart()
    body, _, mac = value.rpartition(".")
    if not hmac.compare_digest(mac, _mac(key, body)):
        return Cart()
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        return Cart.model_validate(json.loads(raw))
    except (ValueError, ValidationError):
        return Cart()
