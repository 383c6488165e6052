"""`POST /orders` on its hot path: each new order's share added to the reports equals a
recompute from scratch; a replay adds nothing; hostile bodies are refused clearly and write
nothing; orders are placed on the event loop with every handler thread busy; a store
without a feed gets no order; a verified access token, remembered by the worker, still
expires on time."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import anyio
import anyio.to_thread
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from starlette.testclient import TestClient

from cloud_api.api.deps import caller_of
from cloud_api.app import ORDERS
from cloud_api.auth.tokens import TokenSigner
from cloud_api.db.base import utcnow
from cloud_api.errors import BadRequest, Unauthorized
from cloud_api.orders.intake import Taken
from cloud_api.orders.schemas import OrderCreate
from cloud_api.reports.refresh import rebuild_all

from .helpers import bring_online, count, ctx, customer, order_body, place
from .test_report_aggregates import _tables

TABLES = ["idempotency_record", "orders", "order_line", "payment", "store_feed", "report_sales_hour"]


def _aggregates(app: FastAPI) -> dict[str, list[Any]]:
    with ctx(app).db.transaction() as session:
        return _tables(session)


def test_new_orders_add_to_the_reports_as_a_recompute_would(client: TestClient, app: FastAPI) -> None:
    store = bring_online(app)
    me = customer(client)
    cheese = [{"product": "cheese", "size": "lg", "quantity": 2}]
    bodies = [
        order_body(store),
        order_body(store, "delivery", items=cheese, best_deal=True, tip=300),
        order_body(store, "delivery", payment={"method": "cash"}, notes="ring twice"),
        order_body(store, items=cheese, best_deal=True),
    ]
    for body in bodies:
        answer = place(client, me, body)
        assert answer.status_code == 201, answer.text
    key = str(uuid.uuid4())
    first = place(client, me, order_body(store, tip=100), key)
    again = place(client, me, order_body(store, tip=100), key)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()

    kept = _aggregates(app)
    sold = kept["report_sales_hour"]
    assert sum(row[5] for row in sold) == 5  # five orders, the replay not counted again
    assert [row[2] for row in kept["report_coupon_day"]] == ["2LG1999"]
    assert kept["report_coupon_day"][0][3] == 2
    with ctx(app).db.transaction() as session:
        rebuild_all(session)
    assert _aggregates(app) == kept


def _rows(app: FastAPI) -> dict[str, int]:
    with ctx(app).db.transaction() as session:
        return {table: count(session, table) for table in TABLES}


def test_hostile_order_bodies_are_refused_clearly_and_write_nothing(client: TestClient, app: FastAPI) -> None:
    store = bring_online(app)
    me = customer(client)
    used = str(uuid.uuid4())
    assert place(client, me, order_body(store), used).status_code == 201
    before = _rows(app)
    hostile: list[tuple[Any, str | None]] = [
        (order_body(str(uuid.uuid4())), "store_id"),  # no such store
        (order_body(store, items=[{"product": "pepperoni", "size": "lg", "quantity": 1000}]), None),
        (order_body(store, items=[{"product": "unicorn", "size": "lg"}]), "items.0"),
        (order_body(store, items=[]), None),
        (order_body(store, coupon="FREEPIZZA"), "coupon"),
        (order_body(store, scheduled_for="tomorrow-ish"), None),
        (order_body(store, payment={"method": "cash"}), "payment.method"),  # cash on carryout
        (order_body(store, token="tok_unknown"), "payment.token"),
        (
            order_body(store, "delivery", address={"line1": "1 Nowhere Rd", "lat": 10.0, "lon": 10.0}),
            "address",
        ),
        (order_body(store, tip=-5), None),
        (order_body(store, notes="x" * 100_000), None),
        ({"store_id": store, "service": "carryout"}, None),
        ([1, 2, 3], None),
    ]
    for body, field in hostile:
        answer = place(client, me, body)
        assert 400 <= answer.status_code < 500, (body, answer.status_code, answer.text)
        assert "detail" in answer.json()
        if field is not None:
            assert answer.json().get("field", "").startswith(field), (field, answer.text)
    raw = client.post(
        "/api/v1/orders",
        content=b'{"store_id": "' + b"\xff" * 8 + b'"',
        headers={**me, "Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"},
    )
    assert 400 <= raw.status_code < 500
    reused = place(client, me, order_body(store, tip=700), used)
    assert reused.status_code == 422 and reused.json()["field"] == "Idempotency-Key"
    short_key = place(client, me, order_body(store), "short")
    assert 400 <= short_key.status_code < 500
    assert _rows(app) == before


def test_orders_are_placed_on_the_event_loop_with_every_handler_thread_busy(
    client: TestClient, app: FastAPI
) -> None:
    store = bring_online(app)
    me = customer(client)
    assert place(client, me, order_body(store)).status_code == 201  # the worker now knows the menu
    before = _rows(app)
    card = OrderCreate.model_validate(order_body(store, tip=200))
    cash = OrderCreate.model_validate(
        order_body(
            store,
            "delivery",
            payment={"method": "cash"},
            address={"line1": "1200 N Harlem Ave", "lat": 41.9029, "lon": -87.8045},
        )
    )
    unknown_coupon = OrderCreate.model_validate(order_body(store, coupon="FREEPIZZA"))
    card_key, cash_key = str(uuid.uuid4()), str(uuid.uuid4())
    orders = app.state.intake.orders

    async def with_every_thread_taken() -> tuple[list[Taken], BadRequest]:
        caller = await caller_of(ctx(app), me["Authorization"].removeprefix("Bearer "))
        limiter = anyio.to_thread.current_default_thread_limiter()
        holders = [object() for _ in range(int(limiter.total_tokens))]
        for holder in holders:
            await limiter.acquire_on_behalf_of(holder)
        try:
            with anyio.fail_after(120):  # a placement waiting for a thread would wait forever
                taken = [
                    await orders.place(caller, card, card_key, utcnow()),
                    await orders.place(caller, cash, cash_key, utcnow()),
                    await orders.place(caller, card, card_key, utcnow()),
                ]
                with pytest.raises(BadRequest) as refused:
                    await orders.place(caller, unknown_coupon, str(uuid.uuid4()), utcnow())
        finally:
            for holder in holders:
                limiter.release_on_behalf_of(holder)
        return taken, refused.value

    assert client.portal is not None
    (first, by_cash, again), refused = client.portal.call(with_every_thread_taken)
    assert (first.status_code, first.replayed, by_cash.status_code) == (201, False, 201)
    assert again.replayed and json.loads(again.body) == json.loads(first.body)
    assert refused.field == "coupon"
    after = _rows(app)
    for table in ("orders", "payment", "store_feed", "idempotency_record"):
        assert after[table] == before[table] + 2, table
    assert after["order_line"] == before["order_line"] + 4


def test_a_store_without_a_feed_gets_no_order(client: TestClient, app: FastAPI) -> None:
    store = bring_online(app)
    me = customer(client)
    assert place(client, me, order_body(store)).status_code == 201
    with ctx(app).db.transaction() as session:
        session.execute(text("DELETE FROM store_feed_head WHERE store_id = :s"), {"s": store})
    before = _rows(app)
    with pytest.raises(LookupError, match="has no feed"):
        place(client, me, order_body(store))
    assert _rows(app) == before


def test_a_remembered_token_still_expires() -> None:
    now = [utcnow().timestamp()]
    signer = TokenSigner("a-secret-long-enough-for-hs256-signing-key", access_minutes=1, clock=lambda: now[0])
    token = signer.access_token("account-1", "customer", None, utcnow())
    assert signer.read_access(token)["sub"] == "account-1"
    assert signer.read_access(token)["sub"] == "account-1"  # remembered
    now[0] += 66  # past the minute and the leeway
    with pytest.raises(Unauthorized):
        signer.read_access(token)
    with pytest.raises(Unauthorized):
        signer.read_access(token[:-2] + "xx")


def test_the_order_door_refuses_bad_headers_clearly_and_keeps_placed_orders_out_of_the_access_log(
    client: TestClient, app: FastAPI
) -> None:
    store = bring_online(app)
    me = customer(client)
    body = order_body(store)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert place(client, me, body).status_code == 201
    before = _rows(app)
    unsigned = client.post(ORDERS, json=body, headers=key)
    assert unsigned.status_code == 401 and "Sign in first" in unsigned.json()["detail"]
    basic = client.post(ORDERS, json=body, headers=key | {"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status_code == 401
    forged = client.post(ORDERS, json=body, headers=key | {"Authorization": "Bearer not.a.token"})
    assert forged.status_code == 401
    long_key = client.post(ORDERS, json=body, headers=me | {"Idempotency-Key": "k" * 101})
    assert long_key.status_code == 422 and long_key.json()["field"] == "Idempotency-Key"
    broken = client.post(ORDERS, content=b'{"store_id": ', headers=me | key)
    assert broken.status_code == 422 and broken.json()["field"] == "body"
    missing = client.post(ORDERS, json={"service": "carryout"}, headers=me | key)
    assert missing.status_code == 422 and missing.json()["field"] == "store_id"
    assert _rows(app) == before

    def line(status: int) -> logging.LogRecord:
        args = ("127.0.0.1:5000", "POST", ORDERS, "1.1", status)
        return logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d', args, None)

    access = logging.getLogger("uvicorn.access")
    assert not access.filter(line(201)) and access.filter(line(422)) and access.filter(line(401))
    documented = app.openapi()["paths"][ORDERS]["post"]
    assert "requestBody" in documented and "201" in documented["responses"]


def test_words_that_look_like_sql_reach_the_order_exactly_as_the_customer_wrote_them(
    client: TestClient, app: FastAPI
) -> None:
    """The hot path sends its values quoted into the statements' text: a customer's words
    made of quotes, backslashes, dollar signs and percent signs are stored as written and
    run nothing."""
    store = bring_online(app)
    me = customer(client)
    notes = "Robert'); DROP TABLE orders; -- \\' \\\\ %s %(notes)s %% $1 $$x$$ E'\\x41' \"ring\"\n🍕 ünïcödé"
    line1 = "12 O'Hare St \\ apt $2; %s"
    before = _rows(app)
    answer = place(
        client,
        me,
        order_body(
            store,
            "delivery",
            payment={"method": "cash"},
            notes=notes,
            address={"line1": line1, "lat": 41.9029, "lon": -87.8045},
        ),
    )
    assert answer.status_code == 201, answer.text
    with ctx(app).db.transaction() as session:
        kept = session.execute(
            text("SELECT notes, address FROM orders WHERE id = :id"), {"id": answer.json()["id"]}
        ).one()
    assert kept.notes == notes
    assert line1 in kept.address
    after = _rows(app)
    assert after["orders"] == before["orders"] + 1 and after["store_feed"] == before["store_feed"] + 1
