"""What the payment endpoints take and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cloud_api.api.types import EntityId, Token


class PaymentIn(BaseModel):
    """How an online order is paid: a gateway token for a card, or cash at the door."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["card", "cash"]
    token: Token | None = Field(
        default=None, description="a gateway token, e.g. tok_visa; never a card number"
    )


class PaymentCreate(BaseModel):
    """Pay what is still due on an order (e.g. switch a cash order to card)."""

    model_config = ConfigDict(extra="forbid")

    order_id: EntityId
    token: Token


class PaymentPublic(BaseModel):
    id: str
    order_id: str
    method: str
    status: str
    amount: int
    refunded: int
    currency: str
    decline_code: str | None
    created_at: datetime


class WebhookAnswer(BaseModel):
    received: bool
    event_type: str
