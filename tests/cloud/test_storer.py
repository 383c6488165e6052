"""Pushes stored by the storer process (`sync.storer`), not in the worker's interpreter: a
real `python -m cloud_api.sync.storer` on a Unix socket, the worker's app handing it the raw
body. A push is stored and its events applied while every sync thread of the worker is held
(none of that work runs in the worker); a replay finds it stored; every refusal is the
answer the worker gives on its own; and a storer that is gone is no outage."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi import FastAPI
from httpx import Response
from sqlalchemy import text
from starlette.testclient import TestClient

from cloud_api.app import create_app
from cloud_api.settings import CloudSettings
from cloud_api.sync import storer
from tests.patience import patient, wait_until

from .helpers import count, ctx, demo_store_id
from .test_storm_customers_first import _batch, _device, _hold


@pytest.fixture
def storer_socket(settings: CloudSettings, tmp_path: Path) -> Iterator[str]:
    path = str(tmp_path / "storer.sock")
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url or "",
        "MAKELINE_JWT_SECRET": settings.jwt_secret or "",
        storer.SOCKET: path,
    }
    process = subprocess.Popen([sys.executable, "-m", "cloud_api.sync.storer"], env=env)
    try:
        wait_until(lambda: os.path.exists(path) or process.poll() is not None, "the storer listens")
        assert process.poll() is None, "the storer process exited"
        yield path
    finally:
        process.terminate()
        process.wait(timeout=patient(30))
    assert process.returncode == 0 and not os.path.exists(path)  # stopped cleanly, socket gone


def _client(settings: CloudSettings, path: str) -> TestClient:
    return TestClient(create_app(settings.model_copy(update={"storer_socket": path})))


def test_a_push_is_stored_and_applied_by_the_storer_while_every_sync_thread_is_held(
    settings: CloudSettings, storer_socket: str
) -> None:
    with _client(settings, storer_socket) as client:
        app: FastAPI = client.app  # type: ignore[assignment]
        store = demo_store_id(app)
        _, device = _device(app, store)
        admission = ctx(app).admission
        n = int(admission.threads.total_tokens)
        gate = _hold(client, lambda g: admission.run(g.wait), n)

        def push(batch: dict[str, object]) -> Response:
            # From a thread with a deadline: a push that needed a sync thread fails, not hangs.
            with ThreadPoolExecutor(1) as pushing:
                sent = pushing.submit(client.post, "/api/v1/sync/push", json=batch, headers=device)
                try:
                    answered: Response = sent.result(timeout=patient(30))
                except TimeoutError:
                    gate.set()  # let it go, then fail
                    raise
                return answered

        try:
            wait_until(lambda: admission.threads.borrowed_tokens == n, "the test holds every sync thread")
            batch = _batch(store, 1, 51)
            answer = push(batch)
            assert answer.status_code == 200, answer.text
            assert answer.json() | {"quarantined": 0} == {
                "store_id": store,
                "high_water": 1,
                "stored": 1,
                "quarantined": 0,
            }
            again = push(batch)
            assert again.json() == {"store_id": store, "high_water": 1, "stored": 0, "quarantined": 0}
        finally:
            gate.set()
        with ctx(app).db.transaction() as session:
            assert count(session, "inbound_event") == 1
            assert count(session, "inbound_pending") == 0  # applied before the answer (quiet)


def test_the_storers_refusals_are_the_workers_own(
    settings: CloudSettings, storer_socket: str, app: FastAPI, client: TestClient
) -> None:
    store = demo_store_id(app)
    device_id, device = _device(app, store)
    other = _batch("someone-else", 1, 52)
    unordered = _batch(store, 2, 53)
    unordered["events"] = [*unordered["events"], *_batch(store, 1, 54)["events"]]  # type: ignore[misc]
    bodies: list[bytes] = [
        b'{"store_id": ' + b"[" * 40 + b"]" * 40 + b"}",  # too deep
        b'{"events": [{"seq": "one"}]}',  # not the contract
        b"not json",
        json.dumps(other).encode(),  # another store's batch
        json.dumps(unordered).encode(),  # out of order
        b'{"protocol": 99, "events": []}',  # a newer protocol
    ]
    with _client(settings, storer_socket) as through:
        for body in bodies:
            own = client.post("/api/v1/sync/push", content=body, headers=device)
            relayed = through.post("/api/v1/sync/push", content=body, headers=device)
            assert 400 <= own.status_code < 500, own.text
            assert (relayed.status_code, relayed.json()) == (own.status_code, own.json())
        # Revoked since both workers remembered it: refused by both, and by the storer's
        # worker again (it forgot the credential rather than trusting it).
        with ctx(app).db.transaction() as session:
            session.execute(text("UPDATE device SET revoked_at = now() WHERE id = :id"), {"id": device_id})
        late = json.dumps(_batch(store, 1, 55)).encode()
        answers = [
            w.post("/api/v1/sync/push", content=late, headers=device) for w in (client, through, through)
        ]
        assert {(a.status_code, a.json()["detail"]) for a in answers} == {(401, answers[0].json()["detail"])}
        assert "revoked" in answers[0].json()["detail"]
    with ctx(app).db.transaction() as session:
        assert count(session, "inbound_event") == 0


def test_a_storer_that_is_gone_leaves_the_worker_to_store_the_push(
    settings: CloudSettings, tmp_path: Path
) -> None:
    with _client(settings, str(tmp_path / "nobody-listens.sock")) as client:
        app: FastAPI = client.app  # type: ignore[assignment]
        store = demo_store_id(app)
        _, device = _device(app, store)
        answer = client.post("/api/v1/sync/push", json=_batch(store, 1, 56), headers=device)
        assert answer.status_code == 200 and answer.json()["high_water"] == 1
