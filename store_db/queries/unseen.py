"""Online orders nobody saw: the alarm every screen shows and the heartbeat reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from makeline.trade.lifecycle import Stage
from makeline.trade.unseen import ALARM_AFTER, Arrival, Unseen, unseen
from store_db.models import Order, PrintJob


def unseen_orders(session: Session, now: datetime) -> list[Unseen]:
    """Open online orders that reached the store (or, ordered for later, fired to the kitchen)
    at least a minute before `now` and are neither drawn on a make-line screen nor printed by
    the kitchen printer."""
    printed = exists().where(
        PrintJob.subject == Order.id, PrintJob.document == "kitchen", PrintJob.status == "printed"
    )
    due = now - ALARM_AFTER
    rows = session.execute(
        select(Order.id, Order.number, Order.cloud_order_id, Order.arrived_at, Order.fired_at).where(
            Order.stage == Stage.PLACED.value,
            Order.arrived_at.is_not(None),
            Order.arrived_at <= due,
            # An order for later is held until it fires: it reaches the kitchen then.
            or_(Order.scheduled_for.is_(None), and_(Order.fired_at.is_not(None), Order.fired_at <= due)),
            Order.seen_at.is_(None),
            ~printed,
        )
    ).all()
    return unseen(
        [
            Arrival(
                r.id, r.number, r.cloud_order_id, max(r.arrived_at, r.fired_at or r.arrived_at), seen=False
            )
            for r in rows
            if r.arrived_at
        ],
        now,
    )
