"""`/menus` (head office publishes) and `/stores/{storeId}/menu` (anyone reads)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from cloud_api.api.deps import CurrentCaller, SessionDep
from cloud_api.api.types import ID_PATTERN
from cloud_api.db.base import utcnow
from cloud_api.menus import rollout, service
from cloud_api.menus.changes import MenuChange
from cloud_api.menus.schemas import MenuPreview, MenuPublish, MenuVersionPublic, StoreMenu, StoreRollout
from cloud_api.stores.service import get_store
from makeline.trade.menu import Menu

router = APIRouter(tags=["menus"])


@router.get("/menus", summary="Published menu versions, newest first (anyone)")
def list_menus(session: SessionDep) -> list[MenuVersionPublic]:
    return service.list_versions(session)


@router.post("/menus", status_code=201, summary="Publish a new menu version (head office)")
def publish(data: MenuPublish, session: SessionDep, caller: CurrentCaller) -> MenuVersionPublic:
    return service.publish(session, caller, data.menu, data.store_ids, utcnow())


@router.post("/menus/preview", summary="What a change to a menu would do, store by store (head office)")
def preview(change: MenuChange, session: SessionDep, caller: CurrentCaller) -> MenuPreview:
    return rollout.preview(session, caller, change)


@router.post(
    "/menus/changes", status_code=201, summary="Publish a change to a menu as a new version (head office)"
)
def publish_change(change: MenuChange, session: SessionDep, caller: CurrentCaller) -> MenuVersionPublic:
    return rollout.publish_change(session, caller, change, utcnow())


@router.get(
    "/menus/{version}/stores",
    summary="The stores a version reached, and whether each applied it (head office)",
)
def menu_rollout(
    version: Annotated[int, Path(ge=1, le=1_000_000)], session: SessionDep, caller: CurrentCaller
) -> list[StoreRollout]:
    return rollout.rollout(session, caller, version)


@router.get("/menus/{version}", summary="One published menu (anyone)")
def get_menu(version: Annotated[int, Path(ge=1, le=1_000_000)], session: SessionDep) -> Menu:
    return service.menu(session, version)


@router.get("/stores/{store_id}/menu", summary="The menu a store sells from now (anyone)")
def store_menu(store_id: Annotated[str, Path(pattern=ID_PATTERN)], session: SessionDep) -> StoreMenu:
    store = get_store(session, store_id)
    found = service.store_menu(session, store)
    return StoreMenu(store_id=store.id, version=found.version, menu=found)
