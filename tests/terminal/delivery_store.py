"""A Friday dispatch board in a real store file: orders at known doors and stages, drivers in
and out, all at the terminal tests' fixed clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from makeline.trade.lifecycle import Stage
from store_db.db import StoreDB
from store_db.models import Order
from store_db.services import runs
from store_db.services.dispatch import send
from tests.dispatch.store_orders import clock_in, order_at
from tests.terminal.conftest import FRIDAY


def label(db: StoreDB, order_id: str) -> str:
    with db.read() as session:
        order = session.get(Order, order_id)
        assert order is not None
        return order.label


def stage(db: StoreDB, order_id: str) -> str:
    with db.read() as session:
        found = session.scalars(select(Order.stage).where(Order.id == order_id)).one()
        return str(found)


def friday_board(db: StoreDB) -> dict[str, str]:
    """Four orders on the rack, two north and two south (one 11 minutes there: red), one
    being boxed, one on the make line; Luis out with a fifth; Sam and Priya in the store.
    Returns order ids by name."""

    def placed(minutes: float) -> datetime:
        # placed with no driver on the clock: promised make + belt + drive + 10 min for a
        # driver + the 5-minute dispatch margin, rounded up to 5 minutes; just under 5 minutes
        # earlier than the picture's times, so the 30-minute window of recent orders still
        # holds the same six
        return FRIDAY - timedelta(minutes=minutes + 4.9)

    def ago(minutes: float) -> datetime:
        return FRIDAY - timedelta(minutes=minutes)

    orders = {
        "north": order_at(db, 1.0, 0.2, placed=placed(25), stage_at=ago(11)),
        "far_north": order_at(db, 1.6, 0.0, placed=placed(18), stage_at=ago(2)),
        "south": order_at(db, -1.2, 0.3, placed=placed(16), stage_at=ago(1)),
        "far_south": order_at(db, -1.8, -0.2, placed=placed(12), stage_at=ago(0.5), paid=True),
        "baked": order_at(
            db,
            0.5,
            2.0,
            stage=Stage.BAKED,
            placed=placed(9),
            stage_at=FRIDAY - timedelta(seconds=20),
        ),
        "unmade": order_at(db, 0.5, -2.0, stage=Stage.PLACED, placed=placed(1)),
        "luis": order_at(db, 0.0, 1.5, placed=placed(30), stage_at=ago(8)),
    }
    clock_in(db, "Luis", at=FRIDAY - timedelta(hours=2))
    clock_in(db, "Sam", "Priya", at=FRIDAY - timedelta(hours=1))
    with db.write() as session:
        send(session, "Luis", [orders["luis"]], FRIDAY - timedelta(minutes=5))
    return orders


def sams_evening(db: StoreDB) -> tuple[str, str]:
    """Sam on the clock for two hours with one run of two doors, one delivered on time and one
    late, checked in; Priya clocked in an hour ago with no run yet. Returns the two order ids."""
    placed = FRIDAY - timedelta(minutes=50)
    first = order_at(db, 1.0, placed=placed, stage_at=FRIDAY - timedelta(minutes=40), paid=True)
    second = order_at(db, 1.6, placed=placed, stage_at=FRIDAY - timedelta(minutes=40), paid=True)
    clock_in(db, "Sam", at=FRIDAY - timedelta(hours=2))
    clock_in(db, "Priya", at=FRIDAY - timedelta(hours=1))
    with db.write() as session:
        run = send(session, "Sam", [first, second], FRIDAY - timedelta(minutes=38))
        promise = session.get(Order, second)
        assert promise is not None
        runs.mark_stop(session, run.id, first, True, FRIDAY - timedelta(minutes=30))
        runs.mark_stop(session, run.id, second, True, promise.promise_at + timedelta(minutes=4))
        runs.checkout(session, run.id, 0, promise.promise_at + timedelta(minutes=10))
    return first, second
