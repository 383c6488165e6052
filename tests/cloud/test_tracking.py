"""The tracker: a websocket streaming stage changes, the tracking page, and announcements
batched into one NOTIFY per transaction's worth of news."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from cloud_api.app import create_app
from cloud_api.db.base import utcnow
from cloud_api.orders.plan_news import ON_PLANS, by_store, moved, on_plans
from cloud_api.settings import CloudSettings
from cloud_api.store_events.service import apply_store_events
from cloud_api.sync.service import heartbeat
from sync.contract import Heartbeat, LiveLoad, PlannedDoor

from .helpers import (
    bring_online,
    ctx,
    customer,
    evanston,
    event,
    order_body,
    place,
    staged,
    store_order_payload,
)


@pytest.fixture
def live_app(settings: CloudSettings) -> FastAPI:
    return create_app(settings.model_copy(update={"background": True}))


@pytest.fixture
def live(live_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(live_app) as test_client:
        yield test_client


def _online_delivery(
    live: TestClient, live_app: FastAPI, number: int
) -> tuple[str, dict[str, Any], str, str, dict[str, Any]]:
    """An online delivery order: (store, the order, its tracking code, the store's id for it,
    the store's `order.placed` payload taking it)."""
    store = bring_online(live_app)
    order = place(live, customer(live), order_body(store, "delivery")).json()
    code = order["tracking_url"].split("code=")[1]
    in_store = str(uuid.uuid4())
    taken = store_order_payload(order_id=in_store, number=number) | {
        "cloud_order_id": order["id"],
        "channel": "online",
    }
    return store, order, code, in_store, taken


def test_the_tracker_streams_each_stage(live: TestClient, live_app: FastAPI) -> None:
    store, order, code, in_store, taken = _online_delivery(live, live_app, 1061)
    with live.websocket_connect(f"/api/v1/orders/{order['id']}/track?code={code}") as ws:
        first = ws.receive_json()
        assert first["type"] == "snapshot" and first["status"] == "placed"
        assert first["steps"] == ["placed", "prep", "bake", "quality_check", "out_for_delivery", "delivered"]
        seen = []
        for n, (kind, payload) in enumerate(
            [
                ("order.placed", taken),
                ("order.stage", staged(in_store, "made")),
                ("order.stage", staged(in_store, "baked")),
            ],
            start=1,
        ):
            with ctx(live_app).db.transaction() as session:
                apply_store_events(session, store, [event(kind, payload, seq=n)])
            seen.append(ws.receive_json())
        assert [(m["type"], m["status"]) for m in seen] == [
            ("update", "prep"),
            ("update", "bake"),
            ("update", "quality_check"),
        ]
        assert seen[0]["number"] == 1061


def test_only_the_code_or_the_owner_may_watch(live: TestClient, live_app: FastAPI) -> None:
    store = bring_online(live_app)
    order = place(live, customer(live), order_body(store)).json()
    with (
        pytest.raises(WebSocketDisconnect),
        live.websocket_connect(f"/api/v1/orders/{order['id']}/track?code=wrong-code"),
    ):
        pass
    ticket_url = f"/api/v1/orders/{order['id']}/tracking-ticket"
    assert live.post(ticket_url, headers=customer(live, 2)).status_code == 404
    bearer = customer(live)["Authorization"].split()[1]
    with (  # an access token in a URL opens nothing: it would be logged on the way
        pytest.raises(WebSocketDisconnect),
        live.websocket_connect(f"/api/v1/orders/{order['id']}/track?access_token={bearer}"),
    ):
        pass
    with (
        pytest.raises(WebSocketDisconnect),
        live.websocket_connect(f"/api/v1/orders/{order['id']}/track?ticket={bearer}"),
    ):
        pass
    mine = live.post(ticket_url, headers=customer(live)).json()
    assert mine["expires_in"] == 60
    other = place(live, customer(live, 2), order_body(store)).json()
    with (  # a ticket opens its own order only
        pytest.raises(WebSocketDisconnect),
        live.websocket_connect(f"/api/v1/orders/{other['id']}/track?ticket={mine['ticket']}"),
    ):
        pass
    with live.websocket_connect(f"/api/v1/orders/{order['id']}/track?ticket={mine['ticket']}") as ws:
        assert ws.receive_json()["order_id"] == order["id"]
    assert (
        live.get("/api/v1/profile", headers={"Authorization": f"Bearer {mine['ticket']}"}).status_code == 401
    )

    page = live.get(order["tracking_url"].replace("http://testserver", ""))
    assert page.status_code == 200 and order["id"] in page.text and "/static/track.js" in page.text
    assert live.get("/track/not-an-order").status_code == 404


def test_one_transaction_of_news_is_one_notify(live: TestClient, live_app: FastAPI) -> None:
    store = bring_online(live_app)
    announcer, hub = ctx(live_app).announcer, ctx(live_app).hub
    orders = [store_order_payload() for _ in range(8)]
    events = [event("order.placed", o, seq=n) for n, o in enumerate(orders, start=1)]
    seq = len(events)
    for stage in ("made", "baked", "ready"):
        for o in orders:
            seq += 1
            events.append(event("order.stage", staged(o["id"], stage), seq=seq))
    time.sleep(0.2)
    sent, heard = announcer.sent, hub.received
    with ctx(live_app).db.transaction() as session:
        apply_store_events(session, store, events)
    deadline = time.monotonic() + 5
    while hub.received == heard and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)
    assert announcer.sent - sent == 1  # 24 tracker changes, one NOTIFY
    assert hub.received - heard == 1


