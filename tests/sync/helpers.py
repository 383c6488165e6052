"""Helpers for the sync tests: the cloud under test, agents as processes, waiting, and the
two ledgers compared."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from fastapi import FastAPI
from sqlalchemy import func, select, text

from cloud_api.context import CloudContext
from cloud_api.db.database import Database
from cloud_api.demo import DEMO_PASSWORD, HEAD_OFFICE_EMAIL
from cloud_api.models import InboundEvent, InboundHead, StoreFeedEntry, StoreFeedHead
from store_db.db import StoreDB
from store_db.models import Order, OutboxEvent, SyncState
from tests import calls
from tests.patience import patient

T = TypeVar("T")

# An agent quick to notice everything, so each test takes seconds.
FAST_AGENT = {
    "MAKELINE_SYNC_HEARTBEAT_S": "1",
    "MAKELINE_SYNC_POLL_S": "2",
    "MAKELINE_SYNC_IDLE_S": "0.05",
    "MAKELINE_SYNC_TIMEOUT_S": "10",
    "MAKELINE_SYNC_BATCH": "200",
    "MAKELINE_SYNC_CONNECT_S": "2",
    "MAKELINE_SYNC_BACKOFF_CAP_S": "1",
    "MAKELINE_SYNC_ENROLL_CHECK_S": "0.5",
}


@dataclass
class Cloud:
    url: str
    app: FastAPI

    @property
    def ctx(self) -> CloudContext:
        found: CloudContext = self.app.state.ctx
        return found

    @property
    def db(self) -> Database:
        return self.ctx.db


def login(url: str, email: str = HEAD_OFFICE_EMAIL, password: str = DEMO_PASSWORD) -> dict[str, str]:
    answer = calls.post(f"{url}/api/v1/login", json={"email": email, "password": password}, timeout=10)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def enrollment_code(url: str, store_code: str = "OP-001") -> str:
    """A code that (re-)enrolls the cloud's store `store_code` (the demo store is seeded there)."""
    body = {"store_code": store_code}
    answer = calls.post(f"{url}/api/v1/enrollments", json=body, headers=login(url), timeout=10)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["code"])


def agent_env(**extra: str) -> dict[str, str]:
    """This process's environment (fail-points armed here stay here) with a quick agent."""
    inherited = {k: v for k, v in os.environ.items() if k != "MAKELINE_FAILPOINTS"}
    return {**inherited, **FAST_AGENT, **extra}


def start_agent(store_path: Path, log: Path, env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
    """`makeline agent --db …` as a process of its own, logging to `log`."""
    with log.open("ab") as out:  # the child keeps its own copy of the file
        return subprocess.Popen(
            [sys.executable, "-m", "makeline", "agent", "--db", str(store_path)],
            env=dict(env) if env is not None else agent_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop(process: subprocess.Popen[bytes], timeout: float = 10) -> int:
    if process.poll() is None:
        process.terminate()
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.wait()


def eventually(check: Callable[[], T | None], timeout: float = 10, every: float = 0.02, what: str = "") -> T:
    """The first truthy value `check` returns within `timeout` seconds."""
    timeout = patient(timeout)
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what or check}")
        time.sleep(every)


@dataclass(frozen=True)
class StoreLedger:
    events: list[tuple[int, str]]  # (seq, event_id) in seq order
    unacked: int
    acked_seq: int
    feed_cursor: int
    online_orders: dict[str, int]  # cloud order id → how many store orders carry it
    integrity: str


@dataclass(frozen=True)
class CloudLedger:
    events: list[tuple[int, str]]
    contiguous: int
    feed_head: int
    feed_kinds: dict[int, str]
    feed_payloads: dict[int, dict[str, Any]]


def store_ledger(store_path: Path) -> StoreLedger:
    with StoreDB(store_path) as db:
        with db.read() as session:
            events = [
                (int(s), str(e))
                for s, e in session.execute(
                    select(OutboxEvent.seq, OutboxEvent.event_id).order_by(OutboxEvent.seq)
                )
            ]
            unacked = session.scalar(
                select(func.count()).select_from(OutboxEvent).where(OutboxEvent.acked_at.is_(None))
            )
            state = session.get(SyncState, 1)
            orders = dict(
                session.execute(
                    select(Order.cloud_order_id, func.count())
                    .where(Order.cloud_order_id.is_not(None))
                    .group_by(Order.cloud_order_id)
                ).all()
            )
        integrity = db.integrity_check()
    return StoreLedger(
        events=events,
        unacked=int(unacked or 0),
        acked_seq=state.acked_seq if state else 0,
        feed_cursor=state.feed_cursor if state else 0,
        online_orders={str(k): int(v) for k, v in orders.items()},
        integrity=integrity,
    )


def cloud_ledger(db: Database, store_id: str) -> CloudLedger:
    with db.transaction() as session:
        events = [
            (int(s), str(e))
            for s, e in session.execute(
                select(InboundEvent.seq, InboundEvent.event_id)
                .where(InboundEvent.store_id == store_id)
                .order_by(InboundEvent.seq)
            )
        ]
        contiguous = (
            session.scalar(select(InboundHead.contiguous_seq).where(InboundHead.store_id == store_id)) or 0
        )
        head = (
            session.scalar(select(StoreFeedHead.last_cursor).where(StoreFeedHead.store_id == store_id)) or 0
        )
        feed = session.execute(
            select(StoreFeedEntry.cursor, StoreFeedEntry.kind, StoreFeedEntry.payload).where(
                StoreFeedEntry.store_id == store_id
            )
        ).all()
    return CloudLedger(
        events=events,
        contiguous=int(contiguous),
        feed_head=int(head),
        feed_kinds={int(c): str(k) for c, k, _ in feed},
        feed_payloads={int(c): dict(p) for c, _, p in feed},
    )


def converged(store_path: Path, db: Database, store_id: str) -> bool:
    here, there = store_ledger(store_path), cloud_ledger(db, store_id)
    last = here.events[-1][0] if here.events else 0
    return here.acked_seq == last and there.contiguous == last and here.feed_cursor == there.feed_head


def assert_ledgers_agree(store_path: Path, db: Database, store_id: str) -> tuple[StoreLedger, CloudLedger]:
    """Nothing lost, nothing doubled, no gap, both cursors at the end, the store file sound."""
    here, there = store_ledger(store_path), cloud_ledger(db, store_id)
    seqs = [s for s, _ in here.events]
    assert seqs == list(range(1, len(seqs) + 1)), "the store's outbox has no gap"
    assert there.events == here.events, "the cloud holds exactly the store's events, each once"
    assert here.unacked == 0 and here.acked_seq == len(seqs) == there.contiguous
    assert sorted(there.feed_kinds) == list(range(1, there.feed_head + 1)), "the feed has no gap"
    assert here.feed_cursor == there.feed_head, "the store applied the whole feed"
    online = {
        str(p.get("cloud_order_id") or p.get("id"))
        for c, p in there.feed_payloads.items()
        if there.feed_kinds[c] == "order.online"
    }
    assert online <= set(here.online_orders), "every online order of the feed reached the store"
    assert set(here.online_orders.values()) <= {1}, "and none twice"
    assert here.integrity == "ok"
    return here, there


def count(db: Database, sql: str, **params: Any) -> int:
    with db.transaction() as session:
        return int(session.execute(text(sql), params).scalar_one())
