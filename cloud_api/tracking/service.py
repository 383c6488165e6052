"""Who may watch an order, and what the tracker is first shown."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from cloud_api.auth.principal import Principal
from cloud_api.auth.tokens import TRACKING_TICKET_TTL
from cloud_api.db.base import utcnow
from cloud_api.models import Order, Store
from cloud_api.orders.access import visible_order
from cloud_api.orders.progress import TRACKER_STEPS
from cloud_api.orders.quote import live_load
from cloud_api.orders.repository import order_by_id
from cloud_api.stores.repository import devices_of
from makeline.trade.lifecycle import Service, Stage
from makeline.trade.tracking import PREFIX, is_receipt_code
from sync.contract import PlannedDoor

if TYPE_CHECKING:
    from cloud_api.context import CloudContext


class TrackingTicket(BaseModel):
    ticket: str
    expires_in: int


def done_at(order: Order) -> str | None:
    """When the customer got the order (delivered, or picked up); None until then."""
    done = order.delivered_at or order.picked_up_at
    return done.isoformat() if done else None


NOT_OUT = (Stage.PLACED, Stage.MADE, Stage.BAKED, Stage.READY)


def planned(order: Order, store: Store | None, now: datetime) -> PlannedDoor | None:
    """When the store's dispatch plan sends this delivery order out and has it at the door,
    from the store's latest heartbeat while fresh; None once it is out (the run's own ETA
    then), for carryout, or while it is on no run of the plan."""
    if store is None or order.service != Service.DELIVERY.value or Stage(order.stage) not in NOT_OUT:
        return None
    live = live_load(store, now)
    return None if live is None else live.planned(order.store_order_id, order.id)


def snapshot(order: Order, store: Store | None, now: datetime | None = None) -> dict[str, Any]:
    plan = planned(order, store, now or utcnow())
    steps = list(TRACKER_STEPS[Service(order.service)])
    if order.tracked_status == "cancelled":
        steps = [*steps[:1], "cancelled"]
    return {
        "type": "snapshot",
        "order_id": order.id,
        "status": order.tracked_status,
        "stage": order.stage,
        "steps": steps,
        "number": order.number,
        "service": order.service,
        "store": store.name if store else "",
        "store_id": order.store_id,
        "timezone": store.timezone if store else "UTC",
        "store_phone": store.phone if store else "",
        "driver": order.driver_name,
        "placed_at": order.placed_at.isoformat(),
        "promise_at": order.promise_at.isoformat() if order.promise_at else None,
        "done_at": done_at(order),
        "eta_at": order.eta_at.isoformat() if order.eta_at else (plan.eta_at.isoformat() if plan else None),
        "leave_at": plan.leave_at.isoformat() if plan else None,  # the plan's, before the driver leaves
        "at": order.updated_at.isoformat(),
    }


def ticket(
    session: Session, ctx: CloudContext, caller: Principal, order_id: str, now: datetime
) -> TrackingTicket:
    """A short-lived ticket that opens this order's tracker, for someone who may see it."""
    order = visible_order(session, caller, order_id)
    return TrackingTicket(
        ticket=ctx.tokens.tracking_ticket(order.id, now),
        expires_in=int(TRACKING_TICKET_TTL.total_seconds()),
    )


def printed_by_store(session: Session, order: Order, code: str) -> bool:
    """A code from the order's store's receipt, signed with one of its device credentials."""
    if not code.startswith(PREFIX):
        return False
    return any(
        is_receipt_code(device.secret_hash, order.id, code) for device in devices_of(session, order.store_id)
    )


def watchable(
    session: Session, ctx: CloudContext, order_id: str, code: str | None, ticket: str | None
) -> dict[str, Any] | None:
    """The order's snapshot if this tracking code (a receipt's) or ticket opens it, else None."""
    order = order_by_id(session, order_id)  # a tracker link names no store: every shard is asked
    if order is None:
        return None
    allowed = bool(code) and (
        ctx.tokens.check_tracking_code(order.id, code or "") or printed_by_store(session, order, code or "")
    )
    if not allowed and ticket:
        allowed = ctx.tokens.check_tracking_ticket(order.id, ticket)
    if not allowed:
        return None
    return snapshot(order, session.get(Store, order.store_id))
