"""The dispatch board: the store's delivery orders and drivers, and the runs to send next.

The bridge between the store database and the planner. `read_board` takes a
snapshot: delivery orders by stage (ready on the rack, or still on the line or
in the oven, with the time they will be ready), drivers in the store, and
drivers out on a run with their expected return. `plan_board` asks a planner
about that snapshot and answers a `Suggestion` in the store's terms (order
labels, aware datetimes). Runs are planned for the drivers in the store only:
planning next runs for drivers still out promises departures that the next
re-plan rarely keeps (docs/dispatch.md).

A screen calls `suggest(db)`, shows it, lets the dispatcher `move_order`
between runs, and `accept`s a run, which dispatches it through
`store_db.services.runs`. `send` dispatches a run made by hand.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.dispatch import PlanError
from makeline.dispatch.runs import Driver, Plan, PlanRequest, Stop, lay_out
from makeline.dispatch.travel import GreatCircleTravel, TravelTimes
from makeline.trade.business_day import business_date
from makeline.trade.lifecycle import Stage
from store_db.db import StoreDB
from store_db.errors import NotFound
from store_db.models import DeliveryRun, Order, RunStop, Staff, Store, utcnow
from store_db.services import drivers as driver_service
from store_db.services import runs as run_service
from store_db.services.staff import find_staff

Planner = Callable[[PlanRequest, TravelTimes], Plan]

BOX_S = 60  # cutting and boxing after the oven
MIN_PENDING_S = 30  # an order not yet marked ready is never counted as ready now
ON_THE_BOARD = (Stage.PLACED, Stage.MADE, Stage.BAKED, Stage.READY)


@dataclass(frozen=True)
class WaitingOrder:
    """A delivery order not yet out the door."""

    order_id: str
    number: int
    stage: str  # placed, made, baked, ready
    customer: str
    address: str
    lat: float | None
    lon: float | None
    placed_at: datetime
    promise_at: datetime
    ready_at: datetime | None  # when it was marked ready
    expected_ready_at: datetime | None  # when it will be ready; None while not yet made
    amount_due: int

    @property
    def label(self) -> str:
        return f"#{self.number}"

    @property
    def ready(self) -> bool:
        return self.stage == Stage.READY.value

    def rack_s(self, at: datetime) -> int | None:
        """Seconds on the heat rack so far; None until it is ready."""
        return None if self.ready_at is None else max(0, int((at - self.ready_at).total_seconds()))


@dataclass(frozen=True)
class DriverIn:
    driver_id: str
    name: str
    since: datetime  # clocked in, or back from the last run


@dataclass(frozen=True)
class DriverOut:
    driver_id: str
    name: str
    run_id: str
    orders: tuple[str, ...]  # labels, in stop order
    dispatched_at: datetime
    expected_return_at: datetime


@dataclass(frozen=True)
class Board:
    at: datetime
    zone: str
    store_lat: float
    store_lon: float
    capacity: int
    speed_kmh: float
    road_factor: float
    orders: tuple[WaitingOrder, ...]  # soonest ready first
    drivers_in: tuple[DriverIn, ...]  # longest in the store first
    drivers_out: tuple[DriverOut, ...]  # soonest back first

    def travel(self) -> TravelTimes:
        return GreatCircleTravel(self.speed_kmh, self.road_factor)

    def order(self, ref: str) -> WaitingOrder:
        found = next((o for o in self.orders if ref in (o.order_id, o.label, str(o.number))), None)
        if found is None:
            raise NotFound(f"Order {_label(ref)} is not waiting on the dispatch board.")
        return found


@dataclass(frozen=True)
class SuggestedStop:
    order_id: str
    label: str
    eta_at: datetime | None  # None only on a hand-made run to an address with no map position
    promise_at: datetime

    @property
    def late(self) -> bool:
        return self.eta_at is not None and self.eta_at > self.promise_at


@dataclass(frozen=True)
class SuggestedRun:
    driver_id: str
    driver: str
    stops: tuple[SuggestedStop, ...]
    leave_at: datetime
    return_at: datetime
    drive_s: int
    distance_m: int
    waits_for: tuple[str, ...] = ()  # labels of its orders not yet ready

    @property
    def late(self) -> bool:
        return any(stop.late for stop in self.stops)

    def leaves_by(self, at: datetime) -> bool:
        return self.leave_at <= at and not self.waits_for


@dataclass(frozen=True)
class Suggestion:
    board: Board
    runs: tuple[SuggestedRun, ...]
    unassigned: tuple[str, ...]  # labels of orders on the board's plan left for a later run
    request: PlanRequest = field(repr=False, compare=False)
    seconds: list[list[int]] = field(repr=False, compare=False)
    metres: list[list[int]] = field(repr=False, compare=False)

    @property
    def at(self) -> datetime:
        return self.board.at

    @property
    def capacity(self) -> int:
        return self.board.capacity

    def run_for(self, driver: str) -> SuggestedRun | None:
        return next((r for r in self.runs if driver in (r.driver_id, r.driver)), None)

    def leaving_now(self) -> tuple[SuggestedRun, ...]:
        return tuple(run for run in self.runs if run.leaves_by(self.at))

    def to_json(self) -> dict[str, Any]:
        """`{"capacity", "runs": [{"driver", "stops": [{"order", "eta", "late"}]}], "unassigned"}`;
        times in ISO 8601 with the store's offset."""
        zone = ZoneInfo(self.board.zone)
        return {
            "capacity": self.capacity,
            "runs": [
                {
                    "driver": run.driver,
                    "stops": [
                        {
                            "order": stop.label,
                            "eta": (
                                stop.eta_at.astimezone(zone).isoformat(timespec="seconds")
                                if stop.eta_at
                                else None
                            ),
                            "late": stop.late,
                        }
                        for stop in run.stops
                    ],
                }
                for run in self.runs
            ],
            "unassigned": list(self.unassigned),
        }


