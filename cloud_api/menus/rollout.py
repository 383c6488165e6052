"""Head office's menu changes through the console: preview what a change does to each store,
publish it (through `service.publish`, the one publishing path), and see which stores have
applied a version, by what their heartbeats report."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud_api.auth.principal import Principal, Role
from cloud_api.errors import BadRequest
from cloud_api.menus import repository, service
from cloud_api.menus.changes import MenuChange, apply_change, diff
from cloud_api.menus.schemas import (
    MenuDiffPublic,
    MenuPreview,
    MenuVersionPublic,
    PriceChangePublic,
    StoreReached,
    StoreRollout,
)
from cloud_api.models import MenuRelease, Store, StoreHeartbeat
from cloud_api.stores.service import get_store, list_stores
from makeline.trade.menu import Menu


def _reached(session: Session, change: MenuChange) -> list[Store]:
    if change.store_id is not None:
        return [get_store(session, change.store_id)]
    return list(list_stores(session))


def _base_version(session: Session, change: MenuChange, stores: list[Store]) -> int:
    if change.base_version is not None:
        return change.base_version
    if change.store_id is not None and stores[0].menu_version is not None:
        return stores[0].menu_version
    latest = repository.latest_version(session)
    if latest is None:
        raise BadRequest("No menu has been published yet; publish a whole menu first.", "base_version")
    return latest


def _new_menu(session: Session, caller: Principal, change: MenuChange) -> tuple[Menu, list[Store]]:
    caller.require(Role.HEAD_OFFICE)
    stores = _reached(session, change)
    base = service.menu(session, _base_version(session, change, stores))
    return apply_change(base, change), stores


def preview(session: Session, caller: Principal, change: MenuChange) -> MenuPreview:
    """What publishing `change` would do, store by store; nothing is written."""
    new, stores = _new_menu(session, caller, change)
    by_version: dict[int | None, list[str]] = defaultdict(list)
    for store in stores:
        by_version[store.menu_version].append(store.code)
    changes = []
    for version, codes in sorted(by_version.items(), key=lambda kv: kv[0] or 0):
        before = (
            service.menu(session, version) if version is not None else new.model_copy(update={"products": []})
        )
        found = diff(before, new)
        changes.append(
            MenuDiffPublic(
                from_version=version,
                store_codes=codes,
                added=found.added,
                removed=found.removed,
                prices=[PriceChangePublic(**vars(p)) for p in found.prices],
            )
        )
    return MenuPreview(
        base_version=new.version,
        name=new.name,
        stores=[
            StoreReached(store_id=s.id, code=s.code, name=s.name, menu_version=s.menu_version) for s in stores
        ],
        changes=changes,
    )


def publish_change(
    session: Session, caller: Principal, change: MenuChange, at: datetime
) -> MenuVersionPublic:
    """Publish the changed menu to the stores it reaches, as the next version."""
    new, stores = _new_menu(session, caller, change)
    targets = [s.id for s in stores] if change.store_id is not None else None
    return service.publish(session, caller, new, targets, at)


def rollout(session: Session, caller: Principal, version: int) -> list[StoreRollout]:
    """Every store `version` was published to, those that have not applied it first."""
    caller.require(Role.HEAD_OFFICE)
    service.menu(session, version)  # 404 for a version never published
    rows = session.execute(
        select(MenuRelease.published_at, Store, StoreHeartbeat.menu_version, StoreHeartbeat.received_at)
        .join(Store, Store.id == MenuRelease.store_id)
        .outerjoin(StoreHeartbeat, StoreHeartbeat.store_id == MenuRelease.store_id)
        .where(MenuRelease.version == version)
    ).all()
    found = [
        StoreRollout(
            store_id=store.id,
            code=store.code,
            name=store.name,
            published_at=published_at,
            applied=(reported or 0) >= version,
            reported_version=reported,
            reported_at=reported_at,
        )
        for published_at, store, reported, reported_at in rows
    ]
    return sorted(found, key=lambda r: (r.applied, r.code))


def reach(session: Session) -> dict[int, tuple[int, int]]:
    """For every version: (stores it was published to, those that report selling it or newer)."""
    applied = func.count().filter(StoreHeartbeat.menu_version >= MenuRelease.version)
    rows = session.execute(
        select(MenuRelease.version, func.count(), applied)
        .outerjoin(StoreHeartbeat, StoreHeartbeat.store_id == MenuRelease.store_id)
        .group_by(MenuRelease.version)
    )
    return {int(version): (int(reached), int(done)) for version, reached, done in rows}
