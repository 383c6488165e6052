"""Publishing menus and reading the one a store sells from.

Published versions never change, so a parsed `Menu` is kept per database and version
in memory: pricing an order does not re-parse the menu document. (Per database: one
process may serve several, as tests do, each with its own version 2.)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from cloud_api.auth.principal import Principal, Role
from cloud_api.errors import BadRequest, Conflict, NotFound
from cloud_api.feed import service as feed
from cloud_api.menus import repository
from cloud_api.menus.schemas import MenuVersionPublic
from cloud_api.models import MenuVersion, Store
from makeline.trade.menu import Menu
from sync.contract.entries import MenuPublished

_CACHE_SIZE = 16
_cache: OrderedDict[tuple[str, int], Menu] = OrderedDict()
_cache_lock = threading.Lock()


def database_of(session: Session) -> str:
    """The key of the database `session` reads, as the menus kept in memory are filed."""
    return session.get_bind().engine.url.render_as_string(hide_password=True)


def known_menu(database: str, version: int) -> Menu | None:
    """The parsed menu if this process holds it already (no database read), else None."""
    with _cache_lock:
        return _cache.get((database, version))


def menu(session: Session, version: int) -> Menu:
    key = (database_of(session), version)
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    row = session.get(MenuVersion, version)
    if row is None:
        raise NotFound(f"There is no menu version {version}.", "version")
    parsed = Menu.model_validate(row.document)
    with _cache_lock:
        _cache[key] = parsed
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return parsed


def store_menu(session: Session, store: Store) -> Menu:
    """The menu `store` sells from now."""
    if store.menu_version is None:
        raise Conflict(f"{store.name} has no menu yet; head office must publish one first.", "store_id")
    return menu(session, store.menu_version)


def publish(
    session: Session,
    caller: Principal | None,
    document: Menu,
    store_ids: Sequence[str] | None,
    at: datetime,
) -> MenuVersionPublic:
    """Store the menu as the next version and switch the given stores (default: all) to it."""
    if caller is not None:
        caller.require(Role.HEAD_OFFICE)
    if not document.products:
        raise BadRequest("A menu needs at least one product.", "menu.products")
    repository.lock_versions(session)
    version = (repository.latest_version(session) or 0) + 1
    numbered = document.model_copy(update={"version": version})
    body = numbered.model_dump(mode="json")
    session.add(
        MenuVersion(
            version=version,
            name=numbered.name,
            document=body,
            published_at=at,
            published_by=caller.id if caller else None,
        )
    )
    session.flush()
    switch = update(Store).values(menu_version=version, updated_at=at)
    if store_ids is not None:
        switch = switch.where(Store.id.in_(list(store_ids)))
    touched = session.execute(switch.returning(Store.id)).scalars().all()
    if store_ids is not None and len(touched) != len(set(store_ids)):
        missing = sorted(set(store_ids) - set(touched))
        raise BadRequest(f"There is no store {missing[0]}.", "store_ids")
    repository.record_release(session, version, touched, at)
    feed.append_to_stores(session, MenuPublished(version=version, menu=numbered), at, touched)
    return MenuVersionPublic(version=version, name=numbered.name, published_at=at, stores=len(touched))


def list_versions(session: Session) -> list[MenuVersionPublic]:
    return [
        MenuVersionPublic(version=m.version, name=m.name, published_at=m.published_at)
        for m in repository.versions(session)
    ]