def _label(ref: str) -> str:
    return ref if ref.startswith("#") or not ref.isdigit() else f"#{ref}"


def _seconds_until(at: datetime, when: datetime, up: bool) -> int:
    s = (when - at).total_seconds()
    return math.ceil(s) if up else math.floor(s)


def expected_ready_at(order: Order, store: Store, at: datetime) -> datetime | None:
    """Ready orders: when marked ready. Made: after the oven belt and boxing. Baked: after boxing.

    An order not yet marked ready is never counted ready before `at` plus a moment, even
    when the oven is overdue: it is not on the rack, so no run can take it yet.
    """
    if order.stage == Stage.READY.value:
        return order.ready_at or at
    if order.stage == Stage.BAKED.value and order.baked_at is not None:
        estimate = order.baked_at + timedelta(seconds=BOX_S)
    elif order.stage == Stage.MADE.value and order.made_at is not None:
        estimate = order.made_at + timedelta(seconds=store.oven_s + BOX_S)
    else:
        return None
    return max(estimate, at + timedelta(seconds=MIN_PENDING_S))


def read_board(session: Session, at: datetime | None = None) -> Board:
    """The store's delivery orders not yet out, and its drivers on the clock, at `at`."""
    at = at or utcnow()
    store = session.scalars(select(Store)).one()
    rows = session.scalars(
        select(Order).where(Order.service == "delivery", Order.stage.in_([s.value for s in ON_THE_BOARD]))
    ).all()
    orders = [
        WaitingOrder(
            order_id=o.id,
            number=o.number,
            stage=o.stage,
            customer=o.customer_name,
            address=o.address,
            lat=o.lat,
            lon=o.lon,
            placed_at=o.placed_at,
            promise_at=o.promise_at,
            ready_at=o.ready_at if o.stage == Stage.READY.value else None,
            expected_ready_at=expected_ready_at(o, store, at),
            amount_due=run_service.amount_due(o),
        )
        for o in rows
    ]
    far = at + timedelta(days=1)
    orders.sort(key=lambda o: (o.expected_ready_at or far, o.promise_at, o.number))
    drivers_in: list[DriverIn] = []
    drivers_out: list[DriverOut] = []
    for staff, shift in driver_service.drivers_on_clock(session):
        run = run_service.open_run(session, staff.id)
        if run is not None:
            drivers_out.append(_out(session, staff, run))
            continue
        back = session.scalars(
            select(DeliveryRun.returned_at)
            .where(DeliveryRun.shift_id == shift.id, DeliveryRun.returned_at.is_not(None))
            .order_by(DeliveryRun.returned_at.desc())
        ).first()
        drivers_in.append(DriverIn(staff.id, staff.name, max(shift.clock_in_at, back or shift.clock_in_at)))
    drivers_in.sort(key=lambda d: (d.since, d.name))
    drivers_out.sort(key=lambda d: (d.expected_return_at, d.name))
    return Board(
        at=at,
        zone=store.timezone,
        store_lat=store.lat,
        store_lon=store.lon,
        capacity=store.hot_bag_capacity,
        speed_kmh=store.avg_speed_kmh,
        road_factor=store.road_factor,
        orders=tuple(orders),
        drivers_in=tuple(drivers_in),
        drivers_out=tuple(drivers_out),
    )


