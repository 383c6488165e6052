"""The tail: lateness past `TAIL_S` at the door weighs steeply more, so the planner does
not leave an order last of a long run most of an hour late to save the others minutes."""

from __future__ import annotations

from makeline.dispatch.objective import MAX_URGENCY, TAIL_S, urgency, weighed_lateness
from makeline.dispatch.planner import plan_runs
from makeline.dispatch.runs import Driver, PlanRequest, Stop
from makeline.dispatch.vrptw import EuclideanTravel


def _stop(order_id: str, x: float, deadline_s: int) -> Stop:
    return Stop(order_id, f"#{order_id}", x, 0.0, deadline_s)


def test_lateness_past_the_tail_weighs_steeply_more() -> None:
    stop = _stop("a", 1, -900)  # a quarter hour past its promise already
    assert urgency(stop) == 2
    assert weighed_lateness(stop, 0) == 0
    assert weighed_lateness(stop, TAIL_S) == 2 * TAIL_S
    assert weighed_lateness(stop, TAIL_S + 60) == 2 * (TAIL_S + 60) + MAX_URGENCY * 60


def test_a_late_far_order_goes_first_rather_than_last_of_the_run() -> None:
    """One driver, one bag for three orders (straight-line, a unit 10 s, no time at doors):
    two near orders due in 10 minutes, one far the other way already 15 minutes late.
    Near ones first: they are on time and the far one is 29 minutes late, past the tail's
    25 (counted linearly the cheapest plan). Far one first: it is 23 minutes late and the
    near ones 8 and 9; that is the plan."""
    stops = (_stop("near", 12, 600), _stop("next", 18, 600), _stop("far", -48, -900))
    request = PlanRequest(0.0, 0.0, stops, (Driver("d", "Dee"),), 3, 2000, service_s=0)
    [run] = plan_runs(request, EuclideanTravel()).runs
    assert [s.order_id for s in run.stops] == ["far", "near", "next"]
    assert [s.lateness_s for s in run.stops] == [1380, 480, 540]
