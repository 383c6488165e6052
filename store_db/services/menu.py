"""Applying a menu version whole, and reading the current one for pricing."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from makeline.trade.menu import Menu, Portion
from store_db.errors import BadInput, NotFound
from store_db.kept import MENU, kept
from store_db.models import (
    InventoryItem,
    MenuCategory,
    MenuOption,
    MenuPrice,
    MenuProduct,
    MenuSize,
    MenuTopping,
    MenuVersion,
    RecipePortion,
    Store,
)
from store_db.services import rows
from store_db.services.store_settings import AnyStore

# Parsed menus, keyed by store, version and when that version was applied: two copies of
# one store file (a restore, a test's copy) can hold different menus under one number.
_cache: dict[tuple[str, int, str], Menu] = {}
_APPLIED = "SELECT applied_at FROM menu_version WHERE version = ?"  # as stored: a key, not a time


def current_menu(session: Session, store: AnyStore | None = None) -> Menu:
    """The menu version this store sells from now (parsed once per process and version)."""
    store = store or session.scalars(select(Store)).one()
    keeping = kept(session)
    if keeping is not None:
        held = keeping.values.get(MENU)
        if isinstance(held, tuple) and held[0] == (store.id, store.menu_version):
            return cast(Menu, held[1])
    found = rows.fetch_one(session, _APPLIED, (store.menu_version,))
    applied = None if found is None else found[0]
    if applied is None:
        raise NotFound("This store has no menu yet. Run: makeline init-store --db PATH --demo")
    key = (store.id, store.menu_version, applied)
    if key not in _cache:
        row = session.get(MenuVersion, store.menu_version)
        assert row is not None
        _cache[key] = Menu.model_validate(row.document)
    if keeping is not None:  # until a menu version is written (`store_db.kept`)
        keeping.values[MENU] = (key[:2], _cache[key])
    return _cache[key]


def _recipe_parts(menu: Menu) -> list[tuple[str, str, Portion]]:
    parts: list[tuple[str, str, Portion]] = []
    for size in menu.sizes:
        parts += [(f"box:{size.code}", size.code, p) for p in size.box]
    for prefix, options in (("crust", menu.crusts), ("sauce", menu.sauces), ("cheese", menu.cheeses)):
        for option in options:
            for size_code, portions in option.portions.items():
                parts += [(f"{prefix}:{option.code}", size_code, p) for p in portions]
    for topping in menu.toppings:
        for size_code, portions in topping.portions.items():
            parts += [(f"topping:{topping.code}", size_code, p) for p in portions]
    for product in menu.products:
        for size_code, portions in product.portions.items():
            parts += [(f"product:{product.code}", size_code, p) for p in portions]
    return parts


def apply_menu(session: Session, menu: Menu, source: str, at: datetime) -> bool:
    """Make `menu` the current menu. Returns False when that version is already applied.

    A version older than the current one is refused: menus only move forward.
    """
    store = session.scalars(select(Store)).one()
    if menu.version == store.menu_version and session.get(MenuVersion, menu.version) is not None:
        return False
    if menu.version < store.menu_version:
        raise BadInput(
            f"Menu version {menu.version} is older than the current version "
            f"{store.menu_version}; it was not applied."
        )
    parts = _recipe_parts(menu)
    known = set(session.scalars(select(InventoryItem.code)))
    missing = sorted({p.item for _, _, p in parts} - known)
    if missing:
        raise BadInput(
            f"Menu version {menu.version} uses inventory items this store does not have: "
            f"{', '.join(missing[:8])}. Add them before applying the menu."
        )
    for table in (RecipePortion, MenuPrice, MenuProduct, MenuCategory, MenuTopping, MenuOption, MenuSize):
        session.execute(delete(table))
    session.add_all(MenuSize(code=s.code, name=s.name, inches=s.inches, sort=s.sort) for s in menu.sizes)
    session.add_all(MenuCategory(code=c.code, name=c.name, sort=c.sort) for c in menu.categories)
    session.flush()
    session.add_all(
        MenuProduct(
            code=p.code,
            name=p.name,
            category=p.category,
            kind=p.kind.value,
            station=p.station.value,
            sort=p.sort,
        )
        for p in menu.products
    )
    session.flush()
    session.add_all(
        MenuPrice(product=p.code, size=size, cents=cents)
        for p in menu.products
        for size, cents in p.price.items()
    )
    session.add_all(MenuTopping(code=t.code, name=t.name, kind=t.kind) for t in menu.toppings)
    for kind, options in (("crust", menu.crusts), ("sauce", menu.sauces), ("cheese", menu.cheeses)):
        session.add_all(MenuOption(kind=kind, code=o.code, name=o.name) for o in options)
    merged: dict[tuple[str, str, str], RecipePortion] = {}
    for part, size, portion in parts:
        key = (part, size, portion.item)
        if key in merged:
            merged[key].qty += portion.qty
        else:
            merged[key] = RecipePortion(part=part, size=size, item=portion.item, qty=portion.qty)
    session.add_all(merged.values())
    if session.get(MenuVersion, menu.version) is None:
        session.add(
            MenuVersion(
                version=menu.version, document=menu.model_dump(mode="json"), applied_at=at, source=source
            )
        )
    store.menu_version = menu.version
    session.flush()
    return True
