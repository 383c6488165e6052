"""What the delivery endpoints take and answer."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from cloud_api.api.types import EntityId, Name

Cents = Annotated[int, Field(ge=0, le=10_000_000)]


class DeliveryCreate(BaseModel):
    """A run leaving the store: a driver with 1 or more orders."""

    model_config = ConfigDict(extra="forbid")

    store_id: EntityId
    run_id: EntityId | None = Field(default=None, description="the store's id for the run, if it has one")
    driver_id: EntityId
    driver_name: Name
    order_ids: Annotated[list[EntityId], Field(min_length=1, max_length=20)]
    dispatched_at: AwareDatetime | None = None


class DeliveryStatusUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["returned", "closed"]
    at: AwareDatetime | None = None
    delivered_order_ids: Annotated[list[EntityId], Field(max_length=20)] = []
    mileage_km: Annotated[Decimal, Field(ge=0, le=10_000, max_digits=8, decimal_places=2)] | None = None
    cash_due: Cents | None = None
    cash_collected: Cents | None = None
    tips: Cents | None = None


class DeliveryPublic(BaseModel):
    id: str
    store_id: str
    driver_id: str
    driver_name: str
    status: str
    order_ids: list[str]
    dispatched_at: datetime
    returned_at: datetime | None
    closed_at: datetime | None
    mileage_km: Decimal | None
    cash_due: int | None
    cash_collected: int | None
    tips: int | None
