"""The cut table: an order comes out of the conveyor oven (baked), is cut and boxed (ready).

A conveyor oven takes a fixed time, so when the crew boxes an order that was
never marked out, it came out at `made_at + oven_s` (or now, if pulled early):
one key at the cut table records both stages with true timestamps. Boxed
pizzas whose sides are still on the sides screen wait at the cut table; the
order goes on the rack when the last station is done (`kitchen.finish_if_done`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.lifecycle import Stage
from store_db.errors import IllegalTransition
from store_db.models import Order, Store
from store_db.services import kitchen, lifecycle, quality_check


@dataclass(frozen=True)
class Boxed:
    number: int
    ready: bool  # False: boxed, waiting for another station or the quality check
    checking: bool = False  # waiting for the quality check


def out_of_oven(session: Session, order_id: str, at: datetime, staff_id: str | None = None) -> Order:
    """made → baked. A second screen doing the same is no error."""
    return lifecycle.advance(session, order_id, Stage.BAKED, at, staff_id=staff_id, already_ok=True)


def box(session: Session, order_id: str, at: datetime, staff_id: str | None = None) -> Boxed:
    """Cut and boxed: made → baked (if not yet); ready once every other station is done too."""
    order = lifecycle.get_order(session, order_id)
    if quality_check.remaking(session, order):
        raise IllegalTransition(
            f"Order #{order.number} was sent back and is on the make line to be made again; "
            "box the new pizza when it comes out of the oven."
        )
    if order.stage == Stage.MADE.value:
        oven_s = session.scalars(select(Store.oven_s)).one()
        came_out = (order.made_at or at) + timedelta(seconds=oven_s)
        lifecycle.advance(session, order.id, Stage.BAKED, min(at, came_out), staff_id=staff_id)
    checking = False
    if order.stage == Stage.BAKED.value:
        if order.boxed_at is None:
            order.boxed_at = lifecycle.stamp_after(order, at)
            checking = quality_check.entered(session, order, order.boxed_at)
        kitchen.finish_if_done(session, order, at, staff_id)
    elif order.stage != Stage.READY.value:
        # Placed (not made yet), or already gone: let the lifecycle say why not.
        lifecycle.advance(session, order.id, Stage.READY, at, staff_id=staff_id, already_ok=True)
    return Boxed(number=order.number, ready=order.stage != Stage.BAKED.value, checking=checking)


def unbox(session: Session, order_id: str, back_to: Stage, at: datetime) -> Order:
    """Undo a box (or an out-of-oven) within the recall window: back on the belt or the table."""
    if back_to not in (Stage.MADE, Stage.BAKED):
        raise IllegalTransition("A box can only be undone back to the oven or the cut table.")
    return lifecycle.undo(session, order_id, back_to, at)
