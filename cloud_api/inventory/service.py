"""Stock in the cloud: what stores report (through sync) and what head office sets.

Stock events carry quantities in each item's counting unit:

    stock.count     {"count_id", "at", "lines": [{"code", "name", "unit", "quantity", "cost_cents"}]}
    stock.received  {"receipt_id", "at", "lines": [...]}   cost_cents: the new cost per counting unit
    stock.waste     {"waste_id", "at", "reason", "lines": [...]}
    stock.usage     {"order_id", "at", "lines": [...]}      ideal usage from recipes, when made
    stock.item      {"code", "name", "unit", "cost_cents"}  an item the store started stocking
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from cloud_api.api.deps import Principal, Role
from cloud_api.errors import BadRequest, NotFound
from cloud_api.feed import service as feed
from cloud_api.inventory import repository
from cloud_api.inventory.schemas import ItemPublic, ItemUpdate, StockLine, StoreInventory
from cloud_api.models import InventoryItem
from cloud_api.stores.service import get_store

MOVEMENTS = {
    "stock.count": "count",
    "stock.received": "received",
    "stock.waste": "waste",
    "stock.usage": "usage",
}


def _quantity(value: Any) -> Decimal:
    try:
        found = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"'{value}' is not a quantity") from exc
    if not found.is_finite():
        raise ValueError(f"'{value}' is not a quantity")
    return found


def apply_stock_event(
    session: Session, store_id: str, kind: str, payload: dict[str, Any], at: datetime
) -> bool:
    """Record one stock event of a store. False for a kind the cloud keeps but does not use."""
    if kind == "stock.item":
        repository.ensure_item(
            session,
            str(payload["code"]),
            str(payload.get("name") or payload["code"]),
            str(payload.get("unit") or "each"),
            int(payload.get("cost_cents") or 0),
            at,
        )
        return True
    movement = MOVEMENTS.get(kind)
    if movement is None:
        return False
    reference = str(
        payload.get("count_id")
        or payload.get("receipt_id")
        or payload.get("waste_id")
        or payload.get("order_id")
        or ""
    )[:60]
    lines = payload.get("lines") or [payload]
    for line in lines:
        code = str(line["code"])
        cost = line.get("cost_cents")
        repository.ensure_item(
            session, code, str(line.get("name") or code), str(line.get("unit") or "each"), int(cost or 0), at
        )
        repository.move(
            session,
            store_id,
            code,
            movement,
            _quantity(line["quantity"]),
            int(cost) if cost is not None else None,
            reference,
            at,
        )
    return True


def item_public(item: InventoryItem) -> ItemPublic:
    return ItemPublic(
        code=item.code,
        name=item.name,
        unit=item.unit,
        cost_cents=item.cost_cents,
        par=item.par,
        discontinued=item.discontinued,
        updated_at=item.updated_at,
    )


def set_item(session: Session, caller: Principal, code: str, data: ItemUpdate, at: datetime) -> InventoryItem:
    """Head office changes an item chain-wide; every store learns it through its feed."""
    caller.require(Role.HEAD_OFFICE)
    item = session.get(InventoryItem, code, with_for_update=True)
    changes = data.model_dump(exclude_none=True)
    if not changes:
        raise BadRequest("Send at least one of name, unit, cost_cents, par or discontinued.", "body")
    if item is None:
        if data.name is None or data.unit is None:
            raise NotFound(f"There is no item '{code}'; to add it, send its name and unit too.", "item_id")
        item = InventoryItem(
            code=code,
            name=data.name,
            unit=data.unit,
            cost_cents=0,
            par=Decimal(0),
            discontinued=False,
            updated_at=at,
        )
        session.add(item)
    for name, value in changes.items():
        setattr(item, name, value)
    item.updated_at = at
    payload = {
        "code": item.code,
        **{k: (str(v) if isinstance(v, Decimal) else v) for k, v in changes.items()},
    }
    feed.append_to_stores(session, feed.INVENTORY_ITEM, payload, at)
    return item


def inventory(session: Session, caller: Principal, store_id: str | None) -> StoreInventory:
    """A store's on-hand and last count beside the catalog; head office may ask for the catalog alone."""
    wanted = store_id or (caller.store_id if caller.is_store else None)
    if wanted is None:
        caller.require(Role.HEAD_OFFICE)
    else:
        caller.require_store(wanted)
        get_store(session, wanted)
    stock = repository.stock_of(session, wanted) if wanted else {}
    lines = []
    for item in repository.items(session):
        row = stock.get(item.code)
        if wanted and row is None and item.discontinued:
            continue
        on_hand = row.on_hand if row else None
        lines.append(
            StockLine(
                code=item.code,
                name=item.name,
                unit=item.unit,
                on_hand=on_hand,
                last_count=row.last_count if row else None,
                last_count_at=row.last_count_at if row else None,
                cost_cents=(row.cost_cents if row and row.cost_cents is not None else item.cost_cents),
                par=item.par,
                below_par=on_hand is not None and on_hand < item.par,
                discontinued=item.discontinued,
            )
        )
    return StoreInventory(store_id=wanted, items=lines)
