"""Heartbeats in rounds: the beats waiting on a worker go in one statement, each answered as
its own statement would have answered it, on real PostgreSQL. A round is one beat a store and
at most its size; a caller that went away takes nobody's answer with it; a value PostgreSQL
refuses fails only the beat that brought it."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Sequence
from datetime import timedelta
from typing import Any, TypeVar

import psycopg
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from cloud_api.db.async_pool import BY_KEY, AsyncPool
from cloud_api.db.base import utcnow
from cloud_api.errors import BadRequest
from cloud_api.models import Device, StoreAgent, StoreHeartbeat
from cloud_api.stores import devices
from cloud_api.stores.schemas import StoreDetails
from cloud_api.stores.service import save_store
from cloud_api.sync import repository
from cloud_api.sync.heartbeat import Heartbeats
from cloud_api.sync.rounds import Found, Rounds
from sync.contract import Heartbeat

from .helpers import count, ctx

T = TypeVar("T")


def _stores(app: FastAPI, n: int) -> list[tuple[str, str]]:
    """`n` stores of the chain, each with a device of its own: (store id, device id)."""
    made = []
    with ctx(app).db.transaction() as session:
        for k in range(n):
            details = StoreDetails(
                code=f"RD-{k:03d}",
                name=f"Round {k}",
                timezone="America/Chicago",
                tax_rate_bp=1000,
                lat=41.9 + k / 1000,
                lon=-87.7,
            )
            store = save_store(session, details, utcnow())
            device, _ = devices.issue(session, store.id, "till", utcnow())
            made.append((store.id, device.id))
    return made


def _ask(store: str, device: str, instance: str = "till-1", **report: Any) -> repository.BeatAsk:
    beat = Heartbeat(store_id=store, sent_at=utcnow(), instance=instance, **report)
    return repository.BeatAsk(device, store, instance, beat, utcnow())


def _beats(app: FastAPI) -> Heartbeats:
    return Heartbeats(ctx(app), AsyncPool(ctx(app).db.url, size=4, planner=BY_KEY))


def test_beats_waiting_together_go_in_one_statement_each_answered_as_alone(app: FastAPI) -> None:
    """Twenty stores' beats at once on a worker: one statement writes them all; among them a
    revoked device, a second computer and a store that is gone, each answered as its own
    statement answers it, and nothing written for them."""
    stores = _stores(app, 20)
    with ctx(app).db.transaction() as session:
        repository.add_agent(session, stores[1][0], "till-1", utcnow())  # store 1 is till-1's
        session.get_one(Device, stores[0][1]).revoked_at = utcnow()
    asks = [_ask(store, device, outbox_backlog=k) for k, (store, device) in enumerate(stores)]
    asks[1] = _ask(*stores[1], instance="till-2")  # another computer on store 1
    asks[2] = _ask("no-such-store", stores[2][1])
    beats = _beats(app)

    async def together() -> list[repository.Beat | None]:
        return await asyncio.gather(*(beats.rounds.ask(a) for a in asks))

    found = _run(beats, together())
    assert (beats.rounds.rounds, beats.rounds.beats) == (1, 20)
    assert found[0] is not None and not found[0].device  # revoked: refused
    assert found[1] is not None and found[1].device and not found[1].speaks  # not its computer
    assert found[2] is None  # the store is gone
    for k in range(3, 20):
        one = found[k]
        assert one is not None and one.device and one.speaks and one.code == f"RD-{k:03d}"
    with ctx(app).db.transaction() as session:
        written = session.execute(select(StoreHeartbeat.store_id, StoreHeartbeat.outbox_backlog))
        reports = {store: backlog for store, backlog in written}
        agents = set(session.scalars(select(StoreAgent.store_id)))
    assert reports == {stores[k][0]: k for k in range(3, 20)}
    assert agents == {stores[k][0] for k in range(1, 20) if k != 2}  # store 1's stays till-1's
    # The same beats one by one: the same answers.
    alone = [_run(beats, _one(beats, a)) for a in asks]
    assert [(b.device, b.speaks, b.code) if b else None for b in alone] == [
        (b.device, b.speaks, b.code) if b else None for b in found
    ]


def _run(beats: Heartbeats, work: Coroutine[Any, Any, T]) -> T:
    """`work` on a loop of its own, the beats' connections closed after."""

    async def then_closed() -> T:
        try:
            return await work
        finally:
            await beats.pool.close()

    return asyncio.run(then_closed())


