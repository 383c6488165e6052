"""What the planner minimises (`objective`), and the parts of it the search weighs.

A plan covers only the runs the drivers make now; the orders it leaves behind go on
later runs that no one has planned yet. Scored on its own runs alone, a plan looks
best when it takes the near orders and leaves the far ones: their driving seems to
vanish, and a late order left behind costs little more than one taken. On the Friday
rush with 6 drivers that kept drivers out longer and far orders on the rack for
two hours. So an order left behind is charged what it will cost on the run that
takes it later: its lateness then (`waiting_lateness`), weighed by how late it
already is (`urgency`), and — when more orders wait than the runs can seat — its
share of that run's time, as the drivers' time on this plan's runs is charged
(`backlog_weight`).
"""

from __future__ import annotations

from collections.abc import Sequence

from makeline.dispatch.runs import Plan, PlanRequest, Stop

URGENCY_STEP_S = 900  # an order past its promise weighs one more for each quarter hour late
MAX_URGENCY = 12
# Lateness past this at the door (with a 35-minute promise: an hour from the order) weighs
# `MAX_URGENCY` more a second: the tail is kept short before the average.
TAIL_S = 1500

Score = tuple[int, int, int, int, int]


def first_departure_s(request: PlanRequest) -> int:
    """The earliest any driver can leave: orders ready by then hold no run back."""
    return min((d.available_at_s for d in request.drivers), default=0)


def next_chance_s(request: PlanRequest, seconds: Sequence[Sequence[int]]) -> int:
    """When an order left off this plan's runs can leave at the earliest: the first driver
    back from a typical run (there and back to a median door, plus the door time)."""
    if len(request.stops) == 0:
        return 0
    drives = sorted(seconds[0][k + 1] for k in range(len(request.stops)))
    round_trip = 2 * drives[len(drives) // 2] + request.service_s
    return min((d.available_at_s for d in request.drivers), default=0) + round_trip


def waiting_lateness(request: PlanRequest, seconds: Sequence[Sequence[int]]) -> list[int]:
    """Per order, the lateness charged when it is left for a later run.

    As if it went straight to its door at its next chance (`next_chance_s`): an order
    that is already late pays for the wait, so leaving it behind never looks free,
    while an order still in the oven costs nothing to wait for when its promise
    allows.
    """
    later = next_chance_s(request, seconds)
    return [
        max(
            0,
            max(stop.release_s, later, stop.earliest_s - seconds[0][k + 1])
            + seconds[0][k + 1]
            - stop.deadline_s,
        )
        for k, stop in enumerate(request.stops)
    ]


def urgency(stop: Stop) -> int:
    """What a second of this order's lateness weighs: 1 while its promise is ahead, one more
    for every `URGENCY_STEP_S` it is already past it (at most `MAX_URGENCY`), so lateness is
    spread rather than piled on the same orders plan after plan."""
    return min(MAX_URGENCY, 1 + max(0, -stop.deadline_s) // URGENCY_STEP_S)


def weighed_lateness(stop: Stop, lateness_s: int) -> int:
    """Seconds late at the door as the plan weighs them: times the order's `urgency`, and
    past `TAIL_S` steeply more, so that no order is left last of a long run an hour late
    to save the others a few minutes."""
    return urgency(stop) * lateness_s + MAX_URGENCY * max(0, lateness_s - TAIL_S)


def backlog_weight(request: PlanRequest) -> int:
    """What a second of a driver's time costs, in seconds of lateness, when more orders wait
    than this plan's runs can seat: each second a driver is away longer (waiting for an order
    in the oven, driving, at the doors), the orders behind wait longer for that driver's next
    run, up to a bag of them. 0 when every order has a seat: driving then only breaks ties."""
    drivers = len(request.drivers)
    behind = len(request.stops) - drivers * request.max_stops
    if drivers == 0 or behind <= 0:
        return 0
    return min(request.max_stops, -(-behind // drivers))


def later_work_s(request: PlanRequest, seconds: Sequence[Sequence[int]]) -> list[int]:
    """Per order, the driver's time the run that takes it later spends on it: its door and
    its share of a full bag's drive there and back. Charged (times `backlog_weight`) for an
    order left behind, as the drivers' time is for the orders taken now."""
    bag = max(1, request.max_stops)
    return [2 * seconds[0][k + 1] // bag + request.door_s(s) for k, s in enumerate(request.stops)]


def busy_s(request: PlanRequest, plan: Plan) -> int:
    """The drivers' time on this plan's runs: from when each is free to back in the store."""
    free = {d.driver_id: d.available_at_s for d in request.drivers}
    return sum(run.return_s - free[run.driver_id] for run in plan.runs)


def objective(request: PlanRequest, plan: Plan, seconds: Sequence[Sequence[int]]) -> Score:
    """What the planner minimises, in order of importance.

    1. orders over the rack-time cap left off every run (`PlanRequest.starving`: nobody's
       pizza is forgotten);
    2. ready orders left off every run: one goes whenever a hot bag has room
       (an order still in the oven may wait for a later run instead of holding
       a driver in the store);
    3. seconds of drivers' overtime past the end of their shift;
    4. seconds late at the doors, each order's times its `urgency` and steeply more past
       `TAIL_S` (`weighed_lateness`), an order left for
       later counted at its `waiting_lateness`; plus, when orders wait for a seat,
       `backlog_weight` times the drivers' time on the runs (`busy_s`) and the time
       later runs will spend on the orders left (`later_work_s`);
    5. driving seconds, there and back (and `PlanRequest.run_cost_s` for each run).
    """
    served = {stop.order_id for stop in plan.stops()}
    kept = [k for k, s in enumerate(request.stops) if s.order_id not in served]
    ready_by = first_departure_s(request)
    waiting = waiting_lateness(request, seconds)
    work = later_work_s(request, seconds)
    stop_of = {s.order_id: s for s in request.stops}
    late = sum(weighed_lateness(stop_of[p.order_id], p.lateness_s) for p in plan.stops())
    late += sum(weighed_lateness(request.stops[k], waiting[k]) for k in kept)
    backlog = backlog_weight(request) * (busy_s(request, plan) + sum(work[k] for k in kept))
    return (
        sum(1 for k in kept if request.starving(request.stops[k])),
        sum(1 for k in kept if request.stops[k].release_s <= ready_by),
        sum(run.overtime_s for run in plan.runs),
        late + backlog,
        plan.total_drive_s + request.run_cost_s * len(plan.runs),
    )
