"""`GET /inventory` (head office; a store its own) and `PUT /inventory/{itemId}` (head office)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from cloud_api.api.deps import CurrentCaller, SessionDep
from cloud_api.api.types import ID_PATTERN
from cloud_api.db.base import utcnow
from cloud_api.inventory import service
from cloud_api.inventory.schemas import ItemPublic, ItemUpdate, StoreInventory

router = APIRouter(tags=["inventory"])


@router.get("/inventory", summary="A store's on-hand and last counts (head office; the store itself)")
def get_inventory(
    session: SessionDep,
    caller: CurrentCaller,
    store_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
) -> StoreInventory:
    return service.inventory(session, caller, store_id)


@router.put(
    "/inventory/{item_id}", summary="Set an item's cost, par or discontinued chain-wide (head office)"
)
def put_item(
    item_id: Annotated[str, Path(min_length=1, max_length=30, pattern=r"^[A-Za-z0-9_.-]+$")],
    data: ItemUpdate,
    session: SessionDep,
    caller: CurrentCaller,
) -> ItemPublic:
    return service.item_public(service.set_item(session, caller, item_id, data, utcnow()))
