"""Waste: an item thrown out (expired dough), or whole pizzas (dropped, burnt, remade).

Each entry says why and who. A remake records the waste of the first pizza:
the order's ideal usage already counts the pizza the customer gets, so the one
thrown away is waste, priced by the same recipe.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import insert
from sqlalchemy.orm import Session

from makeline.trade.lifecycle import Stage
from makeline.trade.pricing import PricedItem
from makeline.trade.recipes import item_usage, needed_parts
from makeline.trade.units import fmt_qty
from store_db.errors import BadInput, InvalidQuantity, NotFound
from store_db.models import Order, OrderLine, WasteEntry, WasteLine, new_id
from store_db.queries import stock_ledger as ledger
from store_db.services import outbox
from store_db.services import staff as staff_service
from sync.contract.events import StockWaste


class WasteReason(StrEnum):
    DROPPED = "dropped"
    BURNT = "burnt"
    REMAKE = "remake"
    EXPIRED = "expired"
    SPOILED = "spoiled"
    VOIDED = "voided"  # an order voided after it was made
    OTHER = "other"


def reason_of(text: str) -> WasteReason:
    try:
        return WasteReason(text.strip().lower())
    except ValueError as exc:
        raise BadInput(
            f"'{text.strip()}' is not a waste reason; use one of: "
            f"{', '.join(r.value for r in WasteReason if r is not WasteReason.VOIDED)}."
        ) from exc


def record_waste(
    session: Session,
    usage: Mapping[str, Decimal],
    reason: WasteReason,
    staff_id: str | None,
    at: datetime,
    description: str,
    order_id: str | None = None,
    order_line_id: str | None = None,
    note: str = "",
) -> WasteEntry:
    """Write one waste entry with its item lines and its outbox event."""
    items = ledger.catalog(session, usage.keys())
    kept = {code: qty for code, qty in sorted(usage.items()) if qty != 0}
    lines = {code: items[code].line(qty) for code, qty in kept.items()}
    entry = WasteEntry(
        id=new_id(),
        at=at,
        reason=reason.value,
        note=note.strip(),
        staff_id=staff_id,
        order_id=order_id,
        order_line_id=order_line_id,
        description=description[:120],
        cost_cents=sum(line.cost_cents for line in lines.values()),
    )
    session.add(entry)
    session.flush()
    if kept:
        session.execute(
            insert(WasteLine),
            [
                {
                    "entry_id": entry.id,
                    "item": code,
                    "qty": qty,
                    "cost_cents": lines[code].cost_cents,
                }
                for code, qty in kept.items()
            ],
        )
    outbox.emit(
        session,
        StockWaste(
            waste_id=entry.id,
            at=at,
            reason=entry.reason,
            note=entry.note,
            staff_id=staff_id,
            order_id=order_id,
            order_line_id=order_line_id,
            description=entry.description,
            lines=list(lines.values()),
            cost_cents=entry.cost_cents,
            stock_items=ledger.stock_items(items, lines),
        ),
        entry.id,
        at,
    )
    return entry


def waste_item(
    session: Session,
    code: str,
    entry: str,
    reason: str,
    who: str,
    at: datetime,
    unit: str | None = None,
    note: str = "",
) -> WasteEntry:
    """Throw out some of one item: `entry` like "6" (counting units), "1.5 lb" or "1 tray + 4 each"."""
    why = reason_of(reason)
    staff = staff_service.find_staff(session, who)
    item = ledger.find_item(ledger.catalog(session, [code.strip()]), code)
    qty = item.units.parse(entry, unit)
    if qty <= 0:
        raise InvalidQuantity(f"{item.units.name}: waste must be more than 0.")
    label = f"{item.units.name}: {fmt_qty(item.units.to_count(qty))} {item.units.count_unit}"
    return record_waste(session, {item.code: qty}, why, staff.id, at, label, note=note)


def waste_pizza(
    session: Session,
    order_line_id: str,
    reason: str,
    who: str,
    at: datetime,
    pizzas: int = 1,
    note: str = "",
) -> WasteEntry:
    """Throw out `pizzas` of an order line as made by its recipe (dropped, burnt, remade)."""
    why = reason_of(reason)
    staff = staff_service.find_staff(session, who)
    line = session.get(OrderLine, order_line_id)
    if line is None:
        raise NotFound("That order line is gone; refresh the order.")
    order = session.get(Order, line.order_id)
    assert order is not None
    if order.stage == Stage.VOIDED.value:
        raise BadInput(f"Order #{order.number} is voided; what was made for it was recorded as waste then.")
    if not 1 <= pizzas <= line.quantity:
        raise InvalidQuantity(
            f"Line {line.line_no} of order #{order.number} has {line.quantity} × {line.name}; "
            f"waste 1 to {line.quantity}."
        )
    item = PricedItem.model_validate(line.item)
    usage = item_usage(item, ledger.recipes_for(session, needed_parts([item])), pizzas)
    label = f"{pizzas} × {line.name} {item.size_name} (order #{order.number})"
    return record_waste(
        session,
        usage,
        why,
        staff.id,
        at,
        label,
        order_id=order.id,
        order_line_id=line.id,
        note=note,
    )


def remake(
    session: Session, order_line_id: str, who: str, at: datetime, pizzas: int = 1, note: str = ""
) -> WasteEntry:
    """The pizza is made again: the first one is waste."""
    return waste_pizza(session, order_line_id, WasteReason.REMAKE.value, who, at, pizzas, note)
