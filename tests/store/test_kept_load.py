"""The kitchen's load and the store's settings kept by the write connection are never stale.

Each check compares what a write transaction works out from what its connection keeps
(`store_db.kept`) with the same thing read afresh on a read connection, after the kitchen
moved: through the same `StoreDB`, through another `StoreDB` of this process, from another
process, in a transaction or a savepoint that rolled back. Each check also proves the
kitchen did move, so it could fail.
"""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from makeline.trade.address import street_key
from makeline.trade.lifecycle import Service, Stage, next_stage
from makeline.trade.menu import Menu
from makeline.trade.pricing import ItemRequest
from makeline.trade.quote import Load
from store_db.db import StoreDB
from store_db.models import Order, Printer, PrintJob, Street
from store_db.services import customers, drivers, kitchen, lifecycle, promise, rows, runs
from store_db.services.menu import apply_menu, current_menu
from store_db.services.orders import place_order
from store_db.services.store_settings import StoreSettings, read_settings
from tests.store.helpers import T0, carryout, delivery

AT = T0 + timedelta(minutes=3)
# Menus applied at a moment no other test's copy of the demo store uses: a process keeps each
# parsed menu by store, version and when it was applied.
APPLIED = T0 - timedelta(days=100, seconds=17)
THREE = ItemRequest(product="pepperoni", size="lg", quantity=3)

# Another process moves the kitchen along: the given orders bumped off the make line.
BUMPER = """
import sys
from datetime import datetime
from store_db.db import StoreDB
from store_db.services import kitchen

at = datetime.fromisoformat(sys.argv[2])
with StoreDB(sys.argv[1]) as db:
    for order_id in sys.argv[3:]:
        db.run(kitchen.bump_order, order_id, at)
print("bumped")
"""


def kept_and_read(db: StoreDB, at: datetime = AT) -> tuple[Load, Load, StoreSettings, StoreSettings]:
    """The load and settings as a write transaction keeps them, and as read afresh."""
    with db.write() as session:
        settings = read_settings(session)
        kept = promise.live_load(session, at, settings)
    with db.read() as session:
        return kept, promise.live_load(session, at, read_settings(session)), settings, read_settings(session)


def assert_fresh(db: StoreDB, at: datetime = AT) -> Load:
    kept, read, kept_settings, read_settings_ = kept_and_read(db, at)
    assert kept == read
    assert kept_settings == read_settings_
    return read


def place(db: StoreDB, count: int, at: datetime = T0) -> list[str]:
    return [db.run(place_order, carryout(THREE), at).id for _ in range(count)]


