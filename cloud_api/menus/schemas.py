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


class PriceChangePublic(BaseModel):
    product: str
    name: str
    size: str
    before: int | None = Field(description="cents; none: not sold in this size before")
    after: int | None = Field(description="cents; none: no longer sold in this size")


class MenuDiffPublic(BaseModel):
    """What the new version changes for the stores now selling `from_version`."""

    from_version: int | None = Field(description="none: stores with no menu yet")
    store_codes: list[str]
    added: list[str]
    removed: list[str]
    prices: list[PriceChangePublic]


class StoreReached(BaseModel):
    store_id: str
    code: str
    name: str
    menu_version: int | None


class MenuPreview(BaseModel):
    base_version: int
    name: str
    stores: list[StoreReached] = Field(description="the stores the new version reaches")
    changes: list[MenuDiffPublic] = Field(description="one per menu the reached stores sell now")


class StoreRollout(BaseModel):
    """Whether one store the version was published to sells from it yet (by its heartbeat)."""

    store_id: str
    code: str
    name: str
    published_at: datetime
    applied: bool
    reported_version: int | None = Field(description="the menu the store last said it sells from")
    reported_at: datetime | None
