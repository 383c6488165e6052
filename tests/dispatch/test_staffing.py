"""Drivers from the numbers, checked by hand: the next hour's work against the drivers in and
on their way, when to call one in, and driver-hours needed against worked per shift."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from makeline.dispatch import PlanError
from makeline.dispatch.staffing import Load, Span, day_parts, outlook, shift_hours
from store_db.db import StoreDB
from store_db.queries.dispatch_board import read_board
from store_db.queries.staffing import read_load
from tests.dispatch.store_orders import order_at
from tests.terminal.conftest import FRIDAY
from tests.terminal.delivery_store import sams_evening

CHICAGO = ZoneInfo("America/Chicago")

# three orders waiting, 20, 30 and 10 minutes there and back; runs lately carry two orders;
# five delivery orders in the last half hour (ten expected in the hour) at a 15-minute trip
BUSY = Load(
    trips_s=(1200, 1800, 600),
    door_s=120,
    orders_per_run=2.0,
    recent_orders=5,
    drivers_in=1,
    back_in_s=(1800,),
    typical_trip_s=900,
)


def test_short_of_drivers_says_how_many_to_call_in_now() -> None:
    got = outlook(BUSY)
    # waiting: 600 + 120, 900 + 120, 300 + 120; expected: 10 × (450 + 120)
    assert (got.waiting_s, got.expected_s, got.work_s) == (2160, 5700, 7860)
    assert got.needed == 3  # 2.18 driver-hours
    # one in (an hour), one back in 30 minutes (half an hour): 5400 s; 2460 s short, and a
    # driver called now works 40 minutes of the hour: two
    assert (got.cover_s, got.call_in) == (5400, 2)
    assert got.sentence() == (
        "Call in 2 drivers now: the next hour needs 3 drivers (2.2 driver-hours: 3 waiting, "
        "~10 expected); 1 in and 1 on the way back cover 1.5."
    )


def test_enough_drivers_says_so() -> None:
    got = outlook(Load(BUSY.trips_s, 120, 2.0, 5, 3, (1800,), 900))
    assert (got.cover_s, got.call_in, got.needed) == (12_600, 0, 3)
    assert got.sentence() == (
        "Drivers: the next hour needs 3 drivers (2.2 driver-hours: 3 waiting, ~10 expected); "
        "3 in and 1 on the way back: enough."
    )


def test_one_call_in_covers_exactly_forty_minutes_and_an_overdue_driver_a_whole_hour() -> None:
    # 4 orders at 3480 s each alone (one a run), nothing expected: 4 × 3600 = 14 400 s
    alone = Load((3480,) * 4, 120, 1.0, 0, 2, (0, 3600))  # one overdue (back any moment), one gone the hour
    got = outlook(alone)
    assert (got.work_s, got.cover_s) == (14_400, 10_800)
    assert got.call_in == 2  # 3600 short, 2400 a driver
    assert outlook(Load((3480,) * 4, 120, 1.0, 0, 3, (0, 3600))).call_in == 0
    # 4 × 2400 s of work against two in and one back in 20 minutes (2400 s): just covered;
    # one second more a trip is short, and one driver covers up to 2400 s short
    assert outlook(Load((2280,) * 4, 120, 1.0, 0, 2, (1200,))).call_in == 0
    assert outlook(Load((2281,) * 4, 120, 1.0, 0, 2, (1200,))).call_in == 1
    assert outlook(Load((2880,) * 4, 120, 1.0, 0, 2, (1200,))).call_in == 1  # 2400 short
    assert outlook(Load((2881,) * 4, 120, 1.0, 0, 2, (1200,))).call_in == 2
    quiet = outlook(Load((), 120, 1.0, 0, 1, ()))
    assert (quiet.needed, quiet.call_in) == (0, 0)
    assert (
        quiet.sentence()
        == "Drivers: the next hour needs 0 drivers (0.0 driver-hours: 0 waiting, ~0 expected); 1 in: enough."
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"orders_per_run": 0.5},
        {"trips_s": (-1,)},
        {"back_in_s": (-60,)},
        {"recent_orders": -1},
    ],
)
def test_impossible_figures_are_refused(bad: dict[str, object]) -> None:
    fields = {**BUSY.__dict__, **bad}
    with pytest.raises(PlanError):
        Load(**fields)


def local(hour: int, minute: int = 0, day: int = 14) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=CHICAGO)


def test_driver_hours_per_shift_needed_against_worked() -> None:
    parts = day_parts(date(2025, 3, 14), "America/Chicago", 4)
    assert [(p.name, p.start, p.end) for p in parts] == [
        ("Morning", local(4), local(11)),
        ("Lunch", local(11), local(14)),
        ("Afternoon", local(14), local(17)),
        ("Dinner", local(17), local(4, day=15)),
    ]
    runs = [
        Span(local(11, 30), local(12)),
        Span(local(13, 45), local(14, 15)),
        Span(local(23, 30), local(0, 30, 15)),
    ]
    shifts = [Span(local(11), local(15)), Span(local(18), local(1, 0, 15))]
    rows = shift_hours(parts, runs, shifts)
    got = [(r.name, r.needed_h, r.worked_h, r.idle_h) for r in rows]
    assert got == [
        ("Morning", 0.0, 0.0, 0.0),
        ("Lunch", 0.75, 3.0, 2.25),
        ("Afternoon", 0.25, 1.0, 0.75),
        ("Dinner", 1.0, 7.0, 6.0),
    ]


def test_the_stores_load_read_off_its_board(db: StoreDB) -> None:
    sams_evening(db)  # Sam back from a run of two, Priya in; those orders placed 50 minutes ago
    order_at(db, 2.0, placed=FRIDAY - timedelta(minutes=10), stage_at=FRIDAY - timedelta(minutes=2))
    with db.read() as session:
        load = read_load(session, read_board(session, FRIDAY))
    # 2 km north: 2000 m × 1.35 road factor at 30 km/h is 324 s each way
    assert load.trips_s == (648,) and load.typical_trip_s == 648
    assert (load.orders_per_run, load.recent_orders, load.drivers_in, load.back_in_s) == (2.0, 1, 2, ())
    assert load.door_s == 120