async def _one(beats: Heartbeats, ask: repository.BeatAsk) -> repository.Beat | None:
    return (await beats._round([ask]))[0]  # type: ignore[return-value]


def test_a_value_postgresql_refuses_fails_only_its_own_beat(app: FastAPI) -> None:
    """A beat whose agent version PostgreSQL cannot hold (a NUL) in a round with a good one:
    the good one is written and answered, the bad one refused with a 422, nothing of it kept."""
    (good_store, good_device), (bad_store, bad_device) = _stores(app, 2)
    rounds = [_ask(good_store, good_device), _ask(bad_store, bad_device, agent_version="1.0\x00")]
    beats = _beats(app)
    found = _run(beats, beats._round(rounds))
    assert isinstance(found[0], repository.Beat) and found[0].speaks
    assert isinstance(found[1], BadRequest) and found[1].status_code == 422
    with ctx(app).db.transaction() as session:
        assert count(session, "store_heartbeat", f"store_id = '{good_store}'") == 1
        assert count(session, "store_heartbeat", f"store_id = '{bad_store}'") == 0


def _asked(store: str, secret_hash: str | None = None) -> repository.BeatAsk:
    beat = Heartbeat(store_id=store, sent_at=utcnow())
    return repository.BeatAsk("device", store, "", beat, utcnow(), secret_hash)


class Held:
    """A round's statement that waits until the test lets it go, recording each round."""

    def __init__(self) -> None:
        self.rounds: list[list[str]] = []
        self.go = asyncio.Event()

    async def run(self, asks: Sequence[repository.BeatAsk]) -> list[Found]:
        self.rounds.append([a.store_id for a in asks])
        await self.go.wait()
        if any(a.store_id == "broken" for a in asks):
            raise RuntimeError("the database went away")
        return [repository.Beat(True, True, a.store_id, None, 0, 0) for a in asks]


async def _settle() -> None:
    for _ in range(50):
        await asyncio.sleep(0)


def test_a_round_takes_one_beat_a_store_and_at_most_its_size_the_rest_keep_their_places() -> None:
    async def scene() -> tuple[list[list[str]], list[str]]:
        held = Held()
        rounds = Rounds(held.run, in_flight=1, most=3)
        first = asyncio.ensure_future(rounds.ask(_asked("a")))
        await _settle()  # a round of one, at once: nothing waits on a timer
        later = [asyncio.ensure_future(rounds.ask(_asked(s))) for s in ("b", "b", "c", "d", "e")]
        await _settle()
        assert held.rounds == [["a"]]  # one statement at a time: the rest wait for it
        held.go.set()
        answers = await asyncio.gather(first, *later)
        return held.rounds, [a.code for a in answers if a is not None]

    taken, codes = asyncio.run(asyncio.wait_for(scene(), 30))
    assert taken == [["a"], ["b", "c", "d"], ["b", "e"]]
    assert codes == ["a", "b", "b", "c", "d", "e"]


def test_a_caller_gone_takes_nobodys_answer_and_a_failed_round_tells_each_of_its_beats() -> None:
    async def scene() -> list[Any]:
        held = Held()
        rounds = Rounds(held.run, in_flight=2, most=10)
        leaving = asyncio.ensure_future(rounds.ask(_asked("a")))
        staying = asyncio.ensure_future(rounds.ask(_asked("b")))
        await _settle()
        leaving.cancel()  # its client hung up while its round ran
        await _settle()
        broken = [asyncio.ensure_future(rounds.ask(_asked(s))) for s in ("broken", "c")]
        held.go.set()
        out: list[Any] = await asyncio.gather(staying, *broken, return_exceptions=True)
        more = await rounds.ask(_asked("d"))  # and the rounds go on
        return [*out, more]

    staying, broken, c, more = asyncio.run(asyncio.wait_for(scene(), 30))
    assert staying.code == "b" and more.code == "d"
    assert isinstance(broken, RuntimeError) and isinstance(c, RuntimeError)


