"""Two simple dispatchers the planner is measured against.

* `naive_plan`: first ready, first out, one order per run, the next driver in.
* `nearest_neighbour_plan`: the next driver in takes the first ready order and
  fills the hot bag (or the run's capacity, when loads are counted) with the
  nearest orders ready by then that fit, in nearest-first order.

Both take the same `PlanRequest` as `plan_runs` and answer a `Plan`, so a
dispatcher can be swapped for another anywhere (the rush simulation does).
"""

from __future__ import annotations

from collections.abc import Sequence

from makeline.dispatch.runs import Plan, PlanRequest, lay_out
from makeline.dispatch.travel import GreatCircleTravel, TravelTimes


def _queues(request: PlanRequest) -> tuple[list[int], list[int]]:
    stops, drivers = request.stops, request.drivers
    # an order over the rack-time cap first, then first ready, first promised
    orders = sorted(
        range(len(stops)),
        key=lambda k: (not request.starving(stops[k]), stops[k].release_s, stops[k].deadline_s, k),
    )
    by_return = sorted(range(len(drivers)), key=lambda v: (drivers[v].available_at_s, v))
    return orders, by_return


def naive_plan(request: PlanRequest, travel: TravelTimes | None = None) -> Plan:
    travel = travel or GreatCircleTravel()
    points = request.points()
    orders, by_return = _queues(request)
    routes: list[list[int]] = [[] for _ in request.drivers]
    for v, k in zip(by_return, orders, strict=False):
        routes[v] = [k]
    return lay_out(request, routes, travel.matrix(points), travel.distances(points))


def nearest_neighbour_plan(request: PlanRequest, travel: TravelTimes | None = None) -> Plan:
    travel = travel or GreatCircleTravel()
    points = request.points()
    seconds = travel.matrix(points)
    return lay_out(request, nearest_neighbour_routes(request, seconds), seconds, travel.distances(points))


def nearest_neighbour_routes(request: PlanRequest, seconds: Sequence[Sequence[int]]) -> list[list[int]]:
    """One route per driver (indexes into `request.stops`), as `nearest_neighbour_plan` lays out."""
    orders, by_return = _queues(request)
    left = list(orders)
    routes: list[list[int]] = [[] for _ in request.drivers]
    for v in by_return:
        if not left:
            break
        first = left.pop(0)
        leave = max(request.drivers[v].available_at_s, request.stops[first].release_s)
        route = [first]
        room = request.capacity - request.stops[first].load
        while True:
            # only orders ready when the run leaves: batching must not hold the first one back
            ready = [k for k in left if request.stops[k].release_s <= leave and request.stops[k].load <= room]
            if not ready:
                break
            here = route[-1] + 1
            nearest = min(ready, key=lambda k: (seconds[here][k + 1], k))
            route.append(nearest)
            left.remove(nearest)
            room -= request.stops[nearest].load
        routes[v] = route
    return routes
