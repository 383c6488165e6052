"""Orders for later in the store: held without a kitchen ticket, fired once at the promise
minus the kitchen's and the drive's time (time passed in as `now`), across a restart of the
store's processes and an online order that arrived after its time; refused outside hours
with the next opening, changing nothing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from makeline.trade.hours import Closure, OutsideHours, Span, StoreHours
from makeline.trade.lifecycle import Service
from makeline.trade.pricing import ItemRequest
from printers.configure import add_printer
from store_db.db import StoreDB
from store_db.models import KitchenTicket, Order, OutboxEvent, PrintJob, Store
from store_db.queries.dispatch_board import read_board
from store_db.queries.kitchen import open_tickets
from store_db.queries.store import status_counts
from store_db.services import feed, scheduled
from store_db.services.orders import place_order
from store_db.services.promise import live_load
from sync.contract import parse_event
from sync.contract.entries import AddressOnWire, OnlineOrder, StoreSettings
from sync.contract.events import OrderPlaced
from tests.store.helpers import T0, carryout, delivery, fingerprint

LATER = T0 + timedelta(hours=3)  # Friday 8 p.m. in the store's zone
KITCHEN_JOBS = select(func.count()).select_from(PrintJob).where(PrintJob.document == "kitchen")


@pytest.fixture(autouse=True)
def _kitchen_printer(store_path: Path) -> None:
    with StoreDB(store_path) as db:
        add_printer(db, "kitchen", "dummy://kitchen", ["kitchen"])


def tickets_of(db: StoreDB, order_id: str) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).where(KitchenTicket.order_id == order_id)) or 0)


def kitchen_jobs(db: StoreDB, order_id: str) -> int:
    with db.read() as session:
        return int(session.scalar(KITCHEN_JOBS.where(PrintJob.subject == order_id)) or 0)


def fire_time(db: StoreDB, order_id: str) -> tuple[Order, object]:
    with db.read() as session:
        store = session.scalars(select(Store)).one()
        order = session.get_one(Order, order_id)
        assert order.scheduled_for is not None
        return order, scheduled.fire_at(order.scheduled_for, scheduled.order_estimate(session, store, order))


def test_a_counter_order_for_later_is_held_then_fires_once_across_a_restart(store_path: Path) -> None:
    db = StoreDB(store_path)
    try:
        order = db.run(place_order, delivery(scheduled_for=LATER), T0)
        assert (order.scheduled_for, order.promise_at, order.fired_at) == (LATER, LATER, None)
        assert tickets_of(db, order.id) == 0 and kitchen_jobs(db, order.id) == 0
        with db.read() as session:
            assert live_load(session, T0).make_ahead == 0, "a held order is not on the make line"
            assert read_board(session, T0).orders == (), "nor on the dispatch board"
            assert status_counts(session).in_progress == 0
            assert open_tickets(session, "makeline") == []
            placed = session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "order.placed")).one()
        event = parse_event("order.placed", placed.payload)
        assert isinstance(event, OrderPlaced) and event.v >= 2 and event.scheduled_for == LATER

        _, due = fire_time(db, order.id)
        assert isinstance(due, type(T0))
        # Promise minus make (60 s) + oven (360 s) + rack (180 s) + the drive (and a driver's wait).
        assert LATER - timedelta(minutes=45) < due < LATER - timedelta(minutes=10)
        assert db.run(scheduled.fire_due, due - timedelta(seconds=1)) == []
        assert tickets_of(db, order.id) == 0
    finally:
        db.close()

    db = StoreDB(store_path)  # the agent restarted
    try:
        assert db.run(scheduled.fire_due, due) == [order.number]
        assert db.run(scheduled.fire_due, due + timedelta(minutes=5)) == []
        assert tickets_of(db, order.id) == 1 and kitchen_jobs(db, order.id) == 1
        with db.read() as session:
            fired = session.get_one(Order, order.id)
            assert fired.fired_at == due and fired.promise_at == LATER
            told = session.scalars(select(OutboxEvent.kind).where(OutboxEvent.subject == order.id)).all()
        assert told == ["order.placed", "order.fired"], "the cloud's tracker learns it once"
        with db.read() as session:
            assert [t.number for t in open_tickets(session, "makeline")] == [order.number]
    finally:
        db.close()


def test_a_busy_kitchen_fires_an_order_for_later_sooner(db: StoreDB) -> None:
    order = db.run(place_order, carryout(scheduled_for=LATER), T0)
    _, quiet = fire_time(db, order.id)
    for _ in range(3):
        db.run(place_order, carryout(ItemRequest(product="pepperoni", size="lg", quantity=5)), T0)
    _, busy = fire_time(db, order.id)
    assert busy == quiet - timedelta(minutes=15), "15 more pizzas ahead at 60 s each"


def online_later(cloud_id: str, when: object) -> dict[str, object]:
    entry = OnlineOrder(
        cloud_order_id=cloud_id,
        service=Service.DELIVERY,
        phone="7085550177",
        customer_name="Web Customer",
        address=AddressOnWire(line1="700 N Oak Park Ave", lat=41.8913, lon=-87.7845),
        items=[ItemRequest(product="pepperoni", size="lg")],
        payment="paid",
        total=1883,
        placed_at=T0,
        scheduled_for=when,  # type: ignore[arg-type]
    )
    assert entry.v == 2
    return entry.payload()


def test_an_online_order_for_later_that_arrives_late_fires_at_once_and_once(db: StoreDB) -> None:
    # Placed online at T0 for 8 p.m. while the store was offline; the feed brings it at 8:10.
    arrived = LATER + timedelta(minutes=10)
    entries = [
        (1, "order.online", online_later("c-late", LATER)),
        (2, "order.online", online_later("c-soon", arrived + timedelta(hours=2))),
    ]
    with db.write() as session:
        assert feed.apply_entries(session, entries, arrived) == 2
    with db.read() as session:
        late = session.scalars(select(Order).where(Order.cloud_order_id == "c-late")).one()
        soon = session.scalars(select(Order).where(Order.cloud_order_id == "c-soon")).one()
    assert late.fired_at == arrived and tickets_of(db, late.id) == 1 and kitchen_jobs(db, late.id) == 1
    assert soon.fired_at is None and tickets_of(db, soon.id) == 0
    with db.write() as session:  # the feed page pulled again after a lost cursor write
        assert feed.apply_entries(session, [(e[0] + 10, e[1], e[2]) for e in entries], arrived) == 2
    assert db.run(scheduled.fire_due, arrived) == []
    assert tickets_of(db, late.id) == 1 and kitchen_jobs(db, late.id) == 1


HOURS = StoreHours(
    week={day: [Span(opens="11:00", closes="23:00")] for day in ("mon", "tue", "wed", "thu", "fri", "sat")},
    closures=[Closure(day=date(2026, 11, 26), reason="Thanksgiving")],
)


def test_hours_come_down_the_feed_and_a_time_outside_them_is_refused_unchanged(db: StoreDB) -> None:
    settings = StoreSettings(hours=HOURS)
    assert settings.v == 2 and StoreSettings(oven_s=300).v == 1
    with db.write() as session:
        feed.apply_entries(session, [(1, "store.settings", settings.payload())], T0)
    with db.read() as session:
        assert scheduled.store_hours(session.scalars(select(Store)).one()) == HOURS
    before = fingerprint(db)
    sunday = T0 + timedelta(days=2)  # Sunday 5 p.m.: closed
    with pytest.raises(OutsideHours, match=r"closed at Sunday 17:00 \(22 Nov\); it next opens Monday 11:00"):
        db.run(place_order, carryout(scheduled_for=sunday), T0)
    thanksgiving = T0 + timedelta(days=6)
    with pytest.raises(OutsideHours, match=r"it next opens Friday 11:00 \(27 Nov\)"):
        db.run(place_order, carryout(scheduled_for=thanksgiving), T0)
    with pytest.raises(OutsideHours, match="at most 7 days ahead"):
        db.run(place_order, carryout(scheduled_for=T0 + timedelta(days=8)), T0)
    assert fingerprint(db) == before
    taken = db.run(place_order, carryout(scheduled_for=T0 + timedelta(days=1)), T0)
    assert taken.scheduled_for == T0 + timedelta(days=1)
    assert taken.business_date == date(2026, 11, 21), "sold on the day it is made"


def test_broken_hours_from_the_feed_are_set_aside_and_the_old_ones_stay(db: StoreDB) -> None:
    broken = {"hours": {"week": {"mon": [{"opens": "11:00", "closes": "11:00"}]}}, "v": 2}
    with db.write() as session:
        feed.apply_entries(session, [(1, "store.settings", broken)], T0)
    with db.read() as session:
        assert session.scalars(select(Store)).one().hours is None
        kinds = session.scalars(select(OutboxEvent.kind)).all()
    assert "feed.quarantined" in kinds
