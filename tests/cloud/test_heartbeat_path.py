"""The store's heartbeat is a cheap path, on real PostgreSQL over HTTP: one statement on the
worker's own async connections, never a handler thread (a beat answers while every handler
thread is taken); the agent and the store written at most once per few seconds, the report
every beat; a credential verified once per worker and still refused the moment head office
revokes it; the plan's news told over the same path; hostile beats refused, nothing kept."""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import anyio.to_thread
import psycopg
import pytest
from fastapi import FastAPI
from sqlalchemy import select, text
from starlette.requests import Request
from starlette.testclient import TestClient

from cloud_api.app import HEARTBEAT
from cloud_api.auth.principal import Principal, Role
from cloud_api.db.async_pool import AsyncPool
from cloud_api.db.base import utcnow
from cloud_api.errors import Unauthorized
from cloud_api.models import Device, Store, StoreAgent, StoreHeartbeat
from cloud_api.settings import libpq_url
from cloud_api.store_events.service import apply_store_events
from cloud_api.stores import devices
from cloud_api.sync import repository as sync_repository
from cloud_api.sync.heartbeat import Heartbeats, QuietBeats
from sync.contract import Heartbeat, PlannedDoor
from tests.patience import PATIENCE_S

from .helpers import count, ctx, customer, demo_store_id, event, head_office
from .test_tracking import _beat, _online_delivery, live, live_app  # noqa: F401 - fixtures


@pytest.fixture
def device(app: FastAPI) -> Iterator[tuple[str, dict[str, str]]]:
    """The demo store and a device credential of its own."""
    store = demo_store_id(app)
    with ctx(app).db.transaction() as session:
        _, token = devices.issue(session, store, "till", utcnow())
    yield store, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def _send(client: TestClient, headers: dict[str, str], **report: Any) -> Any:
    beat = Heartbeat(sent_at=utcnow(), instance="till-1", **report)
    return client.post(HEARTBEAT, content=beat.model_dump_json(), headers=headers)


def _seen(app: FastAPI, store: str) -> tuple[Any, Any, Any]:
    """(the store's last seen, its agent's, its report's time received)."""
    with ctx(app).db.transaction() as session:
        return (
            session.scalar(select(Store.last_seen_at).where(Store.id == store)),
            session.scalar(select(StoreAgent.last_seen_at).where(StoreAgent.store_id == store)),
            session.scalar(select(StoreHeartbeat.received_at).where(StoreHeartbeat.store_id == store)),
        )


def test_a_beat_answers_while_every_handler_thread_is_taken(
    client: TestClient, device: tuple[str, dict[str, str]]
) -> None:
    """What a storm does to the handler threads (pushes storing, the apply) does not reach the
    heartbeat: with every one of them held, the store's beat still answers."""
    store, headers = device
    assert _send(client, headers).status_code == 200  # the computer claims its store
    gate, taken = threading.Event(), threading.Semaphore(0)

    def hold() -> None:  # until the test ends, whatever its outcome (`finally`)
        taken.release()
        gate.wait()

    threads = anyio.to_thread.current_default_thread_limiter
    total = int(client.portal.call(lambda: threads().total_tokens))  # type: ignore[union-attr]
    for _ in range(total):
        client.portal.start_task_soon(anyio.to_thread.run_sync, hold)  # type: ignore[union-attr]
    for _ in range(total):
        assert taken.acquire(timeout=PATIENCE_S)
    answers: list[Any] = []
    beating = threading.Thread(target=lambda: answers.append(_send(client, headers, outbox_backlog=4)))
    try:
        assert client.portal.call(lambda: threads().borrowed_tokens) == total  # type: ignore[union-attr]
        beating.start()
        beating.join(PATIENCE_S)
        assert answers and answers[0].status_code == 200, answers
        assert answers[0].json()["store_id"] == store
    finally:
        gate.set()
        beating.join(PATIENCE_S)


