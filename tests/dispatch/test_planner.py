"""The run builder: optimal on small requests, never breaking a rule, on time, reproducible."""

from __future__ import annotations

import itertools
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from makeline.dispatch import PlanError
from makeline.dispatch.baselines import naive_plan, nearest_neighbour_plan
from makeline.dispatch.objective import objective
from makeline.dispatch.planner import plan_runs
from makeline.dispatch.runs import Driver, Plan, PlanRequest, Stop, lay_out
from makeline.dispatch.travel import GreatCircleTravel
from tests.dispatch.instances import STORE, instance

TRAVEL = GreatCircleTravel()


def matrices(request: PlanRequest) -> tuple[list[list[int]], list[list[int]]]:
    points = request.points()
    return TRAVEL.matrix(points), TRAVEL.distances(points)


def brute_force(request: PlanRequest) -> tuple[int, int, int]:
    """Every way to give each order to a driver or to nobody, every driving order."""
    seconds, metres = matrices(request)
    n, drivers = len(request.stops), len(request.drivers)
    best: tuple[int, int, int] | None = None
    for owner in itertools.product(range(drivers + 1), repeat=n):
        groups = [[k for k in range(n) if owner[k] == v] for v in range(drivers)]
        if any(len(g) > request.capacity for g in groups):
            continue
        for orders in itertools.product(*(itertools.permutations(g) for g in groups)):
            plan = lay_out(request, [list(o) for o in orders], seconds, metres)
            value = objective(request, plan, seconds)
            if best is None or value < best:
                best = value
    assert best is not None
    return best


@pytest.mark.parametrize("seed", range(12))
def test_small_requests_get_the_brute_force_optimum(seed: int) -> None:
    request = instance(seed, stops=3 + seed % 4, drivers=2, capacity=2 + seed % 2)
    plan = plan_runs(request)
    assert objective(request, plan, matrices(request)[0]) == brute_force(request)


def check_rules(request: PlanRequest, plan: Plan) -> None:
    """Hot bags, ready times, one run per driver, every order once, ETAs that add up."""
    seconds, _ = matrices(request)
    stops = {s.order_id: s for s in request.stops}
    drivers = {d.driver_id: d for d in request.drivers}
    index = {s.order_id: k + 1 for k, s in enumerate(request.stops)}
    placed = [p.order_id for p in plan.stops()]
    assert len(placed) == len(set(placed))
    assert sorted(placed + [stops[o].order_id for o in stops if stops[o].label in plan.unassigned]) == sorted(
        stops
    )
    assert len({run.driver_id for run in plan.runs}) == len(plan.runs)
    for run in plan.runs:
        assert 1 <= len(run.stops) <= request.capacity
        assert run.departure_s >= drivers[run.driver_id].available_at_s
        assert all(run.departure_s >= stops[p.order_id].release_s for p in run.stops)
        t, here = run.departure_s, 0
        for p in run.stops:
            t += seconds[here][index[p.order_id]]
            assert p.eta_s == t
            assert p.late == (t > stops[p.order_id].deadline_s)
            t += request.door_s(stops[p.order_id])
            here = index[p.order_id]
        assert run.return_s == t + seconds[here][0]


@st.composite
def requests(draw: st.DrawFn) -> PlanRequest:
    n = draw(st.integers(1, 9))
    stops = tuple(
        Stop(
            f"o{i}",
            f"#{2000 + i}",
            STORE[0] + draw(st.floats(-0.04, 0.04)),
            STORE[1] + draw(st.floats(-0.05, 0.05)),
            deadline_s=draw(st.integers(-600, 3600)),
            release_s=draw(st.sampled_from([0, 0, 30, 120, 400, 900])),
            service_s=draw(st.sampled_from([None, 0, 60, 240])),
        )
        for i in range(n)
    )
    drivers = tuple(
        Driver(f"d{j}", f"D{j}", draw(st.sampled_from([0, 0, 120, 700])))
        for j in range(draw(st.integers(1, 4)))
    )
    return PlanRequest(STORE[0], STORE[1], stops, drivers, draw(st.integers(1, 4)), 200)


