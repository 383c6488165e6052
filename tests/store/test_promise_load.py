"""One big order does not push every later promise out: the load arithmetic, checked by hand."""

from __future__ import annotations

from datetime import timedelta

from makeline.trade.pricing import ItemRequest
from makeline.trade.quote import estimate
from store_db.db import StoreDB
from store_db.services import access, promise
from store_db.services.orders import TenderRequest, place_order
from tests.store.helpers import T0, carryout


def test_after_an_approved_99_pizza_order_the_next_promise_stays_believable(db: StoreDB) -> None:
    big = carryout(
        ItemRequest(product="pepperoni", size="lg", quantity=99), tenders=[TenderRequest(kind="card")]
    )
    with db.write() as session:
        outcome, order = access.place_with_approval(session, big, "Dana", "1234", T0)
        assert outcome.ok and order is not None
        # Its own promise counts all of its pizzas: 99 x 60 s + 360 s oven + 180 s rack = 6480 s,
        # 1 h 48 min, rounded up to the next 5 minutes.
        assert order.promise_at - T0 == timedelta(minutes=110)
    with db.write() as session:
        nxt = place_order(session, carryout(), T0 + timedelta(minutes=1))
        # Behind it: at most 12 of its pizzas, then this one: 13 x 60 s + 360 + 180 = 1320 s = 22 min,
        # from 5:01 p.m. is 5:23, said as 5:25 p.m.
        assert nxt.promise_at - T0 == timedelta(minutes=25)
        assert nxt.promise_at - nxt.placed_at < timedelta(minutes=90)


def test_the_load_counts_each_waiting_order_up_to_a_batch(db: StoreDB) -> None:
    with db.write() as session:
        for quantity in (99, 30, 2, 3):
            access.place_with_approval(
                session,
                carryout(ItemRequest(product="cheese", size="md", quantity=quantity)),
                "Dana",
                "1234",
                T0,
            )
        place_order(
            session, carryout(ItemRequest(product="wings", size="8pc", quantity=4)), T0
        )  # not a pizza
    with db.read() as session:
        load = promise.live_load(session, T0)
        # Ahead of a new order: 12 + 12 + 2 + 3 = 29 (of 134 waiting).
        assert load.make_ahead == 29
        # A 2-pizza carryout: (29 + 2) x 60 s + 360 s + 180 s = 2400 s = 40 min.
        assert estimate(load, 2, False).total_s == 2400
        assert promise.estimate(session, 2, False, T0).total_s == 2400