def test_orders_another_process_bumps_between_two_placements_leave_the_kitchen(
    db: StoreDB, store_path: Path
) -> None:
    waiting = place(db, 6)
    before = assert_fresh(db)
    assert before.make_ahead == 18
    done = subprocess.run(
        [sys.executable, "-c", BUMPER, str(store_path), AT.isoformat(), *waiting[:4]],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    with db.read() as session:
        quoted = promise.quote(session, 3, False, AT)
    order = db.run(place_order, carryout(THREE), AT)
    assert order.promise_at == quoted.promise_at
    after = assert_fresh(db, AT + timedelta(seconds=30))
    assert (after.make_ahead, after.in_oven) == (6 + 3, 12)  # the two left and the new one; 4 on the belt


def test_another_store_db_in_this_process_moves_orders_and_drivers(db: StoreDB, store_path: Path) -> None:
    ids = [*place(db, 3), db.run(place_order, delivery(), T0).id]
    assert_fresh(db)
    with StoreDB(store_path) as other:
        other.run(drivers.clock_in_drivers, 1, T0)
        for order_id in ids:
            other.run(kitchen.bump_order, order_id, T0)
    moved = assert_fresh(db)
    assert (moved.make_ahead, moved.drivers) == (0, (0,))
    with StoreDB(store_path) as other:
        other.run(lifecycle.advance, ids[-1], Stage.BAKED, T0, None, True)
        other.run(lifecycle.advance, ids[-1], Stage.READY, T0, None, True)
        with other.read() as session:
            ((driver, _shift),) = drivers.drivers_on_clock(session)
        other.run(runs.dispatch, driver, [runs.PlannedStop(ids[-1])], T0)
    out = assert_fresh(db)
    assert out.deliveries == () and out.drivers != (0,)  # the driver is out until the run is back


def test_the_same_store_db_moving_orders_runs_and_settings(db: StoreDB) -> None:
    ids = [*place(db, 2), db.run(place_order, delivery(), T0).id]
    assert assert_fresh(db).make_ahead == 7
    db.run(kitchen.bump_order, ids[0], T0)
    assert assert_fresh(db).make_ahead == 4
    db.run(drivers.clock_in_drivers, 2, T0)
    assert len(assert_fresh(db).drivers) == 2
    db.run(lifecycle.void, ids[1], "customer left", None, T0)
    assert assert_fresh(db).make_ahead == 1
    kept, _, settings, _ = kept_and_read(db)
    db.run(kitchen.set_sides_station, not settings.sides_station, T0)
    assert assert_fresh(db) == kept
    assert kept_and_read(db)[2].sides_station is not settings.sides_station


def test_a_rolled_back_placement_is_not_kept(db: StoreDB) -> None:
    place(db, 2)
    assert_fresh(db)
    with pytest.raises(RuntimeError), db.write() as session:
        place_order(session, carryout(THREE), T0)
        assert promise.live_load(session, AT, read_settings(session)).make_ahead == 9
        raise RuntimeError("the counter's screen closed")
    assert assert_fresh(db).make_ahead == 6


def test_what_a_rolled_back_transaction_took_of_the_notes_waits_for_the_next(db: StoreDB) -> None:
    """A bump noted, then taken by a transaction that rolls back: the next one reads it again."""
    first, _ = place(db, 2)
    assert assert_fresh(db).make_ahead == 6
    db.run(kitchen.bump_order, first, T0)
    with pytest.raises(RuntimeError), db.write() as session:
        assert promise.live_load(session, AT, read_settings(session)).make_ahead == 3
        raise RuntimeError("the counter's screen closed")
    assert assert_fresh(db).make_ahead == 3


def test_a_savepoint_rolled_back_keeps_nothing_of_it(db: StoreDB) -> None:
    place(db, 1)
    assert_fresh(db)
    with db.write() as session:
        assert promise.live_load(session, AT, read_settings(session)).make_ahead == 3
        with pytest.raises(RuntimeError), session.begin_nested():
            place_order(session, carryout(THREE), T0)
            assert promise.live_load(session, AT, read_settings(session)).make_ahead == 6
            raise RuntimeError("a refused feed entry")
        assert promise.live_load(session, AT, read_settings(session)).make_ahead == 3
        place_order(session, carryout(THREE), T0)
    assert assert_fresh(db).make_ahead == 6


def test_a_busy_evening_in_any_order_never_leaves_the_kept_load_behind(db: StoreDB, store_path: Path) -> None:
    """Placements, bumps, racks, runs and rollbacks, by this store and by another, shuffled."""
    chance = random.Random(17)
    db.run(drivers.clock_in_drivers, 2, T0)
    with StoreDB(store_path) as other:
        for step in range(60):
            at = T0 + timedelta(seconds=20 * step)
            who = chance.choice((db, db, other))
            with db.read() as session:
                waiting = session.scalars(select(Order).where(Order.stage.in_(promise.IN_KITCHEN))).all()
            move = chance.random()
            if move < 0.45 or not waiting:
                request = carryout(THREE) if chance.random() < 0.5 else delivery()
                who.run(place_order, request, at)
            elif move < 0.85:
                _move_along(who, chance.choice(waiting), at)
            else:
                with pytest.raises(RuntimeError), who.write() as session:
                    place_order(session, carryout(THREE), at)
                    raise RuntimeError("rolled back")
            assert_fresh(db, at)
            assert_fresh(other, at)


def _move_along(db: StoreDB, order: Order, at: datetime) -> None:
    if order.stage == Stage.PLACED.value:
        db.run(kitchen.bump_order, order.id, at)
    elif order.stage in (Stage.MADE.value, Stage.BAKED.value):
        following = next_stage(Service(order.service), Stage(order.stage))
        assert following is not None
        db.run(lifecycle.advance, order.id, following, at, None, True)
    elif order.stage == Stage.READY.value and order.service == "carryout":
        db.run(lifecycle.advance, order.id, Stage.PICKED_UP, at, None, True)
    elif order.stage == Stage.READY.value:
        with db.read() as session:
            free = [s for s, shift in drivers.drivers_on_clock(session) if not shift.out_on_run]
        if free:
            db.run(runs.dispatch, free[0], [runs.PlannedStop(order.id)], at)


def jobs_of(db: StoreDB, order_id: str) -> set[tuple[str, str]]:
    with db.read() as session:
        found = session.scalars(select(PrintJob).where(PrintJob.subject == order_id)).all()
        return {(job.printer, job.document) for job in found}


def a_dollar_dearer(menu: Menu) -> Menu:
    """The next version of `menu`, every price a dollar more."""
    products = [
        p.model_copy(update={"price": {size: price + 100 for size, price in p.price.items()}})
        for p in menu.products
    ]
    return menu.model_copy(update={"version": menu.version + 1, "products": products})


def test_printers_and_menus_written_between_placements_reach_the_next_order(
    db: StoreDB, store_path: Path
) -> None:
    first = db.run(place_order, carryout(), T0)
    assert jobs_of(db, first.id) == set()  # no printer yet
    with StoreDB(store_path) as other, other.write() as session:  # the manager's screen, another process
        session.add(Printer(name="kitchen", url="tcp://10.0.0.7:9100", prints="kitchen", created_at=T0))
    second = db.run(place_order, carryout(), T0)
    assert jobs_of(db, second.id) == {("kitchen", "kitchen")}
    with db.write() as session:
        session.add(Printer(name="front", url="tcp://10.0.0.8:9100", prints="receipt", created_at=T0))
    third = db.run(place_order, carryout(), T0)
    assert jobs_of(db, third.id) == {("kitchen", "kitchen"), ("front", "receipt")}

    with db.read() as session:
        menu = current_menu(session)
    dearer = a_dollar_dearer(menu)
    with StoreDB(store_path) as other:
        other.run(apply_menu, dearer, "head office", APPLIED)
    fourth = db.run(place_order, carryout(), T0)
    assert (fourth.menu_version, fourth.subtotal) == (dearer.version, first.subtotal + 100)
    dearest = a_dollar_dearer(dearer)
    db.run(apply_menu, dearest, "head office", APPLIED + timedelta(seconds=1))
    fifth = db.run(place_order, carryout(), T0)
    assert (fifth.menu_version, fifth.subtotal) == (dearest.version, first.subtotal + 200)


def test_the_street_list_written_between_deliveries_reaches_the_next_one(
    db: StoreDB, store_path: Path
) -> None:
    """A street's blocks moved by this connection and by another: the next delivery is placed
    where a fresh look-up puts it, and the kept blocks are used while nothing moved."""
    first = db.run(place_order, delivery(), T0)
    assert db.run(place_order, delivery(), T0).lat == first.lat

    def moved(by: StoreDB, north_km: float) -> None:
        with by.write() as session:
            for block in session.scalars(select(Street).where(Street.key == street_key("N Oak Park Ave"))):
                block.lat1 += north_km / 111
                block.lat2 += north_km / 111

    moved(db, 0.5)
    second = db.run(place_order, delivery(), T0)
    with StoreDB(store_path) as other:
        moved(other, 0.5)
    third = db.run(place_order, delivery(), T0)
    with db.read() as session:
        fresh = customers.locate(session, "500 N Oak Park Ave")
    assert first.lat is not None and second.lat is not None
    assert round(second.lat - first.lat, 6) == round(0.5 / 111, 6)
    assert third.lat == fresh.lat != second.lat


def test_a_placed_order_is_kept_as_written_and_not_read_back(db: StoreDB) -> None:
    """Orders placed one after another: each next order's load has the last one in it
    without reading the kitchen again, and is the load a fresh read gives."""
    place(db, 1)
    for n, request in enumerate((carryout(THREE), delivery(), carryout(), delivery("800 N Oak Park Ave"))):
        statements: list[str] = []
        with db.write() as session:
            rows.connection(session).set_trace_callback(statements.append)
            try:
                place_order(session, request, T0 + timedelta(seconds=n))
            finally:
                rows.connection(session).set_trace_callback(None)
        assert not [s for s in statements if "FROM orders o" in s]
        assert len(assert_fresh(db).deliveries) == (n + 1) // 2
