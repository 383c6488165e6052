"""The tracker hears when the store's dispatch plan moves an order's times.

Every heartbeat brings a new plan (`sync.contract.PlannedDoor` per delivery order on a
run). A tracked order gets one update when the times its tracker shows change: the
minute its run leaves or the minute it is at the door, or the order coming onto or
going off a run. A heartbeat that moves nothing a customer would see (the plan made a
few seconds later, the same minutes) announces nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
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


# The delivery orders not yet out among each store's plan ids (a store's own id or the
# cloud's), for any number of stores at once: one statement, read by the heartbeats' own
# connections (a round of stores' news) or a session's (one store's). An id is looked for
# only among its own store's orders, once by each of the two keys that hold it (an `OR` of
# the two read every order of the store).
_FOUND_BY = f"""
SELECT o.store_id, {", ".join(f"o.{column}" for column in TrackedOrder.__slots__)}
FROM unnest(%(stores)s::text[], %(ids)s::text[]) AS p(store_id, order_id)
JOIN orders o ON o.store_id = p.store_id AND o.{{id}} = p.order_id
WHERE o.service = %(service)s AND o.stage = ANY(%(stages)s)
"""
ON_PLANS = _FOUND_BY.format(id="store_order_id") + "UNION ALL" + _FOUND_BY.format(id="id")


def on_plans(ids_by_store: Mapping[str, Collection[str]]) -> dict[str, Any]:
    """`ON_PLANS`' parameters: each store's ids beside it."""
    pairs = [(store, one) for store, ids in ids_by_store.items() for one in sorted(ids)]
    return {
        "stores": [store for store, _ in pairs],
        "ids": [one for _, one in pairs],
        "service": Service.DELIVERY.value,
        "stages": [stage.value for stage in NOT_OUT],
    }


def by_store(rows: Iterable[Sequence[Any]]) -> dict[str, list[TrackedOrder]]:
    """`ON_PLANS`' rows as each store's orders, each once (found by both its ids)."""
    found: dict[str, dict[str, TrackedOrder]] = {}
    for store_id, *columns in rows:
        order = TrackedOrder(*columns)
        found.setdefault(store_id, {})[order.id] = order
    return {store_id: list(orders.values()) for store_id, orders in found.items()}


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
    rows = session.connection().exec_driver_sql(ON_PLANS, on_plans({store_id: ids}))
    updates = plan_updates(by_store(rows).get(store_id, []), after)
    announcement(session).tracker.extend(updates)
    return len(updates)
