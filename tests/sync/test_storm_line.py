"""A store back from an outage into a storm of stores: the cloud's heartbeat answer gives it
a place in the line of stores sending backlogs, and its agent sends its backlog when its turn
comes (not at once, to be turned away after sending it whole); a store keeps its place
through its next beats, each told the time left as the stores ahead go and as the pace is
measured; a quiet cloud, or a store with a handful of events, pushes at once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from cloud_api.sync import admission as line_module
from cloud_api.sync.admission import (
    BACKLOG_FOR_A_PLACE,
    BEATS_FIRST_S,
    FIRST_HOLD_S,
    GRACE_S,
    LINE_PACE,
    LONGEST_TOLD_S,
    Admission,
    SyncBusy,
)
from cloud_api.sync.repository import BeatAsk
from cloud_api.sync.rounds import Found, Rounds
from store_db.db import StoreDB
from sync.agent import SyncAgent
from sync.agent.loop import _Session
from sync.contract import Heartbeat
from sync.enroll import enroll
from tests.cloud.helpers import ctx
from tests.sync.cloud_orders import register_store_online_orders
from tests.sync.helpers import Cloud, assert_ledgers_agree, enrollment_code
from tests.sync.test_agents import QUICK


class Recorded(httpx.AsyncBaseTransport):
    """The agent's calls, each with when it was sent and answered (monotonic), and the answers."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.calls: list[tuple[str, float, float, bytes]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        sent = time.monotonic()
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        self.calls.append((request.url.path, sent, time.monotonic(), body))
        return httpx.Response(response.status_code, headers=response.headers, content=body)

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_a_backlog_waits_for_its_place_in_the_line(cloud: Cloud, evening_store: Path) -> None:
    with StoreDB(evening_store) as db:
        store_id = enroll(db, cloud.url, enrollment_code(cloud.url)).store_id
    register_store_online_orders(cloud.db, store_id, evening_store)
    admission = ctx(cloud.app).admission
    for n in range(100):  # a hundred stores back from the outage were given their places first
        admission.place(f"store-{n}", 5_000)
    recorded = Recorded()
    with StoreDB(evening_store) as db:
        asyncio.run(SyncAgent(db, QUICK, transport=recorded).sync_once())
    beat = next(c for c in recorded.calls if c[0].endswith("/sync/heartbeat"))
    told = httpx.Response(200, content=beat[3]).json()["push_after_s"]
    assert (
        told >= 1
    )  # 100 stores ahead, each 0.8 of the first guess of a slot's time (0.2 s) over 2 slots: ~8 s
    first_push = next(c for c in recorded.calls if c[0].endswith("/sync/push"))
    assert first_push[1] >= beat[2] + told - 0.05  # sent when its turn came, not before
    assert not [c for c in recorded.calls if c[0].endswith("/sync/push") and b'"stored"' not in c[3]]
    assert_ledgers_agree(evening_store, cloud.db, store_id)  # everything arrived once


def test_a_place_is_kept_until_the_push_is_taken() -> None:
    line = Admission(slots=2, wait_s=0)
    assert line.place("quiet", 5_000) == 0  # a quiet worker: at once
    assert line.place("online", BACKLOG_FOR_A_PLACE) == 0  # a handful of events: at once
    places = [line.place(f"store-{n}", 5_000) for n in range(100)]
    step = LINE_PACE * FIRST_HOLD_S / 2  # 0.08 s: a little less than a slot's time over the slots
    assert places[0] < 0.5 and 100 * step - 3 <= places[-1] <= 100 * step + 1  # spread over ~6 s
    assert line.place("store-99", 5_000) == pytest.approx(places[-1], abs=2)  # its next beat: its place
    with line.held("store-0"):  # the first store's push taken at once: its place is used up
        pass
    assert line.place("store-0", 5_000) >= 100 * step - 3  # more backlog: the end of the line


