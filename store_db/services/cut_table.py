"""The cut table: an order comes out of the conveyor oven (baked), is cut and boxed (ready).

A conveyor oven takes a fixed time, so when the crew boxes an order that was
never marked out, it came out at `made_at + oven_s` (or now, if pulled early):
one key at the cut table records both stages with true timestamps.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.lifecycle import Stage
from store_db.models import Order, Store
from store_db.services import lifecycle


def out_of_oven(session: Session, order_id: str, at: datetime, staff_id: str | None = None) -> Order:
    """made → baked. A second screen doing the same is no error."""
    return lifecycle.advance(session, order_id, Stage.BAKED, at, staff_id=staff_id, already_ok=True)


def box(session: Session, order_id: str, at: datetime, staff_id: str | None = None) -> Order:
    """Cut and boxed, on the heat rack: made → baked (if not yet) → ready."""
    order = lifecycle.get_order(session, order_id)
    if order.stage == Stage.MADE.value:
        oven_s = session.scalars(select(Store.oven_s)).one()
        came_out = (order.made_at or at) + timedelta(seconds=oven_s)
        lifecycle.advance(session, order.id, Stage.BAKED, min(at, came_out), staff_id=staff_id)
    return lifecycle.advance(session, order.id, Stage.READY, at, staff_id=staff_id, already_ok=True)
