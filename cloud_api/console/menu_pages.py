"""*Menu* (head office only): change prices, take products off or add a new one (name,
category, sizes and prices, allergens), chain-wide or for one store,
see the change store by store before publishing it, and see which stores applied each
version. Publishing goes through `cloud_api.menus.service.publish` (via `menus.rollout`), the
one path the API uses too."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from cloud_api.auth.principal import Principal, Role
from cloud_api.console.shell import NOT_YOURS, View, signed_in
from cloud_api.console.tables import Column, Kind, Table, money
from cloud_api.db.base import utcnow
from cloud_api.errors import BadRequest, CloudError, NotFound
from cloud_api.menus import repository, rollout, service
from cloud_api.menus.changes import MenuChange, NewProduct
from cloud_api.menus.schemas import MenuPreview
from cloud_api.storefront.forms import fields
from cloud_api.stores.service import get_store, list_stores
from makeline.trade.menu import Menu

router = APIRouter()
_DOLLARS = re.compile(r"^\s*\$?(\d{1,5})(?:\.(\d{1,2}))?\s*$")
StoreQuery = Annotated[str | None, Query(max_length=40)]
VersionQuery = Annotated[int | None, Query(ge=1, le=1_000_000)]


def head_office_only(caller: Principal) -> None:
    """Menus are head office's: anyone else is told the page does not exist."""
    if caller.role is not Role.HEAD_OFFICE:
        raise NotFound(NOT_YOURS)


def cents(text: str, what: str) -> int:
    found = _DOLLARS.match(text)
    if found is None:
        raise BadRequest(f"The price of {what} must be dollars and cents, like 17.99.", "prices")
    whole, part = found.groups()
    return int(whole) * 100 + int((part or "0").ljust(2, "0"))


def change_from_form(base: Menu, form: dict[str, str]) -> MenuChange:
    """The change the form describes against `base`: only prices that differ, products ticked off."""
    prices: dict[str, dict[str, int]] = {}
    remove = []
    for product in base.products:
        if form.get(f"off.{product.code}") == "on":
            remove.append(product.code)
            continue
        for size, was in product.price.items():
            text = form.get(f"price.{product.code}.{size}")
            if text is None:
                continue
            now = cents(text, f"{product.name} ({size})")
            if now != was:
                prices.setdefault(product.code, {})[size] = now
    try:
        return MenuChange(
            base_version=base.version,
            name=form.get("name", "").strip() or None,
            prices=prices,
            remove=remove,
            add=new_product(base, form),
            store_id=form.get("store_id") or None,
        )
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"])
        raise BadRequest(f"Check {where}: {problem['msg']}.", where) from exc


NEW = ("new.code", "new.name", "new.category", "new.allergens")


def new_product(base: Menu, form: dict[str, str]) -> list[NewProduct]:
    """The product the form's "new product" part describes; none when it is left empty."""
    prices = {}
    for size in base.sizes:
        text = form.get(f"new.price.{size.code}", "").strip()
        if text:
            prices[size.code] = cents(text, f"the new product ({size.code})")
    if not prices and not any(form.get(key, "").strip() for key in NEW):
        return []
    name = form.get("new.name", "").strip()
    if not name:
        raise BadRequest("The new product needs a name.", "new.name")
    if not prices:
        raise BadRequest(f"Give {name} a price in at least one size.", "new.price")
    allergens = [a.strip().lower() for a in form.get("new.allergens", "").split(",") if a.strip()]
    try:
        return [
            NewProduct(
                code=form.get("new.code", "").strip(),
                name=name,
                category=form.get("new.category", ""),
                prices=prices,
                allergens=allergens,
            )
        ]
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = "new." + str(problem["loc"][0])
        raise BadRequest(f"The new product's {problem['loc'][0]}: {problem['msg']}.", where) from exc


def priced_sizes(menu: Menu) -> dict[str, list[tuple[str, int]]]:
    """Each product's prices in the menu's own size order (small to large), others after."""
    order = {size.code: (size.sort, n) for n, size in enumerate(menu.sizes)}
    last = (10**6, 0)
    return {
        p.code: sorted(p.price.items(), key=lambda kv: (order.get(kv[0], last), kv[0])) for p in menu.products
    }


def _base(session: Session, store_id: str | None) -> Menu:
    if store_id is not None:
        store = get_store(session, store_id)
        if store.menu_version is not None:
            return service.menu(session, store.menu_version)
    latest = repository.latest_version(session)
    if latest is None:
        raise BadRequest("No menu has been published yet; publish a whole menu through the API first.")
    return service.menu(session, latest)


def _versions(session: Session) -> Table:
    reached = rollout.reach(session)
    rows = [
        {
            "version": f"v{v.version}",
            "href": f"/console/menu?version={v.version}",
            "name": v.name,
            "published": v.published_at.strftime("%Y-%m-%d %H:%M UTC"),
            "stores": reached.get(v.version, (0, 0))[0],
            "applied": reached.get(v.version, (0, 0))[1],
        }
        for v in service.list_versions(session)
    ]
    return Table(
        "versions",
        "Published versions, newest first",
        [
            Column("version", "Version", link="href"),
            Column("name", "Name"),
            Column("published", "Published"),
            Column("stores", "Stores reached", Kind.COUNT),
            Column("applied", "Stores that applied it", Kind.COUNT),
        ],
        rows,
        empty="No menu published yet.",
    )


