"""What the make line needs soon: the pizzas on its open tickets and on the orders for later
that go to the kitchen in the next minutes, counted from the build charts
(`makeline.trade.production`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.pricing import PricedItem
from makeline.trade.production import Production, production_counts
from makeline.trade.recipes import needed_parts
from store_db.models import KitchenTicket, OrderLine, utcnow
from store_db.queries.stock_ledger import recipes_for
from store_db.services.scheduled import firing_within

SOON = timedelta(minutes=15)


def make_line_needs(
    session: Session, station: str = "makeline", at: datetime | None = None, within: timedelta = SOON
) -> Production:
    """Dough, cheese and top toppings for every pizza on the station's open tickets, and on
    the orders for later that fire within `within` of `at` (they have no ticket yet)."""
    rows = list(
        session.scalars(
            select(OrderLine)
            .join(KitchenTicket, KitchenTicket.order_id == OrderLine.order_id)
            .where(
                KitchenTicket.station == station,
                KitchenTicket.bumped_at.is_(None),
                OrderLine.station == station,
            )
        )
    )
    later = [order.id for order in firing_within(session, at or utcnow(), within)]
    if later:
        rows += session.scalars(
            select(OrderLine).where(OrderLine.order_id.in_(later), OrderLine.station == station)
        )
    items = [PricedItem.model_validate(line.item) for line in rows]
    return production_counts(items, recipes_for(session, needed_parts(items)), later=len(later))
