"""Loads instead of hot-bag seats, and standard VRPTW instances (Solomon's format): the file
shipped with the benchmark reads as published, a run never carries more than its capacity,
no door is served before its window, and a small instance is solved to the brute-force
optimum. The store's hot bag is unchanged: seats by default, the bag cap still refused."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from makeline.dispatch import PlanError
from makeline.dispatch.baselines import nearest_neighbour_plan
from makeline.dispatch.planner import plan_runs
from makeline.dispatch.runs import MAX_CAPACITY, Driver, PlanRequest, Stop, lay_out
from makeline.dispatch.vrptw import SCALE, EuclideanTravel, Instance, parse, plan_request, score, solve
from tests.dispatch.instances import STORE

SOLOMON = Path(__file__).parents[2] / "benchmarks" / "solomon"

# Two vehicles of 10; five customers; customer 4's window opens late (the driver waits).
SMALL = """SMALL

VEHICLE
NUMBER     CAPACITY
  2         10

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      0      0      0      0    400      0
    1      10     0      4      0    100      5
    2      20     0      4      0    100      5
    3      0      10     5      0    100      5
    4      0      20     5    120    200      5
    5      5      5      2      0    300      5
"""


def test_the_shipped_instances_read_as_published() -> None:
    c101 = parse("C101", (SOLOMON / "C101.txt").read_text())
    assert (c101.vehicles, c101.capacity, len(c101.customers)) == (25, 200, 100)
    assert (c101.depot.x, c101.depot.y, c101.depot.due) == (40, 50, 1236)
    first, last = c101.customers[0], c101.customers[-1]
    assert (first.x, first.y, first.demand, first.ready, first.due, first.service) == (
        45,
        68,
        10,
        912,
        967,
        90,
    )
    assert (last.x, last.y, last.ready) == (55, 85, 647)
    r101 = parse("R101", (SOLOMON / "R101.txt").read_text()).first(25)
    assert r101.name == "R101.25" and len(r101.customers) == 25
    assert (r101.customers[0].x, r101.customers[0].y, r101.customers[0].due) == (41, 49, 171)
    rc101 = parse("RC101", (SOLOMON / "RC101.txt").read_text())
    assert (rc101.depot.due, rc101.customers[0].x, rc101.customers[0].y) == (240, 25, 85)


@pytest.mark.parametrize(
    "text",
    ["", "VEHICLE\n 25 200\n", "25 200\n0 40 50 0 0 1236 0\n2 45 68 10 912 967 90\n", "25 200\n1 2 3\n"],
)
def test_a_file_that_is_not_an_instance_is_refused(text: str) -> None:
    with pytest.raises(PlanError, match=r"Solomon|numbered"):
        parse("BAD", text)


@pytest.mark.parametrize(
    "customer",
    ["1 10 0 -4 0 100 5", "1 10 0 4 100 50 5", "1 10 0 11 0 100 5", "1 10 0 4 0 100 -5", "1 -10 0 4 0 -1 5"],
)
def test_an_impossible_customer_is_refused_by_number(customer: str) -> None:
    with pytest.raises(PlanError, match="customer 1 has"):
        parse("BAD", f"2 10\n0 0 0 0 0 400 0\n{customer}\n")


def test_loads_fill_a_run_by_capacity_and_seats_stay_the_default() -> None:
    small = parse("SMALL", SMALL)
    request = plan_request(small, 200)
    assert not request.seats and request.capacity == 10 and request.max_stops == 3  # 2 + 4 + 4
    # the store's request: one seat an order, the bag cap refused as before
    assert PlanRequest(*STORE, (Stop("a", "#1", *STORE, 600),), (), 3).seats
    with pytest.raises(PlanError, match="hot bag"):
        PlanRequest(*STORE, (Stop("a", "#1", *STORE, 600),), (), MAX_CAPACITY + 1)
    with pytest.raises(PlanError, match="no run can carry it"):
        PlanRequest(*STORE, (Stop("a", "#1", *STORE, 600, load=11),), (), 10)
    travel = EuclideanTravel()
    points = request.points()
    seconds = travel.matrix(points)
    with pytest.raises(PlanError, match="a load of 13"):  # 4 + 4 + 5
        lay_out(request, [[0, 1, 2], []], seconds, seconds)
    for plan in (nearest_neighbour_plan(request, travel), plan_runs(request, travel)):
        for run in plan.runs:
            assert request.load([int(s.order_id) - 1 for s in run.stops]) <= 10


def brute_force(instance: Instance) -> tuple[int, int]:
    """(late customers, distance in tenths) of the best plan over every split into two routes."""
    request = plan_request(instance)
    seconds = EuclideanTravel().matrix(request.points())
    n = len(instance.customers)
    best: tuple[int, int] | None = None
    for side in itertools.product((0, 1), repeat=n):
        groups = [[k for k in range(n) if side[k] == v] for v in (0, 1)]
        if any(request.load(g) > request.capacity for g in groups):
            continue
        for first in itertools.permutations(groups[0]):
            for second in itertools.permutations(groups[1]):
                plan = lay_out(request, [list(first), list(second)], seconds, seconds)
                if any(run.overtime_s for run in plan.runs):
                    continue
                key = (sum(1 for s in plan.stops() if s.late), plan.total_drive_s)
                best = key if best is None or key < best else best
    assert best is not None
    return best


def test_a_small_instance_is_solved_to_the_optimum_with_its_windows_kept() -> None:
    small = parse("SMALL", SMALL)
    request = plan_request(small, 500)
    plan = plan_runs(request, EuclideanTravel())
    got = score(plan)
    assert got.feasible and got.vehicles == 2
    assert (0, round(got.distance * SCALE)) == brute_force(small)
    for stop in plan.stops():
        customer = small.customers[int(stop.order_id) - 1]
        assert customer.ready * SCALE <= stop.eta_s <= customer.due * SCALE
    (late_door,) = [s for s in plan.stops() if s.order_id == "4"]
    assert late_door.eta_s == 120 * SCALE  # there early: the driver waited for the window


def test_a_driver_for_each_vehicle_back_by_the_depots_closing() -> None:
    small = parse("SMALL", SMALL)
    request = plan_request(small)
    assert request.drivers == (Driver("v0", "Vehicle 1", 0, 4000), Driver("v1", "Vehicle 2", 0, 4000))
    assert [s.earliest_s for s in request.stops] == [0, 0, 0, 1200, 0]
    assert [s.load for s in request.stops] == [4, 4, 5, 5, 2]


def test_vehicles_count_before_distance() -> None:
    """The standard ranking: a run costs more than any distance a plan can drive, and `solve`
    keeps the fewest vehicles that keep every window (two here: one cannot reach both ends
    of the first window)."""
    small = parse("SMALL", SMALL)
    request = plan_request(small)
    seconds = EuclideanTravel().matrix(request.points())
    assert request.run_cost_s > sum(max(row) for row in seconds)
    got = score(solve(small, 1.0))
    assert got.feasible and got.vehicles == 2
    assert (0, round(got.distance * SCALE)) == brute_force(small)
