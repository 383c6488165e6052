"""Storms absorbed: a worker applies a bounded number of pushes at once and turns the rest
away with 429 and a jittered Retry-After (nothing stored, nothing lost); a store's batch
is never applied twice in parallel; the store's own heartbeat is one statement."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from cloud_api.db.base import utcnow
from cloud_api.stores import devices
from cloud_api.sync.admission import Admission, SyncBusy
from sync import contract
from sync.agent.link import check
from sync.errors import CloudBusy

from .helpers import count, ctx, demo_store_id, event, store_order_payload


def test_one_store_at_a_time_and_a_bounded_number_of_stores() -> None:
    admission = Admission(slots=1, wait_s=0)
    with admission.held("A"):
        with pytest.raises(SyncBusy) as again, admission.held("A"):
            pass
        assert again.value.status_code == 429 and 1 <= again.value.retry_after_s <= 3
        with pytest.raises(SyncBusy), admission.held("B"):
            pass
    with admission.held("B"):  # the slot came back
        pass


def test_a_push_turned_away_stores_nothing_and_says_when_to_come_back(
    app: FastAPI, client: TestClient
) -> None:
    store = demo_store_id(app)
    with ctx(app).db.transaction() as session:
        _, token = devices.issue(session, store, "till", utcnow())
    device = {"Authorization": f"Bearer {token}"}
    placed = event("order.placed", store_order_payload(number=7), seq=1)
    batch = {
        "store_id": store,
        "events": [
            {**placed.model_dump(mode="json"), "txn": str(uuid.uuid4()), "subject": placed.payload["id"]}
        ],
    }
    admission = ctx(app).admission
    with admission.held("other-1"), admission.held("other-2"):  # the worker's slots are taken
        busy = client.post("/api/v1/sync/push", json=batch, headers=device)
    assert busy.status_code == 429 and 1 <= int(busy.headers["Retry-After"]) <= 3
    with ctx(app).db.transaction() as session:
        assert count(session, "inbound_event") == 0
    with pytest.raises(CloudBusy) as told:  # what the agent makes of it: the same batch, later
        check(
            httpx.Response(429, headers={"Retry-After": busy.headers["Retry-After"]}, json=busy.json()),
            "push",
        )
    assert told.value.retry_after_s == int(busy.headers["Retry-After"])

    taken = client.post("/api/v1/sync/push", json=batch, headers=device)
    assert taken.status_code == 200 and taken.json()["high_water"] == 1

    beat = contract.Heartbeat(store_id=store, sent_at=utcnow(), instance="till-1")
    first = client.post("/api/v1/sync/heartbeat", json=beat.model_dump(mode="json"), headers=device)
    again = client.post("/api/v1/sync/heartbeat", json=beat.model_dump(mode="json"), headers=device)
    assert first.status_code == again.status_code == 200
    assert again.json()["high_water"] == 1 and again.json()["store_code"] == first.json()["store_code"]
    other = beat.model_copy(update={"instance": "copy-2"})
    refused = client.post("/api/v1/sync/heartbeat", json=other.model_dump(mode="json"), headers=device)
    assert refused.status_code == 409
