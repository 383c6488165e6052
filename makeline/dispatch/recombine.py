"""Recombining runs: choose the best set of runs from a pool, exactly, with CP-SAT.

Local search moves one or two orders at a time; when every hot bag is full it
cannot pass orders round three runs, and late orders stay late. A plan is a
choice of runs (a set of orders, in the best order for the driver who takes
it) with each order on at most one run and each driver on at most one. Given a
pool of candidate runs, CP-SAT makes that choice for the same objective as the
routing search.

The pool: the runs the routing search found, plus every set of up to three
orders made of an order and its nearest neighbours; for a store-sized request
every set of up to three orders, which makes the answer the true optimum when
the hot bag holds three or fewer.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from makeline.dispatch.objective import weighed_lateness
from makeline.dispatch.runs import PlanRequest

ENUMERATED_SIZE = 3  # largest run enumerated; longer ones come from the routing search
PERMUTED_UP_TO = 6  # orders: a run up to this long is tried in every driving order; longer, as found
ALL_SETS_UP_TO = 20  # orders: up to this many, every set is a candidate
POOL_SETS = 5000  # beyond it, an order is grouped with as many nearest orders as this allows
POOL_SHARE = 0.5  # of the time left for recombination, at most this much builds the pool


Shift = tuple[int, int | None]  # a class of drivers: (back in the store at, must be back by)


@dataclass(frozen=True)
class Candidate:
    orders: tuple[int, ...]  # indexes into request.stops, in driving order
    shift: Shift  # the drivers it is ordered for
    cost: int  # lateness times the late weight, the driver's time away times its weight, driving


def order_sets(
    request: PlanRequest,
    seconds: Sequence[Sequence[int]],
    found: Iterable[Sequence[int]],
    deadline: float = math.inf,
) -> list[tuple[int, ...]]:
    """The sets of orders worth a run, sorted so the pool is the same every time; past
    `deadline` (a `time.perf_counter()` moment) no more are added."""
    n = len(request.stops)
    size = min(request.max_stops, ENUMERATED_SIZE)
    sets: set[tuple[int, ...]] = {tuple(sorted(route)) for route in found if route}
    neighbours = _neighbours(n, size)
    for k in range(n):
        if time.perf_counter() > deadline:
            break
        if n <= ALL_SETS_UP_TO:
            near = list(range(k + 1, n))
        else:
            others = sorted((j for j in range(n) if j != k), key=lambda j: (seconds[k + 1][j + 1], j))
            near = others[:neighbours]
        for extra in range(size):
            for group in itertools.combinations(near, extra):
                if request.load((k, *group)) <= request.capacity:
                    sets.add(tuple(sorted((k, *group))))
    return sorted(sets)


def _neighbours(n: int, size: int) -> int:
    """The most nearest orders each order can be grouped with, keeping the pool near POOL_SETS."""
    k = 1
    while k + 1 < n and sum(math.comb(k + 1, extra) for extra in range(size)) * n <= POOL_SETS:
        k += 1
    return k


def candidates(
    request: PlanRequest,
    seconds: Sequence[Sequence[int]],
    orders: Sequence[int],
    classes: Sequence[Shift],
    late_weight: int,
    busy_weight: int = 0,
) -> list[Candidate]:
    """For each class of drivers, the best driving order of `orders` (none when every
    driving order would bring the driver back after the end of the shift). A run longer
    than `PERMUTED_UP_TO` is taken in the order given."""
    stops = request.stops
    ready = max(stops[k].release_s for k in orders)
    orderings = itertools.permutations(orders) if len(orders) <= PERMUTED_UP_TO else [tuple(orders)]
    tried = list(orderings)
    found = []
    for available, back_by in classes:
        leave = max(available, ready)
        best: tuple[int, int, tuple[int, ...]] | None = None
        for sequence in tried:
            t, here, drive, late = leave, 0, 0, 0
            for k in sequence:
                t = max(t + seconds[here][k + 1], stops[k].earliest_s)
                drive += seconds[here][k + 1]
                late += weighed_lateness(stops[k], max(0, t - stops[k].deadline_s))
                t += request.door_s(stops[k])
                here = k + 1
            drive += seconds[here][0]
            if back_by is not None and t + seconds[here][0] > max(back_by, available):
                continue
            away = t + seconds[here][0] - available
            cost = late * late_weight + away * busy_weight + drive + request.run_cost_s
            if best is None or (cost, drive) < best[:2]:
                best = (cost, drive, sequence)
        if best is not None:
            found.append(Candidate(best[2], (available, back_by), best[0]))
    return found


def recombine(
    request: PlanRequest,
    seconds: Sequence[Sequence[int]],
    found: Sequence[Sequence[int]],
    late_weight: int,
    busy_weight: int,
    keep_back_cost: Sequence[int],
    work: float,
    deadline: float,
) -> list[list[int]] | None:
    """One route per driver (indexes into request.stops), or None if CP-SAT found none.

    `found` is the routing search's plan, one route per driver: it is in the
    pool and is CP-SAT's starting point. `keep_back_cost[k]` is the cost of
    leaving order k for a later run. `work` bounds CP-SAT in its deterministic
    units, so the same input gets the same answer; `deadline` (a `time.perf_counter()`
    moment) is the guard, for building the pool too.
    """
    drivers = request.drivers
    shift_of = [(d.available_at_s, d.back_by_s) for d in drivers]
    classes = sorted(set(shift_of), key=lambda c: (c[0], math.inf if c[1] is None else c[1]))
    seats = {c: shift_of.count(c) for c in classes}
    pool: list[Candidate] = []
    # the pool may take half of what is left: building the model and solving need the rest
    pool_by = time.perf_counter() + max(0.0, deadline - time.perf_counter()) * POOL_SHARE
    as_found = {tuple(sorted(route)): route for route in found if route}
    for orders in order_sets(request, seconds, found, pool_by):
        if time.perf_counter() > pool_by:
            break
        pool.extend(
            candidates(request, seconds, as_found.get(orders, orders), classes, late_weight, busy_weight)
        )
    chosen = {(tuple(sorted(route)), shift_of[v]) for v, route in enumerate(found) if route}
    pooled = {(tuple(sorted(c.orders)), c.shift) for c in pool}
    for v, route in enumerate(found):  # the plan found is always in the pool, whatever the clock says
        if route and (tuple(sorted(route)), shift_of[v]) not in pooled:
            pool.extend(candidates(request, seconds, route, [shift_of[v]], late_weight, busy_weight))
    model = cp_model.CpModel()
    take = [model.new_bool_var(f"run{i}") for i in range(len(pool))]
    kept = [model.new_bool_var(f"kept{k}") for k in range(len(request.stops))]
    covering: list[list[int]] = [[] for _ in request.stops]
    by_class: dict[Shift, list[int]] = {c: [] for c in classes}
    for i, candidate in enumerate(pool):
        by_class[candidate.shift].append(i)
        for k in candidate.orders:
            covering[k].append(i)
    for k, runs in enumerate(covering):
        model.add_exactly_one([kept[k], *(take[i] for i in runs)])
    for a in classes:
        model.add(cp_model.LinearExpr.sum([take[i] for i in by_class[a]]) <= seats[a])
    model.minimize(
        cp_model.LinearExpr.weighted_sum([*take, *kept], [*(c.cost for c in pool), *keep_back_cost])
    )
    for i, candidate in enumerate(pool):
        model.add_hint(take[i], (tuple(sorted(candidate.orders)), candidate.shift) in chosen)
    served = {k for route in found for k in route}
    for k, var in enumerate(kept):
        model.add_hint(var, k not in served)

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # one worker and a work bound: the same answer every time
    solver.parameters.random_seed = 0
    solver.parameters.max_deterministic_time = work
    solver.parameters.max_time_in_seconds = max(0.001, deadline - time.perf_counter())
    # a set-packing model: its linear relaxation is strong, so lean on it (level 2)
    # and skip presolve and probing, which take longer than solving
    solver.parameters.linearization_level = 2
    solver.parameters.cp_model_presolve = False
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.symmetry_level = 0
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    routes: list[list[int]] = [[] for _ in drivers]
    free = {c: [v for v in range(len(drivers)) if shift_of[v] == c] for c in classes}
    for i, candidate in enumerate(pool):
        if solver.value(take[i]):
            routes[free[candidate.shift].pop(0)] = list(candidate.orders)
    return routes
