"""`GET /inventory` (head office; a store its own), `PUT /inventory/{itemId}` (head office), and
the items stores reported that the catalog does not have (`/inventory/unknown…`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from cloud_api.api.deps import CurrentCaller, SessionDep
from cloud_api.api.types import ID_PATTERN
from cloud_api.db.base import utcnow
from cloud_api.inventory import service
from cloud_api.inventory.schemas import ItemPublic, ItemUpdate, StoreInventory, UnknownItemPublic

router = APIRouter(tags=["inventory"])
ItemCode = Annotated[str, Path(min_length=1, max_length=30, pattern=r"^[A-Za-z0-9_.-]+$")]


@router.get("/inventory", summary="A store's on-hand and last counts (head office; the store itself)")
def get_inventory(
    session: SessionDep,
    caller: CurrentCaller,
    store_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
) -> StoreInventory:
    return service.inventory(session, caller, store_id)


@router.get(
    "/inventory/unknown",
    summary="Items stores reported that the catalog does not have (head office; a store its own)",
)
def get_unknown(
    session: SessionDep,
    caller: CurrentCaller,
    store_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
) -> list[UnknownItemPublic]:
    return service.unknown_items(session, caller, store_id)


@router.delete(
    "/inventory/unknown/{item_id}",
    status_code=204,
    summary="Decide not to carry an item stores reported (head office)",
)
def dismiss_unknown(
    item_id: ItemCode,
    session: SessionDep,
    caller: CurrentCaller,
    store_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
) -> Response:
    service.dismiss_unknown(session, caller, item_id, store_id)
    return Response(status_code=204)


@router.put(
    "/inventory/{item_id}", summary="Set an item's cost, par or discontinued chain-wide (head office)"
)
def put_item(
    item_id: ItemCode,
    data: ItemUpdate,
    session: SessionDep,
    caller: CurrentCaller,
) -> ItemPublic:
    return service.item_public(service.set_item(session, caller, item_id, data, utcnow()))
