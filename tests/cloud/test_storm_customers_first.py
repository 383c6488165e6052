"""A storm of stores never takes what customers need: sync work runs on the admission's own
threads (a push is stored while every customer handler thread is busy, an order is placed
while every sync thread is), few pushes wait for a slot, the push's remembered credential
is checked again when it is stored, the storer's and the applier's PostgreSQL backends run at their low
priority, and the cloud's background process sends the texts the workers leave to it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

import anyio.to_thread
import psycopg
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from starlette.testclient import TestClient

from cloud_api.db.base import utcnow
from cloud_api.notifications import service as notifications
from cloud_api.settings import CloudSettings, libpq_url
from cloud_api.stores import devices
from cloud_api.sync import applier, priority
from cloud_api.sync.admission import Admission, SyncBusy
from tests.patience import patient, wait_until

from .fake_twilio import FakeTwilio
from .helpers import (
    bring_online,
    count,
    ctx,
    customer,
    demo_store_id,
    event,
    order_body,
    place,
    store_order_payload,
)
from .server import children, cloud_process, free_port, wait_healthy


def _batch(store: str, seq: int, number: int) -> dict[str, object]:
    placed = event("order.placed", store_order_payload(number=number), seq=seq)
    wire = placed.model_dump(mode="json") | {"txn": str(uuid.uuid4()), "subject": placed.payload["id"]}
    return {"store_id": store, "instance": "till-1", "events": [wire]}


def _device(app: FastAPI, store: str) -> tuple[str, dict[str, str]]:
    with ctx(app).db.transaction() as session:
        device, token = devices.issue(session, store, "till", utcnow())
    return device.id, {"Authorization": f"Bearer {token}"}


def _hold(client: TestClient, take: Callable[[threading.Event], object], n: int) -> threading.Event:
    """`n` threads of a pool held (each until the returned gate opens), from the app's loop."""
    gate = threading.Event()
    assert client.portal is not None
    for _ in range(n):
        client.portal.start_task_soon(take, gate)
    return gate


def test_a_push_is_stored_while_every_customer_thread_is_busy(app: FastAPI, client: TestClient) -> None:
    store = demo_store_id(app)
    _, device = _device(app, store)
    threads = anyio.to_thread.current_default_thread_limiter
    assert client.portal is not None
    handlers = client.portal.call(threads)
    n = int(handlers.total_tokens)
    gate = _hold(client, lambda g: anyio.to_thread.run_sync(g.wait), n)
    try:
        wait_until(lambda: handlers.borrowed_tokens == n, "the test holds every handler thread")
        answer = client.post("/api/v1/sync/push", json=_batch(store, 1, 41), headers=device)
        assert answer.status_code == 200 and answer.json()["high_water"] == 1
    finally:
        gate.set()


def test_an_order_is_placed_while_every_sync_thread_is_busy(app: FastAPI, client: TestClient) -> None:
    store = bring_online(app)
    admission = ctx(app).admission
    n = int(admission.threads.total_tokens)
    gate = _hold(client, lambda g: admission.run(g.wait), n)
    try:
        wait_until(lambda: admission.threads.borrowed_tokens == n, "the test holds every sync thread")
        assert place(client, customer(client), order_body(store)).status_code == 201
    finally:
        gate.set()


def test_only_a_few_pushes_wait_for_a_slot_the_rest_come_back_later() -> None:
    async def storm() -> None:
        admission = Admission(slots=1, wait_s=patient(30), waiting=1)
        first = admission.slot("A")
        await first.__aenter__()
        waiter = asyncio.create_task(admission.slot("B").__aenter__())
        while admission._waiting == 0:  # B is waiting for the slot
            await asyncio.sleep(0.01)
        with pytest.raises(SyncBusy) as told:  # C is told at once, not after `wait_s`
            await admission.slot("C").__aenter__()
        assert told.value.status_code == 429 and 1 <= told.value.retry_after_s <= 3
        await first.__aexit__(None, None, None)
        await waiter  # B took the slot A left
        assert admission._busy_stores == {"B"}

    asyncio.run(storm())


def test_a_store_still_waits_for_its_own_previous_batch_when_others_are_told_to_come_back() -> None:
    async def restarted_agent() -> None:
        admission = Admission(slots=2, wait_s=0, store_wait_s=patient(30), waiting=0)
        first = admission.slot("A")
        await first.__aenter__()
        again = asyncio.create_task(admission.slot("A").__aenter__())  # the same store's batch
        while admission._waiting == 0:  # it waits, though nobody else may: never twice at once
            await asyncio.sleep(0.01)
        assert not again.done()
        await first.__aexit__(None, None, None)
        await again

    asyncio.run(restarted_agent())


