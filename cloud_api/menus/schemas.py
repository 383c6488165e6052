"""What the menu endpoints take and answer. The menu itself is the store's own `Menu` shape."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from cloud_api.api.types import EntityId
from makeline.trade.menu import Menu


class MenuPublish(BaseModel):
    model_config = ConfigDict(extra="forbid")

    menu: Menu = Field(description="the whole menu; its version number is assigned on publishing")
    store_ids: Annotated[list[EntityId], Field(max_length=10_000)] | None = Field(
        default=None, description="stores that switch to it now; none given: every store"
    )


class MenuVersionPublic(BaseModel):
    version: int
    name: str
    published_at: datetime
    stores: int | None = None


class StoreMenu(BaseModel):
    store_id: str
    version: int
    menu: Menu
