"""What the planner reads and writes: stops, drivers, a request, and the runs of a plan.

All times are whole seconds from "now" (the moment of planning). A run leaves
the store when its driver is in and every order on it is ready, visits its
stops in order (arrival is the stop's ETA, then the service time at the door),
and drives back. `lay_out` turns a bare assignment (which driver takes which
stops, in what order) into that timeline, so every planner and every test
measures a plan the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from makeline.dispatch import PlanError
from makeline.dispatch.travel import LatLon

MAX_CAPACITY = 6  # the most orders one hot-bag run may carry
BUDGET_BASE_MS = 100
BUDGET_PER_ORDER_MS = 30
BUDGET_CAP_MS = 1000
RACK_CAP_S = 30 * 60  # the default rack-time cap: an order that has waited this long goes first


@dataclass(frozen=True)
class Stop:
    """A ready (or soon ready) delivery order."""

    order_id: str
    label: str  # what people call it: "#1042"
    lat: float
    lon: float
    deadline_s: int  # the promise time; negative when it has already passed
    release_s: int = 0  # when it comes off the oven and is boxed; 0 if on the rack
    service_s: int | None = None  # time at the door; None takes the request's
    earliest_s: int = 0  # not at the door before this (a scheduled order); the driver waits
    on_rack_s: int = 0  # how long it has already waited on the heat rack
    load: int = 1  # what it takes of a run's capacity: one hot-bag seat unless loads are counted

    @property
    def point(self) -> LatLon:
        return LatLon(self.lat, self.lon)


@dataclass(frozen=True)
class Driver:
    driver_id: str
    name: str
    available_at_s: int = 0  # 0 when in the store, else the expected return
    back_by_s: int | None = None  # must be back in the store by then (end of shift); None: no limit


@dataclass(frozen=True)
class PlanRequest:
    store_lat: float
    store_lon: float
    stops: tuple[Stop, ...]
    drivers: tuple[Driver, ...]
    capacity: int = 3  # what one run carries, in the unit of `Stop.load`: hot-bag seats by default
    time_limit_ms: int | None = None  # None: scaled with the request (see `budget_ms`)
    service_s: int = 120
    rack_cap_s: int = RACK_CAP_S  # an order that has waited this long on the rack goes first
    # counted as driving for every run made: a standard VRPTW instance minimises vehicles
    # before distance; the store's drivers are on the clock anyway (0)
    run_cost_s: int = 0

    def __post_init__(self) -> None:
        if self.capacity < 1:
            raise PlanError(f"Hot-bag capacity must be at least 1 order (it is {self.capacity}).")
        if self.seats and self.capacity > MAX_CAPACITY:
            raise PlanError(
                f"A hot bag of {self.capacity} orders is not one run: pizza would ride too long. "
                f"Set the bag to at most {MAX_CAPACITY} orders."
            )
        if self.time_limit_ms is not None and self.time_limit_ms < 1:
            raise PlanError(f"The planning time limit must be positive ({self.time_limit_ms} ms).")
        if self.rack_cap_s < 1:
            raise PlanError(f"The rack-time cap must be positive ({self.rack_cap_s} s).")
        if self.run_cost_s < 0:
            raise PlanError(f"The cost of a run cannot be negative ({self.run_cost_s} s).")
        if self.service_s < 0:
            raise PlanError(f"The time at the door cannot be negative ({self.service_s} s).")
        _unique([s.order_id for s in self.stops], "order")
        _unique([d.driver_id for d in self.drivers], "driver")
        for stop in self.stops:
            if stop.release_s < 0 or (stop.service_s or 0) < 0 or stop.earliest_s < 0 or stop.on_rack_s < 0:
                raise PlanError(
                    f"Order {stop.label} has a negative ready time or door time; "
                    f"use 0 for an order already on the rack."
                )
            if not 0 <= stop.load <= self.capacity:
                raise PlanError(
                    f"Order {stop.label} takes {stop.load} of a run's capacity of {self.capacity}: "
                    f"no run can carry it."
                )
        for driver in self.drivers:
            if driver.available_at_s < 0:
                raise PlanError(
                    f"Driver {driver.name} has a return time in the past; use 0 for a driver in the store."
                )

    @property
    def budget_ms(self) -> int:
        """The whole planning budget: as given, else scaled with the orders to plan (a quick
        look for a handful, about a second from 30 orders up)."""
        if self.time_limit_ms is not None:
            return self.time_limit_ms
        return min(BUDGET_CAP_MS, BUDGET_BASE_MS + BUDGET_PER_ORDER_MS * len(self.stops))

    @property
    def seats(self) -> bool:
        """Every order takes one seat of a hot bag (the store's case): the capacity counts orders."""
        return all(s.load == 1 for s in self.stops)

    @property
    def max_stops(self) -> int:
        """The most orders one run can carry: the bag's seats, or as many of the lightest
        loads as fit."""
        if self.seats:
            return min(self.capacity, len(self.stops))
        room, count = self.capacity, 0
        for load in sorted(s.load for s in self.stops):
            if load > room:
                break
            room -= load
            count += 1
        return count

    def load(self, route: Sequence[int]) -> int:
        """What the orders `route` (indexes into `stops`) take of a run's capacity."""
        return sum(self.stops[k].load for k in route)

    def over_cap(self, stop: Stop) -> bool:
        """On the rack for the store's cap or longer."""
        return stop.release_s == 0 and stop.on_rack_s >= self.rack_cap_s

    def starving(self, stop: Stop) -> bool:
        """Over the cap and, of those, among the longest on the rack, one for each driver: it
        goes before anything else. When more orders are over the cap than there are runs, the
        one that has waited longest leads each run and the bag fills around it (three far
        orders forced onto one run would keep its driver out for an hour)."""
        return stop.order_id in self._first_out

    @cached_property
    def _first_out(self) -> frozenset[str]:
        over = sorted((s for s in self.stops if self.over_cap(s)), key=lambda s: (-s.on_rack_s, s.order_id))
        return frozenset(s.order_id for s in over[: len(self.drivers)])

    @property
    def store(self) -> LatLon:
        return LatLon(self.store_lat, self.store_lon)

    def points(self) -> list[LatLon]:
        """The store first, then each stop's door: the rows of the travel matrices."""
        return [self.store, *(s.point for s in self.stops)]

    def door_s(self, stop: Stop) -> int:
        return self.service_s if stop.service_s is None else stop.service_s


def _unique(ids: Sequence[str], what: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise PlanError(f"The {what} {item!r} appears twice in one plan request.")
        seen.add(item)


@dataclass(frozen=True)
class PlannedStop:
    order_id: str
    label: str
    eta_s: int  # arrival at the door
    deadline_s: int

    @property
    def late(self) -> bool:
        return self.eta_s > self.deadline_s

    @property
    def lateness_s(self) -> int:
        return max(0, self.eta_s - self.deadline_s)


@dataclass(frozen=True)
class Run:
    driver_id: str
    driver_name: str
    stops: tuple[PlannedStop, ...]
    departure_s: int
    return_s: int
    drive_s: int
    distance_m: int
    overtime_s: int = 0  # back after the driver's `back_by_s`


@dataclass(frozen=True)
class Plan:
    runs: tuple[Run, ...]
    unassigned: tuple[str, ...] = ()  # labels of orders left for a later run
    total_lateness_s: int = field(default=0)
    total_drive_s: int = field(default=0)

    def stops(self) -> list[PlannedStop]:
        return [stop for run in self.runs for stop in run.stops]


def lay_out(
    request: PlanRequest,
    routes: Sequence[Sequence[int]],
    seconds: Sequence[Sequence[int]],
    metres: Sequence[Sequence[int]],
) -> Plan:
    """The plan in which driver `v` takes stops `routes[v]` (indexes into `request.stops`).

    `seconds` and `metres` are indexed like `request.points()`. A route leaves
    at the latest of the driver's return and every one of its orders' ready
    times, which is the earliest it can go.
    """
    if len(routes) != len(request.drivers):
        raise PlanError("A plan needs one route (possibly empty) per driver.")
    taken = [k for route in routes for k in route]
    if len(taken) != len(set(taken)):
        raise PlanError("An order was put on two runs.")
    runs: list[Run] = []
    for driver, route in zip(request.drivers, routes, strict=True):
        if not route:
            continue
        if request.load(route) > request.capacity:
            held = f"{len(route)} orders" if request.seats else f"a load of {request.load(route)}"
            raise PlanError(f"A run for {driver.name} holds {held}; a run takes {request.capacity}.")
        stops = [request.stops[k] for k in route]
        t = max([driver.available_at_s, *(s.release_s for s in stops)])
        departure, here, drive, distance = t, 0, 0, 0
        planned: list[PlannedStop] = []
        for k, stop in zip(route, stops, strict=True):
            leg = seconds[here][k + 1]
            t = max(t + leg, stop.earliest_s)  # early at a scheduled door: the driver waits
            drive += leg
            distance += metres[here][k + 1]
            planned.append(PlannedStop(stop.order_id, stop.label, t, stop.deadline_s))
            t += request.door_s(stop)
            here = k + 1
        drive += seconds[here][0]
        distance += metres[here][0]
        back = t + seconds[here][0]
        overtime = 0 if driver.back_by_s is None else max(0, back - driver.back_by_s)
        runs.append(
            Run(driver.driver_id, driver.name, tuple(planned), departure, back, drive, distance, overtime)
        )
    served = set(taken)
    return Plan(
        runs=tuple(runs),
        unassigned=tuple(s.label for k, s in enumerate(request.stops) if k not in served),
        total_lateness_s=sum(p.lateness_s for run in runs for p in run.stops),
        total_drive_s=sum(run.drive_s for run in runs),
    )
