"""Promises for the Friday rush from the live plan, beside the old rule, on the same deliveries.

The old promise (`friday_rush`) is what the store quoted before the quote model: prep, 3
minutes on the rack, the drive, and a flat 10 minutes waiting for a driver. The live
promise is `makeline.trade.quote` on what the store knows the moment the order is placed:
the delivery orders not yet out (when each comes ready, how far each goes) and every
driver, in the store or out with the return the run's plan expects. Both are scored on
the deliveries one simulation made, so the promise alone differs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from makeline.demo.rush import Rush, RushOrder, RushResult
from makeline.dispatch.travel import LatLon, TravelTimes
from makeline.trade.quote import DISPATCH_MARGIN_S, ROUND_TO_S, STOP_S, Load, Waiting, driver_wait

Promise = Callable[[RushOrder], int]


@dataclass(frozen=True)
class PromiseScore:
    on_time_pct: float
    avg_promise_min: float  # placed to promise: a longer promise is easier to keep


def live_promises(rush: Rush, result: RushResult, travel: TravelTimes) -> dict[str, int]:
    """Each order's promise (seconds) from the quote model on the state when it was placed."""
    doors = [rush.store, *(LatLon(o.lat, o.lon) for o in rush.orders)]
    seconds = travel.matrix(doors)
    drive = {o.order_id: seconds[0][k + 1] for k, o in enumerate(rush.orders)}
    by_label = {d.label: d for d in result.deliveries}
    runs = {(d.driver_id, d.left_s, d.back_s) for d in result.deliveries}
    found: dict[str, int] = {}
    for order in sorted(rush.orders, key=lambda o: (o.placed_s, o.order_id)):
        now = order.placed_s
        ahead = tuple(
            Waiting(max(0, o.ready_s - now), drive[o.order_id])
            for o in rush.orders
            if (o.placed_s, o.order_id) < (now, order.order_id) and by_label[o.label].left_s > now
        )
        drivers = tuple(
            max(
                (back - now for who, left, back in runs if who == d.driver_id and left <= now < back),
                default=0,
            )
            for d in rush.drivers
        )
        load = Load(
            deliveries=tuple(sorted(ahead, key=lambda w: w.ready_in_s)), drivers=drivers, bag=rush.capacity
        )
        ready = order.ready_s - now
        wait, place = driver_wait(load, ready, drive[order.order_id])
        quote = ready + wait + drive[order.order_id] + (place - 1) * STOP_S + DISPATCH_MARGIN_S
        found[order.label] = now + math.ceil(quote / ROUND_TO_S) * ROUND_TO_S
    return found


def score(result: RushResult, promise_of: Callable[[str, int], int]) -> PromiseScore:
    """On-time % of `result`'s deliveries against `promise_of(label, old promise)`."""
    kept = [d.delivered_s <= promise_of(d.label, d.promise_s) for d in result.deliveries]
    spans = [promise_of(d.label, d.promise_s) - d.placed_s for d in result.deliveries]
    return PromiseScore(100 * sum(kept) / len(kept), sum(spans) / len(spans) / 60)
