"""What the inventory endpoints take and answer."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from cloud_api.api.types import Name, ShortText

Qty = Annotated[Decimal, Field(ge=0, le=Decimal("1e9"), max_digits=14, decimal_places=4)]


class ItemUpdate(BaseModel):
    """Head office's chain-wide change; only the fields sent change. A new item needs name and unit."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    unit: Annotated[ShortText, Field(min_length=1, max_length=10)] | None = None
    cost_cents: Annotated[int, Field(ge=0, le=10_000_000, description="per counting unit")] | None = None
    par: Qty | None = None
    discontinued: bool | None = None


class ItemPublic(BaseModel):
    code: str
    name: str
    unit: str
    cost_cents: int
    par: Decimal
    discontinued: bool
    updated_at: datetime


class StockLine(BaseModel):
    code: str
    name: str
    unit: str
    on_hand: Decimal | None
    last_count: Decimal | None
    last_count_at: datetime | None
    cost_cents: int
    par: Decimal
    below_par: bool
    discontinued: bool


class StoreInventory(BaseModel):
    store_id: str | None = Field(description="None: the chain's catalog only")
    items: list[StockLine]


class UnknownItemPublic(BaseModel):
    """An item a store reported that the chain's catalog does not have: kept aside until
    head office adds it (`PUT /inventory/{code}` with a name and unit) or dismisses it."""

    store_id: str
    code: str
    name: str
    unit: str
    kind: str = Field(description="the latest event it came in: stock.count, stock.receipt …")
    reference: str
    quantity: Decimal = Field(description="the latest line's quantity, in the store's base unit")
    times: int
    first_seen_at: datetime
    last_seen_at: datetime
