"""A real store database enrolled in the test cloud, its events pushed as its agent would."""

from __future__ import annotations

from store_db.db import StoreDB
from sync.agent.ledger import Ledger
from sync.agent.link import auth_headers
from sync.contract.envelope import PushAck, PushBatch
from sync.enroll import enroll
from tests import calls
from tests.sync.helpers import enrollment_code


def enroll_store(db: StoreDB, cloud_url: str) -> str:
    return enroll(db, cloud_url, enrollment_code(cloud_url), label="web test store computer").store_id


def push_all(db: StoreDB, store_id: str) -> None:
    """Everything in the store's outbox to the cloud's push endpoint, batch by batch, as the
    agent sends it."""
    ledger = Ledger(db)
    link = ledger.link()
    assert link is not None
    while events := ledger.batch(ledger.position().acked_seq, 500):
        batch = PushBatch(store_id=store_id, events=events)
        answer = calls.post(
            f"{link.cloud_url}/api/v1/sync/push",
            content=batch.model_dump_json(),
            headers={**auth_headers(link.device_token), "Content-Type": "application/json"},
            timeout=20,
        )
        assert answer.status_code == 200, answer.text
        high_water = PushAck.model_validate(answer.json()).high_water
        assert high_water >= events[-1].seq, "the cloud did not take the whole batch"
        ledger.acknowledge(high_water)
