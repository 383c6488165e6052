"""The agent's pure decisions, the wire contract's edges, fail-point and settings parsing,
and how the cloud puts its feed records in the contract's shapes."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from cloud_api.sync.wire import to_wire
from sync import contracts, failpoints
from sync.agent.settings import AgentSettings
from sync.protocol import Backoff, reconcile, whole_transactions


def test_a_batch_ends_at_a_transaction_boundary() -> None:
    assert whole_transactions(["a", "a", "b"], 5) == 3  # all there is: every transaction complete
    assert whole_transactions(["a", "a", "b", "b"], 3) == 2  # b continues past the limit
    assert whole_transactions(["a", "b", "c", "d"], 3) == 3
    assert whole_transactions(["a", "a", "a", "a"], 3) is None  # one transaction longer than a batch


def test_reconnecting_trusts_the_clouds_mark() -> None:
    assert reconcile(acked_seq=10, last_seq=20, cloud_high_water=10) == reconcile(10, 20, 10)
    lost_answer = reconcile(acked_seq=10, last_seq=20, cloud_high_water=15)
    assert (lost_answer.push_from, lost_answer.acked_to) == (15, 15)
    restored_cloud = reconcile(acked_seq=10, last_seq=20, cloud_high_water=4)
    assert (restored_cloud.push_from, restored_cloud.acked_to) == (4, 0)  # send 5.. again
    older_store = reconcile(acked_seq=10, last_seq=12, cloud_high_water=30)
    assert older_store.problem and "older than the one that was enrolled" in older_store.problem


def test_backoff_grows_to_its_cap_with_jitter_and_resets() -> None:
    backoff, rng = Backoff(base=0.5, cap=8.0), random.Random(1)
    delays = [backoff.next_delay(rng) for _ in range(10)]
    assert 0.25 <= delays[0] <= 0.5 and all(4.0 <= d <= 8.0 for d in delays[5:])
    assert len(set(delays)) == len(delays), "jittered"
    backoff.reset()
    assert backoff.next_delay(rng) <= 0.5


def test_failpoints_read_their_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    assert failpoints.parse("a=kill@3, b=hang:1.5,c=error") == {
        "a": failpoints.Action("kill", 0.0, 3),
        "b": failpoints.Action("hang", 1.5, None),
        "c": failpoints.Action("error", 0.0, None),
    }
    with pytest.raises(ValueError, match="cannot read"):
        failpoints.parse("a=explode")
    monkeypatch.setenv(failpoints.ENV, "test.spot=error@2")
    failpoints.hit("test.spot")
    with pytest.raises(failpoints.FailPointError):
        failpoints.hit("test.spot")
    failpoints.hit("test.spot")  # only the second time
    failpoints.hit("another.spot")
    assert failpoints.hits("test.spot") == 1


def test_settings_come_from_the_environment() -> None:
    found = AgentSettings.from_env({"MAKELINE_SYNC_BATCH": "50", "MAKELINE_SYNC_HEARTBEAT_S": "1.5"})
    assert (found.batch, found.heartbeat_s, found.poll_s) == (50, 1.5, 30.0)


def test_naive_times_on_the_wire_are_utc() -> None:
    event = contracts.OutboxEvent(
        seq=1, event_id="e", txn="t", kind="k", subject="s", payload={}, created_at=datetime(2025, 1, 2, 3, 4)
    )
    assert event.created_at == datetime(2025, 1, 2, 3, 4, tzinfo=UTC)


def test_the_clouds_online_order_reaches_the_store_in_the_contracts_shape() -> None:
    cloud_payload = {
        "cloud_order_id": "c-1",
        "channel": "online",
        "service": "delivery",
        "items": [{"product": "pepperoni", "size": "lg"}],
        "phone": "7085550177",
        "customer_name": "Ana",
        "address": {
            "line1": "700 N Oak Park Ave",
            "line2": None,
            "city": "Oak Park",
            "lat": 41.9,
            "lon": -87.8,
        },
        "coupon": None,
        "tip": 300,
        "notes": "",
        "paid_online": True,
        "payment": {"id": "p", "method": "card", "status": "succeeded", "amount": 2183},
        "total": 2183,
        "placed_at": "2025-01-02T03:04:05+00:00",
    }
    entry = to_wire(contracts.ORDER_ONLINE, cloud_payload)
    assert entry["id"] == "c-1" and entry["payment"] == "paid" and entry["total"] == 2183
    assert entry["address"]["line2"] == "" and entry["address"]["city"] == "Oak Park"
    cash = to_wire(
        contracts.ORDER_ONLINE, cloud_payload | {"paid_online": False, "payment": {"status": "due"}}
    )
    assert cash["payment"] == "due"
    cancel = to_wire(contracts.CANCEL_REQUEST, {"cloud_order_id": "c-1", "reason": "late"})
    assert cancel == {"id": "c-1", "reason": "late"}
    assert to_wire(contracts.ORDER_ONLINE, {"no": "shape"}) == {"no": "shape"}  # the store reports it
    assert to_wire(contracts.MENU_VERSION, {"menu": {}}) == {"menu": {}}
