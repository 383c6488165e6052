"""Online orders: priced on the server, paid, written with the store's feed entry at once;
refused cleanly when the store is dark, the address is out of its area, or input is bad."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import select
from starlette.testclient import TestClient

from cloud_api.models import StoreFeedEntry
from cloud_api.orders.repository import order_by_id
from sync.contract import parse_entry
from sync.contract.entries import OnlineOrder

from .helpers import (
    bring_online,
    count,
    ctx,
    customer,
    evanston,
    head_office,
    manager,
    order_body,
    place,
    take_offline,
)


def test_a_carryout_order_is_priced_paid_and_fed_to_its_store(client: TestClient, app: FastAPI) -> None:
    store = bring_online(app)
    answer = place(client, customer(client), order_body(store))
    assert answer.status_code == 201, answer.text
    order = answer.json()
    # Large pepperoni 17.08 + two 2 L colas 3.49 each = 24.06; tax 10.25 % = 2.47 (half up).
    assert (order["subtotal"], order["discount"], order["tax"], order["total"]) == (2406, 0, 247, 2653)
    assert order["status"] == "placed" and order["payment_state"] == "paid"
    assert order["payments"][0]["status"] == "succeeded" and order["payments"][0]["amount"] == 2653
    assert "/track/" + order["id"] in order["tracking_url"]

    with ctx(app).db.transaction() as session:
        entries = session.scalars(select(StoreFeedEntry).where(StoreFeedEntry.store_id == store)).all()
        online = [e for e in entries if e.kind == "order.online"]
        assert len(online) == 1
        entry = parse_entry(online[0].kind, online[0].payload)
        assert isinstance(entry, OnlineOrder)
        assert entry.cloud_order_id == order["id"] and entry.payment == "paid"
        assert entry.total == 2653 and entry.items[0].product == "pepperoni"
        assert [e.cursor for e in entries] == list(range(1, len(entries) + 1))

    mine = client.get(f"/api/v1/orders/{order['id']}", headers=customer(client))
    assert mine.status_code == 200 and mine.json()["total"] == 2653
    listed = client.get("/api/v1/orders", headers=customer(client)).json()
    assert [o["id"] for o in listed] == [order["id"]]


def test_a_delivery_order_with_the_best_deal(client: TestClient, app: FastAPI) -> None:
    store = bring_online(app)
    body = order_body(
        store, "delivery", items=[{"product": "cheese", "size": "lg", "quantity": 2}], best_deal=True, tip=300
    )
    answer = place(client, customer(client), body)
    assert answer.status_code == 201, answer.text
    order = answer.json()
    # Two large cheese 14.99 each; "2 large 1-topping for $19.99" saves 9.99.
    assert (order["subtotal"], order["discount"], order["coupon"]) == (2998, 999, "2LG1999")
    assert order["tax"] == 205 and order["tip"] == 300 and order["total"] == 1999 + 205 + 300
    assert order["address"].startswith("1200 N Harlem Ave")


def test_the_clients_price_is_never_taken(client: TestClient, app: FastAPI) -> None:
    store = bring_online(app)
    body = order_body(store)
    body["items"][0]["unit_price"] = 1
    answer = place(client, customer(client), body)
    assert answer.status_code == 422 and answer.json()["field"] == "items.0.unit_price"
    body = order_body(store) | {"total": 100}
    assert place(client, customer(client), body).json()["field"] == "total"


def test_a_dark_store_takes_no_online_orders(client: TestClient, app: FastAPI) -> None:
    store = bring_online(app)
    take_offline(app, store)
    answer = place(client, customer(client), order_body(store))
    assert answer.status_code == 409
    assert "not taking online orders right now" in answer.json()["detail"]
    with ctx(app).db.transaction() as session:
        assert count(session, "orders") == 0 and count(session, "payment") == 0


def test_an_address_outside_the_area_names_the_store_that_delivers(client: TestClient, app: FastAPI) -> None:
    store = bring_online(app)
    far = {"line1": "5000 W North Ave", "lat": 41.98, "lon": -87.66}
    answer = place(client, customer(client), order_body(store, "delivery", address=far))
    assert answer.status_code == 422 and answer.json()["field"] == "address"
    assert "No store delivers there" in answer.json()["detail"]

    evanston(app)
    answer = place(client, customer(client), order_body(store, "delivery", address=far))
    assert answer.status_code == 422 and "makeline Evanston (store EV-002" in answer.json()["detail"]
    with ctx(app).db.transaction() as session:
        assert count(session, "orders") == 0 and count(session, "payment") == 0


def test_same_key_same_body_replays_and_another_body_is_refused(client: TestClient, app: FastAPI) -> None:
    store = bring_online(app)
    headers = customer(client)
    first = place(client, headers, order_body(store), key="order-key-0001")
    again = place(client, headers, order_body(store), key="order-key-0001")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers.get("Idempotent-Replayed") == "true"
    other = place(
        client, headers, order_body(store, items=[{"product": "cheese", "size": "sm"}]), key="order-key-0001"
    )
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"
    # Another customer's identical key is their own.
    theirs = place(client, customer(client, 2), order_body(store), key="order-key-0001")
    assert theirs.status_code == 201 and theirs.json()["id"] != first.json()["id"]
    with ctx(app).db.transaction() as session:
        assert count(session, "orders") == 2 and count(session, "payment") == 2
        assert count(session, "store_feed", "kind = 'order.online'") == 2
    missing = client.post("/api/v1/orders", json=order_body(store), headers=headers)
    assert missing.status_code == 422 and missing.json()["field"] == "Idempotency-Key"


def test_bad_lines_are_refused_naming_the_line(client: TestClient, app: FastAPI) -> None:
    store = bring_online(app)
    headers = customer(client)
    cases = [
        (
            {"items": [{"product": "pepperoni", "size": "lg"}, {"product": "calzone", "size": "lg"}]},
            "items.1",
        ),
        ({"items": [{"product": "cola", "size": "lg"}]}, "items.0"),
        ({"items": [{"product": "pepperoni", "size": "lg", "quantity": 0}]}, "items.0.quantity"),
        ({"items": []}, "items"),
        ({"coupon": "FREEPIZZA"}, "coupon"),
        ({"coupon": "20OFF50"}, "coupon"),
        ({"service": "delivery"}, "address"),
        ({"service": "delivery", "address": {"line1": "12 Nowhere Lane"}}, "address.line1"),
        ({"payment": {"method": "cash"}}, "payment.method"),
        ({"payment": {"method": "card"}}, "payment.token"),
        ({"payment": {"method": "card", "token": "4242424242424242"}}, "payment.token"),
        ({"store_id": "01a20b09-0000-7000-8000-000000000000"}, "store_id"),
        ({"tip": -1}, "tip"),
    ]
    for change, field in cases:
        answer = place(client, headers, order_body(store) | change)
        assert 400 <= answer.status_code < 500, (change, answer.text)
        assert answer.json()["field"] == field, (change, answer.json())
    with ctx(app).db.transaction() as session:
        assert count(session, "orders") == 0 and count(session, "payment") == 0
        assert count(session, "store_feed", "kind = 'order.online'") == 0
        assert count(session, "idempotency_record") == 0


def test_only_the_owner_the_store_and_head_office_see_an_order(client: TestClient, app: FastAPI) -> None:
    store = bring_online(app)
    order = place(client, customer(client, 1), order_body(store)).json()
    assert client.get(f"/api/v1/orders/{order['id']}", headers=customer(client, 2)).status_code == 404
    assert client.get(f"/api/v1/orders/{order['id']}", headers=head_office(client)).status_code == 200
    assert client.get(f"/api/v1/orders/{order['id']}", headers=manager(client)).status_code == 200
    assert (
        client.get(
            "/api/v1/orders/01a20b09-0000-7000-8000-000000000000", headers=customer(client)
        ).status_code
        == 404
    )
    # B cannot cancel A's order either, and a customer cannot move it along.
    put = client.put(
        f"/api/v1/orders/{order['id']}/status", json={"status": "cancelled"}, headers=customer(client, 2)
    )
    assert put.status_code == 404
    put = client.put(
        f"/api/v1/orders/{order['id']}/status", json={"status": "made"}, headers=customer(client, 1)
    )
    assert put.status_code == 403
    with ctx(app).db.transaction() as session:
        assert order_by_id(session, order["id"]).stage == "placed"  # type: ignore[union-attr]


def test_the_store_moves_its_order_and_the_customer_asks_to_cancel(client: TestClient, app: FastAPI) -> None:
    store = bring_online(app)
    order = place(client, customer(client), order_body(store, "delivery")).json()
    url = f"/api/v1/orders/{order['id']}/status"
    made = client.put(url, json={"status": "made"}, headers=manager(client))
    assert made.status_code == 200 and made.json()["status"] == "bake"
    skipped = client.put(url, json={"status": "delivered"}, headers=manager(client))
    assert skipped.status_code == 409 and skipped.json()["field"] == "status"

    cancel = client.put(
        url, json={"status": "cancelled", "reason": "changed my mind"}, headers=customer(client)
    )
    assert cancel.status_code == 200 and cancel.json()["cancel_state"] == "requested"
    with ctx(app).db.transaction() as session:
        requests = session.scalars(
            select(StoreFeedEntry).where(StoreFeedEntry.kind == "order.cancel_request")
        ).all()
        assert [r.payload["cloud_order_id"] for r in requests] == [order["id"]]
    for stage in ("baked", "ready"):
        assert client.put(url, json={"status": stage}, headers=manager(client)).status_code == 200
    late = client.put(url, json={"status": "cancelled"}, headers=customer(client))
    assert late.status_code == 409


def test_an_online_line_carries_its_allergy_flag_to_the_store_and_a_bad_flag_is_refused(
    client: TestClient, app: FastAPI
) -> None:
    store = bring_online(app)
    for bad in (
        [{"kind": "allergy"}],  # an allergy to nothing
        [{"kind": "allergy", "text": "x" * 61}],
        [{"kind": "allergy", "text": "nuts\x1b[2J"}],
        [{"kind": "shout", "text": "now"}],
        [{"kind": "well_done"}] * 6,
    ):
        body = order_body(store)
        body["items"][0]["care"] = bad
        answer = place(client, customer(client), body)
        assert answer.status_code == 422, answer.text
    with ctx(app).db.transaction() as session:
        assert count(session, "orders") == 0
    body = order_body(store)
    body["items"][0]["care"] = [{"kind": "allergy", "text": "milk"}, {"kind": "cut_squares"}]
    answer = place(client, customer(client), body)
    assert answer.status_code == 201, answer.text
    with ctx(app).db.transaction() as session:
        (row,) = session.scalars(
            select(StoreFeedEntry).where(
                StoreFeedEntry.store_id == store, StoreFeedEntry.kind == "order.online"
            )
        ).all()
        assert row.payload["v"] == 3 and "care" not in row.payload["items"][1]  # the colas: as before
        entry = parse_entry(row.kind, row.payload)
        assert isinstance(entry, OnlineOrder)
        assert [f.label for f in entry.items[0].care] == ["ALLERGY: MILK", "CUT IN SQUARES"]
