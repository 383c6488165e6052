"""The one quote model and the throttle's levels, checked by hand on small loads."""

from __future__ import annotations

from datetime import UTC, datetime

from makeline.trade.quote import Estimate, Load, Waiting, estimate, promise_time
from makeline.trade.throttle import Level, Thresholds, Throttle, next_level, pad_s

# make 60 s a pizza, belt 360 s holding 8 (a slot every 45 s: never the bottleneck), bags of 3
STORE = Load(make_target_s=60, oven_s=360, belt_pizzas=8, bag=3)


def load(**changes: object) -> Load:
    return STORE._replace(**changes)


def test_carryout_is_the_make_line_the_belt_and_the_rack() -> None:
    # 29 pizzas ahead + 2 of its own at 60 s = 1860 s; belt 360 + cut and rack 180 = 540 s.
    quote = estimate(load(make_ahead=29), 2, delivery=False)
    assert (quote.make_s, quote.oven_s, quote.wait_s, quote.drive_s) == (1860, 540, 0, 0)
    assert quote.total_s == 2400
    assert (quote.make_min, quote.oven_min) == (31, 9)


def test_a_slow_belt_makes_pizzas_wait_for_a_slot() -> None:
    # A belt of 4 over 360 s takes a pizza every 90 s; 5 pizzas at 60 s each reach it in 300 s
    # but the belt needs 450 s for them: 150 s waiting for a slot.
    quote = estimate(load(make_ahead=3, belt_pizzas=4), 2, delivery=False)
    assert quote.oven_s == 150 + 360 + 180


def test_a_driver_in_and_an_empty_rack_means_no_wait() -> None:
    quote = estimate(load(drivers=(0,)), 1, delivery=True, drive_s=300)
    # ready in 60 + 540 = 600 s, out at once, 300 s to the door
    assert (quote.ready_s, quote.wait_s, quote.drive_s, quote.bag_position) == (600, 0, 300, 1)
    assert quote.total_s == 900
    # promised 5 minutes past the estimate: dispatch's spread; carryout is promised as estimated
    assert quote.promise_s == 1200
    carryout = estimate(load(), 1, delivery=False)
    assert carryout.promise_s == carryout.total_s == 600


def test_the_rack_backlog_goes_first() -> None:
    # One driver in, three orders on the rack 10 min away each. The driver takes all three at
    # once and is back in 2 x 600 + 3 doors x 180 = 1740 s; the new order, ready at 600 s,
    # waits 1140 s (19 min) for him, then drives 300 s: 2040 s where the old rule said 900.
    backlog = tuple(Waiting(ready_in_s=0, drive_s=600) for _ in range(3))
    quote = estimate(load(drivers=(0,), deliveries=backlog), 1, delivery=True, drive_s=300)
    assert (quote.wait_s, quote.bag_position, quote.total_s) == (1140, 1, 2040)
    assert quote.wait_min == 19


def test_a_driver_back_in_twelve_minutes() -> None:
    # Nobody in, one driver due back in 720 s; the order is ready at 600 s and waits 120 s.
    quote = estimate(load(drivers=(720,)), 1, delivery=True, drive_s=300)
    assert (quote.wait_s, quote.drive_s, quote.total_s) == (120, 300, 1020)
    # The soonest back takes it: one in 25 min and one in 12 min is the same as the second alone.
    assert estimate(load(drivers=(1500, 720)), 1, delivery=True, drive_s=300) == quote


def test_third_in_a_bag_rides_behind_two_doors() -> None:
    # Two orders come ready with it (drives 200 and 250 s); the driver in takes all three at
    # 600 s, nearest first: the new one, 300 s away, is third, behind two stops of 180 s.
    both = (Waiting(ready_in_s=600, drive_s=200), Waiting(ready_in_s=600, drive_s=250))
    quote = estimate(load(drivers=(0,), deliveries=both), 1, delivery=True, drive_s=300)
    assert (quote.bag_position, quote.wait_s, quote.drive_s) == (3, 0, 300 + 2 * 180)
    assert quote.total_s == 1260
    # The driver back only at 600 s finds a fourth order already on the rack: the bag is full
    # without the new one, which waits for the driver's return.
    four = (Waiting(ready_in_s=0, drive_s=100), *both)
    later = estimate(load(drivers=(600,), deliveries=four), 1, delivery=True, drive_s=300)
    # leaves at 600 with the three ahead (drives 100, 200, 250): back at 600 + 2 x 250 + 3 x 180
    assert (later.wait_s, later.bag_position) == (1040, 1)


def test_no_driver_on_the_clock_waits_until_one_is_called_in() -> None:
    quote = estimate(load(), 1, delivery=True, drive_s=300)
    assert quote.wait_s == 600


def test_the_drive_from_the_store_settings() -> None:
    # 2 km at 30 km/h on roads 1.35 times the crow's line: 2.7 km, 324 s
    assert STORE.drive_s(2.0) == 324


def test_a_promise_is_rounded_up_to_five_minutes() -> None:
    at = datetime(2026, 3, 6, 23, 1, tzinfo=UTC)
    assert promise_time(at, 1320) == datetime(2026, 3, 6, 23, 25, tzinfo=UTC)
    assert promise_time(at, 240) == datetime(2026, 3, 6, 23, 5, tzinfo=UTC)


def test_the_throttle_climbs_and_comes_down_with_a_margin() -> None:
    limits = Thresholds(busy_at_min=45, pause_at_min=75)
    level = Level.OPEN
    seen = []
    for minutes in (30, 44, 45, 60, 75, 70, 65, 64, 40, 35, 34, 20):
        level = next_level(level, minutes, limits)
        seen.append(level.value)
    assert seen == [
        "open", "open", "busy", "busy", "paused", "paused", "paused", "busy", "busy", "busy", "open", "open",
    ]  # fmt: skip
    assert next_level(Level.OPEN, 80, limits) is Level.PAUSED
    assert pad_s(Level.BUSY) == 600 and pad_s(Level.OPEN) == pad_s(Level.PAUSED) == 0


def test_a_manager_hold_wins_and_says_so() -> None:
    at = datetime(2026, 3, 6, 23, 0, tzinfo=UTC)
    held = Throttle(Level.PAUSED, at, 80, override=Level.OPEN, override_by="Dana")
    assert held.level is Level.OPEN
    assert held.reason == "Online delivery open: held by Dana; the load says paused (80 min delivery quote)"
    assert Throttle(Level.PAUSED, at, 80).reason == (
        "Online delivery paused (carryout open): a usual delivery quotes 80 min"
    )


def test_estimate_parts_add_up() -> None:
    quote = Estimate(make_s=61, oven_s=540, wait_s=1, drive_s=59)
    assert (quote.make_min, quote.oven_min, quote.wait_min, quote.drive_min) == (2, 9, 1, 1)
