"""The orders a batch of store events names, loaded and locked in one statement.

A store names an order by its own id, or by the cloud's id for an online order. Events
of one batch are applied without a flush between them, so the batch keeps its own index:
what it loaded, what it inserted (`order.placed`), and online orders it linked to the
store's id; a name it does not hold is looked up in the database, once.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cloud_api.models import Order
from cloud_api.orders.repository import by_store_reference


class NamedOrders:
    def __init__(self, session: Session, store_id: str) -> None:
        self.session, self.store_id = session, store_id
        self._by_name: dict[str, Order] = {}
        self._placed_at: dict[str, int] = {}  # order id → the seq of its `order.placed` in this batch

    def load(self, names: Iterable[str]) -> None:
        """Load and lock (FOR UPDATE) the store's orders known by these names, in one statement."""
        wanted = sorted(set(names) - self._by_name.keys())
        if not wanted:
            return
        found = self.session.scalars(
            select(Order)
            .where(
                Order.store_id == self.store_id, or_(Order.store_order_id.in_(wanted), Order.id.in_(wanted))
            )
            .order_by(Order.id)
            .with_for_update()
        ).all()
        for order in found:
            self.remember(order)

    def placed(self, order_id: str, seq: int) -> None:
        """The batch inserted this order by its `order.placed` event `seq`."""
        self._placed_at[order_id] = seq

    def holds(self, order_id: str) -> bool:
        """The batch holds the store's order with this (cloud) id."""
        order = self._by_name.get(order_id)
        return order is not None and order.id == order_id

    def remember(self, order: Order) -> None:
        self._by_name.setdefault(order.id, order)
        if order.store_order_id:
            self._by_name[order.store_order_id] = order

    def relink(self, order_id: str) -> None:
        """The held order now answers to the store's id too (an online order it took)."""
        self.remember(self._by_name[order_id])

    def find(self, name: str, seq: int) -> Order | None:
        """The store's order known as `name` as event `seq` finds it: an order this batch
        inserts later in its sequence is not there yet."""
        order = self._by_name.get(name)
        if order is None:
            order = by_store_reference(self.session, self.store_id, name)
            if order is None:
                return None
            self.remember(order)
        if self._placed_at.get(order.id, 0) > seq:
            return None
        return order
