"""`apply_store_event` with hand-built store events: each stored and applied once, late
and repeated news changing nothing, and the per-store high-water mark."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from fastapi import FastAPI
from sqlalchemy import select, text
from starlette.testclient import TestClient

from cloud_api.db.base import utcnow
from cloud_api.errors import Conflict
from cloud_api.models import Order, OrderLine, Payment
from cloud_api.orders.repository import order_by_id
from cloud_api.store_events.schemas import Outcome
from cloud_api.store_events.service import apply_store_event, apply_store_events, high_water_mark
from sync.contract.events import (
    ClosedStop,
    CountedLine,
    DispatchedStop,
    ItemTerms,
    RunClosed,
    RunDispatched,
    StockCounted,
    StockLine,
    StockUsage,
)

from .helpers import (
    bring_online,
    count,
    ctx,
    customer,
    demo_store_id,
    evanston,
    event,
    head_office,
    order_body,
    place,
    staged,
    store_order_payload,
    voided,
)


def test_a_store_order_is_recorded_once(app: FastAPI) -> None:
    store = demo_store_id(app)
    placed = event("order.placed", store_order_payload(number=1042), seq=1)
    with ctx(app).db.transaction() as session:
        assert apply_store_event(session, store, placed) is Outcome.APPLIED
    with ctx(app).db.transaction() as session:
        assert apply_store_event(session, store, placed) is Outcome.DUPLICATE
        order = order_by_id(session, placed.payload["id"])
        assert order is not None and order.number == 1042 and order.channel == "phone"
        assert order.tracked_status == "prep" and order.total == 1883
        lines = session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).all()
        assert [(li.product, li.line_total) for li in lines] == [("pepperoni", 1708)]
        assert count(session, "inbound_event") == 1 and high_water_mark(session, store) == 1


def test_a_sequence_number_reused_for_another_event_is_refused(app: FastAPI) -> None:
    store = demo_store_id(app)
    with ctx(app).db.transaction() as session:
        apply_store_event(session, store, event("order.placed", store_order_payload(), seq=1))
    with pytest.raises(Conflict, match="already holds another event"), ctx(app).db.transaction() as session:
        apply_store_event(session, store, event("order.placed", store_order_payload(), seq=1))
    with ctx(app).db.transaction() as session:
        assert count(session, "orders") == 1


def test_stages_only_move_forward(app: FastAPI) -> None:
    store = demo_store_id(app)
    payload = store_order_payload(service="delivery")
    order_id = payload["id"]
    now = utcnow()
    stages = ["made", "baked", "ready", "out_the_door", "delivered"]
    events = [event("order.placed", payload, seq=1, at=now)] + [
        event("order.stage", staged(order_id, s, now + timedelta(minutes=i + 1)), seq=i + 2)
        for i, s in enumerate(stages)
    ]
    with ctx(app).db.transaction() as session:
        outcomes, mark = apply_store_events(session, store, events[:4])
        assert mark == 4 and outcomes == [Outcome.APPLIED] * 4
        order = order_by_id(session, order_id)
        assert order is not None and order.stage == "ready" and order.tracked_status == "quality_check"
    # A late "made" (a second terminal's bump) and a repeated "ready" change nothing.
    late = event("order.stage", staged(order_id, "made"), seq=5)
    with ctx(app).db.transaction() as session:
        apply_store_events(session, store, [late, event("order.stage", staged(order_id, "ready"), seq=6)])
        order = order_by_id(session, order_id)
        assert order is not None and order.stage == "ready"
        before = order.made_at
    with ctx(app).db.transaction() as session:
        _, mark = apply_store_events(
            session, store, [event(e.kind, dict(e.payload), seq=e.seq + 2) for e in events[4:]]
        )
        order = order_by_id(session, order_id)
        assert order is not None and order.stage == "delivered" and order.made_at == before
        assert order.delivered_at is not None and order.out_the_door_at is not None
        assert order.delivered_at > order.out_the_door_at and mark == 8
    # Voiding a delivered order is refused by the store's rules: nothing happens.
    with ctx(app).db.transaction() as session:
        apply_store_event(session, store, event("order.voided", voided(order_id, "x"), seq=9))
        assert order_by_id(session, order_id).stage == "delivered"  # type: ignore[union-attr]


def test_the_high_water_mark_waits_for_a_gap_to_fill(app: FastAPI) -> None:
    store = demo_store_id(app)
    orders = [event("order.placed", store_order_payload(number=n), seq=n) for n in range(1, 6)]
    with ctx(app).db.transaction() as session:
        _, mark = apply_store_events(session, store, [orders[0], orders[1], orders[3], orders[4]])
        assert mark == 2
    with ctx(app).db.transaction() as session:
        _, mark = apply_store_events(session, store, [orders[2]])
        assert mark == 5 and high_water_mark(session, store) == 5
    with ctx(app).db.transaction() as session:
        outcomes, mark = apply_store_events(session, store, orders)
        assert outcomes == [Outcome.DUPLICATE] * 5 and mark == 5
        assert count(session, "orders") == 5


def test_an_online_order_taken_by_its_store_then_voided_is_refunded(client: TestClient, app: FastAPI) -> None:
    store = bring_online(app)
    order = place(client, customer(client), order_body(store)).json()
    store_id = str(uuid.uuid4())
    taken = store_order_payload(order_id=store_id, number=1077, service="carryout") | {
        "cloud_order_id": order["id"],
        "channel": "online",
    }
    with ctx(app).db.transaction() as session:
        apply_store_events(
            session,
            store,
            [
                event("order.placed", taken, seq=1),
                event("order.voided", voided(store_id, "customer cancelled"), seq=2),
            ],
        )
    seen = client.get(f"/api/v1/orders/{order['id']}", headers=customer(client)).json()
    assert seen["number"] == 1077 and seen["status"] == "cancelled"
    assert seen["payment_state"] == "refund_pending"
    with ctx(app).db.transaction() as session:
        assert count(session, "orders") == 1  # the store's copy is the same order
        payment = session.scalars(select(Payment)).one()
        assert payment.status == "refund_pending"

    from cloud_api.payments.service import send_due_refunds

    assert send_due_refunds(ctx(app).db, ctx(app).gateway, utcnow()) == 1
    assert send_due_refunds(ctx(app).db, ctx(app).gateway, utcnow()) == 0
    seen = client.get(f"/api/v1/orders/{order['id']}", headers=customer(client)).json()
    assert seen["payment_state"] == "refunded" and seen["payments"][0]["refunded"] == seen["total"]


def test_a_malformed_event_is_set_aside_without_stopping_the_store(app: FastAPI) -> None:
    store = demo_store_id(app)
    with ctx(app).db.transaction() as session:
        outcomes, mark = apply_store_events(
            session,
            store,
            [
                event("order.placed", {"id": str(uuid.uuid4())}, seq=1),  # no totals
                event("printer.failed", {"printer": "kitchen"}, seq=2),
                event("order.placed", store_order_payload(), seq=3),
            ],
        )
    assert outcomes == [Outcome.QUARANTINED, Outcome.QUARANTINED, Outcome.APPLIED] and mark == 3
    with ctx(app).db.transaction() as session:
        assert count(session, "inbound_event") == 3 and count(session, "orders") == 1
        held = dict(session.execute(text("SELECT seq, reason FROM inbound_quarantine")).all())
    assert set(held) == {1, 2}
    assert "number" in held[1] and "required" in held[1]
    assert "unknown kind 'printer.failed'" in held[2]


def test_stock_and_run_events_feed_inventory_and_deliveries(client: TestClient, app: FastAPI) -> None:
    from .helpers import head_office

    store = demo_store_id(app)
    payload = store_order_payload(service="delivery")
    now = utcnow()
    run_id, driver_id = str(uuid.uuid4()), str(uuid.uuid4())
    terms = {
        "mozzarella": ItemTerms(
            base_unit="lb",
            count_unit="lb",
            count_size=Decimal(1),
            purchase_unit="lb",
            purchase_size=Decimal(1),
            cost_cents_per_purchase=350,
        )
    }

    def line(quantity: str, cents: int) -> StockLine:
        return StockLine(
            code="mozzarella",
            name="Mozzarella",
            quantity=Decimal(quantity),
            unit="lb",
            count_quantity=Decimal(quantity),
            count_unit="lb",
            cost_cents=cents,
            cost_cents_per_count_unit=350,
        )

    counted = StockCounted(
        count_id="c1",
        count_kind="daily",
        at=now,
        finalised_at=now,
        lines=[CountedLine(**dict(line("40", 14000)), counted=Decimal(40), entry="40")],
        value_cents=14000,
        stock_items=terms,
    )
    used = StockUsage(
        usage_id=str(uuid.uuid4()),
        order_id=payload["id"],
        number=1042,
        business_date=now.date(),
        movement="made",
        at=now + timedelta(minutes=1),
        lines=[line("0.5", 175)],
        cost_cents=175,
        stock_items=terms,
    )
    dispatched = RunDispatched(
        run_id=run_id,
        driver_id=driver_id,
        driver="Sam",
        at=now,
        stops=[DispatchedStop(order_id=payload["id"], number=1042)],
    )
    closed = RunClosed(
        run_id=run_id,
        driver_id=driver_id,
        returned_at=now + timedelta(minutes=20),
        dispatched_at=now,
        distance_m=7500,
        cash_collected=1883,
        stops=[ClosedStop(order_id=payload["id"], outcome="delivered", collected=1883)],
    )
    with ctx(app).db.transaction() as session:
        outcomes, _ = apply_store_events(
            session,
            store,
            [
                event("order.placed", payload, seq=1),
                event(counted.kind, counted.payload(), seq=2),
                event(used.kind, used.payload(), seq=3),
                event("order.stage", staged(payload["id"], "ready"), seq=4),
                event(dispatched.kind, dispatched.payload(), seq=5),
                event(closed.kind, closed.payload(), seq=6),
            ],
        )
    assert outcomes == [Outcome.APPLIED] * 6
    stock = client.get("/api/v1/inventory", params={"store_id": store}, headers=head_office(client)).json()
    cheese = next(i for i in stock["items"] if i["code"] == "mozzarella")
    assert cheese["last_count"] == "40.0000" and cheese["on_hand"] == "39.5000"
    run = client.get(f"/api/v1/deliveries/{run_id}", headers=head_office(client)).json()
    assert run["status"] == "closed" and run["order_ids"] == [payload["id"]] and run["mileage_km"] == "7.50"
    with ctx(app).db.transaction() as session:
        order = order_by_id(session, payload["id"])
        assert order is not None and order.stage == "delivered" and order.driver_name == "Sam"


def test_a_store_sending_another_stores_order_id_keeps_a_copy_of_its_own(
    client: TestClient, app: FastAPI
) -> None:
    """Order ids are unique within a store (the key is (store_id, id)): a store that sends an
    id another store's order has gets its own copy, and neither the customer, nor the id's
    look-ups, nor the first store's order see it."""
    store = bring_online(app)
    order = place(client, customer(client), order_body(store)).json()
    other = evanston(app)
    forged = store_order_payload(order_id=order["id"], placed_at=utcnow() - timedelta(days=1))
    news = [event("order.placed", forged, seq=1), event("order.stage", staged(order["id"], "made"), seq=2)]
    with ctx(app).db.transaction() as session:
        outcomes, _ = apply_store_events(session, other, news)
        assert outcomes == [Outcome.APPLIED, Outcome.APPLIED]
    mine = client.get(f"/api/v1/orders/{order['id']}", headers=customer(client)).json()
    assert (mine["store_id"], mine["total"], mine["status"]) == (store, order["total"], order["status"])
    assert (
        client.get(f"/api/v1/orders/{order['id']}", headers=head_office(client)).json()["store_id"] == store
    )
    with ctx(app).db.transaction() as session:
        found = order_by_id(session, order["id"])
        assert found is not None and (found.store_id, found.stage) == (store, "placed")
        copy = session.get_one(Order, {"store_id": other, "id": order["id"]})
        assert (copy.stage, copy.total) == ("made", 1883)
        assert count(session, "order_line", f"order_id = '{order['id']}'") == len(mine["items"]) + 1
