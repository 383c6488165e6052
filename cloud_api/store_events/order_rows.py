"""The orders a chunk of a store's events names, held as plain rows of `orders` (no ORM
bookkeeping), and written back in one statement.

The lifecycle's rules (`orders.progress`) run on these rows exactly as on mapped orders (both
are an `OrderState`). The chunk loads and locks the orders it names in one statement, keeps
its own index (what it loaded, what it inserted by `order.placed`, online orders linked to
the store's id), and writes what changed as one `UPDATE orders … FROM jsonb_to_recordset`,
only the columns that changed. An event applied with the ORM (runs, a refused feed entry)
sees the rows written first, and the rows then take what it changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, inspect, or_, select
from sqlalchemy.orm import Session

from cloud_api.db import plain
from cloud_api.db.records import Written
from cloud_api.models import Order


class OrderRow:
    """One order as the chunk holds it: the columns the lifecycle reads and changes."""

    id: str
    store_id: str
    customer_id: str | None
    store_order_id: str | None
    number: int | None
    business_date: date
    channel: str
    service: str
    stage: str
    tracked_status: str
    phone: str
    total: int
    payment: str
    promise_at: datetime | None
    placed_at: datetime
    scheduled_for: datetime | None
    fired_at: datetime | None
    in_store_at: datetime | None
    made_at: datetime | None
    baked_at: datetime | None
    ready_at: datetime | None
    picked_up_at: datetime | None
    out_the_door_at: datetime | None
    delivered_at: datetime | None
    voided_at: datetime | None
    void_reason: str | None
    cancel_state: str | None
    cancel_reason: str | None
    flagged_early_bump: bool
    flagged_quick_delivery: bool
    flagged_repeated_recall: bool
    run_id: str | None
    driver_name: str | None
    eta_at: datetime | None
    updated_at: datetime


FIELDS = tuple(OrderRow.__annotations__)
_ORDERS = cast(Table, Order.__table__)
_SELECT = select(*(_ORDERS.c[f] for f in FIELDS))
# The chunk's orders by their names, locked, in the order every chunk locks them (pre-written:
# the statement of every chunk, `cloud_api.db.plain`).
_LOAD = (
    f"SELECT {', '.join(FIELDS)} FROM orders WHERE store_id = %s"
    " AND (store_order_id = ANY(%s) OR id = ANY(%s)) ORDER BY id FOR UPDATE"
)


def _row(values: Iterable[Any]) -> OrderRow:
    row = OrderRow()
    row.__dict__.update(zip(FIELDS, values, strict=True))
    return row


class OrderRows:
    def __init__(self, session: Session, store_id: str) -> None:
        self.session, self.store_id = session, store_id
        self._by_name: dict[str, OrderRow] = {}
        self._by_id: dict[str, OrderRow] = {}
        self._written = Written(_ORDERS, ("store_id", "id"), FIELDS)
        self._placed_at: dict[str, int] = {}  # order id → the seq of its `order.placed` in this chunk

    def _held(self, row: OrderRow) -> OrderRow:
        held = self._by_id.setdefault(row.id, row)
        if held is row:
            self._written.seen(row)
        self.remember(held)
        return held

    def load(self, names: Iterable[str]) -> None:
        """Load and lock (FOR UPDATE) the store's orders known by these names, in one statement."""
        wanted = sorted(set(names) - self._by_name.keys())
        if not wanted:
            return
        for values in plain.fetch_all(self.session, _LOAD, (self.store_id, wanted, wanted)):
            self._held(_row(values))

    def placed(self, order_id: str, seq: int) -> None:
        """The chunk inserted this order by its `order.placed` event `seq`."""
        self._placed_at[order_id] = seq

    def holds(self, order_id: str) -> bool:
        """The chunk holds the store's order with this (cloud) id."""
        return order_id in self._by_id

    def remember(self, order: OrderRow) -> None:
        self._by_name.setdefault(order.id, order)
        if order.store_order_id:
            self._by_name[order.store_order_id] = order

    def relink(self, order_id: str) -> None:
        """The held order now answers to the store's id too (an online order it took)."""
        self.remember(self._by_id[order_id])

    def find(self, name: str, seq: int) -> OrderRow | None:
        """The store's order known as `name` as event `seq` finds it: an order this chunk
        inserts later in its sequence is not there yet."""
        order = self._by_name.get(name)
        if order is None:
            values = self.session.execute(
                _SELECT.where(
                    _ORDERS.c.store_id == self.store_id,
                    or_(_ORDERS.c.store_order_id == name, _ORDERS.c.id == name),
                ).with_for_update()
            ).first()
            if values is None:
                return None
            order = self._held(_row(values))
        if self._placed_at.get(order.id, 0) > seq:
            return None
        return order

    def write(self) -> int:
        """What the chunk changed in its orders, in one statement (only the columns that
        changed); returns how many orders it wrote."""
        found = self._written.changes(self._by_id.values())
        if found is None:
            return 0
        statement, rows = found
        written = self.session.connection().execute(statement, {"rows": rows}).rowcount
        self._expire_mapped()
        return int(written)

    def _expire_mapped(self) -> None:
        """A mapped copy of a written order the caller's session holds reads it again."""
        for mapped in [o for o in self.session.identity_map.values() if isinstance(o, Order)]:
            identity = inspect(mapped).identity
            if identity and identity[0] == self.store_id and identity[1] in self._by_id:
                self.session.expire(mapped)

    def flush_mapped(self) -> None:
        """After an event applied with the ORM: what it changed flushed, the rows take it, and
        the mapped orders are expired, so the ORM reads what the rows change next."""
        changed = [o for o in self.session.dirty if isinstance(o, Order)]  # held until copied
        self.session.flush()
        for mapped in changed:
            state = inspect(mapped)
            store_id, order_id = state.identity if state.identity else (None, None)
            row = self._by_id.get(str(order_id)) if store_id == self.store_id else None
            if row is None:
                continue
            if all(f in state.dict for f in FIELDS):
                row.__dict__.update((f, state.dict[f]) for f in FIELDS)
                self._written.seen(row)
                self.remember(row)
            else:  # not all of it loaded: read again when named
                self._forget(row)
        for mapped in [o for o in self.session.identity_map.values() if isinstance(o, Order)]:
            self.session.expire(mapped)

    def _forget(self, row: OrderRow) -> None:
        del self._by_id[row.id]
        self._written.forget(row)
        for name in [n for n, held in self._by_name.items() if held is row]:
            del self._by_name[name]
