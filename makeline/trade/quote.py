"""The one quote model: how long until a new order is ready at the counter or at the
customer's door, from a snapshot of the store's live load.

The counter's quote, the promise written on every placed order (store and online), the
tracker's estimate and a scheduled order's fire time all come from `estimate`. It reads
nothing: the store takes the snapshot (`Load`) in one query, the cloud gets the same
snapshot with the store's heartbeat, and both sides run this code on it.

    make   the pizzas ahead on the make line (each waiting order counts at most a batch of
           `ORDER_LOAD_CAP`: the line works a batch of a big order, then the next ticket)
           and this order's own, at the store's make target each
    oven   a wait for a slot on the belt when the belt, not the make line, is the
           bottleneck; the belt itself; cutting, boxing and onto the rack
    wait   on the rack until a driver takes it: the delivery orders ahead are handed, in
           the order they come ready, to the driver free soonest (drivers out count from
           their expected return), a bag of up to `bag` orders at a time, each bag away
           for its longest drive out and back plus its doors
    drive  to this door, plus a door and a short hop for each stop before it in its bag

The parts add up to an estimate (the tracker's, a scheduled order's fire time); a delivery
is promised `DISPATCH_MARGIN_S` past it.

A person can say the promise on the phone: `promise_time` rounds it up to 5 minutes.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

ORDER_LOAD_CAP = 12  # pizzas of one waiting order the make line works before the next ticket
CUT_AND_RACK_S = 180  # cut, boxed and on the heat rack after the belt
STOP_S = 180  # a stop before yours in the bag: the door (about 2 min) and the hop on the same route
OVERDUE_RETURN_S = 120  # a driver past the expected return is counted back in 2 minutes
NO_DRIVER_S = 600  # nobody on the clock to drive: until one is called in
# A delivery's estimate is right at the median; dispatch (bags combined, detours, the door)
# spreads the rest. Promised 5 minutes past the estimate, about 3 in 4 beat it on the Friday
# rush (benchmarks/bench_dispatch.py --only rush); carryout has no dispatch to allow for.
DISPATCH_MARGIN_S = 300
ROUND_TO_S = 300


class Waiting(NamedTuple):
    """A delivery order not yet out the door (a tuple: the store works a load out, hashes
    and compares it on every order, and a tuple's are done in C)."""

    ready_in_s: int  # 0: on the rack now
    drive_s: int  # one way, store to its door


class Load(NamedTuple):
    """The store's live load at one moment, and the settings the model reads (a tuple: every
    order's quote and throttle look their answers up by it, hashed and compared in C)."""

    make_ahead: int = 0  # pizzas ahead on the make line, each waiting order capped
    in_oven: int = 0  # pizzas on the belt now (shown; the pipeline rate rules the wait)
    deliveries: tuple[Waiting, ...] = ()  # delivery orders not yet out
    drivers: tuple[int, ...] = ()  # each driver on the clock: seconds until free (0: in the store)
    make_target_s: int = 60
    oven_s: int = 360
    belt_pizzas: int = 8  # pizzas the belt holds at once
    bag: int = 3  # orders a driver takes on one run
    speed_kmh: float = 30.0
    road_factor: float = 1.35

    @property
    def rack(self) -> int:
        """Delivery orders on the rack now, waiting for a driver."""
        return sum(1 for w in self.deliveries if w.ready_in_s <= 0)

    @property
    def drivers_in(self) -> int:
        return sum(1 for d in self.drivers if d <= 0)

    def drive_s(self, km: float) -> int:
        """One way to a door `km` away as the crow flies, at the store's speed on its roads."""
        return round(km * self.road_factor / self.speed_kmh * 3600)


@dataclass(frozen=True)
class Estimate:
    """Seconds from now, part by part; `bag_position` 0 for carryout."""

    make_s: int
    oven_s: int
    wait_s: int = 0  # on the rack for a driver
    drive_s: int = 0  # to the door, the stops before it in the bag included
    bag_position: int = 0
    margin_s: int = 0  # promised past the estimate (delivery: dispatch's spread)

    @property
    def ready_s(self) -> int:
        """Until it is on the rack (carryout: the promise)."""
        return self.make_s + self.oven_s

    @property
    def total_s(self) -> int:
        """The estimate: at the door (carryout: ready) this many seconds from now."""
        return self.make_s + self.oven_s + self.wait_s + self.drive_s

    @property
    def promise_s(self) -> int:
        """What to promise (before rounding): the estimate and its margin."""
        return self.total_s + self.margin_s

    @property
    def make_min(self) -> int:
        return _minutes(self.make_s)

    @property
    def oven_min(self) -> int:
        return _minutes(self.oven_s)

    @property
    def wait_min(self) -> int:
        return _minutes(self.wait_s)

    @property
    def drive_min(self) -> int:
        return _minutes(self.drive_s)


def _minutes(seconds: int) -> int:
    return math.ceil(seconds / 60)


def capped(pizzas: int) -> int:
    """What one waiting order weighs on the orders behind it."""
    return min(pizzas, ORDER_LOAD_CAP)


def estimate(load: Load, pizzas: int, delivery: bool, drive_s: int = 0) -> Estimate:
    """How long a new order of `pizzas` pizzas takes, part by part, from the load `load`.

    A delivery order joins the queue for drivers behind the deliveries that come ready
    before it (`drive_s`: one way to its door).
    """
    pizzas = max(0, pizzas)
    make = (load.make_ahead + pizzas) * load.make_target_s
    slot = load.oven_s / max(1, load.belt_pizzas)  # the belt takes a pizza every `slot` seconds
    belt_wait = max(0, math.ceil((load.make_ahead + pizzas) * slot - make))
    oven = belt_wait + load.oven_s + CUT_AND_RACK_S
    if not delivery:
        return Estimate(make, oven)
    wait, position = driver_wait(load, make + oven, max(0, drive_s))
    drive = max(0, drive_s) + (position - 1) * STOP_S
    return Estimate(make, oven, wait, drive, position, DISPATCH_MARGIN_S)


def driver_wait(load: Load, ready_s: int, drive_s: int) -> tuple[int, int]:
    """(seconds on the rack, place in its bag from 1) of an order ready in `ready_s` seconds.

    Orders go in the order they come ready (the new one after those ready at the same
    moment); the driver free soonest takes every order ready when it leaves, up to a bag;
    its stops run nearest first.
    """
    if not load.drivers:
        return NO_DRIVER_S, 1
    free = [d if d > 0 else 0 for d in load.drivers]
    heapq.heapify(free)
    mine = len(load.deliveries)
    queue = sorted(
        [(max(0, w.ready_in_s), k, w.drive_s) for k, w in enumerate(load.deliveries)]
        + [(ready_s, mine, drive_s)]
    )
    bag_size = max(1, load.bag)
    start = 0  # the queue is in ready order: the orders ready when a driver leaves lead it
    while start < len(queue):
        driver = heapq.heappop(free)
        leaves = max(driver, queue[start][0])
        end = start + 1
        while end < len(queue) and end - start < bag_size and queue[end][0] <= leaves:
            end += 1
        bag, start = queue[start:end], end
        if any(q[1] == mine for q in bag):
            stops = sorted(bag, key=lambda q: (q[2], q[1] != mine))
            place = next(n for n, q in enumerate(stops, start=1) if q[1] == mine)
            return leaves - ready_s, place
        heapq.heappush(free, leaves + 2 * max(q[2] for q in bag) + STOP_S * len(bag))
    raise AssertionError("the new order is always in the queue")  # pragma: no cover


def promise_time(at: datetime, seconds: int) -> datetime:
    """`at` plus `seconds`, rounded up to the next 5 minutes: a time a person can say."""
    raw = at + timedelta(seconds=seconds)
    epoch = raw.timestamp()
    rounded = -(-epoch // ROUND_TO_S) * ROUND_TO_S
    return raw + timedelta(seconds=rounded - epoch)