def test_a_credential_revoked_after_the_worker_remembered_it_is_refused(
    app: FastAPI, client: TestClient
) -> None:
    store = demo_store_id(app)
    device_id, device = _device(app, store)
    assert client.post("/api/v1/sync/push", json=_batch(store, 1, 42), headers=device).status_code == 200
    with ctx(app).db.transaction() as session:
        session.execute(text("UPDATE device SET revoked_at = now() WHERE id = :id"), {"id": device_id})
    for _ in range(2):  # refused, and not remembered as good any more
        refused = client.post("/api/v1/sync/push", json=_batch(store, 2, 43), headers=device)
        assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    with ctx(app).db.transaction() as session:
        assert count(session, "inbound_event") == 1


@pytest.mark.parametrize("nice", [priority.APPLIER_NICE, priority.STORER_NICE], ids=["applier", "storer"])
def test_the_background_postgresql_backends_run_at_their_low_priority(database_url: str, nice: int) -> None:
    with psycopg.connect(libpq_url(database_url)) as conn:
        info = conn.info
        if not (info.host.startswith("/") or info.host in ("localhost", "127.0.0.1", "::1")):
            pytest.skip("the database runs on another machine: its backends are left as they are")
        if os.geteuid() != 0:
            pytest.skip("only root may lower another user's process")
        pid = info.backend_pid
        assert os.getsid(pid) == pid  # a backend leads a session of its own
        assert priority.lower_backend(conn, nice=nice)
        assert os.getpriority(os.PRIO_PROCESS, pid) == nice
        assert os.sched_getscheduler(pid) == os.SCHED_IDLE  # only when nothing else wants the CPU
        if Path(f"/proc/{pid}/autogroup").exists():  # its session lowered too, not only the process
            assert priority.session_nice(pid) == nice
    assert not priority.lower_backend(object(), nice=nice)  # not a PostgreSQL connection: left alone
    assert 0 < priority.STORER_NICE < priority.APPLIER_NICE  # customers first, then storing, then applying


def test_a_process_in_the_session_of_others_is_lowered_alone() -> None:
    """A process sharing its session (autogroup) with others is lowered, its session is not:
    lowering it would lower the others too."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert os.getsid(child.pid) == os.getsid(0) != child.pid
        before = priority.session_nice(child.pid)
        assert priority.lower(child.pid, 7)
        assert os.getpriority(os.PRIO_PROCESS, child.pid) == 7
        assert priority.session_nice(child.pid) == before == priority.session_nice(os.getpid())
    finally:
        child.kill()
        child.wait()


def test_where_there_is_no_sched_idle_the_nice_value_alone_lowers(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's Mac has no `SCHED_IDLE`: the background processes start, at their nice."""
    monkeypatch.delattr(os, "SCHED_IDLE")
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert priority.lower(child.pid, 7)
        assert os.getpriority(os.PRIO_PROCESS, child.pid) == 7
        assert os.sched_getscheduler(child.pid) == os.SCHED_OTHER
    finally:
        child.kill()
        child.wait()


def test_a_session_leader_is_lowered_with_its_session() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        if not Path(f"/proc/{child.pid}/autogroup").exists():
            pytest.skip("the kernel shares the CPU without autogroups: the nice value is the whole of it")
        assert priority.lower(child.pid, 7)
        assert (os.getpriority(os.PRIO_PROCESS, child.pid), priority.session_nice(child.pid)) == (7, 7)
        assert priority.lower(child.pid, 3)  # never raised again by a lower nice
        assert (os.getpriority(os.PRIO_PROCESS, child.pid), priority.session_nice(child.pid)) == (7, 7)
    finally:
        child.kill()
        child.wait()
    assert not priority.lower(child.pid, 7)  # gone: nothing to lower


def _lowered(pid: int, nice: int) -> bool:
    """At `nice` and `SCHED_IDLE`, leading its own session, that session lowered too (autogroup)."""
    with contextlib.suppress(OSError):
        grouped = not Path(f"/proc/{pid}/autogroup").exists() or priority.session_nice(pid) == nice
        return (
            os.getsid(pid) == pid
            and os.getpriority(os.PRIO_PROCESS, pid) == nice
            and os.sched_getscheduler(pid) == os.SCHED_IDLE
            and grouped
        )
    return False


