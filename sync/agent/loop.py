"""The store agent's sync: the outbox up to the cloud, the cloud's feed down to the store.

One connection to the cloud is a *session*: a heartbeat first (the cloud says how far
it holds our events and how far our feed goes: both marks are checked on every
connect), then four tasks until something fails or the agent stops:

    push       outbox batches in seq order; the store marks events sent only on the
               cloud's acknowledgement (its high-water mark); a timeout resends; a
               backlog waits for the place in line a heartbeat's answer gives it
    pull       feed pages by cursor, each applied in one SQLite transaction; on a nudge,
               on the heartbeat's news, and every `poll_s` regardless
    heartbeat  every `heartbeat_s` give or take (`protocol.beat_delay`: stores back together
               do not beat in step): keeps the store "online" for online orders
    nudges     the websocket; down is fine (polling covers it), it keeps reconnecting

A failed session (no answer, a timeout, a server error) marks the store offline and
waits a capped, jittered, growing delay before the next; the delay only starts again
from short after a session that stayed up, so a session that keeps failing right after
it connects never turns into a reconnect storm. Each failure is one log line, and the
same failure repeated is logged at most once a minute. A refused credential stops
syncing until the store is enrolled again; a second computer syncing as this store
(a copied database) is refused by the cloud and retried slowly; the print queue is
never affected.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx

from store_db.db import StoreDB
from sync import contract, failpoints
from sync.agent import nudges
from sync.agent.ledger import Ledger, Link, Position
from sync.agent.link import CloudLink, agent_instance, auth_headers
from sync.agent.pacing import Repeats, first_of, wait_or_stop
from sync.agent.progress import DrainProgress
from sync.agent.settings import AgentSettings
from sync.errors import (
    CloudBusy,
    CloudUnreachable,
    DeviceRefused,
    NotEnrolled,
    OutOfStep,
    ProtocolMismatch,
    SecondDevice,
)
from sync.protocol import Backoff, beat_delay, reconcile

log = logging.getLogger("sync")
PrinterHealthSource = Callable[[], list[contract.PrinterHealth]]
T = TypeVar("T")
# A long backlog (after an outage) goes in pushes this many times the usual batch (when the
# store keeps the usual one), up to the cloud's limit (`PushBatch`): fewer round trips.
BACKLOG_FACTOR = 4
NOT_CONNECTED = (
    "This store is not connected to the cloud: printing only, no online orders. "
    "Connect it with: makeline enroll --db {db} --cloud URL --code CODE"
)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Session:
    store_id: str
    pushed: int  # the cloud holds every event up to here (as far as this session knows)
    acked: int  # what the store has recorded as acknowledged
    cursor: int  # the last feed entry applied here
    last_seq: int
    problem: str = ""  # set when pushing must stop (the ledgers disagree)
    push_at: float = 0.0  # the next push not before this (monotonic): the cloud's line
    socket_up: bool = False
    wake_pull: asyncio.Event = field(default_factory=asyncio.Event)
    place_moved: asyncio.Event = field(default_factory=asyncio.Event)  # a beat revised push_at

    async def our_turn(self) -> None:
        """Wait for our place in the cloud's line, as each heartbeat revises it (sooner as the
        stores ahead of us go, later if the cloud is slower than it first thought)."""
        while (wait := self.push_at - time.monotonic()) > 0:
            self.place_moved.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.place_moved.wait(), wait)


class SyncAgent:
    def __init__(
        self,
        db: StoreDB,
        settings: AgentSettings | None = None,
        printers: PrinterHealthSource | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        version: str = "",
    ) -> None:
        self.db = db
        self.ledger = Ledger(db)
        self.settings = settings or AgentSettings()
        self.printers = printers
        self.transport = transport
        self.version = version
        self.backoff = Backoff(cap=self.settings.backoff_cap_s)
        self._refused: str | None = None  # a credential the cloud refused: wait for a new one
        self._said_not_enrolled = False
        self._drain = DrainProgress()
        self.instance = agent_instance(db.path)
        self._repeats = Repeats()
        self._tls: ssl.SSLContext | None = None  # one for every session: see `_client`

    async def _io(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(fn, *args)

    # The long-running agent.

    async def run(self, stop: asyncio.Event) -> None:
        """Sync until `stop` is set, through every outage."""
        while not stop.is_set():
            link = await self._io(self.ledger.link)
            if link is None or link.device_token == self._refused:
                if link is None and not self._said_not_enrolled:
                    log.warning("sync: %s", NOT_CONNECTED.format(db=self.db.path))
                    self._said_not_enrolled = True
                await wait_or_stop(stop, self.settings.enroll_check_s)
                continue
            if self._said_not_enrolled:
                log.info("sync: this store is now enrolled with %s", link.cloud_url)
                self._said_not_enrolled = False
            started = time.monotonic()
            try:
                await self._session(link, stop)
            except (DeviceRefused, ProtocolMismatch) as exc:
                self._refused = link.device_token
                status = "revoked" if isinstance(exc, DeviceRefused) else "offline"
                await self._io(self.ledger.record, status, str(exc))
                log.error("sync: STOPPED. %s", exc)
            except SecondDevice as exc:
                self._settle(started)
                delay = max(self.backoff.next_delay(), self.settings.backoff_cap_s)
                await self._io(self.ledger.record, "offline", str(exc))
                self._repeats.log(logging.ERROR, f"sync: REFUSED. {exc}")
                await wait_or_stop(stop, delay)
            except (CloudUnreachable, OutOfStep, OSError) as exc:
                self._settle(started)
                delay = self.backoff.next_delay()
                await self._io(self.ledger.record, "offline", str(exc))
                self._repeats.log(logging.WARNING, f"sync: offline: {exc} Trying again shortly.")
                await wait_or_stop(stop, delay)
            except Exception as exc:  # e.g. the store's disk is full: keep trying, keep printing
                self._settle(started)
                delay = self.backoff.next_delay()
                self._repeats.log(
                    logging.ERROR,
                    f"sync: stopped by an unexpected error ({type(exc).__name__}: {exc}); trying again",
                )
                with contextlib.suppress(Exception):
                    await self._io(self.ledger.record, "offline", f"Sync failed: {exc}")
                await wait_or_stop(stop, delay)

    def _settle(self, started: float) -> None:
        """A session that stayed up longer than the longest wait earns short waits again."""
        if time.monotonic() - started > self.settings.backoff_cap_s:
            self.backoff.reset()

    async def sync_once(self, attempts: int = 5) -> Position:
        """Send everything waiting and apply the whole feed, trying again through short
        outages (`attempts` sessions at most); return where both ledgers stand."""
        link = await self._io(self.ledger.link)
        if link is None:
            raise NotEnrolled(NOT_CONNECTED.format(db=self.db.path))
        for attempt in range(1, attempts + 1):
            try:
                async with self._client(link) as http:
                    cloud = CloudLink(http)
                    session = await self._connect(cloud)
                    while await self._push_batch(cloud, session, self._drain):
                        pass
                    self._drain.finish()
                    await self._pull_all(cloud, session)
                    await self._beat(cloud, session)
                break
            except (CloudUnreachable, OSError) as exc:
                if attempt == attempts:
                    await self._io(self.ledger.record, "offline", str(exc))
                    raise
                delay = self.backoff.next_delay()
                log.warning("sync: %s Trying again in %.1f s.", exc, delay)
                await asyncio.sleep(delay)
        return await self._io(self.ledger.position)

    # One connection.

    def _client(self, link: Link) -> httpx.AsyncClient:
        timeout = httpx.Timeout(self.settings.timeout_s, connect=self.settings.connect_s)
        if self._tls is None:  # ~40 ms of CPU each time: a store reconnecting often paid it each time
            self._tls = httpx.create_ssl_context()
        return httpx.AsyncClient(
            verify=self._tls,
            base_url=link.cloud_url,
            headers=auth_headers(link.device_token, self.instance),
            timeout=timeout,
            transport=self.transport,
            # Our beats, 15 s apart, on one connection (httpx lets go of an idle one after 5 s).
            limits=httpx.Limits(
                max_connections=100,
                max_keepalive_connections=20,
                keepalive_expiry=contract.AGENT_KEEPS_IDLE_S,
            ),
        )

    async def _session(self, link: Link, stop: asyncio.Event) -> None:
        async with self._client(link) as http:
            cloud = CloudLink(http)
            session = await self._connect(cloud)
            tasks = [
                asyncio.create_task(self._pusher(cloud, session), name="push"),
                asyncio.create_task(self._puller(cloud, session), name="pull"),
                asyncio.create_task(self._heartbeats(cloud, session), name="heartbeat"),
                asyncio.create_task(self._nudges(link, session), name="nudges"),
                asyncio.create_task(stop.wait(), name="stop"),
            ]
            await first_of(tasks)

    async def _connect(self, cloud: CloudLink) -> _Session:
        here = await self._io(self.ledger.position)
        session = _Session("", here.acked_seq, here.acked_seq, here.feed_cursor, here.last_seq)
        ack = await self._beat(cloud, session)
        if ack.protocol > contract.PROTOCOL:
            raise ProtocolMismatch(contract.too_new(ack.protocol, "cloud"))
        session.store_id = ack.store_id
        found = reconcile(here.acked_seq, here.last_seq, ack.high_water)
        session.pushed, session.problem = found.push_from, found.problem
        if found.acked_to:
            await self._acknowledge(session, found.acked_to)
        if found.problem:
            log.error("sync: not sending events: %s", found.problem)
        if ack.high_water < here.acked_seq:
            log.warning(
                "sync: the cloud holds our events only up to #%d (we had #%d acknowledged); sending them again",
                ack.high_water,
                here.acked_seq,
            )
        if ack.feed_high_water < session.cursor:
            log.error(
                "sync: the cloud's feed for this store ends at #%d but this store applied up to #%d; "
                "enroll the store again if it was moved to another cloud",
                ack.feed_high_water,
                session.cursor,
            )
        await self._io(self.ledger.record, "online", found.problem)
        log.info(
            "sync: connected as store %s (%s): %d event(s) to send, feed at #%d of #%d",
            ack.store_id,
            ack.store_code or "?",
            max(0, here.last_seq - session.pushed),
            session.cursor,
            ack.feed_high_water,
        )
        session.wake_pull.set()
        return session

    async def _acknowledge(self, session: _Session, high_water: int) -> None:
        if high_water > session.acked:
            await self._io(self.ledger.acknowledge, high_water)
            session.acked = high_water

    # Store → cloud.

    async def _pusher(self, cloud: CloudLink, session: _Session) -> None:
        while True:
            if session.problem or not await self._push_batch(cloud, session, self._drain):
                self._drain.finish()
                await asyncio.sleep(self.settings.idle_s)

    async def _push_batch(
        self, cloud: CloudLink, session: _Session, drain: DrainProgress | None = None
    ) -> bool:
        """Send the next batch; False when there was nothing to send."""
        size = self.settings.batch
        # A long backlog: larger pushes, up to the cloud's limit; a store set to smaller
        # batches than the usual (a slow link) keeps them.
        if drain is not None and drain.running and size >= contract.MAX_BATCH:
            size = min(contract.MAX_BATCH * BACKLOG_FACTOR, size * BACKLOG_FACTOR)
        batch = await self._io(self.ledger.batch, session.pushed, size)
        if not batch:
            return False
        first, last = batch[0].seq, batch[-1].seq
        session.last_seq = max(session.last_seq, last)
        if drain is not None and not drain.running and len(batch) * 2 >= self.settings.batch:
            here = await self._io(self.ledger.position)
            if here.last_seq - session.pushed > self.settings.batch:  # a backlog: log its drain
                drain.start(here.last_seq - session.pushed)
        await session.our_turn()  # our place in the cloud's line (its heartbeats' answer)
        failpoints.hit("agent.before_push")
        ack = await self._push_when_admitted(
            cloud, contract.PushBatch(store_id=session.store_id, instance=self.instance, events=batch)
        )
        if ack.quarantined:
            log.warning(
                "sync: the cloud set %d of our events aside (it could not apply them); head office sees why",
                ack.quarantined,
            )
        failpoints.hit("agent.after_answer")
        if ack.high_water < first:
            raise OutOfStep(
                f"The cloud holds our events only up to #{ack.high_water} and did not take #{first}; "
                "trying again."
            )
        await self._acknowledge(session, ack.high_water)
        session.pushed = ack.high_water
        if drain is not None and drain.running:
            drain.sent(last - first + 1, session.pushed)
        return True

    async def _push_when_admitted(self, cloud: CloudLink, batch: contract.PushBatch) -> contract.PushAck:
        """Push; when the cloud answers 429 (it is applying as many stores as it can), the
        same batch goes again after its Retry-After, the session staying up meanwhile."""
        while True:
            try:
                return await cloud.push(batch)
            except CloudBusy as exc:
                self._repeats.log(
                    logging.INFO,
                    "sync: the cloud is busy with other stores; our batch goes again when it says",
                )
                await asyncio.sleep(exc.retry_after_s)

    # Cloud → store.

    async def _puller(self, cloud: CloudLink, session: _Session) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(session.wake_pull.wait(), timeout=self.settings.poll_s)
            session.wake_pull.clear()
            await self._pull_all(cloud, session)

    async def _pull_all(self, cloud: CloudLink, session: _Session) -> None:
        started, total = time.monotonic(), 0
        while True:
            page = await cloud.pull(session.cursor, self.settings.page)
            if page.entries:
                before = await self._io(self.ledger.position)
                applied, session.cursor = await self._io(self.ledger.apply_page, list(page.entries))
                total += applied
                after = await self._io(self.ledger.position)
                if after.set_aside > before.set_aside:
                    log.warning(
                        "sync: %d feed entr(ies) could not be applied and were set aside (the store "
                        "manager sees them; the cloud is told); the rest were applied",
                        after.set_aside - before.set_aside,
                    )
            if not (page.more and page.entries):
                break
            log.info("sync: applying the cloud's feed: at #%d of #%d", session.cursor, page.high_water)
        if total >= self.settings.page:
            took = time.monotonic() - started
            log.info("sync: applied %d feed entries in %.1f s", total, took)

    # Heartbeat and nudges.

    async def _beat(self, cloud: CloudLink, session: _Session) -> contract.HeartbeatAck:
        printers = await self._io(self.printers) if self.printers is not None else []
        here = await self._io(self.ledger.position)
        load = await self._io(self.ledger.live_load)
        ack = await cloud.heartbeat(
            contract.Heartbeat(
                store_id=session.store_id,
                instance=self.instance,
                sent_at=_now(),
                last_seq=session.last_seq,
                outbox_backlog=max(0, session.last_seq - session.acked),
                acked_seq=session.acked,
                feed_cursor=session.cursor,
                quarantined=here.set_aside,
                printers=printers,
                agent_version=self.version,
                menu_version=here.menu_version,
                load=load,
                unseen_orders=here.unseen_orders,
                unseen_late=list(here.unseen_late),
            )
        )
        if ack.push_after_s and session.push_at <= time.monotonic():
            log.info(
                "sync: the cloud is taking many stores' backlogs; ours goes in %.0f s, its place in line",
                ack.push_after_s,
            )
        session.push_at = time.monotonic() + ack.push_after_s  # our place, as the cloud sees it now
        session.place_moved.set()
        if session.store_id and ack.high_water > session.acked and not session.problem:
            await self._acknowledge(session, min(ack.high_water, session.last_seq))
        if ack.feed_high_water > session.cursor:
            session.wake_pull.set()
        return ack

    async def _heartbeats(self, cloud: CloudLink, session: _Session) -> None:
        first = True  # the session's first beat came as it opened: out of step from here on
        while True:
            await asyncio.sleep(beat_delay(self.settings.heartbeat_s, first))
            first = False
            here = await self._io(self.ledger.position)
            session.last_seq = here.last_seq
            await self._beat(cloud, session)
            await self._io(self.ledger.record, "online", session.problem)

    async def _nudges(self, link: Link, session: _Session) -> None:
        async def hello(message: contract.Hello) -> None:
            if message.feed_high_water > session.cursor:
                session.wake_pull.set()

        def nudge(cursor: int) -> None:
            if cursor > session.cursor or cursor <= 0:
                session.wake_pull.set()

        def up(now_up: bool) -> None:
            if now_up != session.socket_up:
                state = "on" if now_up else f"off: polling every {self.settings.poll_s:.0f} s"
                log.info("sync: nudges %s", state)
            session.socket_up = now_up

        await nudges.listen(
            link.cloud_url,
            link.device_token,
            hello,
            nudge,
            up,
            instance=self.instance,
            connect_s=self.settings.connect_s,
            retry_cap_s=self.settings.poll_s,
        )


async def sync_forever(agent: SyncAgent, should_stop: Callable[[], bool], check_s: float = 0.25) -> None:
    """Run `agent` until `should_stop()` (e.g. a thread event set by a signal handler)."""
    stop = asyncio.Event()

    async def watch() -> None:
        while not should_stop():
            await asyncio.sleep(check_s)
        stop.set()

    watcher = asyncio.create_task(watch())
    try:
        await agent.run(stop)
    finally:
        watcher.cancel()