def test_agent_and_store_are_written_once_per_few_seconds_and_the_report_every_beat(
    app: FastAPI, client: TestClient, device: tuple[str, dict[str, str]]
) -> None:
    store, headers = device
    assert _send(client, headers).status_code == 200
    store_seen, agent_seen, received = _seen(app, store)
    assert store_seen is not None and agent_seen is not None and received is not None
    assert _send(client, headers, outbox_backlog=7).status_code == 200
    again = _seen(app, store)
    assert again[:2] == (store_seen, agent_seen)  # a beat a moment later: not written again
    assert again[2] > received  # the report is
    # Seen a while ago: written again.
    old = utcnow() - timedelta(seconds=30)
    with ctx(app).db.transaction() as session:
        session.execute(text("UPDATE store SET last_seen_at = :old WHERE id = :s"), {"old": old, "s": store})
        session.execute(
            text("UPDATE store_agent SET last_seen_at = :old WHERE store_id = :s"), {"old": old, "s": store}
        )
    assert _send(client, headers).status_code == 200
    store_seen, agent_seen, _ = _seen(app, store)
    assert store_seen > old + timedelta(seconds=20) and agent_seen == store_seen
    with ctx(app).db.transaction() as session:
        heard = session.get(StoreHeartbeat, store)
        assert heard is not None and heard.outbox_backlog == 0 and heard.agent_version == ""


def test_a_credential_verified_once_is_refused_the_moment_it_is_revoked(
    app: FastAPI, client: TestClient, device: tuple[str, dict[str, str]]
) -> None:
    store, headers = device
    assert _send(client, headers).status_code == 200
    beats: Heartbeats = app.state.heartbeats
    token = headers["Authorization"].removeprefix("Bearer ")
    known = beats.devices.known(token)
    assert known is not None and known.store_id == store
    device_id = known.id
    gone = client.delete(f"/api/v1/stores/{store}/devices/{device_id}", headers=head_office(client))
    assert gone.status_code == 204
    _, _, received = _seen(app, store)
    refused = _send(client, headers, outbox_backlog=9)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert beats.devices.known(token) is None
    assert _seen(app, store)[2] == received  # nothing kept
    forged = {**headers, "Authorization": headers["Authorization"][:-4] + "AAAA"}
    assert _send(client, forged).status_code == 401


def test_hostile_beats_are_refused_and_keep_nothing(
    app: FastAPI, client: TestClient, device: tuple[str, dict[str, str]]
) -> None:
    _, headers = device
    at = utcnow().isoformat()
    refusals = [
        (422, headers, {"sent_at": at, "agent_version": "evil\u0000"}),
        (422, headers, {"sent_at": at, "printers": [{"name": "k", "online": False, "last_error": "\u0000"}]}),
        (422, {**headers, "X-Makeline-Instance": "x" * 65}, {"sent_at": at}),
        (422, headers, {"sent_at": "soon"}),
        (403, headers, {"sent_at": at, "store_id": "another-store"}),
        (426, headers, {"sent_at": at, "protocol": 99}),
        (401, {"Content-Type": "application/json"}, {"sent_at": at}),
        (401, {**headers, "Authorization": "Bearer mld_short.x"}, {"sent_at": at}),
        (401, {**headers, "Authorization": "Bearer not-a-token"}, {"sent_at": at}),
        (403, {**headers, **customer(client)}, {"sent_at": at}),
    ]
    for status, sent, body in refusals:
        answer = client.post(HEARTBEAT, json=body, headers=sent)
        assert answer.status_code == status, (body, answer.text)
        assert answer.json()["detail"]
    raw = client.post(HEARTBEAT, content=b'{"sent_at": ', headers=headers)
    assert raw.status_code == 422
    with ctx(app).db.transaction() as session:
        assert count(session, "store_heartbeat") == 0
        assert count(session, "store_agent") == 0
    assert _send(client, headers).status_code == 200  # and the path still works after them


def test_a_connection_the_server_dropped_is_replaced(
    app: FastAPI, client: TestClient, device: tuple[str, dict[str, str]]
) -> None:
    """A PostgreSQL restart or a pooler's reset drops the worker's idle connections: the next
    beat opens a new one rather than failing."""
    _, headers = device
    assert _send(client, headers).status_code == 200
    with psycopg.connect(libpq_url(ctx(app).db.url), autocommit=True) as admin:
        dropped = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = 'makeline-cloud-beats' AND datname = current_database()"
        ).fetchone()
    assert dropped is not None and dropped[0] >= 1
    assert _send(client, headers).status_code == 200


