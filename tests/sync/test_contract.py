"""The wire contract end to end: Hypothesis builds every kind of store event and feed
entry from the models, sends each through the real paths and checks it arrives equal:

    store → cloud   `outbox.emit` into the store's SQLite file → the agent's ledger batch →
                    `POST /sync/push` (real HTTP) → stored in PostgreSQL → `parse_event`
    cloud → store   `feed.append` in PostgreSQL → `GET /sync/pull` (real HTTP) →
                    `parse_entry`, and applied by the store's own `apply_page`

Also: `docs/sync.md` is what the models say, and the protocol check on connect.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from cloud_api.models import InboundEvent
from store_db.db import StoreDB
from store_db.models import SyncState, utcnow
from store_db.services import outbox
from sync import contract
from sync.agent.ledger import Ledger
from sync.agent.link import auth_headers
from sync.contract import ENTRY_KINDS, EVENT_KINDS, parse_entry, parse_event
from sync.contract.doc import main as doc_main
from tests import calls
from tests.sync.contract_strategies import model
from tests.sync.helpers import Cloud

EVERY_EVENT = st.tuples(*[model(kind) for kind in EVENT_KINDS])
EVERY_ENTRY = st.tuples(*[model(kind) for kind in ENTRY_KINDS])


def _headers(store_path: Path) -> dict[str, str]:
    with StoreDB(store_path) as db, db.read() as session:
        state = session.get(SyncState, 1)
        assert state is not None and state.device_token
        return auth_headers(state.device_token) | {"Content-Type": "application/json"}


def test_every_event_kind_reaches_the_cloud_equal(cloud: Cloud, store_path: Path, enrolled: str) -> None:
    headers = _headers(store_path)
    with StoreDB(store_path) as db:
        pushed = [Ledger(db).position().acked_seq]

    @settings(max_examples=12)
    @given(events=EVERY_EVENT)
    def arrives_equal(events: tuple[Any, ...]) -> None:
        with StoreDB(store_path) as db:
            with db.write() as session:
                for event in events:
                    outbox.emit(session, event, str(uuid.uuid4()), utcnow())
            batch = Ledger(db).batch(pushed[0], 500)
        assert [e.kind for e in batch] == [e.kind for e in events]
        answer = calls.post(
            f"{cloud.url}/api/v1/sync/push",
            content=contract.PushBatch(store_id=enrolled, events=batch).model_dump_json(),
            headers=headers,
            timeout=60,
        )
        assert answer.status_code == 200, answer.text
        ack = contract.PushAck.model_validate(answer.json())
        assert ack.high_water == batch[-1].seq and ack.stored == len(events)
        pushed[0] = ack.high_water
        with cloud.db.transaction() as session:
            stored = {
                e.event_id: (e.kind, e.payload)
                for e in session.scalars(
                    select(InboundEvent).where(InboundEvent.event_id.in_([e.event_id for e in batch]))
                )
            }
        for sent, row in zip(events, batch, strict=True):
            kind, payload = stored[row.event_id]
            assert parse_event(kind, payload) == sent

    arrives_equal()


def test_every_feed_kind_reaches_the_store_equal(cloud: Cloud, store_path: Path, enrolled: str) -> None:
    from cloud_api.feed import service as feed

    headers = _headers(store_path)
    with StoreDB(store_path) as db:  # what the store had not applied yet (its first menu)
        after = Ledger(db).position().feed_cursor
        first = calls.get(
            f"{cloud.url}/api/v1/sync/pull", params={"after": after}, headers=headers, timeout=60
        )
        page = contract.PullPage.model_validate(first.json())
        cursor = [Ledger(db).apply_page(list(page.entries))[1] if page.entries else after]

    @settings(max_examples=12)
    @given(entries=EVERY_ENTRY)
    def arrives_equal(entries: tuple[Any, ...]) -> None:
        with cloud.db.transaction() as session:
            for entry in entries:
                feed.append(session, enrolled, entry, utcnow())
        answer = calls.get(
            f"{cloud.url}/api/v1/sync/pull",
            params={"after": cursor[0], "limit": 100},
            headers=headers,
            timeout=60,
        )
        assert answer.status_code == 200, answer.text
        page = contract.PullPage.model_validate(answer.json())
        assert [parse_entry(e.kind, e.payload) for e in page.entries] == list(entries)
        with StoreDB(store_path) as db:
            seen, cursor[0] = Ledger(db).apply_page(list(page.entries))
        assert seen == len(entries) and cursor[0] == page.high_water

    arrives_equal()


def test_the_sync_doc_is_what_the_models_say() -> None:
    assert doc_main(["--check"]) == 0, "docs/sync.md is stale: run python -m sync.contract.doc"


def test_a_newer_protocol_is_refused_naming_both_versions(
    cloud: Cloud, store_path: Path, enrolled: str
) -> None:
    headers = _headers(store_path)
    beat = contract.Heartbeat(protocol=contract.PROTOCOL + 1, sent_at=utcnow())
    answer = calls.post(
        f"{cloud.url}/api/v1/sync/heartbeat", content=beat.model_dump_json(), headers=headers, timeout=20
    )
    assert answer.status_code == 426
    detail = answer.json()["detail"]
    assert f"protocol {contract.PROTOCOL + 1}" in detail and f"speaks {contract.PROTOCOL}" in detail
