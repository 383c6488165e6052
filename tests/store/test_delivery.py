"""Runs, checkout and cash-out: the driver's night, and every refusal along it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from makeline.trade.lifecycle import Stage
from store_db.db import StoreDB
from store_db.errors import BadInput, IllegalTransition
from store_db.models import Order, OutboxEvent, Staff
from store_db.services import cash_out, drivers, lifecycle, runs
from store_db.services.orders import TenderRequest, place_order
from tests.store.helpers import T0, delivery, fingerprint


def staff(db: StoreDB, name: str) -> Staff:
    with db.read() as session:
        return session.scalars(select(Staff).where(Staff.name == name)).one()


def ready_orders(db: StoreDB, count: int, **extra: object) -> list[str]:
    ids = []
    with db.write() as session:
        for n in range(count):
            order = place_order(session, delivery(f"{300 + 40 * n} N Oak Park Ave", **extra), T0)
            for stage in (Stage.MADE, Stage.BAKED, Stage.READY):
                lifecycle.advance(session, order.id, stage, T0 + timedelta(minutes=8))
            ids.append(order.id)
    return ids


def test_a_whole_driver_shift(db: StoreDB) -> None:
    sam, dana = staff(db, "Sam"), staff(db, "Dana")
    cash_ids = ready_orders(db, 2)  # pay at the door
    paid_ids = ready_orders(db, 1, tenders=[TenderRequest(kind="card")], tip=300)
    with db.write() as session:
        drivers.clock_in(session, sam, T0, starting_bank=2000)
        run = runs.dispatch(
            session,
            sam,
            [runs.PlannedStop(i) for i in [*cash_ids, *paid_ids]],
            T0 + timedelta(minutes=10),
            distance_m=8000,
            drive_s=1200,
        )
        run_id = run.id
        due = run.cash_due
    with db.read() as session:
        assert {o.stage for o in session.scalars(select(Order))} == {"out_the_door"}
        assert session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "run.dispatched")).one()
    with db.write() as session:
        orders = {o.id: o for o in session.scalars(select(Order))}
        at = T0 + timedelta(minutes=25)
        runs.mark_stop(session, run_id, cash_ids[0], True, at, collected=orders[cash_ids[0]].total + 500)
        runs.mark_stop(session, run_id, cash_ids[1], False, at, reason="nobody home")
        runs.mark_stop(session, run_id, paid_ids[0], True, at)
    expected_cash = orders[cash_ids[0]].total + 500
    with pytest.raises(BadInput, match="stops add up to"), db.write() as session:
        runs.checkout(session, run_id, expected_cash - 100, T0 + timedelta(minutes=40))
    with db.write() as session:
        closed = runs.checkout(session, run_id, expected_cash, T0 + timedelta(minutes=40))
        assert closed.mileage_cents == 200  # 8 km at 25 cents
        assert due == orders[cash_ids[0]].total + orders[cash_ids[1]].total
    with db.write() as session:
        record = cash_out.cash_out(session, sam, dana, T0 + timedelta(hours=4))
        # bank 20.00 + collected − 5.00 cash tip − 3.00 card tip − 2.00 mileage
        assert record.owed_to_store == 2000 + expected_cash - 500 - 300 - 200
        assert (record.runs, record.deliveries) == (1, 2)
    with db.read() as session:
        assert drivers.open_shift(session, sam.id) is None


def test_refusals_change_nothing(db: StoreDB) -> None:
    sam, priya, alex = staff(db, "Sam"), staff(db, "Priya"), staff(db, "Alex")
    ids = ready_orders(db, 5)
    with db.write() as session:
        drivers.clock_in(session, sam, T0)
        runs.dispatch(session, sam, [runs.PlannedStop(ids[0])], T0)
    cases = [
        (lambda s: runs.dispatch(s, sam, [runs.PlannedStop(ids[1])], T0), BadInput, "already out on a run"),
        (lambda s: runs.dispatch(s, priya, [runs.PlannedStop(ids[1])], T0), BadInput, "not clocked in"),
        (lambda s: runs.dispatch(s, alex, [runs.PlannedStop(ids[1])], T0), BadInput, "not a driver"),
        (lambda s: runs.dispatch(s, sam, [runs.PlannedStop(ids[0])], T0), BadInput, "already out"),
    ]
    for action, error, message in cases:
        before = fingerprint(db)
        with pytest.raises(error, match=message), db.write() as session:
            action(session)
        assert fingerprint(db) == before
    with db.write() as session:
        drivers.clock_in(session, priya, T0)
    before = fingerprint(db)
    with pytest.raises(BadInput, match="at most 3 orders"), db.write() as session:
        runs.dispatch(session, priya, [runs.PlannedStop(i) for i in ids[1:5]], T0)
    with pytest.raises(IllegalTransition, match="out the door, not ready"), db.write() as session:
        runs.dispatch(session, priya, [runs.PlannedStop(ids[0])], T0)
    with pytest.raises(BadInput, match="before checking the run in"), db.write() as session:
        open_run = runs.open_run(session, sam.id)
        assert open_run is not None
        runs.checkout(session, open_run.id, 0, T0)
    with pytest.raises(BadInput, match="still out on a run"), db.write() as session:
        cash_out.cash_out(session, sam, staff(db, "Dana"), T0)
    assert fingerprint(db) == before
