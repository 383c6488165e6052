"""Standard VRPTW instances (Solomon's format) as plan requests, and how a plan scores on them.

A Solomon instance (C101, R101, RC101, …) is customers on a plane, each with a demand, a
time window [ready, due] and a service time; vehicles of one capacity; a depot open until
its due time. The 25- and 50-customer instances are the first 25 and 50 customers of the
100-customer file. Onto the planner:

* the depot is the store; every customer a stop on the rack from the start (`release_s`
  0), not served before its ready time (`earliest_s`: the driver waits) and promised by
  its due time (`deadline_s`: the planner's lateness comes before driving, so a plan with
  no lateness keeps every window);
* `load` is the demand and `capacity` the vehicles' (the capacity dimension instead of
  hot-bag seats); one driver per vehicle, back by the depot's due time;
* distance and time are Euclidean, in tenths truncated (`SCALE`): the convention of the
  published optimal solutions for these sizes;
* vehicles first, then distance (the standard ranking): each run costs more than any
  distance a plan could save with it (`PlanRequest.run_cost_s`), and `solve` takes vehicles
  away one at a time while every window can still be kept.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from makeline.dispatch import PlanError
from makeline.dispatch.runs import Driver, Plan, PlanRequest, Stop
from makeline.dispatch.travel import LatLon

SCALE = 10  # planner units per instance unit: one decimal


@dataclass(frozen=True)
class Customer:
    number: int  # 0 is the depot
    x: int
    y: int
    demand: int
    ready: int
    due: int
    service: int


@dataclass(frozen=True)
class Instance:
    name: str
    vehicles: int
    capacity: int
    depot: Customer
    customers: tuple[Customer, ...]

    def first(self, n: int) -> Instance:
        """The instance with its first `n` customers (Solomon's 25- and 50-customer sets)."""
        if not 1 <= n <= len(self.customers):
            raise PlanError(f"{self.name} has {len(self.customers)} customers; {n} were asked for.")
        return replace(self, name=f"{self.name}.{n}", customers=self.customers[:n])


def parse(name: str, text: str) -> Instance:
    """An instance from the text of a Solomon file: the vehicle number and capacity after the
    `VEHICLE` heading, then one line of seven integers per customer, the depot first."""
    rows: list[list[int]] = []
    for line in text.splitlines():
        fields = line.split()
        if fields and all(f.removeprefix("-").isdigit() for f in fields):
            rows.append([int(f) for f in fields])
    fleet = [row for row in rows if len(row) == 2]
    table = [row for row in rows if len(row) == 7]
    if len(fleet) != 1 or len(table) < 2 or len(fleet) + len(table) != len(rows):
        raise PlanError(
            f"{name} is not a Solomon instance: expected one line of vehicle number and capacity "
            f"and lines of seven numbers per customer, the depot first."
        )
    people = [Customer(*row) for row in table]
    if [c.number for c in people] != list(range(len(people))):
        raise PlanError(f"{name}: customers must be numbered 0 (the depot), 1, 2, … in order.")
    (vehicles, capacity), depot = fleet[0], people[0]
    if vehicles < 1 or capacity < 1:
        raise PlanError(f"{name}: it needs at least one vehicle of some capacity ({vehicles} of {capacity}).")
    for c in people:
        if c.demand < 0 or c.service < 0 or not 0 <= c.ready <= c.due or c.demand > capacity:
            raise PlanError(
                f"{name}: customer {c.number} has a negative demand or service time, a window that "
                f"closes before it opens, or more demand than a vehicle carries."
            )
    return Instance(name, vehicles, capacity, depot, tuple(people[1:]))


@dataclass(frozen=True)
class EuclideanTravel:
    """Points on a plane, carried as `LatLon(x, y)`: straight-line distance in tenths, truncated,
    and as long to drive."""

    def matrix(self, points: Sequence[LatLon]) -> list[list[int]]:
        return [[int(math.hypot(a.lat - b.lat, a.lon - b.lon) * SCALE) for b in points] for a in points]

    def distances(self, points: Sequence[LatLon]) -> list[list[int]]:
        return self.matrix(points)


def plan_request(instance: Instance, time_limit_ms: int | None = None) -> PlanRequest:
    """The instance as the planner's request (see the module's first lines)."""
    stops = tuple(
        Stop(
            order_id=str(c.number),
            label=f"#{c.number}",
            lat=c.x,
            lon=c.y,
            deadline_s=c.due * SCALE,
            earliest_s=c.ready * SCALE,
            service_s=c.service * SCALE,
            load=c.demand,
        )
        for c in instance.customers
    )
    back_by = instance.depot.due * SCALE
    drivers = tuple(Driver(f"v{v}", f"Vehicle {v + 1}", 0, back_by) for v in range(instance.vehicles))
    depot = instance.depot
    request = PlanRequest(depot.x, depot.y, stops, drivers, instance.capacity, time_limit_ms, service_s=0)
    # vehicles first, then distance (the standard ranking): a run costs more than any
    # distance a plan can save by adding one
    reach = max((math.hypot(c.x - depot.x, c.y - depot.y) for c in instance.customers), default=0.0)
    most = 2 * math.ceil(reach * SCALE) * (len(stops) + len(drivers))  # a plan's distance is below it
    return replace(request, run_cost_s=most + 1)


@dataclass(frozen=True)
class Score:
    vehicles: int
    distance: float  # in the instance's units, one decimal
    late: int  # customers served after their due time
    unserved: int
    overtime: int  # vehicles back after the depot closes

    @property
    def feasible(self) -> bool:
        return self.late == 0 and self.unserved == 0 and self.overtime == 0


def score(plan: Plan) -> Score:
    """Vehicles used and distance driven (from the plan's driving, `EuclideanTravel` units)."""
    return Score(
        vehicles=sum(1 for run in plan.runs if run.stops),
        distance=plan.total_drive_s / SCALE,
        late=sum(1 for stop in plan.stops() if stop.late),
        unserved=len(plan.unassigned),
        overtime=sum(1 for run in plan.runs if run.overtime_s > 0),
    )


FIRST_SHARE = 0.6  # of `solve`'s time: the plan with every vehicle
FEWER_SHARE = 0.5  # of what is left: each plan with one vehicle fewer (the last takes it all)


def solve(instance: Instance, limit_s: float) -> Plan:
    """The best plan found within about `limit_s` seconds: fewest vehicles, then distance.

    The planner's search seldom empties a whole run once it keeps every window (each
    customer moved alone makes some window late), so after a plan with every vehicle it
    plans again with one vehicle fewer than the best plan used, while a plan keeps every
    window and time is left; the last plan that keeps them wins.
    """
    from makeline.dispatch.planner import plan_runs

    travel, started = EuclideanTravel(), time.perf_counter()
    request = plan_request(instance, max(1, round(limit_s * FIRST_SHARE * 1000)))
    best = plan_runs(request, travel, thorough=True)
    while score(best).feasible and score(best).vehicles > 1:
        left = limit_s - (time.perf_counter() - started)
        if left < 0.1:
            break
        share = left if score(best).vehicles <= 2 else left * FEWER_SHARE
        fewer = replace(
            request, drivers=request.drivers[: score(best).vehicles - 1], time_limit_ms=round(share * 1000)
        )
        found = plan_runs(fewer, travel, thorough=True)
        if not score(found).feasible:
            if share < left:  # one more try with everything left
                found = plan_runs(
                    replace(fewer, time_limit_ms=round((left - share) * 1000)), travel, thorough=True
                )
            if not score(found).feasible:
                break
        best = found
    return best
