"""What the notification endpoints take and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from cloud_api.api.types import Clean, EntityId, ShortText


class NotificationCreate(BaseModel):
    """A text to one customer: by order, by customer account, or to a phone number."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["message", "promotion"] = "message"
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=480), Clean]
    order_id: EntityId | None = None
    customer_id: EntityId | None = None
    phone: ShortText | None = None
    store_id: EntityId | None = Field(
        default=None,
        description="the store the text is sent for (its order's when by order_id); a promotion "
        "keeps its daytime hours",
    )


class NotificationPublic(BaseModel):
    id: int
    kind: str
    status: str
    phone: str
    next_attempt_at: datetime