def _beat(plan: list[PlannedDoor]) -> Heartbeat:
    now = utcnow()
    load = LiveLoad(
        taken_at=now,
        make_ahead=0,
        make_target_s=60,
        oven_s=360,
        belt_pizzas=8,
        bag=3,
        speed_kmh=30,
        road_factor=1.35,
        plan=plan,
    )
    return Heartbeat(sent_at=now, load=load)


def test_the_tracker_hears_each_move_of_the_plan_once(live: TestClient, live_app: FastAPI) -> None:
    """A heartbeat's plan that moves the minutes the tracker shows is one update with
    `leave_at`/`eta_at`; one that moves nothing shown (the plan made a few seconds later)
    says nothing; the order going off every run is one update back to the promise."""
    store, order, code, in_store, taken = _online_delivery(live, live_app, 1062)
    base = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=20)

    def door(leave_min: int, leave_s: int, drive_min: int) -> PlannedDoor:
        leave = base + timedelta(minutes=leave_min, seconds=leave_s)
        return PlannedDoor(order_id=in_store, leave_at=leave, eta_at=leave + timedelta(minutes=drive_min))

    stranger = PlannedDoor(order_id="not-ours", leave_at=base, eta_at=base)
    plans = [
        [door(0, 10, 9), stranger],  # onto a run: told
        [stranger, door(0, 40, 9)],  # the same minutes, planned 30 s later: nothing
        [door(3, 0, 9)],  # leaves 3 minutes later: told
        [door(3, 5, 12)],  # the door 3 minutes later: told
        [],  # off every run: told
    ]
    with live.websocket_connect(f"/api/v1/orders/{order['id']}/track?code={code}") as ws:
        assert ws.receive_json()["type"] == "snapshot"
        with ctx(live_app).db.transaction() as session:
            apply_store_events(session, store, [event("order.placed", taken, seq=1)])
        assert ws.receive_json()["status"] == "prep"
        for plan in plans:
            with ctx(live_app).db.transaction() as session:
                heartbeat(session, store, _beat(plan), "", utcnow())
        heard = [ws.receive_json() for _ in range(4)]
    at = [(m["leave_at"], m["eta_at"]) for m in heard]
    assert at == [
        (door(0, 10, 9).leave_at.isoformat(), door(0, 10, 9).eta_at.isoformat()),
        (door(3, 0, 9).leave_at.isoformat(), door(3, 0, 9).eta_at.isoformat()),
        (door(3, 5, 12).leave_at.isoformat(), door(3, 5, 12).eta_at.isoformat()),
        (None, None),
    ]
    assert all(m["type"] == "update" and m["status"] == "prep" and m["number"] == 1062 for m in heard)


def test_one_statement_reads_many_stores_plans_each_id_only_among_its_own_stores_orders(
    live: TestClient, live_app: FastAPI
) -> None:
    """A round of plan news reads every store's moved ids at once (`ON_PLANS`): an order is
    found by the store's id for it or the cloud's, once; another store naming the same ids
    finds nothing of it; an order out of the store is no longer on a plan's news."""
    store, order, _, in_store, taken = _online_delivery(live, live_app, 1064)
    other = evanston(live_app)
    with ctx(live_app).db.transaction() as session:
        apply_store_events(session, store, [event("order.placed", taken, seq=1)])
    asked = {store: [in_store, order["id"], "not-ours"], other: [in_store, order["id"]]}
    with ctx(live_app).db.transaction() as session:
        found = by_store(session.connection().exec_driver_sql(ON_PLANS, on_plans(asked)))
    assert list(found) == [store]
    assert [(o.id, o.store_order_id, o.number) for o in found[store]] == [(order["id"], in_store, 1064)]
    with ctx(live_app).db.transaction() as session:
        apply_store_events(session, store, [event("order.stage", staged(in_store, "out_the_door"), seq=2)])
        assert by_store(session.connection().exec_driver_sql(ON_PLANS, on_plans(asked))) == {}


def test_only_a_shown_minute_moving_is_news() -> None:
    at = datetime(2026, 12, 5, 19, 40, 5, tzinfo=UTC)
    one = PlannedDoor(order_id="a", leave_at=at, eta_at=at + timedelta(minutes=9))
    assert moved([one], [one.model_copy(update={"leave_at": at + timedelta(seconds=50)})]) == set()
    assert moved([one], [one.model_copy(update={"leave_at": at + timedelta(seconds=55)})]) == {"a"}
    assert moved([one], [one.model_copy(update={"order_id": "b"})]) == {"a", "b"}
    assert moved([], []) == set()
