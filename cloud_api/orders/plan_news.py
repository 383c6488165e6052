"""The tracker hears when the store's dispatch plan moves an order's times.

Every heartbeat brings a new plan (`sync.contract.PlannedDoor` per delivery order on a
run). A tracked order gets one update when the times its tracker shows change: the
minute its run leaves or the minute it is at the door, or the order coming onto or
going off a run. A heartbeat that moves nothing a customer would see (the plan made a
few seconds later, the same minutes) announces nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cloud_api.db.database import announcement
from cloud_api.models import Store
from cloud_api.orders.progress import tracker_update
from cloud_api.orders.quote import live_load
from cloud_api.orders.state import TrackedOrder
from cloud_api.tracking.service import NOT_OUT
from makeline.trade.lifecycle import Service
from sync.contract import PlannedDoor

Shown = tuple[datetime, datetime]  # (leave, door) to the minute, as the tracker shows them


def _minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def shown(plan: Sequence[PlannedDoor]) -> dict[str, Shown]:
    return {door.order_id: (_minute(door.leave_at), _minute(door.eta_at)) for door in plan}


def moved(before: Sequence[PlannedDoor], after: Sequence[PlannedDoor]) -> set[str]:
    """The order ids whose shown times differ between two plans (on one and not the other
    included)."""
    old, new = shown(before), shown(after)
    return {order_id for order_id in old.keys() | new.keys() if old.get(order_id) != new.get(order_id)}


def plan_before(session: Session, store_id: str, now: datetime) -> list[PlannedDoor]:
    """The plan trackers are showing now: the store's latest, while fresh."""
    store = session.get(Store, store_id)
    live = None if store is None else live_load(store, now)
    return [] if live is None else list(live.plan)


# The store's delivery orders not yet out among the plan's ids (a store's own id or the
# cloud's): one statement, read by the heartbeat's own connection or a session's.
ON_PLAN = f"""
SELECT {", ".join(TrackedOrder.__slots__)} FROM orders
WHERE store_id = %(store_id)s AND service = %(service)s AND stage = ANY(%(stages)s)
  AND (store_order_id = ANY(%(ids)s) OR id = ANY(%(ids)s))
"""


def on_plan(store_id: str, ids: Collection[str]) -> dict[str, Any]:
    """`ON_PLAN`'s parameters."""
    stages = [stage.value for stage in NOT_OUT]
    return {"store_id": store_id, "service": Service.DELIVERY.value, "stages": stages, "ids": sorted(ids)}


def plan_updates(found: Iterable[TrackedOrder], after: Sequence[PlannedDoor]) -> list[dict[str, Any]]:
    """A tracker update for each order found, with the new plan's times (none: off the plan)."""
    doors = {door.order_id: door for door in after}
    updates = []
    for order in found:
        door = doors.get(order.store_order_id or "") or doors.get(order.id)
        updates.append(
            tracker_update(order)
            | {
                "leave_at": door.leave_at.isoformat() if door else None,
                "eta_at": door.eta_at.isoformat() if door else None,
            }
        )
    return updates


def announce_plan(
    session: Session, store_id: str, before: Sequence[PlannedDoor], after: Sequence[PlannedDoor]
) -> int:
    """One tracker update for each of the store's delivery orders not yet out whose
    shown times the new plan moved; how many."""
    ids = moved(before, after)
    if not ids:
        return 0
    rows = session.connection().exec_driver_sql(ON_PLAN, on_plan(store_id, ids))
    updates = plan_updates((TrackedOrder(*row) for row in rows), after)
    announcement(session).tracker.extend(updates)
    return len(updates)