class Clock:
    """The line's clock, moved by the test: no test here depends on how fast the machine is."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(line_module, "time", fake)
    return fake


def test_a_place_is_revised_as_the_stores_ahead_go_and_as_the_pace_is_measured(clock: Clock) -> None:
    line = Admission(slots=2, wait_s=0)
    step = LINE_PACE * FIRST_HOLD_S / 2  # a store's share of the line before any push is timed
    assert [line.place(f"store-{n}", 5_000) for n in range(10)] == [
        pytest.approx(n * step) for n in range(10)
    ]
    for n in range(4):  # the first four stores' pushes taken, each holding its slot 1 s
        with line.held(f"store-{n}"):
            clock.now += 1.0
        for later in range(n + 1, 10):  # the others beat meanwhile, each told its time left
            line.place(f"store-{later}", 5_000)
    hold = FIRST_HOLD_S
    for _ in range(4):
        hold += 0.2 * (1.0 - hold)  # the slot's time as the line measures it (averaged)
    # Five stores ahead of the last one now, not nine, each at the pace measured: later than
    # the first guess said for five, sooner than it would be for nine at this pace.
    assert line.place("store-9", 5_000) == pytest.approx(round(5 * LINE_PACE * hold / 2, 2))
    assert line.place("store-4", 5_000) == 0  # its turn came


def test_a_store_turned_away_keeps_its_place_and_one_whose_turn_went_by_gives_it_up(
    clock: Clock,
) -> None:
    line = Admission(slots=1, wait_s=0, waiting=0)
    step = LINE_PACE * FIRST_HOLD_S  # one slot
    for n in range(300):
        line.place(f"store-{n}", 5_000)
    with line.held("online"):  # held for the first guess of a slot's time
        with pytest.raises(SyncBusy) as busy, line.held("store-1"):
            pass  # came early: the slot is taken
        clock.now += FIRST_HOLD_S
    assert busy.value.retry_after_s <= 3  # one store ahead of it: not sent to the end of the line
    assert line.place("store-1", 5_000) == pytest.approx(round(step, 2))
    # The back half beats twice; the front half's turns go by (their pushes went to another
    # worker, or they went away) and none of them asks again: the back moves up.
    start, last_front = clock.now, 149 * step
    for since in (last_front / 2, last_front + GRACE_S + 0.5):
        clock.now = start + since
        for n in range(150, 300):
            line.place(f"store-{n}", 5_000)
    assert line.place("store-150", 5_000) == 0
    assert line.place("store-299", 5_000) == pytest.approx(round(149 * step, 2))
    assert line.place("store-0", 5_000) == pytest.approx(round(150 * step, 2))  # back: at the end
    assert line.place("store-299", 5_000) == pytest.approx(round(149 * step, 2))  # not behind it


def test_a_store_further_back_is_told_again_from_the_pace_measured_since(clock: Clock) -> None:
    """Told the longest wait at a storm's first moment (nothing timed yet), a store comes back
    and, the pushes since timed quick, is told its real turn: soon."""
    line = Admission(slots=1, wait_s=0)
    with line.held("A"):
        for n in range(200):
            with pytest.raises(SyncBusy), line.held(f"store-{n}"):
                pass
        with pytest.raises(SyncBusy) as first, line.held("store-199"):
            pass
    assert first.value.retry_after_s == LONGEST_TOLD_S  # 199 ahead at 0.16 s: half a minute
    for n in range(40):  # other stores' pushes, each held no time at all by this clock
        with line.held(f"quick-{n}"):
            pass
    with line.held("A"), pytest.raises(SyncBusy) as again, line.held("store-199"):
        pass
    assert again.value.retry_after_s <= 3  # 199 ahead at almost no time each, and the jitter


def test_the_agent_waits_for_its_place_as_its_beats_revise_it() -> None:
    async def revised() -> None:
        session = _Session(store_id="s", pushed=0, acked=0, cursor=0, last_seq=0)
        session.push_at = time.monotonic() + 10_000  # the first beat's place: far off
        waiting = asyncio.create_task(session.our_turn())
        await asyncio.sleep(0)
        assert not waiting.done()
        session.push_at = time.monotonic()  # the next beat: the stores ahead went
        session.place_moved.set()
        await asyncio.wait_for(waiting, 60)  # pushed then, not 10,000 s after the first beat

    asyncio.run(revised())


def test_a_worker_with_stores_waiting_for_their_turn_leaves_applying_to_the_appliers(
    clock: Clock,
) -> None:
    """A push on a quiet worker applies its own events before it answers; with stores waiting
    in the line for their turn, it leaves them to the appliers and frees its slot at once."""
    line = Admission(slots=2, wait_s=0)
    with line.held("online"):
        assert line.quiet()
    line.place("back-1", 5_000)
    line.place("back-2", 5_000)
    with line.held("online"):
        assert not line.quiet()
    clock.now += 10  # their turns went by with no word from them: they left the line
    with line.held("online"):
        assert line.quiet()


def test_backlogs_wait_while_other_stores_first_beats_wait_for_their_answers(clock: Clock) -> None:
    """A storm's first second: the stores answered first are told to send their backlogs once
    the thousand first beats behind them are answered, not at once (their pushes' bodies were
    read beside the others' beats), the line a moment later with its spacing kept; a store's
    place is kept through that wait, and once no first beat waits, its place alone is told."""
    line = Admission(slots=2, wait_s=0)
    step = LINE_PACE * FIRST_HOLD_S / 2  # a store's share of the line before any push is timed
    assert line.place("first", 5_000, beats_waiting=True) == BEATS_FIRST_S  # first in line, yet held
    assert line.place("second", 5_000, beats_waiting=True) == pytest.approx(BEATS_FIRST_S + step)
    assert line.place("online", BACKLOG_FOR_A_PLACE, beats_waiting=True) == BEATS_FIRST_S  # a handful too
    assert line.place("caught up", 0, beats_waiting=True) == 0  # nothing to send: nothing to wait for
    assert line.place("third", 5_000) == pytest.approx(2 * step)  # no first beat waits: its place
    clock.now += BEATS_FIRST_S + step + GRACE_S - 0.1  # not given up while it waited as told
    assert line.place("second", 5_000) == pytest.approx(step)  # still behind "first"
    # "third" let its turn go by: the next store is behind the two held ones only.
    assert line.place("fourth", 5_000, beats_waiting=True) == pytest.approx(BEATS_FIRST_S + 2 * step)


def test_rounds_tell_whether_newcomers_beats_wait() -> None:
    """What `Admission.place` is told: a newcomer's beat waits for its round until the round
    that carries it has run; a known store's beat is not a newcomer's."""

    async def scenario() -> list[bool]:
        release = asyncio.Event()

        async def run(asks: Sequence[BeatAsk]) -> list[Found]:
            await release.wait()
            return [None] * len(asks)

        rounds = Rounds(run, in_flight=1)
        seen = [rounds.newcomers_waiting]
        first = asyncio.create_task(rounds.ask(_ask("known", None)))  # its round runs at once
        for _ in range(3):
            await asyncio.sleep(0)
        newcomer = asyncio.create_task(rounds.ask(_ask("back", "hash")))
        for _ in range(3):
            await asyncio.sleep(0)
        seen.append(rounds.newcomers_waiting)  # behind the known store's round
        release.set()
        await asyncio.gather(first, newcomer)
        seen.append(rounds.newcomers_waiting)
        return seen

    assert asyncio.run(asyncio.wait_for(scenario(), 30)) == [False, True, False]


def _ask(store_id: str, secret_hash: str | None) -> BeatAsk:
    beat = Heartbeat(store_id=store_id, sent_at=datetime.now(UTC), instance="till-1")
    return BeatAsk("device", store_id, "till-1", beat, datetime.now(UTC), secret_hash)
