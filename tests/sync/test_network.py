"""A bad network and a dying cloud between the agent and the cloud: latency, reset
connections, answers cut halfway, downtime, and the cloud process killed in the middle of
a batch and started again. The same end every time: the ledgers agree exactly."""

from __future__ import annotations

import time
from pathlib import Path

from cloud_api.db.database import Database
from store_db.db import StoreDB
from store_db.models import SyncState
from sync.enroll import enroll
from tests import calls
from tests.cloud.server import cloud_process, free_port, wait_healthy
from tests.sync.cloud_orders import online_orders, register_store_online_orders, settings_changes
from tests.sync.helpers import (
    Cloud,
    agent_env,
    assert_ledgers_agree,
    cloud_ledger,
    converged,
    enrollment_code,
    eventually,
    start_agent,
    stop,
    store_ledger,
)
from tests.sync.proxy import FaultyProxy


def _status(store: Path) -> str:
    with StoreDB(store) as db, db.read() as session:
        state = session.get(SyncState, 1)
        return state.status if state else ""


def test_latency_resets_cut_answers_and_downtime_lose_and_double_nothing(
    cloud: Cloud, evening_store: Path, tmp_path: Path
) -> None:
    host, port = cloud.url.removeprefix("http://").split(":")
    proxy = FaultyProxy(host, int(port)).start()
    try:
        with StoreDB(evening_store) as db:
            store_id = enroll(db, proxy.url, enrollment_code(cloud.url)).store_id
        register_store_online_orders(cloud.db, store_id, evening_store)
        online_orders(cloud.db, store_id, 150)
        settings_changes(cloud.db, store_id, 300)
        proxy.set(latency_s=0.02, reset=0.05, cut=0.05)
        agent = start_agent(evening_store, tmp_path / "agent.log", agent_env(MAKELINE_SYNC_BATCH="50"))
        try:
            eventually(
                lambda: cloud_ledger(cloud.db, store_id).contiguous > 200, timeout=60, what="some pushed"
            )
            proxy.set(down=True)
            eventually(
                lambda: _status(evening_store) == "offline", timeout=20, what="the store shows offline"
            )
            online_orders(cloud.db, store_id, 50, seed=2)  # the cloud carries on without the store
            time.sleep(2)
            proxy.set(down=False)
            eventually(
                lambda: proxy.seen["cut"] >= 3 and proxy.seen["reset"] >= 3, timeout=60, what=str(proxy.seen)
            )
            proxy.set(latency_s=0.0, reset=0.0, cut=0.0)
            eventually(lambda: converged(evening_store, cloud.db, store_id), timeout=90, every=0.5)
            # the ledgers can agree before the agent's next answered call marks it online again
            eventually(lambda: _status(evening_store) == "online", timeout=60, what="the store shows online")
        finally:
            stop(agent)
    finally:
        proxy.stop()
    here, there = assert_ledgers_agree(evening_store, cloud.db, store_id)
    print(f"{len(here.events)} up, {there.feed_head} down through the proxy: {dict(proxy.seen)}")
    assert proxy.seen["refused"] + proxy.seen["dropped"] >= 1


def test_the_cloud_killed_mid_batch_and_restarted(
    database_url: str, evening_store: Path, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    hung_batch = {"MAKELINE_FAILPOINTS": "push.mid_batch=hang:60@3"}  # the third batch stops halfway
    log = tmp_path / "agent.log"
    with cloud_process(database_url, port, **hung_batch) as first:
        wait_healthy(url, first)
        with StoreDB(evening_store) as db:
            store_id = enroll(db, url, enrollment_code(url)).store_id
        agent = start_agent(
            evening_store, log, agent_env(MAKELINE_SYNC_BATCH="100", MAKELINE_SYNC_TIMEOUT_S="60")
        )
        db = Database(database_url, pool_size=1, max_overflow=0)
        try:
            eventually(lambda: store_ledger(evening_store).acked_seq >= 200, timeout=60, what="two batches")
            time.sleep(1.0)  # the third is in the cloud's transaction, half applied
            assert cloud_ledger(db, store_id).contiguous == 200
            first.kill()
            first.wait()
        except BaseException:
            stop(agent)
            raise
    try:
        assert cloud_ledger(db, store_id).events[-1][0] == 200, "the half batch died with its transaction"
        eventually(lambda: _status(evening_store) == "offline", timeout=20, what="the store shows offline")
        with cloud_process(database_url, port) as second:
            wait_healthy(url, second)
            eventually(lambda: converged(evening_store, db, store_id), timeout=90, every=0.5)
            assert calls.get(f"{url}/api/v1/stores/{store_id}").json()["online"]
    finally:
        stop(agent)
    assert_ledgers_agree(evening_store, db, store_id)
    db.dispose()
    assert "offline" in log.read_text()
