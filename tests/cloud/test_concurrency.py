"""Twenty identical `POST /orders` at once over real sockets make one order and one payment."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from cloud_api.demo import DEMO_PASSWORD
from cloud_api.demo.seed import demo_customer_email

from .helpers import bring_online, count, ctx, order_body
from .server import serve


def test_twenty_identical_requests_make_one_order_and_one_payment(app: FastAPI) -> None:
    store = bring_online(app)
    body = order_body(store, "delivery")

    async def burst(base: str) -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            tokens = await http.post(
                "/api/v1/login", json={"email": demo_customer_email(1), "password": DEMO_PASSWORD}
            )
            headers = {
                "Authorization": f"Bearer {tokens.json()['access_token']}",
                "Idempotency-Key": "same-order-twenty-times",
            }
            return await asyncio.gather(
                *[http.post("/api/v1/orders", json=body, headers=headers) for _ in range(20)]
            )

    with serve(app) as base:
        answers = asyncio.run(burst(base))
    assert [a.status_code for a in answers] == [201] * 20
    assert len({a.json()["id"] for a in answers}) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 19
    with ctx(app).db.transaction() as session:
        assert count(session, "orders") == 1 and count(session, "payment") == 1
        assert count(session, "store_feed", "kind = 'order.online'") == 1
        assert count(session, "test_gateway_charge") == 1