def _out(session: Session, staff: Staff, run: DeliveryRun) -> DriverOut:
    numbers = session.scalars(
        select(Order.number)
        .join(RunStop, RunStop.order_id == Order.id)
        .where(RunStop.run_id == run.id)
        .order_by(RunStop.position)
    ).all()
    return DriverOut(
        staff.id,
        staff.name,
        run.id,
        tuple(f"#{n}" for n in numbers),
        run.dispatched_at,
        run.expected_return_at,
    )


def plannable(board: Board) -> list[WaitingOrder]:
    """Orders the planner is asked about: ready or soon ready, with a map position."""
    return [
        o for o in board.orders if o.expected_ready_at is not None and o.lat is not None and o.lon is not None
    ]


def plan_request(board: Board, time_limit_ms: int | None = None) -> PlanRequest:
    stops = tuple(
        Stop(
            o.order_id,
            o.label,
            o.lat or 0.0,
            o.lon or 0.0,
            deadline_s=_seconds_until(board.at, o.promise_at, up=False),
            release_s=max(0, _seconds_until(board.at, o.expected_ready_at or board.at, up=True)),
            on_rack_s=o.rack_s(board.at) or 0,
        )
        for o in plannable(board)
    )
    drivers = tuple(Driver(d.driver_id, d.name) for d in board.drivers_in)
    return PlanRequest(
        board.store_lat, board.store_lon, stops, drivers, board.capacity, time_limit_ms=time_limit_ms
    )


def plan_board(
    board: Board,
    travel: TravelTimes | None = None,
    planner: Planner | None = None,
    time_limit_ms: int | None = None,
) -> Suggestion:
    """The runs `planner` (default: `plan_runs`) would send from `board`'s snapshot."""
    if planner is None:
        from makeline.dispatch.planner import plan_runs

        planner = plan_runs
    travel = travel or board.travel()
    request = plan_request(board, time_limit_ms)
    points = request.points()
    seconds, metres = travel.matrix(points), travel.distances(points)
    plan = planner(request, _Known(points, seconds, metres, travel))
    return _suggestion(board, request, seconds, metres, plan)


def suggest(
    db: StoreDB,
    at: datetime | None = None,
    travel: TravelTimes | None = None,
    planner: Planner | None = None,
    time_limit_ms: int | None = None,
) -> Suggestion:
    """Read the board, then plan outside the read transaction."""
    with db.read() as session:
        board = read_board(session, at)
    return plan_board(board, travel, planner, time_limit_ms)


@dataclass(frozen=True)
class _Known:
    """The matrices already fetched, so a road-network source is asked once per plan."""

    points: list[Any]
    seconds: list[list[int]]
    metres: list[list[int]]
    source: TravelTimes

    def matrix(self, points: Sequence[Any]) -> list[list[int]]:
        return self.seconds if list(points) == self.points else self.source.matrix(points)

    def distances(self, points: Sequence[Any]) -> list[list[int]]:
        return self.metres if list(points) == self.points else self.source.distances(points)


