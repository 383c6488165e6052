"""Counting an order's recalls over every screen, and flagging the order when they repeat.

A make-line or sides recall counts on its ticket (`KitchenTicket.recalls`, which the bump's own
flags read); a box, out-of-oven, quality check or hand-over taken back on the oven or rack
screen counts on the order (`Order.recalls`). The recall that makes the order's total repeated
(`makeline.trade.integrity`) flags it once, with an `order.flagged` event.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from makeline.trade.integrity import IntegrityFlag, recall_flags_order
from store_db.models import KitchenTicket, Order
from store_db.services import outbox
from sync.contract.events import OrderFlagged


def order_recalls(session: Session, order: Order) -> int:
    """Every recall of the order so far: its tickets' and the oven and rack screens'."""
    tickets = session.scalar(
        select(func.coalesce(func.sum(KitchenTicket.recalls), 0)).where(KitchenTicket.order_id == order.id)
    )
    return int(tickets or 0) + order.recalls


def count_recall(session: Session, order: Order, at: datetime, ticket: KitchenTicket | None = None) -> None:
    """One more recall of `order` (of its `ticket` on a kitchen screen, else on the oven or rack
    screen), flagging the order when this one makes its recalls repeated."""
    before = order_recalls(session, order)
    if ticket is not None:
        ticket.recalls += 1
    else:
        order.recalls += 1
    if recall_flags_order(before, before + 1):
        flag = OrderFlagged(order_id=order.id, number=order.number, flag=IntegrityFlag.REPEATED_RECALL, at=at)
        outbox.emit(session, flag, order.id, at)
