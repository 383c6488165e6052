"""The run builder: OR-Tools routing over ready orders, promise times and hot bags.

It minimises `runs.objective`, made one integer by weights large enough that
each level dominates the next. The routing model, one vehicle per driver:

* every order is two nodes, a pick-up at the store (not before the order is
  ready) and the drop at its door, on the same vehicle, the pick-up first;
  a door is never followed by a pick-up, so a run is one trip and leaves once
  its driver is in and every order on it is ready. When every order is ready by
  the time the first driver can leave, the pick-ups change nothing and are left
  out: the doors alone;
* a hot-bag dimension caps the orders on a run (or their loads, when counted);
* a time dimension (drive, then the time at the door) with a soft upper bound
  at each door, its promise time;
* an order may be left off every run at a penalty: its waiting lateness, plus,
  for an order that holds no run back, more than all lateness can cost;
* arc cost: driving seconds.

* a door may have an earliest time (a scheduled order): the driver waits there;
* a driver may have to be back by a time (the end of the shift);
* an order over the rack-time cap is left off only when no bag has room at all.

The search is anytime inside one budget (`PlanRequest.budget_ms`, building the
matrices and the pool included): the nearest-neighbour plan first, then guided
local search from it, then `recombine` picks the best set of runs from those
found and from small groups of nearby orders, with CP-SAT; the best plan seen
is returned, so it is never worse than nearest-neighbour's. Each stage stops at
a fixed amount of work (same input, same plan) or at the budget, whichever
comes first.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from makeline.dispatch.baselines import nearest_neighbour_routes
from makeline.dispatch.objective import (
    MAX_URGENCY,
    backlog_weight,
    first_departure_s,
    later_work_s,
    objective,
    urgency,
    waiting_lateness,
    weighed_lateness,
)
from makeline.dispatch.recombine import recombine
from makeline.dispatch.runs import Plan, PlanRequest, lay_out
from makeline.dispatch.travel import GreatCircleTravel, TravelTimes

# The work each stage may do, counted in the solvers' own units so that the same
# input gets the same plan; the time limit only guards against a machine too
# slow to finish that work in time. Its shares: routing 25 %, recombination
# 45 %, the rest for building matrices and the pool of runs.
MOVES_PER_ORDER = 1  # accepted local-search moves
MIN_MOVES = 30
WORK_PER_ORDER = 0.005  # CP-SAT deterministic time (about seconds on a quick machine)
ROUTING_SHARE = 0.25
# without the work caps (`thorough`), local search keeps finding better runs long after
# recombination has nothing left to add: on Solomon's C101 at 50 customers, 25 % of 5 s
# leaves it at 13 vehicles where 80 % finds the optimum's 5
THOROUGH_ROUTING_SHARE = 0.8
RECOMBINE_SHARE = 0.45


@dataclass(frozen=True)
class _Costs:
    shift: int  # added to every time so that promises already past stay non-negative
    late: int  # per second late: more than any plan's whole driving
    busy: int  # per second of a driver's time on a run (`runs.backlog_weight` seconds late)
    keep_back: list[int]  # per order left off every run
    nudge: float  # guided local search's penalty scale (see `_nudge`)


def _costs(request: PlanRequest, seconds: Sequence[Sequence[int]]) -> _Costs:
    n = len(request.stops)
    longest = max(max(row) for row in seconds)
    door = max(request.door_s(s) for s in request.stops)
    shift = max([0, *(-s.deadline_s for s in request.stops)])
    ready = [
        *(s.release_s for s in request.stops),
        *(s.earliest_s for s in request.stops),
        *(d.available_at_s for d in request.drivers),
    ]
    # later than any arrival a plan can have, so above any one order's lateness
    horizon = shift + max(ready) + (request.max_stops + 1) * (longest + door) + 1
    # above all a plan can drive, its runs' own cost included
    late = (n + min(n, len(request.drivers))) * longest + len(request.drivers) * request.run_cost_s + 1
    backlog = backlog_weight(request)
    # above all lateness and drivers' time a plan can cost
    must_go = late * ((2 * MAX_URGENCY * n + backlog * (n + len(request.drivers))) * horizon + 1)
    ready_by = first_departure_s(request)
    starving = must_go * (n + 1)  # above every ready order left behind together
    keep_back = [
        late * weighed_lateness(stop, waiting)
        + late * backlog * work
        + (must_go if stop.release_s <= ready_by else 0)
        + (starving if request.starving(stop) else 0)
        for stop, waiting, work in zip(
            request.stops, waiting_lateness(request, seconds), later_work_s(request, seconds), strict=True
        )
    ]
    return _Costs(shift, late, late * backlog, keep_back, _nudge(request, seconds, late))


def _nudge(request: PlanRequest, seconds: Sequence[Sequence[int]], late: int) -> float:
    """Guided local search penalises arcs by their driving cost times this. When some order
    is late whatever the plan (it would be late going alone, straight away), lateness shapes
    the whole landscape and nudges on the driving scale are lost under it: the search stalls,
    so they are scaled to the lateness weight. When every order can be on time, driving is
    what is left to improve and nudges on its own scale work best (on Solomon's RC101 at 25
    customers: 4 vehicles and 462.5 where the lateness scale stays at 5 and 475.8)."""
    first_in = min(d.available_at_s for d in request.drivers)
    doomed = any(
        max(stop.release_s, first_in, stop.earliest_s - seconds[0][k + 1]) + seconds[0][k + 1]
        > stop.deadline_s
        for k, stop in enumerate(request.stops)
    )
    return float(late) if doomed else 1.0


def plan_runs(request: PlanRequest, travel: TravelTimes | None = None, *, thorough: bool = False) -> Plan:
    """The best runs found for the drivers and orders given, within `request.budget_ms`.

    An anytime search: it starts from the nearest-neighbour plan (so it is never
    worse than it on `runs.objective`), improves it with routing search and then
    recombination, and every stage, building the travel matrices and the pool of
    runs included, stops at the budget. `thorough` lifts the work bounds, leaving
    only the budget: a reference search for benchmarks, not reproducible.
    Raises `TravelTimesUnavailable` when the travel matrix cannot be had.
    """
    started = time.perf_counter()
    budget_s = request.budget_ms / 1000
    deadline = started + budget_s
    travel = travel or GreatCircleTravel()
    points = request.points()
    seconds = travel.matrix(points)
    metres = travel.distances(points)
    if not request.stops or not request.drivers:
        return lay_out(request, [[] for _ in request.drivers], seconds, metres)
    n = len(request.stops)
    costs = _costs(request, seconds)
    obvious = nearest_neighbour_routes(request, seconds)
    best_routes, best = obvious, objective(request, lay_out(request, obvious, seconds, metres), seconds)

    def consider(routes: list[list[int]]) -> None:
        nonlocal best_routes, best
        score = objective(request, lay_out(request, routes, seconds, metres), seconds)
        if score < best:
            best_routes, best = routes, score

    pickups = _with_pickups(request)
    manager, routing = _model(request, seconds, costs, pickups)
    moves = 0 if thorough else max(MIN_MOVES, MOVES_PER_ORDER * n)
    share = THOROUGH_ROUTING_SHARE if thorough else ROUTING_SHARE
    routing_s = min(budget_s * share, deadline - time.perf_counter())
    if routing_s > 0.001:
        params = _parameters(costs, moves, routing_s)
        # the store's search improves the obvious plan; the reference search builds its own
        # first plan (nearest-neighbour ignores time windows, a poor start on VRPTW instances)
        # and keeps the obvious one only if it is better
        start = None if thorough else routing.ReadAssignmentFromRoutes(_as_nodes(obvious, n, pickups), True)
        solution = (
            routing.SolveFromAssignmentWithParameters(start, params)
            if start is not None
            else routing.SolveWithParameters(params)
        )
        if solution is not None:
            consider(_routes(request, manager, routing, solution, pickups))
    left_s = deadline - time.perf_counter()
    if left_s > 0.002:
        better = recombine(
            request,
            seconds,
            best_routes,
            costs.late,
            costs.busy,
            costs.keep_back,
            work=left_s if thorough else WORK_PER_ORDER * n,
            deadline=deadline,
        )
        if better is not None:
            consider(better)
    return lay_out(request, best_routes, seconds, metres)


def _with_pickups(request: PlanRequest) -> bool:
    """Whether the model needs a pick-up node per order: only when some order may be ready
    after a driver could leave. Otherwise every run can leave when its driver is in, and
    the doors alone make a model half the size, which local search moves through faster."""
    first_in = min(d.available_at_s for d in request.drivers)
    return any(s.release_s > first_in for s in request.stops)


def _as_nodes(routes: Sequence[Sequence[int]], n: int, pickups: bool) -> list[list[int]]:
    """Routes of orders as routing nodes: every pick-up at the store (if any), then the doors."""
    if not pickups:
        return [[1 + k for k in route] for route in routes]
    return [[1 + k for k in route] + [n + 1 + k for k in route] for route in routes]


def _model(
    request: PlanRequest, seconds: Sequence[Sequence[int]], costs: _Costs, pickups: bool
) -> tuple[Any, Any]:
    n, drivers = len(request.stops), len(request.drivers)
    # node 0 is the store; with pick-ups 1..n are the pick-ups (at the store) and n+1..2n
    # the doors, without them 1..n the doors
    first_door = n + 1 if pickups else 1
    place = [0] * first_door + list(range(1, n + 1))
    door = [0] * first_door + [request.door_s(s) for s in request.stops]
    nodes = range(first_door + n)
    manager = pywrapcp.RoutingIndexManager(len(nodes), drivers, 0)
    routing = pywrapcp.RoutingModel(manager)
    solver = routing.solver()

    # matrices, not Python callbacks: the search reads arcs hundreds of thousands of times
    drive = [[seconds[place[i]][place[j]] for j in nodes] for i in nodes]
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(drive))
    if request.run_cost_s:
        routing.SetFixedCostOfAllVehicles(request.run_cost_s)
    routing.AddDimension(
        routing.RegisterUnaryTransitVector([0] * first_door + [s.load for s in request.stops]),
        0,
        request.capacity,
        True,
        "bag",
    )
    clock = [[door[i] + drive[i][j] for j in nodes] for i in nodes]
    horizon = (
        costs.shift
        + max(
            [
                *(s.release_s for s in request.stops),
                *(s.earliest_s for s in request.stops),
                *(d.available_at_s for d in request.drivers),
            ]
        )
        + sum(max(row) for row in clock)
    )
    routing.AddDimension(routing.RegisterTransitMatrix(clock), horizon, horizon, False, "time")
    clock_at = routing.GetDimensionOrDie("time")
    if costs.busy:  # orders left behind wait for the drivers' time away
        clock_at.SetSpanCostCoefficientForAllVehicles(costs.busy)
    for v, driver in enumerate(request.drivers):
        clock_at.CumulVar(routing.Start(v)).SetValue(driver.available_at_s + costs.shift)
        if driver.back_by_s is not None:  # an empty route is always allowed
            back_by = max(driver.back_by_s, driver.available_at_s)
            clock_at.CumulVar(routing.End(v)).SetMax(back_by + costs.shift)
    waits = any(s.earliest_s > 0 for s in request.stops)

    picks = [manager.NodeToIndex(1 + k) for k in range(n)] if pickups else []
    for k, stop in enumerate(request.stops):
        drop = manager.NodeToIndex(first_door + k)
        if pickups:
            pickup = picks[k]
            routing.AddPickupAndDelivery(pickup, drop)
            solver.Add(routing.VehicleVar(pickup) == routing.VehicleVar(drop))
            solver.Add(routing.ActiveVar(pickup) == routing.ActiveVar(drop))
            solver.Add(clock_at.CumulVar(pickup) <= clock_at.CumulVar(drop))
            clock_at.CumulVar(pickup).SetMin(stop.release_s + costs.shift)
            routing.NextVar(drop).RemoveValues(picks)  # one trip: no coming back for more
            routing.AddDisjunction([pickup], 0)
        if stop.earliest_s > 0:
            clock_at.CumulVar(drop).SetMin(stop.earliest_s + costs.shift)
        if not waits:
            clock_at.SlackVar(drop).SetValue(0)  # no idling once the run has left
        clock_at.SetCumulVarSoftUpperBound(drop, stop.deadline_s + costs.shift, costs.late * urgency(stop))
        routing.AddDisjunction([drop], costs.keep_back[k])
    return manager, routing


def _parameters(costs: _Costs, moves: int, limit_s: float) -> Any:
    params = pywrapcp.DefaultRoutingSearchParameters()
    # on rush snapshots (full bags, late orders) insertion starts from better plans
    # than cheapest-arc, which only looks at driving
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    # guided local search penalises arcs by their driving cost: on the lateness weight's
    # scale when some order is late whatever the plan, else on driving's own (`_nudge`)
    params.guided_local_search_lambda_coefficient = costs.nudge
    params.time_limit.FromMilliseconds(max(1, round(limit_s * 1000)))
    if moves > 0:
        params.solution_limit = moves
    params.log_search = False
    return params


def _routes(
    request: PlanRequest, manager: Any, routing: Any, solution: Any, pickups: bool
) -> list[list[int]]:
    n = len(request.stops)
    first_door = n + 1 if pickups else 1
    routes: list[list[int]] = []
    for v in range(len(request.drivers)):
        route: list[int] = []
        index = solution.Value(routing.NextVar(routing.Start(v)))
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            if node >= first_door:
                route.append(node - first_door)
            index = solution.Value(routing.NextVar(index))
        routes.append(route)
    return routes
