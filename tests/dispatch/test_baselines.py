"""The two simple dispatchers the planner is measured against."""

from __future__ import annotations

from makeline.dispatch.baselines import naive_plan, nearest_neighbour_plan
from makeline.dispatch.runs import Driver, PlanRequest, Stop
from tests.dispatch.instances import STORE

NORTH, SOUTH = STORE[0] + 0.02, STORE[0] - 0.02


def request(stops: tuple[Stop, ...], drivers: tuple[Driver, ...], capacity: int = 3) -> PlanRequest:
    return PlanRequest(STORE[0], STORE[1], stops, drivers, capacity)


def test_naive_sends_the_first_ready_order_with_the_next_driver_in_one_at_a_time() -> None:
    stops = (
        Stop("a", "#1", NORTH, STORE[1], 900, release_s=120),
        Stop("b", "#2", SOUTH, STORE[1], 900),
        Stop("c", "#3", NORTH, STORE[1], 900, release_s=30),
    )
    drivers = (Driver("late", "Ana", 600), Driver("in", "Sam"))
    plan = naive_plan(request(stops, drivers))
    assert [(r.driver_name, [p.label for p in r.stops], r.departure_s) for r in plan.runs] == [
        ("Ana", ["#3"], 600),
        ("Sam", ["#2"], 0),
    ]
    assert plan.unassigned == ("#1",)


def test_nearest_neighbour_fills_the_bag_with_the_nearest_ready_orders() -> None:
    stops = (
        Stop("a", "#1", NORTH, STORE[1], 900),
        Stop("b", "#2", SOUTH, STORE[1], 900),
        Stop("c", "#3", NORTH + 0.003, STORE[1], 900),
        Stop("d", "#4", NORTH + 0.001, STORE[1], 900, release_s=600),  # not ready: not taken
        Stop("e", "#5", NORTH + 0.006, STORE[1], 900),
    )
    plan = nearest_neighbour_plan(request(stops, (Driver("in", "Sam"),), capacity=3))
    [run] = plan.runs
    assert [p.label for p in run.stops] == ["#1", "#3", "#5"]
    assert set(plan.unassigned) == {"#2", "#4"}
