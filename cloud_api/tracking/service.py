"""Who may watch an order, and what the tracker is first shown."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from cloud_api.errors import CloudError
from cloud_api.models import Order, Store
from cloud_api.orders.access import may_see
from cloud_api.orders.progress import TRACKER_STEPS
from makeline.trade.lifecycle import Service

if TYPE_CHECKING:
    from cloud_api.context import CloudContext


def snapshot(order: Order, store: Store | None) -> dict[str, Any]:
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
        "store_phone": store.phone if store else "",
        "driver": order.driver_name,
        "placed_at": order.placed_at.isoformat(),
        "promise_at": order.promise_at.isoformat() if order.promise_at else None,
        "at": order.updated_at.isoformat(),
    }


def watchable(
    session: Session, ctx: CloudContext, order_id: str, code: str | None, access_token: str | None
) -> dict[str, Any] | None:
    """The order's snapshot if this tracking code or access token may watch it, else None."""
    order = session.get(Order, order_id)
    if order is None:
        return None
    allowed = bool(code) and ctx.tokens.check_tracking_code(order.id, code or "")
    if not allowed and access_token:
        from cloud_api.auth.service import authenticate

        try:
            allowed = may_see(authenticate(session, ctx, access_token), order)
        except CloudError:
            allowed = False
    if not allowed:
        return None
    return snapshot(order, session.get(Store, order.store_id))