def _suggestion(
    board: Board,
    request: PlanRequest,
    seconds: list[list[int]],
    metres: list[list[int]],
    plan: Plan,
) -> Suggestion:
    by_id = {o.order_id: o for o in board.orders}
    names = {d.driver_id: d.name for d in request.drivers}
    runs = tuple(
        SuggestedRun(
            driver_id=run.driver_id,
            driver=names.get(run.driver_id, run.driver_name),
            stops=tuple(
                SuggestedStop(
                    stop.order_id,
                    stop.label,
                    board.at + timedelta(seconds=stop.eta_s),
                    by_id[stop.order_id].promise_at,
                )
                for stop in run.stops
            ),
            leave_at=board.at + timedelta(seconds=run.departure_s),
            return_at=board.at + timedelta(seconds=run.return_s),
            drive_s=run.drive_s,
            distance_m=run.distance_m,
            waits_for=tuple(s.label for s in run.stops if not by_id[s.order_id].ready),
        )
        for run in plan.runs
    )
    planned = {s.order_id for s in request.stops}
    unmapped = tuple(
        o.label for o in board.orders if o.expected_ready_at is not None and o.order_id not in planned
    )
    return Suggestion(board, runs, tuple(plan.unassigned) + unmapped, request, seconds, metres)


def move_order(
    suggestion: Suggestion, order: str, to_driver: str | None, position: int | None = None
) -> Suggestion:
    """`order` (label, number or id) moved onto `to_driver`'s run, or off every run (None).

    It goes where it makes the run least late, then shortest, then soonest at the doors,
    unless `position` (from 0) says where. The other runs keep their stops; every ETA is laid out again.
    """
    request = suggestion.request
    index = {s.order_id: k for k, s in enumerate(request.stops)}
    wanted = suggestion.board.order(order)
    if wanted.order_id not in index:
        raise PlanError(
            f"Order {wanted.label} is not ready or soon ready (it is {wanted.stage}); "
            "it can go on a run once it is made."
        )
    k = index[wanted.order_id]
    routes: list[list[int]] = []
    for driver in request.drivers:
        run = suggestion.run_for(driver.driver_id)
        routes.append([index[s.order_id] for s in run.stops] if run else [])
    for route in routes:
        if k in route:
            route.remove(k)
    if to_driver is not None:
        v = next(
            (
                v
                for v, d in enumerate(request.drivers)
                if to_driver in (d.driver_id,) or d.name.lower() == to_driver.strip().lower()
            ),
            None,
        )
        if v is None:
            raise PlanError(
                f"{to_driver} is not a driver in the store; runs are suggested for "
                f"{', '.join(d.name for d in request.drivers) or 'nobody (no driver is in)'}."
            )
        if len(routes[v]) >= request.capacity:
            raise PlanError(
                f"{request.drivers[v].name}'s run already holds {request.capacity} orders, the "
                "hot-bag capacity; move one off it first."
            )
        routes[v] = _placed(suggestion, routes, v, k, position)
    plan = lay_out(request, routes, suggestion.seconds, suggestion.metres)
    return _suggestion(suggestion.board, request, suggestion.seconds, suggestion.metres, plan)


def _placed(
    suggestion: Suggestion, routes: list[list[int]], v: int, k: int, position: int | None
) -> list[int]:
    route = routes[v]
    if position is not None:
        return [*route[: max(0, position)], k, *route[max(0, position) :]]
    best: tuple[tuple[int, int, int], list[int]] | None = None
    for at in range(len(route) + 1):
        candidate = [*route[:at], k, *route[at:]]
        trial = [candidate if u == v else [] for u in range(len(routes))]
        (run,) = lay_out(suggestion.request, trial, suggestion.seconds, suggestion.metres).runs
        # a run's driving is the same either way round; then the nearer door first
        score = (sum(s.lateness_s for s in run.stops), run.drive_s, sum(s.eta_s for s in run.stops))
        if best is None or score < best[0]:
            best = (score, candidate)
    assert best is not None
    return best[1]


