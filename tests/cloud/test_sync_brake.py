"""The backlog's brake (`sync.brake`): a push waits, holding its slot, while more events wait
to be applied than the cloud allows, and is stored once the appliers catch up; it never
waits longer than allowed, and is stored then all the same; a cloud whose appliers keep up
never waits; the backlog is read once per interval for all the pushes waiting; a store online
sending its evening a few events at a time is never held; the limit is a few seconds of the
pace the appliers told lately, never less than the least. The rules on a clock of the test's
own; the pushes and the paces through the app on real PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import NamedTuple, cast

from fastapi import FastAPI
from sqlalchemy import text
from starlette.testclient import TestClient

from cloud_api.app import create_app
from cloud_api.db.base import utcnow
from cloud_api.settings import CloudSettings
from cloud_api.store_events import repository
from cloud_api.store_events.intake import keep_store_events
from cloud_api.sync import applier
from cloud_api.sync.admission import BACKLOG_FOR_A_PLACE
from cloud_api.sync.brake import Backlog, Brake
from cloud_api.sync.news import InboundNews
from cloud_api.sync.pace import FRESH_S, PaceMeter
from tests.patience import patient, wait_until

from .helpers import ctx, demo_store_id, evanston, event, staged, store_order_payload
from .test_storm_customers_first import _batch, _device


class Clock:
    """Time that moves only when slept through."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _brake(
    backlogs: list[int],
    clock: Clock,
    limit: int = 10,
    most_s: float = 1.0,
    pace: float = 0.0,
    holding: Callable[[], None] = lambda: None,
) -> tuple[Brake, list[int]]:
    """A brake reading `backlogs` in turn (the last one for ever after), the appliers' pace
    `pace` and its limit at least `limit`; the reads it made."""
    reads: list[int] = []

    def backlog() -> Backlog:
        reads.append(backlogs[min(len(reads), len(backlogs) - 1)])
        return Backlog(reads[-1], pace)

    brake = Brake(
        backlog,
        limit,
        ahead_s=2.0,
        most_s=most_s,
        every_s=0.25,
        clock=clock,
        sleep=clock.sleep,
        holding=holding,
    )
    return brake, reads


def test_a_backlog_within_the_limit_costs_one_read_and_no_wait() -> None:
    clock = Clock()
    brake, reads = _brake([10], clock)
    assert brake.wait() == 0.0 and clock.slept == [] and reads == [10]
    assert brake.wait() == 0.0 and reads == [10]  # read again only once the interval has passed
    clock.now += 0.25
    assert brake.wait() == 0.0 and reads == [10, 10]


def test_a_push_waits_until_the_backlog_falls_to_the_limit() -> None:
    clock = Clock()
    brake, reads = _brake([25, 18, 11, 10, 30], clock)
    assert brake.wait() == 0.75
    assert reads == [25, 18, 11, 10] and clock.slept == [0.25, 0.25, 0.25]
    assert brake.held == 0


def test_a_backlog_that_does_not_fall_holds_a_push_for_the_longest_wait_and_no_longer() -> None:
    clock = Clock()
    brake, reads = _brake([50], clock, most_s=0.625)
    assert brake.wait() == 0.625 and clock.slept == [0.25, 0.25, 0.125]  # the last slice what was left
    assert reads == [50, 50, 50]  # the last look within the interval: the backlog as read
    assert brake.held == 0


def test_pushes_waiting_are_told_of_while_they_wait_and_only_then() -> None:
    clock, told = Clock(), []
    brake, _ = _brake([10, 50, 50, 50, 9], clock, holding=lambda: told.append(clock.now))
    assert brake.wait() == 0.0 and told == []  # within the limit: nothing to tell
    clock.now += 0.25
    assert brake.wait() == 0.75 and told == [0.25, 0.5, 0.75]  # once before each look


def test_a_limit_of_nothing_never_reads_the_backlog() -> None:
    clock = Clock()
    brake, reads = _brake([10**9], clock, limit=0)
    assert brake.wait() == 0.0 and reads == [] and clock.slept == []


def test_the_limit_is_seconds_of_the_appliers_told_pace_and_never_below_the_least() -> None:
    clock = Clock()
    brake, reads = _brake([30], clock, limit=10, pace=20.0)  # two seconds of 20 a second: 40
    assert brake.wait() == 0.0 and clock.slept == [] and reads == [30]
    brake, reads = _brake([30, 12, 9], clock, limit=10, pace=1.0)  # two seconds: 2; the least: 10
    assert brake.wait() == 0.5 and reads == [30, 12, 9]
    assert brake.limit(Backlog(0, 0.0)) == 10 and brake.limit(Backlog(0, 1_000.0)) == 2_000


def test_a_pace_is_the_events_of_a_windows_worth_of_chunks_since_the_applier_last_ran_dry() -> None:
    meter = PaceMeter("applier", window_s=1.0)
    assert meter.applied(300, 0.4) is None and meter.applied(500, 0.6) == 800.0
    assert meter.applied(300, 0.4) is None
    meter.ran_dry()  # the count starts again
    assert meter.applied(100, 0.9) is None and meter.applied(200, 0.1) == 300.0


def test_the_appliers_paces_are_counted_while_fresh(app: FastAPI) -> None:
    with ctx(app).db.transaction() as session:
        repository.tell_pace(session, "north:1", 1_000.0)
        repository.tell_pace(session, "south:2", 500.0)
        repository.tell_pace(session, "south:2", 600.0)  # told again: the latest counts
    with ctx(app).db.transaction() as session:
        assert repository.backlog(session, FRESH_S) == (0, 1_600.0)
        session.execute(
            text("UPDATE applier_pace SET told_at = now() - interval '2 hours' WHERE applier = 'south:2'")
        )
    with ctx(app).db.transaction() as session:
        assert repository.backlog(session, FRESH_S) == (0, 1_000.0)  # gone quiet: not counted
        repository.tell_pace(session, "north:1", 900.0)  # and cleared away by the next told
    with ctx(app).db.transaction() as session:
        told = session.execute(text("SELECT applier, events_per_s FROM applier_pace")).all()
        assert [tuple(row) for row in told] == [("north:1", 900.0)]


