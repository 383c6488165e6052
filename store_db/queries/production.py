"""What the make line needs soon: the pizzas on its open tickets, counted from the build
charts (`makeline.trade.production`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.pricing import PricedItem
from makeline.trade.production import Production, production_counts
from makeline.trade.recipes import needed_parts
from store_db.models import KitchenTicket, OrderLine
from store_db.queries.stock_ledger import recipes_for


def make_line_needs(session: Session, station: str = "makeline") -> Production:
    """Dough, cheese and top toppings for every pizza on the station's open tickets."""
    rows = session.scalars(
        select(OrderLine)
        .join(KitchenTicket, KitchenTicket.order_id == OrderLine.order_id)
        .where(
            KitchenTicket.station == station,
            KitchenTicket.bumped_at.is_(None),
            OrderLine.station == station,
        )
    ).all()
    items = [PricedItem.model_validate(line.item) for line in rows]
    return production_counts(items, recipes_for(session, needed_parts(items)))