@pytest.mark.parametrize("n", [1, 40])
def test_rounds_of_any_size_write_what_beats_one_by_one_write(app: FastAPI, n: int) -> None:
    """A round of one and a round of forty: every store's report written with its own
    ledgers' marks, and each beat answered with its own store's."""
    stores = _stores(app, n)
    beats = _beats(app)
    asks = [_ask(s, d, acked_seq=k, last_seq=k + 2, feed_cursor=k) for k, (s, d) in enumerate(stores)]
    found = _run(beats, beats._round(asks))
    assert all(isinstance(f, repository.Beat) and f.speaks for f in found)
    with ctx(app).db.transaction() as session:
        rows = session.execute(select(StoreHeartbeat.store_id, StoreHeartbeat.last_seq)).all()
    assert sorted(rows) == sorted((s, k + 2) for k, (s, _) in enumerate(stores))
    again = _run(beats, beats._round([_ask(*stores[0])]))[0]
    assert isinstance(again, repository.Beat) and again.high_water == 0 and again.feed_high_water == 0


def test_the_beats_connections_read_every_table_by_its_key(app: FastAPI) -> None:
    """The round's statement on the beats' connections (`BY_KEY`): an index for every look-up
    and write, however many beats the planner guesses its JSON parameter holds; no table read
    whole, which would cost more with every store the chain adds."""
    stores = _stores(app, 3)
    asks = [_ask(s, d) for s, d in stores]
    pool = AsyncPool(ctx(app).db.url, size=1, planner=BY_KEY)

    async def plan() -> str:
        try:
            async with pool.connection() as conn:
                params = repository.beats_parameters(asks, timedelta(seconds=5), timedelta(seconds=60))
                cur = await conn.execute("EXPLAIN " + repository.BEATS, params)
                return "\n".join(str(row[0]) for row in await cur.fetchall())
        finally:
            await pool.close()

    shown = asyncio.run(plan())
    for table in ("device", "store", "store_agent", "store_heartbeat", "inbound_head", "store_feed_head"):
        assert f"Seq Scan on {table} " not in shown, shown
    assert "Index Scan using pk_store on store" in shown and "Index Scan using pk_device" in shown


def test_a_known_stores_beat_goes_before_the_newcomers_waiting() -> None:
    """A storm's first beats (credentials new to the worker, checked by the statement) wait
    behind the beats of the stores the worker knows, whenever those came."""

    async def scene() -> list[list[str]]:
        held = Held()
        rounds = Rounds(held.run, in_flight=1, most=2)
        waiting = [asyncio.ensure_future(rounds.ask(_asked("first")))]
        await _settle()
        waiting += [asyncio.ensure_future(rounds.ask(_asked(s, "hash"))) for s in ("n1", "n2", "n3")]
        waiting += [asyncio.ensure_future(rounds.ask(_asked(s))) for s in ("k1", "k2", "k3")]
        await _settle()
        held.go.set()
        await asyncio.gather(*waiting)
        return held.rounds

    assert asyncio.run(asyncio.wait_for(scene(), 30)) == [["first"], ["k1", "k2"], ["k3", "n1"], ["n2", "n3"]]


