"""Mistakes around the agent: two started for one store, an old batch replayed, a device
revoked by head office, a store that was never enrolled, a cloud of another protocol."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import select

from makeline.demo.simulate import simulate
from store_db.db import StoreDB
from store_db.models import SyncState
from sync import contract
from sync.agent import AgentSettings, SyncAgent
from sync.agent.ledger import Ledger
from sync.agent.link import auth_headers
from sync.enroll import enroll
from tests import calls
from tests.sync.cloud_orders import online_orders, register_store_online_orders, settings_changes
from tests.sync.helpers import (
    Cloud,
    agent_env,
    assert_ledgers_agree,
    cloud_ledger,
    converged,
    count,
    enrollment_code,
    eventually,
    login,
    start_agent,
    stop,
)

QUICK = AgentSettings(heartbeat_s=1, poll_s=2, idle_s=0.05, timeout_s=10, backoff_cap_s=1, batch=50, page=50)


def _state(store: Path) -> SyncState:
    with StoreDB(store) as db, db.read() as session:
        state = session.get(SyncState, 1)
        assert state is not None
        return state


def test_a_second_agent_process_is_refused(
    cloud: Cloud, store_path: Path, enrolled: str, tmp_path: Path
) -> None:
    first = start_agent(store_path, tmp_path / "first.log")
    try:
        eventually(lambda: "connected as store" in (tmp_path / "first.log").read_text(), timeout=15)
        second = subprocess.run(
            [sys.executable, "-m", "makeline", "agent", "--db", str(store_path)],
            env=agent_env(),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert second.returncode == 2
        assert "is already syncing" in second.stderr and str(first.pid) in second.stderr
        assert first.poll() is None, "the first agent carries on"
    finally:
        stop(first)


def test_two_agents_at_once_on_one_store_corrupt_nothing(cloud: Cloud, evening_store: Path) -> None:
    """Without the lock (another computer, a copied folder): the protocol alone keeps it right."""
    with StoreDB(evening_store) as db:
        store_id = enroll(db, cloud.url, enrollment_code(cloud.url)).store_id
    register_store_online_orders(cloud.db, store_id, evening_store)
    online_orders(cloud.db, store_id, 120)
    settings_changes(cloud.db, store_id, 120)
    stop = threading.Event()

    def agent() -> None:
        with StoreDB(evening_store) as db:
            asyncio.run(_until(SyncAgent(db, QUICK), stop))

    twins = [threading.Thread(target=agent) for _ in range(2)]
    for twin in twins:
        twin.start()
    try:
        with StoreDB(evening_store) as db:  # the store keeps working meanwhile
            simulate(db, 20, io.StringIO(), through="made", seed=9)
        online_orders(cloud.db, store_id, 30, seed=3)
        eventually(lambda: converged(evening_store, cloud.db, store_id), timeout=90, every=0.5)
    finally:
        stop.set()
        for twin in twins:
            twin.join(15)
    assert_ledgers_agree(evening_store, cloud.db, store_id)


async def _until(agent: SyncAgent, stop: threading.Event) -> None:
    done = asyncio.Event()
    watcher = asyncio.create_task(asyncio.to_thread(stop.wait))
    watcher.add_done_callback(lambda _: done.set())
    await agent.run(done)


def test_an_old_batch_replayed_changes_nothing(cloud: Cloud, store_path: Path, enrolled: str) -> None:
    with StoreDB(store_path) as db:
        simulate(db, 5, io.StringIO(), through="ready", seed=3)
        asyncio.run(SyncAgent(db, QUICK).sync_once())
        ledger = Ledger(db)
        old = contract.PushBatch(store_id=enrolled, events=ledger.batch(0, 10))
        token = ledger.link().device_token  # type: ignore[union-attr]
    before = cloud_ledger(cloud.db, enrolled)
    stages = count(
        cloud.db, "SELECT count(*) FROM orders WHERE stage = 'ready' AND store_id = :s", s=enrolled
    )
    headers = auth_headers(token) | {"Content-Type": "application/json"}
    push = f"{cloud.url}/api/v1/sync/push"

    replayed = calls.post(push, content=old.model_dump_json(), headers=headers)
    assert replayed.status_code == 200, replayed.text
    assert replayed.json() == {
        "store_id": enrolled,
        "high_water": before.contiguous,
        "stored": 0,
        "quarantined": 0,
    }
    assert cloud_ledger(cloud.db, enrolled) == before
    assert (
        stages == 5
        and count(cloud.db, "SELECT count(*) FROM orders WHERE stage = 'ready' AND store_id = :s", s=enrolled)
        == stages
    )

    forged = old.events[0].model_copy(update={"event_id": "00000000-0000-7000-8000-000000000000"})
    clash = calls.post(
        push, content=old.model_copy(update={"events": [forged]}).model_dump_json(), headers=headers
    )
    assert clash.status_code == 409 and "out of step" in clash.json()["detail"]
    other = calls.post(
        push, content=old.model_copy(update={"store_id": "another"}).model_dump_json(), headers=headers
    )
    assert other.status_code == 403
    newer = calls.post(
        push,
        content=old.model_copy(update={"protocol": contract.PROTOCOL + 1}).model_dump_json(),
        headers=headers,
    )
    assert newer.status_code == 426 and f"protocol {contract.PROTOCOL + 1}" in newer.json()["detail"]
    nobody = calls.post(push, content=old.model_dump_json(), headers={"Content-Type": "application/json"})
    assert nobody.status_code == 401
    shopper = calls.get(f"{cloud.url}/api/v1/sync/pull", headers=login(cloud.url, "customer1@makeline.test"))
    assert shopper.status_code == 403
    assert cloud_ledger(cloud.db, enrolled) == before


def test_a_revoked_device_stops_syncing_and_says_so(
    cloud: Cloud, store_path: Path, enrolled: str, tmp_path: Path
) -> None:
    log = tmp_path / "agent.log"
    agent = start_agent(store_path, log)
    try:
        eventually(lambda: _state(store_path).status == "online", timeout=15)
        hq = login(cloud.url)
        devices = calls.get(f"{cloud.url}/api/v1/stores/{enrolled}/devices", headers=hq).json()
        for device in devices:
            calls.delete(f"{cloud.url}/api/v1/stores/{enrolled}/devices/{device['id']}", headers=hq)
        state = eventually(lambda: (s := _state(store_path)).status == "revoked" and s, timeout=15)
        assert "revoked" in state.last_error and "makeline enroll" in state.last_error
        assert agent.poll() is None, "the print queue keeps running"
        assert "sync: STOPPED" in log.read_text()

        with StoreDB(store_path) as db:  # head office hands out a new code: syncing resumes
            enroll(db, cloud.url, enrollment_code(cloud.url))
        eventually(lambda: _state(store_path).status == "online", timeout=15)
    finally:
        stop(agent)


def test_a_store_that_is_not_enrolled_prints_and_says_it_is_not_connected(
    store_path: Path, tmp_path: Path
) -> None:
    once = subprocess.run(
        [sys.executable, "-m", "makeline", "agent", "--db", str(store_path), "--once"],
        env=agent_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert once.returncode == 0, once.stderr
    assert "not connected to the cloud" in once.stderr and "makeline enroll" in once.stderr
    with StoreDB(store_path) as db, db.read() as session:
        assert session.scalars(select(SyncState.status)).first() in (None, "not_enrolled")
