"""Payments through the test gateway: declines, a lost answer retried with the same key
(never charged twice), paying a cash order by card, webhooks, and who sees a payment."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from fastapi import FastAPI
from sqlalchemy import text
from starlette.testclient import TestClient

from cloud_api.payments.test_gateway import TestGateway

from .helpers import bring_online, count, ctx, customer, head_office, manager, order_body, place


def _gateway(app: FastAPI) -> TestGateway:
    gateway = ctx(app).gateway
    assert isinstance(gateway, TestGateway)
    return gateway


def _nothing_written(app: FastAPI) -> None:
    with ctx(app).db.transaction() as session:
        assert count(session, "orders") == 0 and count(session, "payment") == 0
        assert count(session, "store_feed", "kind = 'order.online'") == 0


def test_declines_say_why_and_write_nothing(client: TestClient, app: FastAPI) -> None:
    store = bring_online(app)
    declined = place(client, customer(client), order_body(store, token="tok_chargeDeclined"))
    assert declined.status_code == 402 and declined.json()["decline_code"] == "generic_decline"
    broke = place(client, customer(client), order_body(store, token="tok_chargeDeclinedInsufficientFunds"))
    assert broke.status_code == 402
    assert (
        broke.json()["decline_code"] == "insufficient_funds"
        and "insufficient funds" in broke.json()["detail"]
    )
    assert broke.json()["field"] == "payment.token"
    _nothing_written(app)


def test_a_lost_answer_is_retried_with_the_same_key_and_charges_once(
    client: TestClient, app: FastAPI
) -> None:
    store = bring_online(app)
    answer = place(
        client, customer(client), order_body(store, token="tok_timeoutOnce"), key="lost-answer-0001"
    )
    assert answer.status_code == 201, answer.text
    with ctx(app).db.engine.connect() as conn:
        rows = conn.execute(text("SELECT calls FROM test_gateway_charge WHERE kind = 'charge'")).all()
    assert [r.calls for r in rows] == [2]  # asked twice, one charge
    assert _gateway(app).charges_for("order:") == 1


def test_an_unknown_outcome_answers_503_and_the_clients_retry_charges_once(
    client: TestClient, app: FastAPI
) -> None:
    store = bring_online(app)
    headers = customer(client)
    body = order_body(store, token="tok_timeoutThrice")
    first = place(client, headers, body, key="unknown-outcome-01")
    assert first.status_code == 503 and "same Idempotency-Key" in first.json()["detail"]
    _nothing_written(app)
    assert _gateway(app).charges_for("order:") == 1  # the gateway did take it

    retry = place(client, headers, body, key="unknown-outcome-01")
    assert retry.status_code == 201, retry.text
    again = place(client, headers, body, key="unknown-outcome-01")
    assert again.json() == retry.json()
    assert _gateway(app).charges_for("order:") == 1
    with ctx(app).db.transaction() as session:
        assert count(session, "orders") == 1 and count(session, "payment") == 1


def test_cash_at_the_door_then_paid_online(client: TestClient, app: FastAPI) -> None:
    store = bring_online(app)
    headers = customer(client)
    order = place(client, headers, order_body(store, "delivery", payment={"method": "cash"})).json()
    assert order["payment_state"] == "due" and order["payments"][0]["status"] == "due"

    pay = {"order_id": order["id"], "token": "tok_visa"}
    paid = client.post("/api/v1/payments", json=pay, headers=headers | {"Idempotency-Key": "pay-key-000001"})
    assert paid.status_code == 201 and paid.json()["status"] == "succeeded"
    replay = client.post(
        "/api/v1/payments", json=pay, headers=headers | {"Idempotency-Key": "pay-key-000001"}
    )
    assert replay.status_code == 201 and replay.json() == paid.json()
    twice = client.post("/api/v1/payments", json=pay, headers=headers | {"Idempotency-Key": "pay-key-000002"})
    assert twice.status_code == 409
    assert client.get(f"/api/v1/orders/{order['id']}", headers=headers).json()["payment_state"] == "paid"
    with ctx(app).db.transaction() as session:
        assert count(session, "store_feed", "kind = 'order.paid'") == 1

    payment_id = paid.json()["id"]
    assert client.get(f"/api/v1/payments/{payment_id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/payments/{payment_id}", headers=customer(client, 2)).status_code == 404
    assert client.get(f"/api/v1/payments/{payment_id}", headers=head_office(client)).status_code == 200
    assert client.get(f"/api/v1/payments/{payment_id}", headers=manager(client)).status_code == 200
    others = client.post(
        "/api/v1/payments", json=pay, headers=customer(client, 2) | {"Idempotency-Key": "pay-key-3"}
    )
    assert others.status_code in (404, 422)


def _signed(body: dict[str, Any], secret: str, at: int | None = None) -> tuple[bytes, str]:
    payload = json.dumps(body).encode()
    stamp = at or int(time.time())
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return payload, f"t={stamp},v1={mac}"


def test_webhooks_must_carry_the_gateways_signature(client: TestClient, app: FastAPI) -> None:
    store = bring_online(app)
    order = place(client, customer(client), order_body(store)).json()
    with ctx(app).db.engine.connect() as conn:
        intent = conn.execute(text("SELECT gateway_ref FROM payment")).scalar_one()
    event = {
        "id": "evt_1",
        "type": "charge.refunded",
        "data": {"object": {"id": "ch_1", "payment_intent": intent}},
    }
    secret = ctx(app).gateway.webhook_secret

    payload, _ = _signed(event, "whsec_somebody_else")
    forged = client.post(
        "/api/v1/payments/webhook",
        content=payload,
        headers={"Stripe-Signature": _signed(event, "whsec_somebody_else")[1]},
    )
    assert forged.status_code == 400 and "signature" in forged.json()["detail"]
    stale = client.post(
        "/api/v1/payments/webhook",
        content=_signed(event, secret, int(time.time()) - 3600)[0],
        headers={"Stripe-Signature": _signed(event, secret, int(time.time()) - 3600)[1]},
    )
    assert stale.status_code == 400
    unsigned = client.post("/api/v1/payments/webhook", content=payload)
    assert unsigned.status_code == 400
    payment = client.get(f"/api/v1/orders/{order['id']}", headers=customer(client)).json()["payments"][0]
    assert payment["status"] == "succeeded"

    payload, signature = _signed(event, secret)
    good = client.post("/api/v1/payments/webhook", content=payload, headers={"Stripe-Signature": signature})
    assert good.status_code == 200 and good.json() == {"received": True, "event_type": "charge.refunded"}
    payment = client.get(f"/api/v1/orders/{order['id']}", headers=customer(client)).json()["payments"][0]
    assert payment["status"] == "refunded"
