"""Simulated customers through the public API over a real socket."""

from __future__ import annotations

import io

from fastapi import FastAPI
from sqlalchemy import text

from makeline.demo.online_customers import run_simulation

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
