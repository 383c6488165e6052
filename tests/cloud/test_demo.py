"""`makeline cloud --demo` on a fresh data folder, and the demo store's stand-in kitchen."""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

import websockets
from fastapi import FastAPI
from sqlalchemy import select

from cloud_api.db.base import utcnow
from cloud_api.demo import DEMO_PASSWORD, HEAD_OFFICE_EMAIL, kitchen
from cloud_api.demo.seed import seed
from cloud_api.models import Order
from cloud_api.stores.devices import issue
from tests import calls

from .helpers import count, ctx, demo_store_id
from .server import cloud_process, free_port, wait_healthy


def test_seeding_twice_changes_nothing(app: FastAPI) -> None:
    with ctx(app).db.transaction() as session:
        before = {t: count(session, t) for t in ("store", "account", "menu_version", "street_block")}
        again = seed(session, utcnow())
        assert not again.created and again.store_id == demo_store_id(app)
        assert {t: count(session, t) for t in before} == before
        assert before["account"] >= 7 and before["street_block"] > 50


def test_the_stand_in_kitchen_moves_orders_until_a_real_store_enrolls(app: FastAPI) -> None:
    store = demo_store_id(app)
    now = utcnow()
    placed = now - timedelta(seconds=100)
    with ctx(app).db.transaction() as session:
        session.add(
            Order(
                id=str(uuid.uuid4()),
                store_id=store,
                business_date=placed.date(),
                channel="online",
                service="delivery",
                stage="placed",
                tracked_status="placed",
                phone="7085550111",
                menu_version=1,
                subtotal=1000,
                discount=0,
                tax=103,
                tip=0,
                total=1103,
                payment="paid",
                placed_at=placed,
                updated_at=placed,
            )
        )
    stages = []
    for tick in range(8):
        with ctx(app).db.transaction() as session:
            kitchen.work(session, now + timedelta(seconds=tick))
            order = session.scalars(select(Order)).one()
            stages.append(order.stage)
    assert stages[0] == "placed" and order.in_store_at is not None and order.number == 1001
    assert stages[-1] == "out_the_door" and order.driver_name == kitchen.DRIVER and order.run_id
    with ctx(app).db.transaction() as session:
        kitchen.work(session, now + timedelta(seconds=60))
        assert session.scalars(select(Order)).one().stage == "delivered"
        assert count(session, "delivery_run", "status = 'closed'") == 1
    with ctx(app).db.transaction() as session:
        issue(session, store, "the real store", utcnow())
    with ctx(app).db.transaction() as session:
        assert kitchen.work(session, now + timedelta(minutes=10)) == 0


def test_makeline_cloud_demo_on_a_fresh_folder() -> None:
    home = Path(tempfile.mkdtemp(prefix="makeline-demo-"))
    port = free_port()
    try:
        with cloud_process(
            "", port, MAKELINE_DATA_DIR=str(home / "cloud-pg"), MAKELINE_DEMO="true"
        ) as process:
            base = f"http://127.0.0.1:{port}/api/v1"
            wait_healthy(f"http://127.0.0.1:{port}", process, timeout=90)
            assert (
                calls.post(
                    f"{base}/login", json={"email": HEAD_OFFICE_EMAIL, "password": DEMO_PASSWORD}
                ).status_code
                == 200
            )
            me = {
                "email": "walkthrough@example.com",
                "password": "pizza-lover-1",
                "name": "Ana Lopez",
                "phone": "708-555-0199",
            }
            assert calls.post(f"{base}/register", json=me).status_code == 201
            token = calls.post(
                f"{base}/login", json={"email": me["email"], "password": me["password"]}
            ).json()["access_token"]
            store = calls.get(f"{base}/stores").json()[0]
            assert store["code"] == "OP-001" and store["online"] is True
            menu = calls.get(f"{base}/stores/{store['id']}/menu").json()
            assert len(menu["menu"]["products"]) > 20
            order = calls.post(
                f"{base}/orders",
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "walkthrough-0001"},
                json={
                    "store_id": store["id"],
                    "service": "delivery",
                    "items": [{"product": "pepperoni", "size": "lg"}],
                    "address": {"line1": "1200 N Harlem Ave"},
                    "payment": {"method": "card", "token": "tok_visa"},
                },
            ).json()
            code = order["tracking_url"].split("code=")[1]

            async def track() -> list[str]:
                url = f"ws://127.0.0.1:{port}/api/v1/orders/{order['id']}/track?code={code}"
                async with websockets.connect(url) as ws:
                    seen = [json.loads(await ws.recv())["status"]]
                    while "prep" not in seen:
                        seen.append(json.loads(await asyncio.wait_for(ws.recv(), timeout=20))["status"])
                    return seen

            assert asyncio.run(track())[-1] == "prep"
            assert calls.get(f"http://127.0.0.1:{port}/track/{order['id']}?code={code}").status_code == 200
    finally:
        shutil.rmtree(home, ignore_errors=True)