def _environ(pid: int) -> list[bytes]:
    return Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")


def test_the_clouds_storer_and_appliers_run_in_sessions_of_their_own_below_its_workers(
    database_url: str,
) -> None:
    """`makeline cloud`'s background processes, as started: each in a session of its own (Linux
    shares the CPU between sessions first), lowered with its session, run only when nothing
    else wants the CPU; the workers, serving customers, are not lowered."""
    port = free_port()
    with cloud_process(database_url, port, MAKELINE_APPLIERS="2", MAKELINE_QUIET_APPLIERS="1") as cloud:
        wait_healthy(f"http://127.0.0.1:{port}", cloud)
        started = children(cloud.pid)
        appliers = [pid for pid, command in started.items() if "cloud_api.sync.applier" in command]
        [storer] = [pid for pid, command in started.items() if "cloud_api.sync.storer" in command]
        # uvicorn's worker processes, or the cloud's own when it serves with one
        workers = [pid for pid, command in started.items() if "spawn_main" in command] or [cloud.pid]
        assert len(appliers) == 3
        quiet = [pid for pid in appliers if f"{applier.AFTER_QUIET}=true".encode() in _environ(pid)]
        assert len(quiet) == 1  # the third: it applies once the pushes have gone quiet
        wait_until(
            lambda: all(_lowered(pid, priority.APPLIER_NICE) for pid in appliers), "the appliers lowered"
        )
        wait_until(lambda: _lowered(storer, priority.STORER_NICE), "the storer lowered")
        for worker in workers:
            assert os.getsid(worker) == os.getsid(cloud.pid)  # the service's own session
            assert os.sched_getscheduler(worker) == os.SCHED_OTHER
            assert os.getpriority(os.PRIO_PROCESS, worker) == os.getpriority(os.PRIO_PROCESS, cloud.pid)


def test_the_background_process_sends_the_texts_the_workers_leave_to_it(
    monkeypatch: pytest.MonkeyPatch,
    settings: CloudSettings,
    app: FastAPI,
    client: TestClient,
    fake_twilio: FakeTwilio,
) -> None:
    store = bring_online(app)
    order = place(client, customer(client), order_body(store)).json()
    phone = "+1" + client.get("/api/v1/profile", headers=customer(client)).json()["phone"]
    with ctx(app).db.transaction() as session:  # the store says its kitchen has not seen it
        assert notifications.queue_unseen_notices(session, store, [order["id"]], utcnow()) == 1
    assert fake_twilio.to(phone) == []  # the workers (here: background off) send nothing
    for name, value in {
        "DATABASE_URL": settings.database_url or "",
        "MAKELINE_JWT_SECRET": settings.jwt_secret or "",
        applier.SENDS: "true",
        "MAKELINE_TWILIO_ACCOUNT_SID": fake_twilio.account_sid,
        "MAKELINE_TWILIO_AUTH_TOKEN": fake_twilio.auth_token,
        "MAKELINE_TWILIO_BASE_URL": fake_twilio.base_url,
    }.items():
        monkeypatch.setenv(name, value)
    stop = threading.Event()
    sending = applier._senders(stop)
    assert sending is not None
    try:
        wait_until(lambda: len(fake_twilio.to(phone)) == 1, "the background process sends the text")
    finally:
        stop.set()
        sending.join(timeout=patient(30))
    assert not sending.is_alive()


@pytest.mark.parametrize(("cores", "appliers"), [(None, 1), (1, 1), (2, 1), (3, 1), (8, 4)])
def test_the_cloud_runs_one_applier_for_every_two_cores(
    monkeypatch: pytest.MonkeyPatch, cores: int | None, appliers: int
) -> None:
    """On two cores a second applier took the CPU the storer and customers' orders wanted."""
    monkeypatch.delenv("MAKELINE_APPLIERS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert CloudSettings().appliers == appliers
    monkeypatch.setenv("MAKELINE_APPLIERS", "3")
    assert CloudSettings().appliers == 3  # the owner's word wins
    assert CloudSettings().quiet_appliers == 1  # and one more for a storm's tail
    monkeypatch.setenv("MAKELINE_QUIET_APPLIERS", "0")
    assert CloudSettings().quiet_appliers == 0
