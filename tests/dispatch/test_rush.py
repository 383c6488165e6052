"""A simulated Friday rush: the planner beside a naive dispatcher and nearest-neighbour batching."""

from __future__ import annotations

import pytest

from makeline.demo.rush import RushResult, drivers_in, friday_rush, simulate
from makeline.dispatch.baselines import naive_plan, nearest_neighbour_plan
from makeline.dispatch.planner import plan_runs
from makeline.dispatch.travel import LatLon, great_circle_m


def test_the_friday_rush_is_the_same_every_time() -> None:
    rush = friday_rush()
    assert rush == friday_rush()
    assert len(rush.orders) == 120
    assert len(rush.drivers) == 6
    assert max(o.placed_s for o in rush.orders) <= 2 * 3600
    assert max(great_circle_m(rush.store, LatLon(o.lat, o.lon)) for o in rush.orders) <= 6000
    # the real oven: nothing is ready sooner than make + belt + box
    assert min(o.ready_s - o.placed_s for o in rush.orders) >= 60 + 360 + 60
    assert all(o.promise_s > o.ready_s for o in rush.orders)


def test_every_order_is_delivered_once_and_never_before_it_is_ready() -> None:
    rush = friday_rush(orders=30, drivers=3)
    result = simulate(rush, naive_plan)
    assert sorted(d.label for d in result.deliveries) == sorted(o.label for o in rush.orders)
    assert all(d.ready_s <= d.left_s < d.delivered_s for d in result.deliveries)
    assert result.runs == 30  # naive: one order a run


def line(name: str, result: RushResult) -> str:
    return (
        f"{name:<22} on time {result.on_time_pct:5.1f} %   avg delivery {result.avg_delivery_min:5.1f} min"
        f"   runs/driver-hour {result.runs_per_driver_hour:4.2f}   orders/run {result.orders_per_run:4.2f}"
    )


@pytest.mark.slow
def test_the_planner_beats_first_ready_first_out_on_the_friday_rush() -> None:
    rush = friday_rush()
    naive = simulate(rush, naive_plan)
    nearest = simulate(rush, nearest_neighbour_plan)
    planner = simulate(rush, drivers_in(plan_runs))
    print()
    print(line("naive", naive))
    print(line("nearest neighbour", nearest))
    print(line("planner", planner))
    assert planner.on_time_pct >= naive.on_time_pct
    assert planner.avg_delivery_min <= naive.avg_delivery_min
