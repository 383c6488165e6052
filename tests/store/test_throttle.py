"""The live load through real services: what it reads, and online ordering's throttle under a
rush (quotes rise, delivery pauses, then resumes; a manager's hold holds)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from makeline.trade.lifecycle import Service, Stage
from makeline.trade.pricing import ItemRequest
from makeline.trade.quote import estimate, promise_time
from makeline.trade.throttle import Level, Thresholds, next_level, quote_minutes, usual_quote
from store_db.db import StoreDB
from store_db.errors import AccessDenied
from store_db.models import AuditEntry, Order, Staff, Store
from store_db.services import drivers, kitchen, lifecycle, promise, runs, throttle
from store_db.services.orders import OrderRequest, place_order
from tests.store.helpers import T0, carryout, delivery


def carryout_of(pizzas: int) -> OrderRequest:
    return carryout(ItemRequest(product="pepperoni", size="lg", quantity=pizzas))


def staff(db: StoreDB, name: str) -> Staff:
    with db.read() as session:
        return session.scalars(select(Staff).where(Staff.name == name)).one()


def test_the_live_load_sees_the_rack_and_when_a_driver_is_back(db: StoreDB) -> None:
    sam, priya = staff(db, "Sam"), staff(db, "Priya")
    with db.write() as session:
        drivers.clock_in(session, sam, T0)
        drivers.clock_in(session, priya, T0)
        ids = [place_order(session, delivery(f"{300 + 40 * n} N Oak Park Ave"), T0).id for n in range(3)]
        for order_id in ids:
            for stage in (Stage.MADE, Stage.BAKED, Stage.READY):
                lifecycle.advance(session, order_id, stage, T0 + timedelta(minutes=8))
        runs.dispatch(session, sam, [runs.PlannedStop(ids[0])], T0 + timedelta(minutes=10), drive_s=1200)
    at = T0 + timedelta(minutes=18)
    with db.read() as session:
        load = promise.live_load(session, at)
        quote = promise.estimate(session, 1, True, at)
    assert load.rack == 2 and load.make_ahead == 0
    # Sam left at 5:10 on a 20-minute run: back at 5:30, 12 minutes from 5:18. Priya is in.
    assert sorted(load.drivers) == [0, 720]
    # Priya takes the two on the rack now; a new order is ready in 10 min (1 pizza, the belt, the
    # rack) and Sam, back in 12, takes it: it waits about 2 min on the rack.
    assert quote.ready_s == 600
    assert 0 < quote.wait_s <= 120
    with db.read() as session:
        # Sam's run overdue: counted back in two minutes, not as gone for good.
        late = promise.live_load(session, T0 + timedelta(minutes=45))
    assert sorted(late.drivers) == [0, 120]


def test_a_rush_slows_then_pauses_online_delivery_and_it_comes_back(db: StoreDB) -> None:
    sam, priya, dana, alex = (staff(db, n) for n in ("Sam", "Priya", "Dana", "Alex"))
    with db.write() as session:
        drivers.clock_in(session, sam, T0)
        drivers.clock_in(session, priya, T0)
    quotes: list[int] = []
    levels: list[Level] = []
    ids: list[str] = []
    for n in range(80):  # an order every 20 s until online delivery pauses
        at = T0 + timedelta(seconds=20 * n)
        with db.write() as session:
            ids.append(place_order(session, delivery(f"{300 + 20 * (n % 40)} N Oak Park Ave"), at).id)
        with db.read() as session:
            found = throttle.current(session)
        quotes.append(found.minutes)
        levels.append(found.level)
        if found.level is Level.PAUSED:
            break
    assert levels[0] is Level.OPEN and levels[-1] is Level.PAUSED
    assert Level.BUSY in levels and levels.index(Level.BUSY) < levels.index(Level.PAUSED)
    assert quotes[0] < 45 <= max(quotes[: levels.index(Level.BUSY) + 1]) and quotes[-1] >= 75
    paused_at = at

    # A manager holds delivery open: later reviews do not move it, and it is on the record.
    with pytest.raises(AccessDenied, match="only a manager or shift lead"), db.write() as session:
        throttle.hold(session, alex.id, Level.OPEN, paused_at)
    with db.write() as session:
        throttle.hold(session, dana.id, Level.OPEN, paused_at)
    with db.write() as session:
        held = throttle.review(session, paused_at + timedelta(seconds=30))
    assert (held.level, held.auto) == (Level.OPEN, Level.PAUSED)
    assert "held by Dana" in held.reason
    with db.write() as session:
        assert throttle.hold(session, dana.id, None, paused_at).level is Level.PAUSED

    # The kitchen catches up: everything made, baked, racked and sent out three to a bag.
    later = paused_at + timedelta(minutes=5)
    with db.write() as session:
        for order_id in ids:
            for stage in (Stage.MADE, Stage.BAKED, Stage.READY):
                lifecycle.advance(session, order_id, stage, later)
    seen = [Level.PAUSED]
    for k in range(0, len(ids), 3):
        later += timedelta(minutes=1)
        with db.write() as session:
            run = runs.dispatch(session, sam, [runs.PlannedStop(i) for i in ids[k : k + 3]], later)
            for order_id in ids[k : k + 3]:
                runs.deliver_in_full(session, run.id, order_id, later)
            runs.checkout_as_collected(session, run.id, later)
            seen.append(throttle.review(session, later).level)
    # It came down through busy, never back up (the margin keeps it from flapping), and reopened.
    severity = [[Level.OPEN, Level.BUSY, Level.PAUSED].index(level) for level in seen]
    assert severity == sorted(severity, reverse=True) and seen[-1] is Level.OPEN and Level.BUSY in seen
    with db.read() as session:
        assert {o.stage for o in session.scalars(select(Order))} == {Stage.DELIVERED.value}
        log = [(a.action, a.detail) for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    changes = [detail.split(":")[0] for action, detail in log if action == "throttle"]
    assert changes == ["open → busy", "busy → paused", "paused → busy", "busy → open"]
    holds = [detail for action, detail in log if action == "throttle_hold"]
    assert holds[0].startswith("Online delivery held at open") and "handed back" in holds[1]


def test_a_store_setting_past_the_wire_leaves_the_heartbeat_without_a_load(db: StoreDB) -> None:
    from sqlalchemy import update

    from store_db.models import Store
    from sync.agent.ledger import Ledger

    assert Ledger(db).live_load() is not None
    with db.write() as session:
        session.execute(update(Store).values(oven_s=9 * 3600))  # a mistyped oven time
    assert Ledger(db).live_load() is None  # the cloud quotes on its own; the heartbeat goes on


def test_a_review_once_per_load_quotes_and_moves_as_a_review_per_order(db: StoreDB) -> None:
    """Orders placed on loads equal to earlier ones and on new ones: after each, the throttle
    and the promise are what working them out afresh from the load the order came in on gives."""
    sam = staff(db, "Sam")
    with db.write() as session:
        drivers.clock_in(session, sam, T0)
    level, waiting, loads, quoted = Level.OPEN, [], [], set()
    for n in range(36):
        at = T0 + timedelta(seconds=15 * n)
        request = delivery("340 N Oak Park Ave") if n % 2 else carryout_of(2)
        with db.read() as session:
            load = promise.live_load(session, at)
            store = session.scalars(select(Store)).one()
            radius = store.delivery_radius_km
            thresholds = Thresholds(store.throttle_busy_min, store.throttle_pause_min)
        minutes = quote_minutes(usual_quote(load, radius))
        level = next_level(level, minutes, thresholds)
        loads.append(load)
        quoted.add(minutes)
        order = db.run(place_order, request, at)
        with db.read() as session:
            found = throttle.current(session)
        assert (found.minutes, found.auto) == (minutes, level)
        if request.service is Service.CARRYOUT:  # a delivery's drive is to its own door
            pizzas = sum(i.quantity for i in request.items)
            assert order.promise_at == promise_time(at, estimate(load, pizzas, False).promise_s)
        waiting.append(order)
        if not 20 <= n < 26 and len(waiting) > 4:  # the kitchen keeps up but for a while: loads repeat
            _out_the_door(db, sam, waiting.pop(0), at)
    assert len(set(loads)) < len(loads) - 5  # orders came in on loads seen before
    assert len(quoted) > 3  # and the quote moved


def _out_the_door(db: StoreDB, driver: Staff, order: Order, at: datetime) -> None:
    db.run(kitchen.bump_order, order.id, at)
    for stage in (Stage.BAKED, Stage.READY):
        db.run(lifecycle.advance, order.id, stage, at, None, True)
    if order.service == Service.CARRYOUT.value:
        db.run(lifecycle.advance, order.id, Stage.PICKED_UP, at, None, True)
        return
    run = db.run(runs.dispatch, driver, [runs.PlannedStop(order.id)], at)
    db.run(runs.deliver_in_full, run.id, order.id, at)
    db.run(runs.checkout_as_collected, run.id, at)