def accept(
    session: Session, run: SuggestedRun, at: datetime, dispatched_by: str | None = None
) -> DeliveryRun:
    """Dispatch a suggested run: its orders go out the door with its driver.

    Accepted later than planned, every ETA moves by the delay. The services refuse a
    driver already out or an order not ready, and nothing is written then.
    """
    driver = session.get(Staff, run.driver_id)
    if driver is None:
        raise NotFound(f"There is no driver {run.driver} in this store's database.")
    delay = max(timedelta(0), at - run.leave_at)
    return run_service.dispatch(
        session,
        driver,
        [run_service.PlannedStop(s.order_id, s.eta_at + delay if s.eta_at else None) for s in run.stops],
        at,
        distance_m=run.distance_m,
        drive_s=run.drive_s,
        dispatched_by=dispatched_by,
    )


def find_order(session: Session, ref: str, at: datetime) -> Order:
    """An order by its label ("#1042" or "1042", today's business day) or its id."""
    store = session.scalars(select(Store)).one()
    number = ref.strip().removeprefix("#")
    if number.isdigit():
        day = business_date(at, store.timezone, store.day_starts_hour)
        order = session.scalars(
            select(Order).where(Order.business_date == day, Order.number == int(number))
        ).one_or_none()
        if order is None:
            raise NotFound(f"There is no order #{number} today ({day}).")
        return order
    found = session.get(Order, ref)
    if found is None:
        raise NotFound(f"There is no order {ref}.")
    return found


def hand_run(
    session: Session,
    driver: str,
    orders: Sequence[str],
    at: datetime,
    travel: TravelTimes | None = None,
) -> SuggestedRun:
    """A run the dispatcher made by hand: `driver` (name or id) takes `orders` in that order,
    leaving at `at`; ETAs and mileage from the store's travel times."""
    staff = find_staff(session, driver)
    store = session.scalars(select(Store)).one()
    found = [find_order(session, ref, at) for ref in orders]
    mapped = all(o.lat is not None and o.lon is not None for o in found)
    stops = tuple(
        Stop(o.id, o.label, o.lat or 0.0, o.lon or 0.0, _seconds_until(at, o.promise_at, up=False))
        for o in found
    )
    request = PlanRequest(
        store.lat,
        store.lon,
        stops,
        (Driver(staff.id, staff.name),),
        max(store.hot_bag_capacity, len(stops), 1),
    )
    if not mapped or not stops:
        return SuggestedRun(
            staff.id,
            staff.name,
            tuple(SuggestedStop(o.id, o.label, None, o.promise_at) for o in found),
            at,
            at,
            0,
            0,
        )
    travel = travel or GreatCircleTravel(store.avg_speed_kmh, store.road_factor)
    points = request.points()
    plan = lay_out(request, [list(range(len(stops)))], travel.matrix(points), travel.distances(points))
    (run,) = plan.runs
    return SuggestedRun(
        staff.id,
        staff.name,
        tuple(
            SuggestedStop(s.order_id, s.label, at + timedelta(seconds=s.eta_s), o.promise_at)
            for s, o in zip(run.stops, found, strict=True)
        ),
        at,
        at + timedelta(seconds=run.return_s),
        run.drive_s,
        run.distance_m,
        tuple(o.label for o in found if o.stage != Stage.READY.value),
    )


def send(
    session: Session,
    driver: str,
    orders: Sequence[str],
    at: datetime,
    travel: TravelTimes | None = None,
    dispatched_by: str | None = None,
) -> DeliveryRun:
    """Dispatch by hand: `driver` takes `orders` in the order given, now."""
    if not orders:
        raise PlanError("Name the orders for the run, e.g. #1042 #1045.")
    return accept(session, hand_run(session, driver, orders, at, travel), at, dispatched_by)
