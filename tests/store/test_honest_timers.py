"""Honest timers: the pure flag rules, and the store raising each flag where the facts are and
sending it with the event it belongs to (a bump, a delivery, a recall)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from makeline.trade.integrity import IntegrityFlag, bump_flags, quick_delivery, repeated_recall
from makeline.trade.lifecycle import Stage
from store_db.db import StoreDB
from store_db.models import KitchenTicket, Order, OutboxEvent, RunStop, Staff
from store_db.services import drivers, kitchen, lifecycle, runs
from store_db.services.orders import place_order
from tests.store.helpers import T0, carryout, delivery


@pytest.mark.parametrize(
    ("took_s", "drive_s", "quick"),
    [
        (100, 600, True),  # a 10-minute drive done in under 2 minutes
        (299, 600, True),
        (300, 600, False),  # half the estimate: a fast driver, not an impossible one
        (59, 60, True),  # never under a minute, however close the door
        (59, None, True),  # no map position: a minute is the floor
        (61, None, False),
    ],
)
def test_a_delivery_quicker_than_the_drive_is_flagged(took_s: int, drive_s: int | None, quick: bool) -> None:
    assert quick_delivery(T0, T0 + timedelta(seconds=took_s), drive_s) is quick
    assert quick_delivery(None, T0, 600) is False


def test_early_bumps_and_repeated_recalls() -> None:
    assert bump_flags(T0, T0 + timedelta(seconds=4), 0) == [IntegrityFlag.EARLY_BUMP]
    assert bump_flags(T0, T0 + timedelta(seconds=60), 2) == [IntegrityFlag.REPEATED_RECALL]
    assert bump_flags(T0, T0 + timedelta(seconds=60), 1) == []
    assert not repeated_recall(1) and repeated_recall(2)


def _events(db: StoreDB, kind: str) -> list[dict[str, object]]:
    with db.read() as session:
        rows = session.scalars(select(OutboxEvent).where(OutboxEvent.kind == kind).order_by(OutboxEvent.seq))
        return [dict(r.payload) for r in rows]


def test_an_early_bump_and_a_ticket_recalled_twice_travel_up(db: StoreDB) -> None:
    with db.write() as session:
        order_id = place_order(session, carryout(), T0).id
        ticket_id = session.scalars(select(KitchenTicket.id).where(KitchenTicket.order_id == order_id)).one()
    db.run(kitchen.bump, ticket_id, T0 + timedelta(seconds=2))
    (made,) = [e for e in _events(db, "order.stage") if e["order_id"] == order_id]
    assert made["v"] == 2 and made["flags"] == ["early_bump"]
    db.run(kitchen.recall, ticket_id, T0 + timedelta(minutes=1))
    assert _events(db, "order.flagged") == []  # once is a wrong key
    db.run(kitchen.bump, ticket_id, T0 + timedelta(minutes=2))
    db.run(kitchen.recall, ticket_id, T0 + timedelta(minutes=3))
    db.run(kitchen.bump, ticket_id, T0 + timedelta(minutes=4))
    db.run(kitchen.recall, ticket_id, T0 + timedelta(minutes=5))  # a third time: flagged once only
    (flagged,) = _events(db, "order.flagged")
    assert flagged["order_id"] == order_id and flagged["flag"] == "repeated_recall"
    assert flagged["at"].startswith((T0 + timedelta(minutes=3)).isoformat()[:19])  # type: ignore[union-attr]


def test_a_delivery_marked_from_the_parking_lot_is_flagged_with_its_event(db: StoreDB) -> None:
    with db.write() as session:
        far = place_order(session, delivery("1200 N Harlem Ave"), T0)
        near = place_order(session, delivery("500 N Oak Park Ave"), T0)
        ids = [far.id, near.id]
        for order_id in ids:
            for stage in (Stage.MADE, Stage.BAKED, Stage.READY):
                lifecycle.advance(session, order_id, stage, T0 + timedelta(minutes=8))
        sam = session.scalars(select(Staff).where(Staff.name == "Sam")).one()
        drivers.clock_in(session, sam, T0)
        run_id = runs.dispatch(
            session, sam, [runs.PlannedStop(i) for i in ids], T0 + timedelta(minutes=10)
        ).id
        drive_far = runs.direct_drive_s(session, far)
    assert drive_far is not None and drive_far > 240
    with db.write() as session:
        orders = {o.id: o for o in session.scalars(select(Order))}
        runs.mark_stop(
            session, run_id, far.id, True, T0 + timedelta(minutes=11), collected=orders[far.id].total
        )
        runs.mark_stop(
            session, run_id, near.id, True, T0 + timedelta(minutes=30), collected=orders[near.id].total
        )
    with db.read() as session:
        quick = {s.order_id: s.quick for s in session.scalars(select(RunStop))}
    assert quick == {far.id: True, near.id: False}
    delivered = {e["order_id"]: e for e in _events(db, "order.stage") if e["stage"] == "delivered"}
    assert delivered[far.id]["flags"] == ["quick_delivery"]
    assert "flags" not in delivered[near.id] and delivered[near.id]["v"] == 1
