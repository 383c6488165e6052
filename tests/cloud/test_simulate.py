"""Simulated customers through the public API over a real socket."""

from __future__ import annotations

import io
import random
import time

import httpx
from fastapi import FastAPI
from sqlalchemy import text
from starlette.testclient import TestClient

from cloud_api.app import create_app
from cloud_api.settings import CloudSettings
from makeline.demo.online_customers import _order, _shopper, run_simulation

from .helpers import bring_online, count, ctx
from .server import serve


def test_simulated_customers_order_and_pay(app: FastAPI) -> None:
    store = bring_online(app)
    out = io.StringIO()
    with serve(app) as base:
        assert run_simulation(base, store, orders=12, rate_per_min=None, out=out, seed=7) == 0
    lines = out.getvalue().splitlines()
    assert len(lines) == 12
    placed = [line.split()[0] for line in lines if not line.startswith("declined")]
    with ctx(app).db.transaction() as session:
        assert count(session, "orders") == len(placed) >= 10
        assert count(session, "store_feed", "kind = 'order.online'") == len(placed)
        ids = {row[0] for row in session.execute(text("SELECT id FROM orders"))}
    assert ids == set(placed)


def test_a_simulated_customer_keeps_their_session_past_its_tokens_life(settings: CloudSettings) -> None:
    # Access tokens that live under a second (plus the cloud's 5 s leeway): expiry comes by
    # itself within seconds, and the customer's next order must still go through.
    short = create_app(settings.model_copy(update={"access_token_minutes": 0.01}))
    with TestClient(short), serve(short) as base, httpx.Client(base_url=base, timeout=30) as http:
        store = bring_online(short)
        shopper = _shopper(http, 1, "expiry", random.Random(3))
        shopper.expires_at = float("inf")  # no early refresh: let the cloud refuse the token
        stale = shopper.access_token
        deadline = time.monotonic() + 60
        while http.get("/api/v1/profile", headers={"Authorization": f"Bearer {stale}"}).status_code != 401:
            assert time.monotonic() < deadline, "the short-lived token never expired"
            time.sleep(0.2)
        body = {
            "store_id": store,
            "service": "carryout",
            "items": [{"product": "pepperoni", "size": "lg"}],
            "payment": {"method": "card", "token": "tok_visa"},
        }
        answer = _order(http, shopper, body)
        assert answer.status_code == 201, answer.text
        assert shopper.refreshes == 1 and shopper.access_token != stale
        # Before it expires again, the next request refreshes ahead of time instead.
        shopper.clock, shopper.expires_at = (lambda: 10.0), 5.0
        assert shopper.send(http, "GET", "/api/v1/profile").status_code == 200
        assert shopper.refreshes == 2
