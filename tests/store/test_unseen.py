"""The order that nobody saw: the pure rule, and the store's answer on a real SQLite file
(an online order neither drawn on a make-line screen nor printed for 60 s raises the alarm;
drawn or printed, it does not)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from makeline.trade.lifecycle import Service
from makeline.trade.pricing import ItemRequest
from makeline.trade.unseen import Arrival, alarm_text, unseen
from store_db.db import StoreDB
from store_db.models import Order, PrintJob
from store_db.queries.unseen import unseen_orders
from store_db.services import feed, printer_config, printing, scheduled, sightings
from sync.agent.ledger import Ledger
from sync.contract.entries import OnlineOrder
from tests.store.helpers import T0, carryout

ARRIVED = T0 + timedelta(minutes=3)  # the store was offline for three minutes


def test_the_rule_counts_only_open_unseen_orders_a_minute_old() -> None:
    arrivals = [
        Arrival("a", 101, "c-a", T0, seen=False),
        Arrival("b", 102, "c-b", T0, seen=True),
        Arrival("c", 103, "c-c", T0 + timedelta(seconds=1), seen=False),
        Arrival("d", 104, "c-d", T0, seen=False, open=False),
    ]
    at_60 = unseen(arrivals, T0 + timedelta(seconds=60))
    assert [(u.number, u.waiting_s, u.tell_customer) for u in at_60] == [(101, 60, False)]
    at_5min = unseen(arrivals, T0 + timedelta(minutes=5))
    assert [(u.number, u.tell_customer) for u in at_5min] == [(101, True), (103, False)]
    assert alarm_text([]) == ""
    assert "#101, #103" in alarm_text(at_5min) and "5 min" in alarm_text(at_5min)


def _online(cloud_id: str, **extra: Any) -> dict[str, Any]:
    entry = OnlineOrder(
        cloud_order_id=cloud_id,
        service=Service.CARRYOUT,
        phone="7085550177",
        customer_name="Web Customer",
        items=[ItemRequest(product="pepperoni", size="lg")],
        payment="paid",
        total=1883,
        placed_at=T0,
    )
    return entry.payload() | extra


def _arrive(db: StoreDB, *cloud_ids: str) -> dict[str, str]:
    db.run(
        printer_config.add_printer,
        "kitchen",
        "file:///dev/null",
        ["kitchen"],
        T0,
        documents={"kitchen"},
        check_url=str,
        check_profile=str,
    )
    with db.write() as session:
        feed.apply_entries(
            session, [(n, "order.online", _online(c)) for n, c in enumerate(cloud_ids, start=1)], ARRIVED
        )
    with db.read() as session:
        rows = session.execute(select(Order.cloud_order_id, Order.id).where(Order.channel == "online"))
        return {str(c): i for c, i in rows}


def test_an_order_neither_drawn_nor_printed_for_60_s_is_unseen_and_drawn_is_not(db: StoreDB) -> None:
    ids = _arrive(db, "c-drawn", "c-printed", "c-forgotten")
    db.run(sightings.mark_seen, [ids["c-drawn"]], ARRIVED)
    with db.read() as session:
        job = session.scalars(
            select(PrintJob).where(PrintJob.subject == ids["c-printed"], PrintJob.document == "kitchen")
        ).one()
        assert unseen_orders(session, ARRIVED + timedelta(seconds=59)) == []
    db.run(printing.printed, job.id)
    db.run(sightings.mark_seen, [ids["c-drawn"]], ARRIVED + timedelta(minutes=1))  # a redraw
    with db.read() as session:
        late = unseen_orders(session, ARRIVED + timedelta(seconds=60))
        drawn = session.get(Order, ids["c-drawn"])
        assert drawn is not None and drawn.seen_at == ARRIVED  # the first sighting is kept
        # Counted from when it reached the store, not from the customer's (earlier) time.
        assert [(u.order_id, u.cloud_order_id, u.waiting_s) for u in late] == [
            (ids["c-forgotten"], "c-forgotten", 60)
        ]
    db.run(sightings.mark_seen, [ids["c-forgotten"]], ARRIVED + timedelta(seconds=90))
    with db.read() as session:
        assert unseen_orders(session, ARRIVED + timedelta(minutes=10)) == []


def test_orders_taken_in_the_store_never_raise_it(db: StoreDB) -> None:
    from store_db.services.orders import place_order

    db.run(place_order, carryout(), T0)
    with db.read() as session:
        assert unseen_orders(session, T0 + timedelta(hours=1)) == []


def test_the_agents_report_carries_the_count_and_the_ones_to_tell(db: StoreDB) -> None:
    ids = _arrive(db, "c-early", "c-drawn")
    ledger = Ledger(db)
    assert (ledger.position(ARRIVED).unseen_orders, ledger.position(ARRIVED).unseen_late) == (0, ())
    at_90s = ledger.position(ARRIVED + timedelta(seconds=90))
    assert (at_90s.unseen_orders, at_90s.unseen_late) == (2, ())
    db.run(sightings.mark_seen, [ids["c-drawn"]], ARRIVED + timedelta(minutes=2))
    at_5min = ledger.position(ARRIVED + timedelta(minutes=5))
    assert (at_5min.unseen_orders, at_5min.unseen_late) == (1, ("c-early",))


def test_an_order_for_later_is_counted_from_when_it_fires_not_while_held(db: StoreDB) -> None:
    later = ARRIVED + timedelta(hours=3)
    db.run(
        printer_config.add_printer,
        "kitchen",
        "file:///dev/null",
        ["kitchen"],
        T0,
        documents={"kitchen"},
        check_url=str,
        check_profile=str,
    )
    with db.write() as session:
        feed.apply_entries(session, [(1, "order.online", _online("c-later", scheduled_for=later))], ARRIVED)
    with db.read() as session:
        order_id = session.scalars(select(Order.id).where(Order.cloud_order_id == "c-later")).one()
        assert unseen_orders(session, ARRIVED + timedelta(hours=2)) == []  # held: no ticket yet
    fired = ARRIVED + timedelta(hours=2, minutes=30)
    db.run(scheduled.fire, order_id, fired)
    with db.read() as session:
        assert unseen_orders(session, fired + timedelta(seconds=59)) == []
        late = unseen_orders(session, fired + timedelta(seconds=61))
        assert [(u.order_id, u.waiting_s) for u in late] == [(order_id, 61)]
