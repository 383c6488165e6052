"""A Friday rush, simulated: the same orders and drivers under different dispatchers.

A discrete-event simulation with no clock of its own: time is whole seconds
from the start of the rush. Orders become known when placed and dispatchable
when ready (made, baked, boxed). Whenever an order comes ready or a driver
gets back, the dispatcher is asked for a plan over every known order still in
the store and every driver (those out count as back at their return time;
`drivers_in` narrows that to the drivers in the store, as the dispatch board
asks); the runs of that plan that leave now go. A run's stops are delivered at their
ETAs and its driver is back at its return time: the simulation believes the
travel matrix, so dispatchers are compared on their decisions alone.

`friday_rush` builds the rush the dispatch tests and benchmark use.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from makeline.dispatch import PlanError
from makeline.dispatch.runs import Driver, Plan, PlanRequest, Stop
from makeline.dispatch.travel import GreatCircleTravel, LatLon, TravelTimes

Dispatcher = Callable[[PlanRequest, TravelTimes], Plan]

CHICAGO_LOOP = LatLon(41.8781, -87.6298)
DRIVER_NAMES = ("Sam", "Ana", "Luis", "Mei", "Joe", "Ola", "Kim", "Raj", "Eva", "Tom")
METRES_PER_DEGREE = 111_320


@dataclass(frozen=True)
class RushOrder:
    order_id: str
    label: str
    lat: float
    lon: float
    placed_s: int
    ready_s: int
    promise_s: int


@dataclass(frozen=True)
class Rush:
    store: LatLon
    orders: tuple[RushOrder, ...]
    drivers: tuple[Driver, ...]
    capacity: int = 3
    service_s: int = 120


@dataclass(frozen=True)
class Delivery:
    label: str
    driver_id: str
    placed_s: int
    ready_s: int
    left_s: int
    delivered_s: int
    promise_s: int
    back_s: int = 0  # when its driver was expected back from the run

    @property
    def on_time(self) -> bool:
        return self.delivered_s <= self.promise_s


@dataclass(frozen=True)
class RushResult:
    deliveries: tuple[Delivery, ...]
    runs: int
    drivers: int
    span_s: int  # from the first order placed to the last driver back

    @property
    def on_time_pct(self) -> float:
        return 100 * sum(d.on_time for d in self.deliveries) / len(self.deliveries)

    @property
    def avg_delivery_min(self) -> float:
        return sum(d.delivered_s - d.placed_s for d in self.deliveries) / len(self.deliveries) / 60

    def delivery_min(self) -> list[float]:
        return sorted((d.delivered_s - d.placed_s) / 60 for d in self.deliveries)

    def percentile_min(self, p: float) -> float:
        """Delivery time (placed to door) at percentile `p` (0-100), nearest rank."""
        times = self.delivery_min()
        return times[min(len(times) - 1, max(0, math.ceil(p / 100 * len(times)) - 1))]

    @property
    def max_delivery_min(self) -> float:
        return max(self.delivery_min())

    def over_min(self, minutes: float) -> int:
        return sum(1 for t in self.delivery_min() if t > minutes)

    @property
    def avg_rack_min(self) -> float:
        return sum(d.left_s - d.ready_s for d in self.deliveries) / len(self.deliveries) / 60

    @property
    def runs_per_driver_hour(self) -> float:
        return self.runs / (self.drivers * self.span_s / 3600)

    @property
    def orders_per_run(self) -> float:
        return len(self.deliveries) / self.runs


def drivers_in(dispatcher: Dispatcher) -> Dispatcher:
    """`dispatcher` asked about the drivers in the store only, as the dispatch board asks.

    Planning the next runs of drivers still out as well promises their orders a
    departure that the next re-plan, with newer orders, rarely keeps; on the
    Friday rush that cost the planner most of its on-time deliveries.
    """

    def plan(request: PlanRequest, travel: TravelTimes) -> Plan:
        drivers = tuple(d for d in request.drivers if d.available_at_s == 0)
        return dispatcher(replace(request, drivers=drivers), travel)

    return plan


def simulate(
    rush: Rush,
    dispatcher: Dispatcher,
    travel: TravelTimes | None = None,
    time_limit_ms: int | None = None,
) -> RushResult:
    """Every order of `rush` delivered under `dispatcher`; raises PlanError if it stalls."""
    travel = travel or GreatCircleTravel()
    orders = sorted(rush.orders, key=lambda o: (o.placed_s, o.order_id))
    back = {d.driver_id: d.available_at_s for d in rush.drivers}
    waiting: dict[str, RushOrder] = {}
    deliveries: list[Delivery] = []
    runs = 0
    events = sorted({o.ready_s for o in orders} | set(back.values()))
    placed = 0
    while events:
        now = events.pop(0)
        while placed < len(orders) and orders[placed].placed_s <= now:
            waiting[orders[placed].order_id] = orders[placed]
            placed += 1
        if not any(o.ready_s <= now for o in waiting.values()):
            continue
        if not any(t <= now for t in back.values()):
            continue
        plan = dispatcher(_request(rush, waiting.values(), back, now, time_limit_ms), travel)
        for run in plan.runs:
            if run.departure_s != 0 or back[run.driver_id] > now:
                continue
            runs += 1
            back[run.driver_id] = now + run.return_s
            events.append(now + run.return_s)
            for stop in run.stops:
                order = waiting.pop(stop.order_id)
                deliveries.append(
                    Delivery(
                        stop.label,
                        run.driver_id,
                        order.placed_s,
                        order.ready_s,
                        now,
                        now + stop.eta_s,
                        order.promise_s,
                        now + run.return_s,
                    )
                )
        events = sorted(set(events))
    if waiting or placed < len(orders):
        raise PlanError(f"The rush stalled with {len(waiting) + len(orders) - placed} orders never sent out.")
    first = orders[0].placed_s if orders else 0
    return RushResult(tuple(deliveries), runs, len(rush.drivers), max(back.values()) - first)


def _request(
    rush: Rush, waiting: Iterable[RushOrder], back: dict[str, int], now: int, limit: int | None
) -> PlanRequest:
    stops = tuple(
        Stop(
            o.order_id,
            o.label,
            o.lat,
            o.lon,
            o.promise_s - now,
            max(0, o.ready_s - now),
            on_rack_s=max(0, now - o.ready_s),
        )
        for o in sorted(waiting, key=lambda o: o.order_id)
    )
    drivers = tuple(replace(d, available_at_s=max(0, back[d.driver_id] - now)) for d in rush.drivers)
    return PlanRequest(rush.store.lat, rush.store.lon, stops, drivers, rush.capacity, limit, rush.service_s)


def friday_rush(
    seed: int = 2024,
    orders: int = 120,
    minutes: int = 120,
    drivers: int = 6,
    store: LatLon = CHICAGO_LOOP,
    radius_m: float = 6000,
    oven_s: int = 360,
    speed_kmh: float = 30.0,
    road_factor: float = 1.35,
) -> Rush:
    """A seeded rush: orders placed over `minutes`, busiest a third of the way in.

    Doors lie within `radius_m` of the store, half of them within a quarter of it. An order is
    ready after the make line (1-2 min), the oven belt (`oven_s`) and cutting and
    boxing (1-3 min). Its promise is what the store quotes on a busy night: that
    prep, 3 min on the rack, the drive, 10 min waiting for a driver, the whole
    rounded up to 5 minutes.
    """
    rng = random.Random(seed)
    span = minutes * 60
    # a steady evening with a bulge a third of the way in: busiest about 1.3 times the average
    placed = sorted(
        round(rng.triangular(0, span, span / 3) if rng.random() < 0.3 else rng.uniform(0, span))
        for _ in range(orders)
    )
    metres_per_s = speed_kmh / 3.6
    made: list[RushOrder] = []
    for i, at in enumerate(placed):
        distance = 150 + (radius_m - 150) * rng.random() ** 3  # most doors close in, a few far out
        bearing = rng.uniform(0, 2 * math.pi)
        lat = store.lat + distance * math.cos(bearing) / METRES_PER_DEGREE
        lon = store.lon + distance * math.sin(bearing) / (
            METRES_PER_DEGREE * math.cos(math.radians(store.lat))
        )
        prep = rng.randint(60, 120) + oven_s + rng.randint(60, 180)
        drive = distance * road_factor / metres_per_s
        quote = prep + 180 + drive + 600
        promise = at + math.ceil(quote / 300) * 300
        made.append(RushOrder(f"r{i:03d}", f"#{1001 + i}", lat, lon, at, at + prep, promise))
    crew = tuple(Driver(f"d{j}", DRIVER_NAMES[j % len(DRIVER_NAMES)]) for j in range(drivers))
    return Rush(store, tuple(made), crew)


@dataclass(frozen=True)
class CapacityBound:
    """What the drivers allow, whatever the dispatcher: in the busiest hour, the driving work
    needed (each order's drive there and back plus its door time, shared three to a bag at
    best) against the driver time available; and the average delivery with a driver for
    every order the moment it is ready."""

    busiest_hour_start_s: int
    work_needed_s: float  # with perfect bags: a third of each order's round trip
    work_single_s: float  # one order per run
    available_s: float

    @property
    def load_pct(self) -> tuple[float, float]:
        return 100 * self.work_needed_s / self.available_s, 100 * self.work_single_s / self.available_s


def capacity_bound(rush: Rush, travel: TravelTimes | None = None) -> tuple[CapacityBound, float]:
    """The busiest hour's load and the average delivery (minutes) with unlimited drivers."""
    travel = travel or GreatCircleTravel()
    points = [rush.store, *(LatLon(o.lat, o.lon) for o in rush.orders)]
    seconds = travel.matrix(points)
    trip = [seconds[0][k + 1] + seconds[k + 1][0] + rush.service_s for k in range(len(rush.orders))]
    best: CapacityBound | None = None
    for start in sorted({o.ready_s for o in rush.orders}):
        inside = [k for k, o in enumerate(rush.orders) if start <= o.ready_s < start + 3600]
        single = sum(trip[k] for k in inside)
        found = CapacityBound(start, single / rush.capacity, single, 3600.0 * len(rush.drivers))
        if best is None or found.work_single_s > best.work_single_s:
            best = found
    assert best is not None
    unlimited = sum(o.ready_s + seconds[0][k + 1] - o.placed_s for k, o in enumerate(rush.orders))
    return best, unlimited / len(rush.orders) / 60
