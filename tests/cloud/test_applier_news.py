"""An idle applier starts on a store's events as soon as a push stores them: it hears of the
push on the cloud's NOTIFY channel (`cloud_api.sync.news`) instead of waiting for its next look;
nothing else said on that channel wakes it; and what it applies is told on that channel too
(a customer's tracker hears the order move, whichever process applied it)."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import psycopg
from fastapi import FastAPI
from sqlalchemy import select

from cloud_api.db.base import utcnow
from cloud_api.db.database import Database
from cloud_api.models import Order
from cloud_api.pubsub import CHANNEL
from cloud_api.pubsub.announcer import PAYLOAD_LIMIT, Announcer, payloads
from cloud_api.settings import libpq_url
from cloud_api.store_events import repository
from cloud_api.store_events.intake import keep_store_events
from cloud_api.sync import applier
from cloud_api.sync.news import heard_inbound

from ..patience import patient, wait_until
from .helpers import ctx, evanston, event, staged, store_order_payload


def _listeners(url: str) -> int:
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        found = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = %s",
            (f"LISTEN {CHANNEL}",),
        ).fetchone()
    return int(found[0]) if found else 0


def _listening(url: str) -> bool:
    return _listeners(url) > 0


def _tracker_news(conn: psycopg.Connection[Any], order_id: str) -> bool:
    for notify in conn.notifies(timeout=0.2, stop_after=1):
        news = json.loads(notify.payload)
        if any(update.get("order_id") == order_id for update in news.get("t", [])):
            return True
    return False


def test_an_idle_applier_applies_a_push_it_hears_of_and_tells_the_trackers(
    app: FastAPI, database_url: str
) -> None:
    store, now = evanston(app), utcnow()
    ear = psycopg.connect(libpq_url(database_url), autocommit=True)  # as a worker's listener
    ear.execute(f"LISTEN {CHANNEL}")
    announcer = Announcer(database_url)
    announcer.start()
    storing = Database(database_url, pool_size=1, max_overflow=0, sink=announcer)
    stop = threading.Event()
    # It looks by itself only once an hour: within this test's patience only the news starts it.
    thread = threading.Thread(
        target=applier.serve, args=(database_url, stop), kwargs={"idle_s": 3600.0}, daemon=True
    )
    thread.start()
    order_id = str(uuid.uuid4())
    try:
        wait_until(lambda: _listening(database_url), "the idle applier listens for pushes")
        with storing.transaction() as session:  # as a worker stores a push
            placed = store_order_payload(order_id=order_id, placed_at=now)
            made = event("order.stage", staged(order_id, "made", now), seq=2, at=now)
            keep_store_events(session, store, [event("order.placed", placed, seq=1, at=now), made], now)

        def applied() -> bool:
            with ctx(app).db.transaction() as session:
                found = session.scalar(select(Order.id).where(Order.store_id == store, Order.id == order_id))
                return found is not None and repository.waiting(session, store) == 0

        wait_until(applied, "the applier applies the push it heard of")
        wait_until(lambda: _tracker_news(ear, order_id), "the workers hear the order was made", every_s=0)
    finally:
        ear.close()
        stop.set()
        thread.join(timeout=patient(30))
        announcer.stop()
        storing.dispose()
    assert not thread.is_alive()


def test_only_news_of_stored_events_wakes_an_applier() -> None:
    assert heard_inbound(payloads([], set(), False, inbound=True)[0])
    for said in (
        payloads([{"order_id": "x"}], {"store"}, True)[0],  # trackers', feeds' and senders' news
        "not json",
        "[]",
        '{"a": "true"}',
        '{"a": 1}',
        "",
    ):
        assert not heard_inbound(said), said


def test_news_is_split_into_payloads_under_the_limit_each_update_once() -> None:
    updates = [
        {"order_id": str(uuid.uuid4()), "status": "prep", "stage": "made", "number": n, "at": "é" * (n % 7)}
        for n in range(400)
    ]
    sent = payloads(updates, {"store-b", "store-a"}, True, inbound=True)
    read = [json.loads(p) for p in sent]
    assert len(sent) > 1 and all(len(p) <= PAYLOAD_LIMIT for p in sent)
    assert [u for news in read for u in news["t"]] == updates  # every one, once, in order
    assert read[0]["f"] == ["store-a", "store-b"] and read[0]["n"] is True and heard_inbound(sent[0])
    assert all(
        news["f"] == [] and news["n"] is False and not heard_inbound(p)
        for p, news in zip(sent[1:], read[1:], strict=True)
    )
    # a payload is full: the next update would not have fitted
    assert all(
        len(p) + len(json.dumps(read[i + 1]["t"][0], separators=(",", ":"))) + 1 > PAYLOAD_LIMIT
        for i, p in enumerate(sent[:-1])
    )
    big = {"order_id": "x", "note": "y" * (PAYLOAD_LIMIT + 10)}
    assert [json.loads(p)["t"] for p in payloads([big, big], set(), False)] == [[big], [big]]
    assert json.loads(payloads([], set(), False)[0]) == {"t": [], "f": [], "n": False}


def test_a_quiet_applier_leaves_the_queue_while_pushes_are_heard_and_applies_it_once_they_stop(
    app: FastAPI, database_url: str
) -> None:
    """A quiet applier (`quiet_appliers`) applies nothing while pushes keep being stored (the
    storer and the first applier have the CPU in a storm), and the queue once they stop."""
    store, now = evanston(app), utcnow()
    announcer = Announcer(database_url)
    announcer.start()
    storing = Database(database_url, pool_size=1, max_overflow=0, sink=announcer)
    stop, pushing = threading.Event(), threading.Event()
    quiet_s = 10.0  # far longer than any pause between the pushes below, on a busy machine too
    thread = threading.Thread(
        target=applier.serve,
        args=(database_url, stop),
        kwargs={"idle_s": 0.05, "after_quiet_s": quiet_s},
        daemon=True,
    )

    def push_news() -> None:  # as the storer announces every push it stores
        news = payloads([], set(), False, inbound=True)[0]
        with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
            while pushing.is_set():
                conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, news))
                stop.wait(0.02)

    order_id = str(uuid.uuid4())
    pushing.set()
    pusher = threading.Thread(target=push_news, daemon=True)
    pusher.start()
    try:
        before = _listeners(database_url)
        thread.start()
        wait_until(lambda: _listeners(database_url) > before, "the quiet applier listens for pushes")
        with storing.transaction() as session:
            placed = store_order_payload(order_id=order_id, placed_at=now)
            keep_store_events(session, store, [event("order.placed", placed, seq=1, at=now)], now)
        for _ in range(25):  # half a second and more of pushes heard: nothing applied meanwhile
            stop.wait(0.02)
        with ctx(app).db.transaction() as session:
            assert repository.waiting(session, store) == 1
        pushing.clear()
        pusher.join(timeout=patient(30))

        def applied() -> bool:
            with ctx(app).db.transaction() as session:
                return repository.waiting(session, store) == 0

        wait_until(applied, "the quiet applier applies the queue once the pushes stop")
    finally:
        pushing.clear()
        stop.set()
        thread.join(timeout=patient(30))
        announcer.stop()
        storing.dispose()
    assert not thread.is_alive()
