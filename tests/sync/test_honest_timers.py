"""A delivery the driver marked sooner than the drive could take is flagged in the store, and
the flag reaches head office: through the sync agent into a real cloud, counted on the Speed
page (its CSV) as a quick delivery and out of the store's integrity figure."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from cloud_api.demo import DEMO_PASSWORD, HEAD_OFFICE_EMAIL
from makeline.trade.lifecycle import Stage
from store_db.db import StoreDB
from store_db.models import Staff, utcnow
from store_db.services import drivers, lifecycle, runs
from store_db.services.orders import place_order
from sync.agent import SyncAgent
from tests.store.helpers import delivery
from tests.sync.helpers import Cloud, count
from tests.sync.test_agents import QUICK


def _deliver(db: StoreDB) -> str:
    """Two deliveries on one run: the far one marked delivered a minute after leaving."""
    start = utcnow() - timedelta(minutes=40)
    with db.write() as session:
        far = place_order(session, delivery("1200 N Harlem Ave"), start)
        near = place_order(session, delivery("500 N Oak Park Ave"), start)
        for order in (far, near):
            for stage in (Stage.MADE, Stage.BAKED, Stage.READY):
                lifecycle.advance(session, order.id, stage, start + timedelta(minutes=8))
        sam = session.scalars(select(Staff).where(Staff.name == "Sam")).one()
        drivers.clock_in(session, sam, start)
        gone = start + timedelta(minutes=10)
        run = runs.dispatch(session, sam, [runs.PlannedStop(far.id), runs.PlannedStop(near.id)], gone)
        totals = {o.id: o.total for o in (far, near)}
        runs.mark_stop(session, run.id, far.id, True, gone + timedelta(minutes=1), collected=totals[far.id])
        runs.mark_stop(
            session, run.id, near.id, True, gone + timedelta(minutes=20), collected=totals[near.id]
        )
        return far.business_date.isoformat()


def test_a_quick_delivery_reaches_the_speed_page_as_the_stores_own_flag(
    cloud: Cloud, store_path: Path, enrolled: str
) -> None:
    with StoreDB(store_path) as db:
        day = _deliver(db)
        asyncio.run(SyncAgent(db, QUICK).sync_once())
    kept = "SELECT count(*) FROM orders WHERE store_id = :s AND flagged_quick_delivery"
    assert count(cloud.db, kept, s=enrolled) == 1
    with httpx.Client(base_url=cloud.url, timeout=10) as client:
        signed = client.post(
            "/console/signin",
            data={"email": HEAD_OFFICE_EMAIL, "password": DEMO_PASSWORD, "next": "/console/speed"},
        )
        assert signed.status_code in (200, 303), signed.text
        answer = client.get(f"/console/speed/{enrolled}", params={"from": day, "to": day, "csv": "speed"})
    assert answer.status_code == 200, answer.text
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    (whole,) = [r for r in rows if r["Daypart"] == "whole day"]
    quick = next(v for k, v in whole.items() if k.startswith("Quick deliveries"))
    integrity = next(v for k, v in whole.items() if k.startswith("Integrity"))
    assert (whole["Orders"], quick, integrity) == ("2", "1", "50.0")
