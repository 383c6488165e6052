"""Money is collected once: a cash-on-delivery order later paid online by card is paid in
the store too, on every screen, and the driver's checkout expects no cash for it (over the
real paths: the cloud's API, `makeline agent`, the store's SQLite file)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from cloud_api.demo.seed import demo_customer_email
from makeline.trade.lifecycle import Stage
from store_db.db import StoreDB
from store_db.dispatch.driver import run_view
from store_db.models import Order, Staff, utcnow
from store_db.services import drivers, lifecycle, runs
from tests import calls
from tests.sync.helpers import Cloud, eventually, login, start_agent, stop
from tests.sync.test_end_to_end import _store_order


def test_cash_on_delivery_paid_online_later_is_not_collected_at_the_door(
    cloud: Cloud, store_path: Path, enrolled: str, tmp_path: Path
) -> None:
    log = tmp_path / "agent.log"
    agent = start_agent(store_path, log)
    try:
        eventually(lambda: "connected as store" in log.read_text(), timeout=20, what="the agent connects")
        shopper = login(cloud.url, demo_customer_email(1))
        body = {
            "store_id": enrolled,
            "service": "delivery",
            "address": {"line1": "1200 N Harlem Ave"},
            "items": [{"product": "pepperoni", "size": "lg"}],
            "payment": {"method": "cash"},
        }
        placed = calls.post(
            f"{cloud.url}/api/v1/orders",
            json=body,
            headers=shopper | {"Idempotency-Key": str(uuid.uuid4())},
            timeout=20,
        )
        assert placed.status_code == 201, placed.text
        cloud_id = placed.json()["id"]
        here = eventually(lambda: _store_order(store_path, cloud_id), timeout=20, what="the order")
        assert here.payment == "due"
        now = utcnow()
        with StoreDB(store_path) as db, db.write() as session:
            for n, stage in enumerate((Stage.MADE, Stage.BAKED, Stage.READY), start=1):
                lifecycle.advance(session, here.id, stage, now + timedelta(minutes=n))
            sam = session.scalars(select(Staff).where(Staff.name == "Sam")).one()
            drivers.clock_in(session, sam, now)
            run_id = runs.dispatch(session, sam, [runs.PlannedStop(here.id)], now + timedelta(minutes=5)).id
        with StoreDB(store_path) as db, db.read() as session:
            assert run_view(session, run_id).stops[0].amount_due == here.total  # cash, so far

        paid = calls.post(
            f"{cloud.url}/api/v1/payments",
            json={"order_id": cloud_id, "token": "tok_visa"},
            headers=shopper | {"Idempotency-Key": str(uuid.uuid4())},
            timeout=20,
        )
        assert paid.status_code == 201, paid.text

        def paid_here() -> bool:
            with StoreDB(store_path) as db, db.read() as session:
                order = session.get(Order, here.id)
                return order is not None and order.payment == "paid"

        eventually(paid_here, timeout=20, what="the store hears it was paid")
        with StoreDB(store_path) as db, db.read() as session:
            sheet = run_view(session, run_id)
            assert [(s.amount_due, s.collect) for s in sheet.stops] == [(0, "paid")]
            assert sheet.cash_due == 0
        with StoreDB(store_path) as db, db.write() as session:
            runs.mark_stop(session, run_id, here.id, True, now + timedelta(minutes=20))
            closed = runs.checkout(session, run_id, 0, now + timedelta(minutes=30))
            assert closed.cash_due == 0 and closed.cash_collected == 0
    finally:
        stop(agent)
    assert "Traceback" not in log.read_text()
