"""Who may see an order: the customer who placed it, head office, and the store that makes it.
Anyone else is told it does not exist."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cloud_api.auth.principal import Principal, Role
from cloud_api.errors import not_yours
from cloud_api.models import Order
from cloud_api.orders.repository import order_by_id


def may_see(caller: Principal, order: Order) -> bool:
    if caller.role is Role.CUSTOMER:
        return order.customer_id == caller.id
    return caller.can_see_store(order.store_id)


def visible_order(session: Session, caller: Principal, order_id: str, lock: bool = False) -> Order:
    customer = caller.id if caller.role is Role.CUSTOMER else None
    order = order_by_id(session, order_id, customer_id=customer, lock=lock)
    if order is None or not may_see(caller, order):
        raise not_yours("order")
    return order
