"""An online customer hears the promise the counter would give: the store's load goes up with
its heartbeat (the agent's own ledger, real HTTP), the cloud quotes on it with the same model,
a paused delivery is refused naming carryout, and a stale load falls back on the cloud's own
estimate."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select, update

from cloud_api.demo.seed import demo_customer_email
from cloud_api.models import Store as CloudStore
from makeline.trade.lifecycle import Stage
from makeline.trade.quote import promise_time
from makeline.trade.throttle import Level
from store_db.db import StoreDB
from store_db.models import Staff, Store, utcnow
from store_db.services import drivers, lifecycle, promise, runs, throttle
from store_db.services.orders import place_order
from sync import contract
from sync.agent.ledger import Ledger
from tests import calls
from tests.store.helpers import delivery
from tests.sync.helpers import Cloud, login
from tests.sync.test_contract import _headers


def _beat(cloud: Cloud, store_path: Path, load: contract.LiveLoad | None) -> httpx.Response:
    beat = contract.Heartbeat(sent_at=utcnow(), load=load)
    return calls.post(
        f"{cloud.url}/api/v1/sync/heartbeat",
        content=beat.model_dump_json(),
        headers=_headers(store_path),
        timeout=20,
    )


def _quote(cloud: Cloud, store_id: str, **params: Any) -> dict[str, Any]:
    answer = calls.get(
        f"{cloud.url}/api/v1/orders/quote", params={"store_id": store_id, **params}, timeout=20
    )
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def _order(cloud: Cloud, store_id: str, service: str, lat: float, lon: float) -> httpx.Response:
    body: dict[str, Any] = {
        "store_id": store_id,
        "service": service,
        "items": [{"product": "pepperoni", "size": "lg"}, {"product": "cola", "size": "2l"}],
        "payment": {"method": "card", "token": "tok_visa"},
    }
    if service == "delivery":
        body["address"] = {"line1": "1200 N Harlem Ave", "lat": lat, "lon": lon}
    return calls.post(
        f"{cloud.url}/api/v1/orders",
        json=body,
        headers=login(cloud.url, demo_customer_email(1)) | {"Idempotency-Key": str(uuid.uuid4())},
        timeout=20,
    )


def test_the_cloud_quotes_what_the_counter_would(cloud: Cloud, store_path: Path, enrolled: str) -> None:
    now = utcnow()
    with StoreDB(store_path) as db:
        with db.write() as session:
            store = session.scalars(select(Store)).one()
            lat, lon = store.lat + 0.012, store.lon + 0.004
            sam, priya, dana = (
                session.scalars(select(Staff).where(Staff.name == n)).one() for n in ("Sam", "Priya", "Dana")
            )
            drivers.clock_in(session, sam, now)
            drivers.clock_in(session, priya, now)
            ids = [place_order(session, delivery(f"{300 + 40 * n} N Oak Park Ave"), now).id for n in range(6)]
            for order_id in ids[:4]:
                for stage in (Stage.MADE, Stage.BAKED, Stage.READY):
                    lifecycle.advance(session, order_id, stage, now)
            runs.dispatch(session, sam, [runs.PlannedStop(ids[0])], now, drive_s=900)
            # held open by the manager: online promises are not padded (busy) whatever the load
            throttle.hold(session, dana.id, Level.OPEN, now)
        live = Ledger(db).live_load()
        assert live is not None and live.throttle is Level.OPEN
        with db.read() as session:
            # The counter's quote on the same snapshot: one pizza, a delivery to (lat, lon).
            counter = promise.estimate(session, 1, True, live.taken_at, lat, lon)
    assert live.make_ahead == 2 and len(live.deliveries) == 5 and sorted(live.drivers)[0] == 0
    assert counter.wait_s > 0  # three on the rack ahead of it, one driver in, Sam out 15 min

    assert _beat(cloud, store_path, live).status_code == 200
    quoted = _quote(cloud, enrolled, service="delivery", pizzas=1, lat=lat, lon=lon)
    assert quoted["from_store"] is True and quoted["delivery"] == "open"
    parts = (quoted["make_min"], quoted["oven_min"], quoted["wait_min"], quoted["drive_min"])
    assert parts == (counter.make_min, counter.oven_min, counter.wait_min, counter.drive_min)
    assert quoted["seconds"] == counter.total_s

    placed = _order(cloud, enrolled, "delivery", lat, lon)
    assert placed.status_code == 201, placed.text
    at = datetime.fromisoformat(placed.json()["placed_at"])
    assert datetime.fromisoformat(placed.json()["promise_at"]) == promise_time(at, counter.promise_s)

    # The manager pauses online delivery: the next heartbeat carries it; carryout stays open.
    with StoreDB(store_path) as db:
        with db.write() as session:
            throttle.hold(session, dana.id, Level.PAUSED, utcnow())
        paused = Ledger(db).live_load()
    assert paused is not None and paused.throttle is Level.PAUSED
    assert _beat(cloud, store_path, paused).status_code == 200
    refused = _order(cloud, enrolled, "delivery", lat, lon)
    assert refused.status_code == 409, refused.text
    assert (
        "paused online delivery" in refused.json()["detail"]
        and "Carryout is open" in refused.json()["detail"]
    )
    assert _order(cloud, enrolled, "carryout", lat, lon).status_code == 201
    assert _quote(cloud, enrolled, service="delivery")["delivery"] == "paused"

    # Hostile loads and questions are refused and change nothing.
    bad = paused.model_copy(update={"bag": 0})
    assert _beat(cloud, store_path, bad).status_code == 422
    assert _quote(cloud, enrolled, service="delivery")["delivery"] == "paused"
    for params in ({"pizzas": -1}, {"lat": 200}, {"service": "drone"}):
        answer = calls.get(
            f"{cloud.url}/api/v1/orders/quote", params={"store_id": enrolled, **params}, timeout=20
        )
        assert answer.status_code == 422, params
    missing = calls.get(
        f"{cloud.url}/api/v1/orders/quote", params={"store_id": str(uuid.uuid4())}, timeout=20
    )
    assert missing.status_code == 404

    # A load gone stale (the agent stopped sending it): the cloud's own estimate, delivery open.
    with cloud.db.transaction() as session:
        session.execute(
            update(CloudStore)
            .where(CloudStore.id == enrolled)
            .values(live_load_at=utcnow() - timedelta(minutes=5))
        )
    stale = _quote(cloud, enrolled, service="delivery")
    assert stale["from_store"] is False and stale["delivery"] == "open" and stale["seconds"] is None