def _rollout(session: Session, caller: Principal, version: int) -> Table:
    rows = [
        {
            "store": r.code,
            "name": r.name,
            "applied": "applied" if r.applied else "not yet",
            "reported": f"v{r.reported_version}" if r.reported_version else "not reported",
            "heard": r.reported_at.strftime("%Y-%m-%d %H:%M:%S UTC") if r.reported_at else "never",
        }
        for r in rollout.rollout(session, caller, version)
    ]
    return Table(
        "rollout",
        f"Stores v{version} reached, those still to apply it first",
        [
            Column("store", "Store"),
            Column("name", "Name"),
            Column("applied", "Applied"),
            Column("reported", "The store sells"),
            Column("heard", "Its last report"),
        ],
        rows,
        empty="This version reached no store.",
    )


def menu_view(
    session: Session, caller: Principal, store_id: str | None, version: int | None, notice: str = ""
) -> View:
    head_office_only(caller)
    stores = list(list_stores(session))
    base = _base(session, store_id)
    shown_version = version or repository.latest_version(session)
    view = View(
        "Menu",
        "menu",
        "menu/menu.html",
        values={
            "base": base,
            "sizes": priced_sizes(base),
            "stores": stores,
            "store_id": store_id or "",
            "notice": notice,
            "shown_version": shown_version,
            "dollars": lambda c: money(c).removeprefix("$"),
        },
    )
    view.add(_versions(session))
    if shown_version is not None:
        view.add(_rollout(session, caller, shown_version))
    return view


def _diff_tables(preview: MenuPreview) -> list[Table]:
    tables = []
    for n, group in enumerate(preview.changes, start=1):
        now = f"v{group.from_version}" if group.from_version else "no menu yet"
        rows: list[dict[str, Any]] = [
            {"what": "added", "item": name, "before": None, "after": None} for name in group.added
        ]
        rows += [{"what": "taken off", "item": name, "before": None, "after": None} for name in group.removed]
        rows += [
            {"what": "price", "item": f"{p.name} ({p.size})", "before": p.before, "after": p.after}
            for p in group.prices
        ]
        tables.append(
            Table(
                f"changes{n}",
                f"What changes for {', '.join(group.store_codes)} (selling {now})",
                [
                    Column("what", "Change"),
                    Column("item", "Item"),
                    Column("before", "Price now", Kind.MONEY),
                    Column("after", "New price", Kind.MONEY),
                ],
                rows,
                empty="Nothing changes for these stores.",
            )
        )
    return tables


def preview_view(session: Session, caller: Principal, form: dict[str, str]) -> View:
    head_office_only(caller)
    base = service.menu(session, _form_version(form))
    change = change_from_form(base, form)
    preview = rollout.preview(session, caller, change)
    view = View(
        "Menu · preview",
        "menu",
        "menu/preview.html",
        values={
            "preview": preview,
            "change_json": change.model_dump_json(),
            "store_id": change.store_id or "",
        },
    )
    view.add(*_diff_tables(preview))
    view.add(
        Table(
            "reach",
            f"The {len(preview.stores)} store(s) it reaches",
            [Column("code", "Store"), Column("name", "Name"), Column("now", "Sells now")],
            [
                {"code": s.code, "name": s.name, "now": f"v{s.menu_version}" if s.menu_version else "no menu"}
                for s in preview.stores
            ],
        )
    )
    return view


def _form_version(form: dict[str, str]) -> int:
    text = form.get("base_version", "")
    if not text.isdigit() or not 1 <= int(text) <= 1_000_000:
        raise BadRequest("The form lost which menu it started from; reload the menu page.", "base_version")
    return int(text)


def publish_view(session: Session, caller: Principal, form: dict[str, str]) -> View:
    head_office_only(caller)
    try:
        change = MenuChange.model_validate_json(form.get("change", ""))
    except ValidationError as exc:
        raise BadRequest("The preview's change could not be read; preview it again.", "change") from exc
    try:
        with session.begin_nested():  # a refusal leaves nothing of the publish behind
            published = rollout.publish_change(session, caller, change, utcnow())
    except CloudError as exc:
        return menu_view(session, caller, change.store_id, None, notice="Not published: " + exc.detail)
    said = f"Published v{published.version} “{published.name}” to {published.stores} store(s)."
    return menu_view(session, caller, change.store_id, published.version, notice=said)


@router.get("/menu")
async def menu_page(request: Request, store: StoreQuery = None, version: VersionQuery = None) -> Response:
    return await signed_in(
        request, lambda session, caller: menu_view(session, caller, store or None, version)
    )


async def _posted(request: Request) -> dict[str, str]:
    try:
        return fields(await request.body())
    except BadRequest:
        return {}


@router.post("/menu/preview")
async def menu_preview(request: Request) -> Response:
    form = await _posted(request)
    return await signed_in(request, lambda session, caller: preview_view(session, caller, form))


@router.post("/menu/publish")
async def menu_publish(request: Request) -> Response:
    form = await _posted(request)
    return await signed_in(request, lambda session, caller: publish_view(session, caller, form))
