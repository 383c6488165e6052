"""The store's own new orders (`order.placed` of an order the cloud does not hold) and their
lines, written in one statement however many.

Each table's rows go to PostgreSQL as one JSON document (`cloud_api.db.records`). The lines of an
order that was there already (a replay) are left out by the statement itself. The columns
are the keys of the rows built here: a new column is one more key in `_order_row` or
`_line_rows`, and the statement follows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, TextClause, text
from sqlalchemy.orm import Session

from cloud_api.db.records import document, recordset
from cloud_api.models import Order, OrderLine
from makeline.trade.lifecycle import TRACKER_STATUS, Stage
from sync.contract.events import OrderPlaced

_ORDERS, _LINES = cast(Table, Order.__table__), cast(Table, OrderLine.__table__)


def _order_row(store_id: str, event: OrderPlaced, at: datetime) -> dict[str, Any]:
    return {
        "id": event.id,
        "store_id": store_id,
        "store_order_id": event.id,
        "number": event.number,
        "business_date": event.business_date,
        "channel": event.channel.value,
        "service": event.service.value,
        "stage": event.stage.value,
        "tracked_status": (
            ("placed" if event.scheduled_for else "prep")  # for later: placed until it fires
            if event.stage is Stage.PLACED
            else TRACKER_STATUS[event.stage]
        ),
        "customer_name": event.customer_name,
        "phone": event.phone,
        "address": event.address,
        "lat": event.lat,
        "lon": event.lon,
        "notes": event.notes,
        "menu_version": event.menu_version,
        "coupon": event.coupon,
        "subtotal": event.subtotal,
        "discount": event.discount,
        "tax": event.tax,
        "tip": event.tip,
        "total": event.total,
        "payment": event.payment,
        "promise_at": event.promise_at,
        "placed_at": event.placed_at,
        "scheduled_for": event.scheduled_for,
        "in_store_at": event.placed_at,
        "updated_at": at,
        "flagged_early_bump": False,
        "flagged_quick_delivery": False,
        "flagged_repeated_recall": False,
    }


def _line_rows(store_id: str, event: OrderPlaced) -> list[dict[str, Any]]:
    return [
        {
            "store_id": store_id,
            "order_id": event.id,
            "line_no": n,
            "product": item.product,
            "name": item.name or item.product,
            "size": item.size,
            "quantity": item.quantity,
            "unit_price": item.unit_price,
            "line_total": item.line_total,
            "item": item.model_dump(mode="json"),
        }
        for n, item in enumerate(event.items, start=1)
    ]


def _statement(order_columns: tuple[str, ...], line_columns: tuple[str, ...]) -> str:
    """The orders new to the cloud inserted, and the lines of those (and only those); the
    lines' foreign key is checked at the statement's end, when the orders are there."""
    orders, lines = ", ".join(order_columns), ", ".join(line_columns)
    new = (
        f"WITH new AS (INSERT INTO orders ({orders}) SELECT {orders} FROM "
        f"{recordset(_ORDERS, order_columns, 'orders')} "
        "ON CONFLICT (store_id, id) DO NOTHING RETURNING store_id, id)"
    )
    if line_columns:
        new += (
            f", new_lines AS (INSERT INTO order_line ({lines}) SELECT {lines} FROM "
            f"{recordset(_LINES, line_columns, 'lines')} "
            "WHERE (x.store_id, x.order_id) IN (SELECT store_id, id FROM new))"
        )
    return new + " SELECT id FROM new"


_statements: dict[tuple[tuple[str, ...], tuple[str, ...]], TextClause] = {}


def placed_statement(
    store_id: str, placed: Sequence[tuple[int, OrderPlaced, datetime]]
) -> tuple[TextClause, dict[str, str]] | None:
    """The statement (and its parameters) that writes the store's own orders of a batch
    (`(seq, order.placed, created_at)`, the first of each order id counting) with their lines
    and returns the ids that were new to the cloud; None when there are none."""
    first: dict[str, tuple[OrderPlaced, datetime]] = {}
    for _, event, at in placed:
        first.setdefault(event.id, (event, at))
    if not first:
        return None
    orders = [_order_row(store_id, event, at) for event, at in first.values()]
    lines = [line for event, _ in first.values() for line in _line_rows(store_id, event)]
    key = (tuple(orders[0]), tuple(lines[0]) if lines else ())
    statement = _statements.get(key)
    if statement is None:
        statement = _statements[key] = text(_statement(*key))
    return statement, {"orders": document(orders), "lines": document(lines)}


def insert_placed(
    session: Session, store_id: str, placed: Sequence[tuple[int, OrderPlaced, datetime]]
) -> set[str]:
    """The store's own orders of a batch with their lines, in one statement (`placed_statement`);
    returns the ids that were new to the cloud."""
    found = placed_statement(store_id, placed)
    if found is None:
        return set()
    return set(session.connection().execute(*found).scalars())