def test_the_tracker_hears_a_plan_moved_by_a_beat_over_http(live: TestClient, live_app: FastAPI) -> None:  # noqa: F811
    """The plan's news through the HTTP path: told once per move, nothing for a beat that
    moves no shown minute."""
    store, order, code, in_store, taken = _online_delivery(live, live_app, 1063)
    with ctx(live_app).db.transaction() as session:
        _, token = devices.issue(session, store, "till", utcnow())
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    base = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=20)

    def door(leave_min: int, leave_s: int) -> PlannedDoor:
        leave = base + timedelta(minutes=leave_min, seconds=leave_s)
        return PlannedDoor(order_id=in_store, leave_at=leave, eta_at=leave + timedelta(minutes=9))

    with live.websocket_connect(f"/api/v1/orders/{order['id']}/track?code={code}") as ws:
        assert ws.receive_json()["type"] == "snapshot"
        with ctx(live_app).db.transaction() as session:
            apply_store_events(session, store, [event("order.placed", taken, seq=1)])
        assert ws.receive_json()["status"] == "prep"
        heard = []
        for plans in ([[door(0, 10)]], [[door(0, 10)], [door(0, 40)], [door(4, 0)]]):
            for plan in plans:
                answer = live.post(HEARTBEAT, content=_beat(plan).model_dump_json(), headers=headers)
                assert answer.status_code == 200, answer.text
            heard.append(ws.receive_json())  # the news of the move (a later one would join it)
        # A load gone stale is no plan at all: the same plan again is news to the tracker.
        with ctx(live_app).db.transaction() as session:
            session.execute(
                text("UPDATE store SET live_load_at = live_load_at - interval '2 minutes' WHERE id = :s"),
                {"s": store},
            )
        assert live.post(HEARTBEAT, content=_beat([door(4, 0)]).model_dump_json(), headers=headers).is_success
        heard.append(ws.receive_json())
    leaves = [m["leave_at"] for m in heard]
    assert leaves == [door(0, 10).leave_at.isoformat()] + [door(4, 0).leave_at.isoformat()] * 2


def test_an_answered_beat_stays_out_of_the_access_log_and_a_refused_one_does_not(app: FastAPI) -> None:
    quiet = QuietBeats(HEARTBEAT)

    def line(path: str, status: int) -> logging.LogRecord:
        args = ("127.0.0.1:5000", "POST", path, "1.1", status)
        return logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d', args, None)

    assert not quiet.filter(line(HEARTBEAT, 200))
    assert quiet.filter(line(HEARTBEAT, 401)) and quiet.filter(line("/api/v1/sync/push", 200))
    # On the worker's access logger, an answered beat's line is passed over before any record
    # is made; every other line is made, filtered and written as before.
    access = logging.getLogger("uvicorn.access")
    made: list[logging.LogRecord] = []
    written: list[logging.LogRecord] = []
    make = access.makeRecord

    def counted(*args: Any, **kwargs: Any) -> logging.LogRecord:
        made.append(record := make(*args, **kwargs))
        return record

    class Written(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            written.append(record)

    handler, level = Written(), access.level
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(access, "makeRecord", counted)
        for path, status in ((HEARTBEAT, 200), (HEARTBEAT, 401), ("/api/v1/sync/push", 200)):
            access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "POST", path, "1.1", status)
    access.removeHandler(handler)
    access.setLevel(level)
    assert [r.args[2:] for r in made] == [(HEARTBEAT, "1.1", 401), ("/api/v1/sync/push", "1.1", 200)]  # type: ignore[index]
    assert [r.args[4] for r in written] == [401, 200]  # type: ignore[index]
    documented = app.openapi()["paths"][HEARTBEAT]["post"]
    assert "requestBody" in documented and "200" in documented["responses"]


class HeldPool:
    """A worker's beats' connections, each held open until the test lets them all go: no I/O
    between, so where each request stands is decided by the event loop alone."""

    def __init__(self, app: FastAPI, monkeypatch: pytest.MonkeyPatch, conn: Any = None) -> None:
        self.beats = Heartbeats(ctx(app), AsyncPool(ctx(app).db.url, size=4))
        # A storm's rounds and news gather for no time but the loop's turn.
        self.beats.rounds.gather_s = self.beats.news.gather_s = 0.0
        self.conn = conn
        self.inside, self.release = 0, asyncio.Event()
        monkeypatch.setattr(self.beats, "_run", self._held)

    async def _held(self, work: Any) -> Any:
        self.inside += 1
        await self.release.wait()
        return await work(self.conn)

    @staticmethod
    async def settle() -> None:
        """Every task as far as it can go."""
        for _ in range(100):
            await asyncio.sleep(0)


