"""Orders on the heat rack: carryout waiting for its customer, delivery waiting for a driver."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.lifecycle import Stage
from store_db.models import Order
from store_db.queries.cut_table import BoxLine, box_lines, order_care


@dataclass(frozen=True)
class RackOrder:
    order_id: str
    number: int
    service: str
    customer_name: str
    phone: str
    address: str
    ready_at: datetime
    promise_at: datetime
    total: int
    payment: str  # due, paid
    lines: tuple[BoxLine, ...]

    @property
    def label(self) -> str:
        return f"#{self.number}"

    @property
    def care(self) -> tuple[str, ...]:
        return order_care(self.lines)


def rack(session: Session) -> list[RackOrder]:
    """Ready orders, the longest-waiting first."""
    orders = list(
        session.scalars(
            select(Order).where(Order.stage == Stage.READY.value).order_by(Order.ready_at, Order.number)
        )
    )
    lines = box_lines(session, [o.id for o in orders])
    return [
        RackOrder(
            order_id=o.id,
            number=o.number,
            service=o.service,
            customer_name=o.customer_name,
            phone=o.phone,
            address=o.address,
            ready_at=o.ready_at or o.placed_at,
            promise_at=o.promise_at,
            total=o.total,
            payment=o.payment,
            lines=lines.get(o.id, ()),
        )
        for o in orders
    ]
