"""`/inventory` and `/deliveries` through REST: head office sets items chain-wide (down the
feed); a store records its runs through the same service its synced events use."""

from __future__ import annotations

import uuid
from decimal import Decimal

from fastapi import FastAPI
from sqlalchemy import select
from starlette.testclient import TestClient

from cloud_api.models import StoreFeedEntry
from cloud_api.store_events.service import apply_store_events
from sync.contract import parse_entry
from sync.contract.entries import InventoryItemChanged

from .helpers import (
    bring_online,
    count,
    ctx,
    customer,
    demo_store_id,
    event,
    head_office,
    manager,
    order_body,
    place,
    store_order_payload,
)


def test_head_office_sets_an_item_chain_wide(client: TestClient, app: FastAPI) -> None:
    new = client.put("/api/v1/inventory/truffle_oil", headers=head_office(client), json={"cost_cents": 350})
    assert new.status_code == 404 and "name and unit" in new.json()["detail"]
    made = client.put(
        "/api/v1/inventory/truffle_oil",
        headers=head_office(client),
        json={"name": "Truffle oil", "unit": "lb", "cost_cents": 350, "par": "60"},
    )
    assert made.status_code == 200 and made.json()["par"] == "60"
    assert (
        client.put("/api/v1/inventory/truffle_oil", headers=manager(client), json={"par": "1"}).status_code
        == 403
    )
    changed = client.put(
        "/api/v1/inventory/truffle_oil", headers=head_office(client), json={"discontinued": True}
    )
    assert changed.json()["discontinued"] is True and changed.json()["cost_cents"] == 350
    with ctx(app).db.transaction() as session:
        feed = session.scalars(
            select(StoreFeedEntry)
            .where(StoreFeedEntry.kind == "inventory.item")
            .order_by(StoreFeedEntry.cursor)
        ).all()
        assert [parse_entry(e.kind, e.payload) for e in feed] == [
            InventoryItemChanged(
                code="truffle_oil", name="Truffle oil", unit="lb", cost_cents=350, par=Decimal("60")
            ),
            InventoryItemChanged(code="truffle_oil", discontinued=True),
        ]
    catalog = client.get("/api/v1/inventory", headers=head_office(client)).json()
    codes = [i["code"] for i in catalog["items"]]
    assert catalog["store_id"] is None and "truffle_oil" in codes and "mozzarella" in codes
    own = client.get("/api/v1/inventory", headers=manager(client)).json()
    assert own["store_id"] == demo_store_id(app)
    assert "truffle_oil" not in [i["code"] for i in own["items"]]  # discontinued, never stocked
    assert client.get("/api/v1/inventory", headers=customer(client)).status_code == 403
    bad = client.put("/api/v1/inventory/truffle_oil", headers=head_office(client), json={"par": "-1"})
    assert bad.status_code == 422 and bad.json()["field"] == "par"


def test_a_store_records_its_runs(client: TestClient, app: FastAPI) -> None:
    store = bring_online(app)
    order = place(client, customer(client), order_body(store, "delivery")).json()
    in_store = str(uuid.uuid4())
    with ctx(app).db.transaction() as session:
        apply_store_events(
            session,
            store,
            [
                event(
                    "order.placed",
                    store_order_payload(order_id=in_store, number=1090, service="delivery")
                    | {"cloud_order_id": order["id"], "channel": "online"},
                    seq=1,
                )
            ],
        )
    body = {"store_id": store, "driver_id": str(uuid.uuid4()), "driver_name": "Ray", "order_ids": [in_store]}
    early = client.post("/api/v1/deliveries", json=body, headers=manager(client))
    assert early.status_code == 409 and early.json()["field"] == "order_ids.0"
    for stage in ("made", "baked", "ready"):
        client.put(f"/api/v1/orders/{order['id']}/status", json={"status": stage}, headers=manager(client))
    assert client.post("/api/v1/deliveries", json=body, headers=customer(client)).status_code == 403
    run = client.post("/api/v1/deliveries", json=body, headers=manager(client))
    assert (
        run.status_code == 201 and run.json()["status"] == "out" and run.json()["order_ids"] == [order["id"]]
    )
    seen = client.get(f"/api/v1/orders/{order['id']}", headers=customer(client)).json()
    assert seen["status"] == "out_for_delivery"
    run_id = run.json()["id"]
    assert (
        client.get(f"/api/v1/deliveries/{run_id}/status", headers=head_office(client)).json()["status"]
        == "out"
    )
    assert client.get(f"/api/v1/deliveries/{run_id}", headers=customer(client)).status_code == 404
    closed = client.put(
        f"/api/v1/deliveries/{run_id}/status",
        headers=manager(client),
        json={
            "status": "closed",
            "delivered_order_ids": [in_store],
            "cash_collected": 0,
            "tips": 200,
            "mileage_km": 6.2,
        },
    )
    assert closed.status_code == 200 and closed.json()["tips"] == 200 and closed.json()["closed_at"]
    back = client.put(
        f"/api/v1/deliveries/{run_id}/status", headers=manager(client), json={"status": "returned"}
    )
    assert back.status_code == 409
    assert (
        client.get(f"/api/v1/orders/{order['id']}", headers=customer(client)).json()["status"] == "delivered"
    )
    # The same run arriving later through sync changes nothing.
    with ctx(app).db.transaction() as session:
        apply_store_events(
            session,
            store,
            [
                event(
                    "run.dispatched",
                    {
                        "run_id": run_id,
                        "driver_id": body["driver_id"],
                        "driver_name": "Ray",
                        "order_ids": [in_store],
                    },
                    seq=2,
                )
            ],
        )
        assert count(session, "delivery_run") == 1
    twice = client.post("/api/v1/deliveries", json=body | {"run_id": run_id}, headers=manager(client))
    assert twice.status_code == 409
