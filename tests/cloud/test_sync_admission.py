"""Storms absorbed: a worker stores a bounded number of pushes at once and turns the rest
away with 429 and a jittered Retry-After (nothing stored, nothing lost); stored events wait
in the queue for the appliers, one per store at a time, applied once; the store's own
heartbeat is one statement."""

from __future__ import annotations

import math
import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from starlette.testclient import TestClient

from cloud_api.db.base import utcnow
from cloud_api.orders.repository import order_by_id
from cloud_api.store_events import repository
from cloud_api.store_events.intake import keep_store_events
from cloud_api.store_events.schemas import Outcome
from cloud_api.stores import devices
from cloud_api.sync import applier
from cloud_api.sync.admission import (
    FIRST_HOLD_S,
    LINE_PACE,
    LONGEST_LINE_S,
    LONGEST_TOLD_S,
    Admission,
    SyncBusy,
)
from sync import contract
from sync.agent.link import check
from sync.errors import CloudBusy

from .helpers import count, ctx, demo_store_id, event, head_office, store_order_payload


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


def test_stores_turned_away_together_come_back_in_a_line() -> None:
    """A thousand stores reconnecting at once are told to come back about one slot's time
    apart (here 0.8 of the first guess, 0.2 s, with one slot), not all within the same
    seconds: the fiftieth comes back about eight seconds after the first; none is told more
    than `LONGEST_TOLD_S` (it is told again then, from the pace measured since)."""
    admission = Admission(slots=1, wait_s=0)
    told = []
    with admission.held("A"):
        for n in range(1500):
            with pytest.raises(SyncBusy) as busy, admission.held(f"store-{n}"):
                pass
            told.append(busy.value.retry_after_s)
    assert 1 <= told[0] <= 3
    expected = 49 * LINE_PACE * FIRST_HOLD_S  # 49 stores ahead, each a little less than 0.2 s
    assert expected - 3 <= told[49] <= expected + 3  # give or take the jitter and a slow machine
    assert max(told) == LONGEST_TOLD_S and told[-1] == LONGEST_TOLD_S < LONGEST_LINE_S
    assert len(set(told[:50])) >= 40  # spread to the hundredth, not bunched on whole seconds
    assert sum(1 for t in told[:50] if t != int(t)) >= 40


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
    exact = busy.json()["retry_after_s"]  # to the hundredth; the header rounds it up
    assert int(busy.headers["Retry-After"]) == math.ceil(exact) and 1 <= exact <= 3
    with ctx(app).db.transaction() as session:
        assert count(session, "inbound_event") == 0
    with pytest.raises(CloudBusy) as told:  # what the agent makes of it: the same batch, later
        check(
            httpx.Response(429, headers={"Retry-After": busy.headers["Retry-After"]}, json=busy.json()),
            "push",
        )
    assert told.value.retry_after_s == exact

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


def test_a_worker_is_quiet_only_alone_and_when_it_turned_nobody_away() -> None:
    admission = Admission(slots=2, wait_s=0)
    with admission.held("A"):
        assert admission.quiet()  # the push asking is the only one
        with admission.held("B"):
            assert not admission.quiet()  # another store's push is being stored
    with admission.held("A"), admission.held("B"), pytest.raises(SyncBusy), admission.held("C"):
        pass
    with admission.held("A"):
        assert not admission.quiet()  # it just turned a store away: a storm is on


def test_stored_events_wait_in_the_queue_until_an_applier_applies_them_once(
    app: FastAPI, client: TestClient
) -> None:
    """What a busy worker (or a crash between storing and applying) leaves: events stored and
    acknowledged, not applied. The applier (any worker's, or after a restart) applies them,
    sets an unreadable one aside with its reason, and a second round changes nothing."""
    store = demo_store_id(app)
    placed = event("order.placed", store_order_payload(number=31), seq=1)
    broken = event("order.stage", {"order_id": placed.payload["id"]}, seq=2)
    db = ctx(app).db
    with db.transaction() as session:
        outcomes, mark = keep_store_events(session, store, [placed, broken], utcnow())
    assert outcomes == [Outcome.STORED, Outcome.STORED] and mark == 2
    with db.transaction() as session:
        assert order_by_id(session, placed.payload["id"]) is None
        assert repository.waiting(session, store) == 2 and count(session, "inbound_quarantine") == 0
    assert applier.step(db) == 2
    assert applier.step(db) == 0
    with db.transaction() as session:
        order = order_by_id(session, placed.payload["id"])
        assert order is not None and order.number == 31
        assert repository.waiting(session, store) == 0 and count(session, "orders") == 1
        reasons = session.scalars(text("SELECT reason FROM inbound_quarantine WHERE seq = 2")).all()
    assert len(reasons) == 1 and reasons[0].startswith("Unreadable")
    held = client.get("/api/v1/sync/quarantine", headers=head_office(client))
    assert [h["seq"] for h in held.json()] == [2]


def test_one_applier_per_store_at_a_time(app: FastAPI) -> None:
    store = demo_store_id(app)
    db = ctx(app).db
    with db.transaction() as session:
        keep_store_events(
            session, store, [event("order.placed", store_order_payload(number=32), seq=1)], utcnow()
        )
    with db.transaction() as first:
        assert repository.lock_store(first, store)  # another worker is applying this store
        with db.transaction() as second:
            assert not repository.lock_store(second, store, wait=False)
        assert applier.step(db) == 0  # left to the one applying it
        with db.transaction() as session:
            assert repository.waiting(session, store) == 1
    assert applier.step(db) == 1


@pytest.mark.parametrize(
    ("body", "header", "waits"),
    [
        ({"detail": "busy", "retry_after_s": 7.25}, "8", 7.25),  # the body's, exact
        ({"detail": "busy"}, "4", 4.0),  # an older cloud: the header's
        ({"detail": "busy", "retry_after_s": "soon"}, "4", 4.0),  # not a number: the header's
        ({"detail": "busy", "retry_after_s": -5}, "4", 0.0),  # never before now
        ({"detail": "busy", "retry_after_s": 1e12}, "4", 300.0),  # never beyond what the agent obeys
        ({"detail": "busy"}, "NaN", 1.0),  # nothing readable: a second
        ({"detail": "busy"}, "inf", 1.0),
    ],
)
def test_the_agent_reads_a_wait_it_can_trust(body: dict[str, object], header: str, waits: float) -> None:
    answer = httpx.Response(429, headers={"Retry-After": header}, json=body)
    with pytest.raises(CloudBusy) as told:
        check(answer, "push")
    assert told.value.retry_after_s == waits


def test_a_wait_of_nan_in_the_body_falls_back_to_the_header() -> None:
    answer = httpx.Response(
        429,
        headers={"Retry-After": "6", "Content-Type": "application/json"},
        content=b'{"retry_after_s": NaN}',
    )
    with pytest.raises(CloudBusy) as told:
        check(answer, "push")
    assert told.value.retry_after_s == 6.0
