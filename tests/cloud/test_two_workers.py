"""Two cloud processes on one database: stateless (a token from one works on the other),
and a tracker connected to one sees an update that arrived through the other."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import websockets
from sqlalchemy import update

from cloud_api.db.base import utcnow
from cloud_api.db.database import Database
from cloud_api.demo import DEMO_PASSWORD, MANAGER_EMAIL, STORE_CODE
from cloud_api.demo.seed import demo_customer_email
from cloud_api.models import Store
from tests import calls

from .server import cloud_process, free_port, wait_healthy


def _login(base: str, email: str) -> dict[str, str]:
    answer = calls.post(f"{base}/api/v1/login", json={"email": email, "password": DEMO_PASSWORD}, timeout=10)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_a_tracker_on_one_worker_sees_an_update_made_through_the_other(database_url: str) -> None:
    db = Database(database_url, pool_size=1, max_overflow=0)
    with db.transaction() as session:
        session.execute(update(Store).where(Store.code == STORE_CODE).values(last_seen_at=utcnow()))
    db.dispose()
    ports = free_port(), free_port()
    with cloud_process(database_url, ports[0]) as first, cloud_process(database_url, ports[1]) as second:
        a, b = (f"http://127.0.0.1:{p}" for p in ports)
        wait_healthy(a, first)
        wait_healthy(b, second)
        store = calls.get(f"{a}/api/v1/stores").json()[0]["id"]
        shopper = _login(a, demo_customer_email(1))
        body = {
            "store_id": store,
            "service": "carryout",
            "items": [{"product": "cheese", "size": "md"}],
            "payment": {"method": "card", "token": "tok_visa"},
        }
        order = calls.post(
            f"{a}/api/v1/orders",
            json=body,
            timeout=10,
            headers=shopper | {"Idempotency-Key": "two-workers-order-1"},
        ).json()
        # Signed by one worker, honoured by the other: they share the signing key through the database.
        assert calls.get(f"{b}/api/v1/orders/{order['id']}", headers=shopper).status_code == 200
        code = order["tracking_url"].split("code=")[1]
        manager = _login(b, MANAGER_EMAIL)

        async def watch() -> tuple[list[dict[str, object]], list[float]]:
            seen: list[dict[str, object]] = []
            delays: list[float] = []
            url = f"ws://127.0.0.1:{ports[1]}/api/v1/orders/{order['id']}/track?code={code}"
            async with websockets.connect(url) as ws, httpx.AsyncClient(base_url=a, timeout=10) as http:
                seen.append(json.loads(await ws.recv()))
                for stage in ("made", "baked", "ready"):
                    sent = time.perf_counter()
                    moved = await http.put(
                        f"/api/v1/orders/{order['id']}/status",
                        json={"status": stage},
                        headers=_login(a, MANAGER_EMAIL),
                    )
                    assert moved.status_code == 200, moved.text
                    seen.append(json.loads(await asyncio.wait_for(ws.recv(), timeout=10)))
                    delays.append(time.perf_counter() - sent)
            return seen, delays

        seen, delays = asyncio.run(watch())
        assert [m["status"] for m in seen] == ["placed", "bake", "quality_check", "quality_check"]
        assert [m["stage"] for m in seen] == ["placed", "made", "baked", "ready"]
        assert max(delays) < 5
        # And the other way round: moved through the second worker, seen by a GET on the first.
        picked = calls.put(
            f"{b}/api/v1/orders/{order['id']}/status", json={"status": "picked_up"}, headers=manager
        )
        assert picked.status_code == 200
        assert calls.get(f"{a}/api/v1/orders/{order['id']}", headers=shopper).json()["status"] == "picked_up"
