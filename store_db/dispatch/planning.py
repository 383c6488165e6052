"""Planning glue: the dispatch board (`store_db.queries.dispatch_board`) turned into a
request for the planner (`makeline.dispatch`), and its plan into runs in the store's
terms (order labels, aware datetimes).

`suggest(db)` reads the board and plans outside the read transaction. Runs are planned
for the drivers in the store only: planning next runs for drivers still out promises
departures that the next re-plan rarely keeps (docs/dispatch.md). `hand_run` lays out a
run the dispatcher made by hand. The dispatcher edits a suggestion with
`store_db.dispatch.editing` and sends a run with `store_db.services.dispatch`.
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

from makeline.dispatch.runs import Driver, Plan, PlanRequest, Stop, lay_out
from makeline.dispatch.travel import GreatCircleTravel, TravelTimes
from makeline.trade.lifecycle import Stage
from store_db.db import StoreDB
from store_db.models import Store
from store_db.queries.dispatch_board import Board, WaitingOrder, find_order, read_board
from store_db.services.staff import find_staff

Planner = Callable[[PlanRequest, TravelTimes], Plan]


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


def _seconds_until(at: datetime, when: datetime, up: bool) -> int:
    s = (when - at).total_seconds()
    return math.ceil(s) if up else math.floor(s)


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
        board.store_lat,
        board.store_lon,
        stops,
        drivers,
        board.capacity,
        time_limit_ms=time_limit_ms,
        rack_cap_s=board.rack_cap_s,
    )


def plan_board(
    board: Board,
    travel: TravelTimes | None = None,
    planner: Planner | None = None,
    time_limit_ms: int | None = None,
) -> Suggestion:
    """The runs `planner` (default: `plan_runs`) would send from `board`'s snapshot."""
    travel = travel or board.travel()
    request = plan_request(board, time_limit_ms)
    points = request.points()
    seconds, metres = travel.matrix(points), travel.distances(points)
    if planner is None and not (request.stops and request.drivers):
        # Nothing to plan: no runs, as `plan_runs` would say, without loading OR-Tools for it
        # (72 MiB of the agent's memory, which plans with every heartbeat for the tracker).
        plan = lay_out(request, [[] for _ in request.drivers], seconds, metres)
    else:
        if planner is None:
            from makeline.dispatch.planner import plan_runs

            planner = plan_runs
        plan = planner(request, _Known(points, seconds, metres, travel))
    return suggestion_from(board, request, seconds, metres, plan)


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


# The heartbeat carries the plan for the tracker: a short look, the board plans again at once
TRACKER_PLAN_MS = 300


def planned_doors(db: StoreDB, at: datetime) -> list[tuple[str, datetime, datetime]]:
    """(order id, when its run leaves, when it is at the door) for every delivery order on a
    run of the dispatch plan at `at`, before its driver leaves: the tracker's expected time."""
    plan = suggest(db, at, time_limit_ms=TRACKER_PLAN_MS)
    return [
        (stop.order_id, run.leave_at, stop.eta_at)
        for run in plan.runs
        for stop in run.stops
        if stop.eta_at is not None
    ]


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


def suggestion_from(
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