@settings(max_examples=40)
@given(requests())
def test_capacity_ready_times_and_etas_always_hold(request: PlanRequest) -> None:
    plan = plan_runs(request)
    check_rules(request, plan)
    ready_by = min(d.available_at_s for d in request.drivers)
    ready_left = [s for s in request.stops if s.label in plan.unassigned and s.release_s <= ready_by]
    if ready_left:  # an order that holds nobody back stays only when every bag is full
        assert all(len(run.stops) == request.capacity for run in plan.runs)
        assert len(plan.runs) == len(request.drivers)


def test_an_impossible_rush_still_gets_a_plan_in_time_with_the_late_orders_marked() -> None:
    request = instance(99, stops=40, drivers=1, capacity=3, time_limit_ms=250)
    request = PlanRequest(
        request.store_lat,
        request.store_lon,
        tuple(Stop(s.order_id, s.label, s.lat, s.lon, 240, 0) for s in request.stops),
        request.drivers,
        3,
        250,
    )
    started = time.perf_counter()
    plan = plan_runs(request)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.25 + 30.0  # only a guard against a search that ignores its budget
    check_rules(request, plan)
    [run] = plan.runs
    assert len(run.stops) == 3
    assert len(plan.unassigned) == 37
    assert any(p.late for p in run.stops)
    assert plan.total_lateness_s == sum(p.lateness_s for p in run.stops) > 0
    seconds, _ = matrices(request)
    for other in (naive_plan(request), nearest_neighbour_plan(request)):
        assert objective(request, plan, seconds) <= objective(request, other, seconds)


def test_the_same_request_gets_the_same_plan() -> None:
    request = instance(7, stops=14, drivers=4, time_limit_ms=5000)
    first = plan_runs(request)
    assert all(plan_runs(request) == first for _ in range(3))


def test_an_order_out_of_the_oven_before_its_driver_is_back_rides_along() -> None:
    # Sam is back in 5 minutes; #2 comes out of the oven in 2, on the same street as #1
    stops = (
        Stop("a", "#1", STORE[0] + 0.02, STORE[1], deadline_s=1500),
        Stop("b", "#2", STORE[0] + 0.021, STORE[1], deadline_s=1000, release_s=120),
    )
    request = PlanRequest(STORE[0], STORE[1], stops, (Driver("d", "Sam", 300),), 3, 250)
    [run] = plan_runs(request).runs
    assert run.departure_s == 300
    assert [p.label for p in run.stops] == ["#1", "#2"]
    assert not any(p.late for p in run.stops)


def test_an_order_still_in_the_oven_does_not_hold_a_driver_in_the_store() -> None:
    stops = (
        Stop("a", "#1", STORE[0] + 0.02, STORE[1], deadline_s=900),
        Stop("b", "#2", STORE[0] + 0.021, STORE[1], deadline_s=3000, release_s=60),
    )
    request = PlanRequest(STORE[0], STORE[1], stops, (Driver("d", "Sam"),), 3, 250)
    plan = plan_runs(request)
    [run] = plan.runs
    assert run.departure_s == 0
    assert [p.label for p in run.stops] == ["#1"]
    assert plan.unassigned == ("#2",)


def test_no_drivers_leaves_every_order_waiting() -> None:
    request = instance(3, stops=4, drivers=0)
    plan = plan_runs(request)
    assert plan.runs == ()
    assert sorted(plan.unassigned) == sorted(s.label for s in request.stops)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"capacity": 0}, "capacity must be at least 1"),
        ({"time_limit_ms": 0}, "time limit must be positive"),
        ({"stops": (Stop("x", "#1", *STORE, 600), Stop("x", "#2", *STORE, 600))}, "order 'x' appears twice"),
        ({"drivers": (Driver("d", "Sam", -5),)}, "Sam has a return time in the past"),
    ],
)
def test_a_request_that_makes_no_sense_is_refused_plainly(change: dict[str, object], message: str) -> None:
    base: dict[str, object] = {
        "store_lat": STORE[0],
        "store_lon": STORE[1],
        "stops": (Stop("a", "#1", *STORE, 600),),
        "drivers": (Driver("d", "Sam"),),
    }
    with pytest.raises(PlanError, match=message):
        PlanRequest(**{**base, **change})  # type: ignore[arg-type]