def test_a_storms_first_beats_gather_into_full_rounds_a_known_stores_beat_goes_at_once() -> None:
    """While newcomers wait, a round gathers until a round's worth waits (or `gather_s`), not
    going out with the two or three first beats the loop has read so far; a known store's beat,
    outside a storm, never waits for it."""

    async def scene() -> list[list[str]]:
        held = Held()
        held.go.set()
        rounds = Rounds(held.run, in_flight=2, most=10, gather_s=600)
        known = await rounds.ask(_asked("k1"))  # at once, though the gather would take minutes
        assert known is not None and held.rounds == [["k1"]]
        first = [asyncio.ensure_future(rounds.ask(_asked(f"n{k}", "hash"))) for k in range(3)]
        await _settle()
        first += [asyncio.ensure_future(rounds.ask(_asked(f"n{k}", "hash"))) for k in range(3, 8)]
        first.append(asyncio.ensure_future(rounds.ask(_asked("k2"))))  # in the round gathering
        await _settle()
        assert held.rounds == [["k1"]]  # nine stores waiting: still gathering
        first.append(asyncio.ensure_future(rounds.ask(_asked("n8", "hash"))))  # the tenth
        await asyncio.gather(*first)
        return held.rounds

    taken = asyncio.run(asyncio.wait_for(scene(), 30))
    assert taken == [["k1"], ["k2", *(f"n{k}" for k in range(9))]]


def test_a_lone_first_beat_goes_once_its_gathering_ends() -> None:
    async def scene() -> list[list[str]]:
        held = Held()
        held.go.set()
        rounds = Rounds(held.run, in_flight=2, most=10, gather_s=0.01)
        found = await rounds.ask(_asked("n1", "hash"))
        assert found is not None and found.code == "n1"
        return held.rounds

    assert asyncio.run(asyncio.wait_for(scene(), 30)) == [["n1"]]


def test_a_store_sending_many_beats_at_once_has_one_in_each_round_the_others_beside_it() -> None:
    """A store's agent gone wrong (thirty beats at once) holds no other store's beat back:
    the others go in the next round beside its first, and its own go one a round."""

    async def scene() -> tuple[list[list[str]], int]:
        held = Held()
        rounds = Rounds(held.run, in_flight=1, most=10)
        waiting = [asyncio.ensure_future(rounds.ask(_asked("first")))]
        await _settle()
        waiting += [asyncio.ensure_future(rounds.ask(_asked("flood"))) for _ in range(30)]
        waiting += [asyncio.ensure_future(rounds.ask(_asked(s))) for s in ("x", "y")]
        await _settle()
        held.go.set()
        answered = await asyncio.gather(*waiting)
        return held.rounds, sum(1 for a in answered if a is not None)

    taken, answered = asyncio.run(asyncio.wait_for(scene(), 30))
    assert taken[:3] == [["first"], ["flood", "x", "y"], ["flood"]]
    assert len(taken) == 31 and answered == 33


def test_two_workers_rounds_over_the_same_stores_wait_for_each_other_never_deadlock(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers' rounds over the same thirty stores at once, one in the stores' order and one
    in reverse, twenty times over: each table's rows are written in the order of their stores,
    so one round waits for the other, and PostgreSQL never has to break a deadlock (each would
    cost a second, and the round sent again)."""
    stores = _stores(app, 30)
    one, other = _beats(app), _beats(app)
    asks = [_ask(s, d) for s, d in stores]
    failed: list[BaseException] = []
    written = repository.beats

    async def watched(conn: Any, *args: Any) -> list[repository.Beat | None]:
        try:
            return await written(conn, *args)
        except psycopg.Error as exc:
            failed.append(exc)
            raise

    monkeypatch.setattr(repository, "beats", watched)

    async def together() -> list[Any]:
        answers: list[Any] = []
        try:
            for _ in range(20):
                now = [
                    repository.BeatAsk(a.device_id, a.store_id, a.instance, a.report, utcnow()) for a in asks
                ]
                answers += await asyncio.gather(one._round(now), other._round(now[::-1]))
        finally:
            await one.pool.close()
            await other.pool.close()
        return answers

    answers = asyncio.run(together())
    assert failed == []
    assert all(isinstance(b, repository.Beat) and b.speaks for found in answers for b in found)