def stores_devices(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch, n: int
) -> tuple[str, list[str], dict[str, Any]]:
    """The demo store with `n` devices of its own: their credentials, and their rows, which the
    look-up of a credential finds (without a connection)."""
    store = demo_store_id(app)
    with ctx(app).db.transaction() as session:
        tokens = [devices.issue(session, store, f"till {k}", utcnow())[1] for k in range(n)]
        rows = {
            row.id: sync_repository.DeviceRow(row.store_id, row.secret_hash, row.revoked_at)
            for row in session.scalars(select(Device).where(Device.store_id == store))
        }

    async def looked_up(conn: Any, device_id: str) -> Any:
        return rows.get(device_id)

    monkeypatch.setattr(sync_repository, "device", looked_up)
    return store, tokens, rows


def test_newcomers_credentials_take_at_most_half_the_beats_connections(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A thousand stores back from an outage, their credentials new to this worker: their
    look-ups queue for half the pool's connections, so a store already online still finds one
    free for its beat at once."""
    store, tokens, _ = stores_devices(app, monkeypatch, 10)

    async def storm() -> tuple[int, list[Any]]:
        pool = HeldPool(app, monkeypatch)
        asks = [asyncio.create_task(pool.beats.device(token)) for token in tokens]
        await pool.settle()
        most = pool.inside
        pool.release.set()
        return most, await asyncio.gather(*asks)

    most, found = asyncio.run(storm())
    assert most == 2  # half of four: two connections always left to the stores already known
    assert [d.store_id for d in found] == [store] * 10  # and every one checked, none refused


def test_a_credential_new_to_the_worker_is_checked_by_the_beats_own_statement(
    app: FastAPI, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store back from an outage on a restarted worker: its first beat checks its credential
    in the beat's one statement (no look-up before it), and a forged, revoked or misdirected
    credential is refused as before, keeping nothing and remembering nothing."""
    store = demo_store_id(app)
    with ctx(app).db.transaction() as session:
        (good, token), (revoked, gone_token) = (devices.issue(session, store, t, utcnow()) for t in "ab")
        revoked.revoked_at = utcnow()
    beats: Heartbeats = app.state.heartbeats
    headers = {"Content-Type": "application/json"}
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    at = utcnow().isoformat()
    refused = [
        (401, forged, {"sent_at": at, "store_id": store}),
        (401, gone_token, {"sent_at": at, "store_id": store}),
        (403, token, {"sent_at": at, "store_id": "another-store"}),
    ]
    for status, credential, body in refused:
        answer = client.post(
            HEARTBEAT, json=body, headers={**headers, "Authorization": f"Bearer {credential}"}
        )
        assert answer.status_code == status, (body, answer.text)
        assert beats.devices.known(credential) is None
    with ctx(app).db.transaction() as session:
        assert count(session, "store_heartbeat") == 0 and count(session, "store_agent") == 0

    async def no_look_up(conn: Any, device_id: str) -> Any:
        raise AssertionError("a credential looked up before the beat")

    monkeypatch.setattr(sync_repository, "device", no_look_up)
    beat = Heartbeat(store_id=store, sent_at=utcnow(), instance="till-1", outbox_backlog=3)
    answer = client.post(
        HEARTBEAT, content=beat.model_dump_json(), headers={**headers, "Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200, answer.text
    known = beats.devices.known(token)
    assert known is not None and known.id == good.id and known.store_id == store
    with ctx(app).db.transaction() as session:
        report = session.scalars(select(StoreHeartbeat).where(StoreHeartbeat.store_id == store)).one()
        assert report.outbox_backlog == 3


def test_newcomers_beats_go_in_rounds_checked_by_the_statement_a_known_store_goes_first(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A storm's first beats, every credential new to the worker (one forged among them), all
    of one store: each checked by the statement that writes it, in rounds (one a store, so one
    at a time here); a beat of a store the worker knows, come later, goes in the next round,
    before the newcomers still waiting; the forged one refused, holding nobody up."""
    store, tokens, rows = stores_devices(app, monkeypatch, 9)
    forged = tokens[0][:-4] + ("AAAA" if not tokens[0].endswith("AAAA") else "BBBB")
    calls: list[list[bool]] = []  # each round's beats: known to the worker or not

    async def beats(conn: Any, asks: Any, *args: Any) -> list[sync_repository.Beat]:
        calls.append([ask.secret_hash is None for ask in asks])
        found = []
        for ask in asks:
            ok = ask.secret_hash is None or ask.secret_hash == rows[ask.device_id].secret_hash
            found.append(sync_repository.Beat(ok, ok, "OP-001", None, 0, 0))
        return found

    monkeypatch.setattr(sync_repository, "beats", beats)
    body = Heartbeat(store_id=store, sent_at=utcnow(), instance="till-1").model_dump_json().encode()

    def request(token: str) -> Request:
        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        headers = [(b"authorization", f"Bearer {token}".encode()), (b"content-type", b"application/json")]
        return Request({"type": "http", "method": "POST", "path": HEARTBEAT, "headers": headers}, receive)

    async def storm() -> tuple[int, int, list[Any]]:
        pool = HeldPool(app, monkeypatch)
        device_id, _ = devices.token_parts(tokens[-1])
        pool.beats.devices.remember(
            tokens[-1], Principal(id=device_id, role=Role.STORE_DEVICE, store_id=store)
        )
        asks = [asyncio.create_task(pool.beats.answer(request(t))) for t in [forged, *tokens[:-1]]]
        await pool.settle()
        most = pool.inside
        known = asyncio.create_task(pool.beats.answer(request(tokens[-1])))
        await pool.settle()
        passed = pool.inside - most
        pool.release.set()
        answers = await asyncio.gather(*asks, known, return_exceptions=True)
        return most, passed, answers

    most, passed, answers = asyncio.run(asyncio.wait_for(storm(), 60))
    assert most == 2  # two rounds at a time, the half of four the crowd's lane leaves
    assert passed == 0  # the known store's beat waits for a round to end ...
    assert [True] in calls[:3] and len(calls) == 10  # ... and goes in the next, before 7 newcomers
    assert all(len(beats) == 1 for beats in calls)  # one beat a store a round
    assert isinstance(answers[0], Unauthorized)
    assert [getattr(a, "status_code", None) for a in answers[1:]] == [200] * 9


def test_the_plan_news_of_stores_back_is_one_statement_in_the_crowds_lane(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A storm's first beats each bring a plan that moved while the store was away: their
    news is read by one statement a round (`tracker_news`), in the crowd's lane, so a store
    already online still finds a connection for its beat at once."""
    store, tokens, _ = stores_devices(app, monkeypatch, 1)
    at = utcnow()
    plan = [PlannedDoor(order_id=str(uuid.uuid4()), leave_at=at, eta_at=at + timedelta(minutes=9))]

    async def beats(conn: Any, asks: Any, *args: Any) -> list[sync_repository.Beat]:
        return [sync_repository.Beat(True, True, "OP-001", None, 0, 0) for _ in asks]

    monkeypatch.setattr(sync_repository, "beats", beats)
    read: list[dict[str, Any]] = []

    class Cursor:
        async def __aenter__(self) -> Cursor:
            return self

        async def __aexit__(self, *exc: object) -> None:
            return None

        async def execute(self, query: str, params: dict[str, Any]) -> None:
            read.append(params)

        async def fetchall(self) -> list[Any]:
            return []

    class Connection:
        def cursor(self) -> Cursor:
            return Cursor()

    async def storm() -> tuple[int, int]:
        pool = HeldPool(app, monkeypatch, Connection())
        for n in range(10):
            pool.beats.news.tell(f"{store}-{n}", {plan[0].order_id}, plan)
        await pool.settle()
        most = pool.inside
        device_id, _ = devices.token_parts(tokens[0])
        known = Principal(id=device_id, role=Role.STORE_DEVICE, store_id=store)
        beat = Heartbeat(store_id=store, sent_at=utcnow(), instance="till-1")
        answer = asyncio.create_task(pool.beats._answer(tokens[0], "till-1", known, beat, None))
        await pool.settle()
        passed = pool.inside - most
        pool.release.set()
        await pool.settle()
        assert answer.result().status_code == 200
        return most, passed

    most, passed = asyncio.run(asyncio.wait_for(storm(), 60))
    assert most == 1  # ten stores' news: one statement ...
    assert passed == 1  # ... and the known store's beat beside it
    assert len(read) == 1 and sorted(read[0]["stores"]) == sorted(f"{store}-{n}" for n in range(10))