def test_an_applier_that_applied_tells_its_pace(app: FastAPI) -> None:
    _waiting_elsewhere(app, 3)
    meter = PaceMeter("test-applier", window_s=0.0)
    assert applier.step(ctx(app).db, meter) == 3
    with ctx(app).db.transaction() as session:
        waiting, pace = repository.backlog(session, FRESH_S)
    assert waiting == 0 and pace > 0.0
    assert applier.step(ctx(app).db, meter) == 0  # nothing applied: nothing told
    with ctx(app).db.transaction() as session:
        assert repository.backlog(session, FRESH_S)[1] == pace


def _waiting_elsewhere(app: FastAPI, count: int) -> str:
    """`count` events of a second store stored and waiting to be applied; its id."""
    store, now = evanston(app), utcnow()
    events = []
    for seq in range(1, count + 1, 2):
        order_id = str(uuid.uuid4())
        events.append(
            event("order.placed", store_order_payload(order_id=order_id, placed_at=now), seq=seq, at=now)
        )
        events.append(event("order.stage", staged(order_id, "made", now), seq=seq + 1, at=now))
    with ctx(app).db.transaction() as session:
        keep_store_events(session, store, events[:count], now)
    return store


def test_the_backlog_counts_every_stores_waiting_events(app: FastAPI) -> None:
    other = _waiting_elsewhere(app, 3)
    with ctx(app).db.transaction() as session:
        assert repository.backlog(session, FRESH_S) == (3, 0.0)
    applier.apply_all(ctx(app).db, other)
    with ctx(app).db.transaction() as session:
        assert repository.backlog(session, FRESH_S) == (0, 0.0)


def _backlog(store: str, count: int) -> dict[str, object]:
    """A push of a store back from an outage: `count` orders placed while it was offline."""
    events: list[object] = []
    for seq in range(1, count + 1):
        events += cast(list[object], _batch(store, seq, 1000 + seq)["events"])
    return {"store_id": store, "instance": "till-1", "events": events}


class Behind(NamedTuple):
    client: TestClient
    app: FastAPI
    store: str  # the demo store, whose pushes are sent
    other: str  # the store whose two events wait to be applied
    device: dict[str, str]  # the demo store's device credential, as headers


@contextmanager
def _behind(settings: CloudSettings, most_s: float) -> Iterator[Behind]:
    """A cloud whose brake holds a backlog's push while more than one event waits to be
    applied (`most_s` at most), and two of another store's events waiting."""
    limited = settings.model_copy(update={"sync_backlog_events": 1, "sync_backlog_wait_s": most_s})
    with TestClient(create_app(limited)) as client:
        app: FastAPI = client.app  # type: ignore[assignment]
        store, other = demo_store_id(app), _waiting_elsewhere(app, 2)
        yield Behind(client, app, store, other, _device(app, store)[1])


def test_a_push_waits_while_the_appliers_are_behind_and_is_stored_once_they_catch_up(
    settings: CloudSettings,
) -> None:
    with _behind(settings, 20.0) as cloud, ThreadPoolExecutor(1) as pushing:
        brake = ctx(cloud.app).brake
        backlog = _backlog(cloud.store, BACKLOG_FOR_A_PLACE + 1)
        sent = pushing.submit(cloud.client.post, "/api/v1/sync/push", json=backlog, headers=cloud.device)
        wait_until(lambda: brake.held == 1 or sent.done(), "the push waits for the appliers")
        assert not sent.done()
        news = InboundNews(ctx(cloud.app).db.url)  # a quiet applier's ear: the storm is still on
        try:
            assert news.wait(patient(10), threading.Event())
        finally:
            news.close()
        with ctx(cloud.app).db.transaction() as session:  # nothing of it stored yet
            assert (
                repository.backlog(session, FRESH_S)[0] == 2 and repository.waiting(session, cloud.store) == 0
            )
        applier.apply_all(ctx(cloud.app).db, cloud.other)  # the appliers catch up
        answer = sent.result(timeout=patient(30))
        assert answer.status_code == 200, answer.text
        assert answer.json()["high_water"] == BACKLOG_FOR_A_PLACE + 1 and brake.held == 0


def test_a_store_online_sending_its_evening_as_it_goes_is_never_held(settings: CloudSettings) -> None:
    with _behind(settings, 20.0) as cloud:
        brake = ctx(cloud.app).brake
        reads, backlog = 0, brake.backlog

        def counted() -> Backlog:
            nonlocal reads
            reads += 1
            return backlog()

        brake.backlog = counted
        for seq in (1, 2):
            batch = _batch(cloud.store, seq, 40 + seq)
            answer = cloud.client.post("/api/v1/sync/push", json=batch, headers=cloud.device)
            assert answer.status_code == 200 and answer.json()["high_water"] == seq
        assert reads == 0  # the brake never looked


def test_a_push_is_stored_after_the_longest_wait_though_the_appliers_stay_behind(
    settings: CloudSettings,
) -> None:
    with _behind(settings, 0.2) as cloud:
        backlog = _backlog(cloud.store, BACKLOG_FOR_A_PLACE + 1)
        answer = cloud.client.post("/api/v1/sync/push", json=backlog, headers=cloud.device)
        assert answer.status_code == 200, answer.text
        assert answer.json()["high_water"] == BACKLOG_FOR_A_PLACE + 1
