"""Who saw an online order first: a make-line screen records the moment it first drew the
ticket, so an order nobody saw can raise the alarm (`makeline.trade.unseen`). The kitchen
printer's mark is its print job turning `printed` (`store_db.services.printing`)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from store_db.models import Order


def mark_seen(session: Session, order_ids: Collection[str], at: datetime) -> int:
    """Orders `order_ids` were drawn on a make-line screen at `at`; the first sighting is
    kept (a later redraw changes nothing). Returns how many were seen for the first time."""
    if not order_ids:
        return 0
    result = session.execute(
        update(Order)
        .where(Order.id.in_(list(order_ids)), Order.seen_at.is_(None))
        .values(seen_at=at)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
