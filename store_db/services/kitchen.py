"""Bumping and recalling kitchen tickets; an order is made when its last ticket is bumped."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from makeline.trade.lifecycle import Stage
from store_db.errors import IllegalTransition, NotFound
from store_db.models import KitchenTicket, Order
from store_db.services import lifecycle

SUSPICIOUS_BUMP_S = 5  # nobody makes a pizza in five seconds


def bump(session: Session, ticket_id: str, at: datetime, staff_id: str | None = None) -> KitchenTicket:
    ticket = session.get(KitchenTicket, ticket_id)
    if ticket is None:
        raise NotFound(f"There is no kitchen ticket {ticket_id}.")
    if ticket.bumped_at is not None:
        raise IllegalTransition("That ticket was already bumped from another screen.")
    ticket.bumped_at = max(at, ticket.created_at)
    ticket.suspicious = (ticket.bumped_at - ticket.created_at).total_seconds() < SUSPICIOUS_BUMP_S
    session.flush()
    order = session.get(Order, ticket.order_id)
    assert order is not None
    still_open = session.scalar(
        select(func.count())
        .select_from(KitchenTicket)
        .where(KitchenTicket.order_id == order.id, KitchenTicket.bumped_at.is_(None))
    )
    if not still_open and order.stage == Stage.PLACED.value:
        lifecycle.advance(session, order.id, Stage.MADE, ticket.bumped_at, staff_id=staff_id)
    return ticket


def recall(session: Session, ticket_id: str) -> KitchenTicket:
    """Put a bumped ticket back on the screen. The order's stage stays where it is."""
    ticket = session.get(KitchenTicket, ticket_id)
    if ticket is None:
        raise NotFound(f"There is no kitchen ticket {ticket_id}.")
    if ticket.bumped_at is None:
        raise IllegalTransition("That ticket is still on the screen; there is nothing to recall.")
    if ticket.note == "voided":
        raise IllegalTransition("That order was voided; it cannot come back to the make line.")
    ticket.bumped_at = None
    ticket.recalls += 1
    return ticket
