"""Recording ideal usage when an order is made, and undoing it when a made order is voided.

Called by the order lifecycle inside its transaction. The whole order's recipe
usage (pizzas, sides and drinks: they leave the store together) is written
when the order is made, at the moment it was made. A void before it was made
used nothing. A void after it was made turns that usage into waste: the same
quantities negated as usage at the void's moment, and one waste entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from makeline.trade.pricing import PricedItem
from makeline.trade.recipes import Usage, needed_parts, order_usage
from store_db.models import Order, OrderLine, UsageRecord, new_id
from store_db.queries import stock_ledger as ledger
from store_db.services import outbox, rows, waste
from sync.contract.events import StockUsage

MADE, VOID = "made", "void"


def priced_items(lines: Sequence[OrderLine]) -> list[PricedItem]:
    return [PricedItem.model_validate(line.item) for line in lines]


_USAGE = rows.Insert(UsageRecord)
_LINE_ITEMS = "SELECT item FROM order_line WHERE order_id = ?"


def _write(session: Session, order: Order, usage: Usage, at: datetime, kind: str) -> None:
    records = [
        {"order_id": order.id, "item": code, "qty": qty, "at": at, "kind": kind}
        for code, qty in sorted(usage.items())
        if qty != 0
    ]
    if not records:
        return
    _USAGE.run(session, records)
    items = ledger.catalog(session, usage.keys())
    lines = [items[code].line(qty) for code, qty in sorted(usage.items()) if qty != 0]
    usage_id = new_id()  # the event's own subject: the order's events stay the order's lifecycle
    event = StockUsage(
        usage_id=usage_id,
        order_id=order.id,
        number=order.number,
        business_date=order.business_date,
        movement=kind,
        at=at,
        lines=lines,
        cost_cents=sum(line.cost_cents for line in lines),
        stock_items=ledger.stock_items(items, (line.code for line in lines)),
    )
    outbox.emit(session, event, usage_id, at)


def record_made(session: Session, order: Order, at: datetime) -> Usage:
    """Write the order's ideal usage at the moment it was made; returns it. Its lines' priced
    items are read as the JSON text they were stored as (no ORM object per line: this runs at
    every bump of the make line)."""
    session.flush()
    items = [
        PricedItem.model_validate_json(item) for (item,) in rows.fetch_all(session, _LINE_ITEMS, (order.id,))
    ]
    usage = order_usage(items, ledger.recipes_for(session, needed_parts(items)))
    _write(session, order, usage, at, MADE)
    return usage


def recorded(session: Session, order_id: str) -> Usage:
    """The order's net recorded usage (made less any void)."""
    rows = session.execute(
        select(UsageRecord.item, UsageRecord.qty, func.count())
        .where(UsageRecord.order_id == order_id)
        .group_by(UsageRecord.item, UsageRecord.qty)
    )
    usage: Usage = {}
    for code, qty, times in rows:
        usage[code] = usage.get(code, Decimal(0)) + qty * times
    return {code: qty for code, qty in usage.items() if qty != 0}


def record_void_after_made(
    session: Session, order: Order, at: datetime, reason: str, approver_id: str | None
) -> None:
    """The made order's ingredients become waste: no longer sold, not in ideal usage."""
    used = recorded(session, order.id)
    if not used:
        return
    _write(session, order, {code: -qty for code, qty in used.items()}, at, VOID)
    waste.record_waste(
        session,
        used,
        waste.WasteReason.VOIDED,
        approver_id,
        at,
        description=f"Order #{order.number} voided after it was made",
        order_id=order.id,
        note=reason,
    )
