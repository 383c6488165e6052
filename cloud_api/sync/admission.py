"""Sync work admitted at the rate a worker can apply it, customers first.

A worker stores and applies at most `slots` pushes at once; a few more (`waiting`, twice
the slots) wait up to `wait_s` for a slot, then are answered 429 with a `Retry-After`, and
any beyond those are answered so at once; the store's agent obeys it (its batch is kept and
sent again then, unchanged). The stores turned away form a line: each is told to come back
one push's time after the one before it (the time a slot is held, measured, over the
slots), so a thousand stores reconnecting at once come back at the rate the worker stores
their pushes, not all within the same few seconds to be turned away again (every push
turned away was sent and read whole for nothing). A store that says in its heartbeat it
has a backlog to send is given its place in that line before it sends it (`place`): a
storm's stores send each backlog once, when its turn comes. A push of a store whose previous batch
this worker is still applying (an agent that restarted, or resent after its timeout) waits
for it (up to `store_wait_s`) and then finds it stored: a batch is never applied twice in
parallel. Waiting holds no thread, and few wait: a waiting push holds what the server has
read of its body (a thousand stores' first chunks were most of a worker's memory in a
storm) and its polls take the event loop. Work done is kept: nothing waits long enough
for the agent's own timeout to send it again.

Sync work that needs a thread (storing a push, a quiet worker's apply, a pull, a new
computer's first beat, a websocket's claim) runs on the admission's own threads (`run`),
never on the handler threads customers' orders and trackers use: a storm of stores can
queue for those few threads, a customer's order never queues behind it.
"""

from __future__ import annotations

import asyncio
import math
import random
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TypeVar, TypeVarTuple, Unpack

import anyio
import anyio.to_thread

from cloud_api.errors import TooManyAttempts

T = TypeVar("T")
Args = TypeVarTuple("Args")

POLL_S = 0.05  # how often a waiting push looks for a free slot
QUIET_AFTER_S = 5.0  # a worker that turned a push away this recently is not quiet
STILL_APPLYING = "The cloud is still applying this store's previous batch."
SPARE_THREADS = 4  # sync threads beside the push slots: pulls, first beats, websockets
FIRST_HOLD_S = 0.2  # how long a push holds its slot, until one has been timed
LONGEST_LINE_S = 120  # the latest a store turned away is told to come back (the agent obeys 300)
# A store whose outbox holds more than this is back from an outage (an online store's holds a
# handful): its heartbeat is given a place in the line before its backlog is sent.
BACKLOG_FOR_A_PLACE = 100
LINE_PACE = 0.6  # of a slot's time: stores come back a little faster than slots free up
MAX_PLACES = 20_000  # places remembered at most (a chain's stores)


class SyncBusy(TooManyAttempts):
    """The cloud is applying as many stores' events as it can: try again after a while."""


class Admission:
    def __init__(
        self,
        slots: int,
        wait_s: float = 1.0,
        retry_after_s: int = 1,
        store_wait_s: float = 10.0,
        waiting: int | None = None,
    ) -> None:
        self.slots, self.wait_s, self.retry_after_s = max(1, slots), wait_s, max(1, retry_after_s)
        self.max_waiting = 2 * self.slots if waiting is None else max(0, waiting)
        # A store's own previous batch (its agent restarted mid-push) is short: wait it out.
        self.store_wait_s = max(wait_s, store_wait_s)
        self._lock = threading.RLock()
        self._hold_s = FIRST_HOLD_S  # a slot's time, averaged over the latest pushes
        self._line_end = 0.0  # the end of the line: the next place free (monotonic)
        self._in_use = 0
        self._waiting = 0
        self._turned_away_at = -QUIET_AFTER_S
        self._busy_stores: set[str] = set()
        self._places: dict[str, float] = {}  # a store's place in the line (monotonic)
        # Wakes this worker's applier (`sync.applier`): a push left its events to it.
        self.applier_wake = threading.Event()
        self.threads = anyio.CapacityLimiter(self.slots + SPARE_THREADS)

    async def run(self, work: Callable[[Unpack[Args]], T], *args: *Args) -> T:
        """`work(*args)` on one of the sync threads (never a customer's handler thread)."""
        return await anyio.to_thread.run_sync(work, *args, limiter=self.threads)

    def quiet(self) -> bool:
        """No other push is being stored or waits for a slot: the one asking may apply its own
        events before it answers. Otherwise they are left to the appliers."""
        with self._lock:
            calm = time.monotonic() - self._turned_away_at > QUIET_AFTER_S
            return self._in_use <= 1 and self._waiting == 0 and calm

    def _busy(self, why: str, store_id: str) -> SyncBusy:
        """A 429 for a store turned away: its place at the end of the line, each store one
        slot's time after the one before, jittered a little."""
        with self._lock:
            now = time.monotonic()
            turn = self._next_turn(now + self.retry_after_s)
            wait = min(LONGEST_LINE_S, math.ceil(turn - now) + random.randint(0, 2 * self.retry_after_s))
            self._remember(store_id, now + wait, now)  # what its next heartbeat is told too
            self._turned_away_at = now
        return SyncBusy(f"{why} Sending again in {wait} s; nothing is lost.", wait)

    def place(self, store_id: str, backlog: int) -> float:
        """Seconds before a store with `backlog` events waiting should push them: 0 while this
        worker has room, else its place at the end of the line (a heartbeat's answer). A
        store keeps the place it was given (its next beats are told the time left), until
        its push is taken."""
        if backlog <= BACKLOG_FOR_A_PLACE:
            return 0.0
        with self._lock:
            now = time.monotonic()
            turn = self._places.get(store_id, 0.0)
            if turn <= now:
                turn = self._next_turn(now)
                self._remember(store_id, turn, now)
            return min(float(LONGEST_LINE_S), round(turn - now, 2))  # to the hundredth: no bunching

    def _next_turn(self, earliest: float) -> float:
        """The next place at the end of the line, not before `earliest` (under the lock). Two
        places are a slot's time over the slots apart, a little less (`LINE_PACE`), so a slot
        freed finds the next store's push already waiting."""
        turn = max(self._line_end, earliest)
        self._line_end = turn + LINE_PACE * self._hold_s / self.slots
        return turn

    def _remember(self, store_id: str, turn: float, now: float) -> None:
        if len(self._places) >= MAX_PLACES:  # places long past: stores that went away
            self._places = {s: t for s, t in self._places.items() if t > now}
        self._places[store_id] = turn

    def _try(self, store_id: str) -> str:
        """Take a slot for the store; '' when taken, else why not."""
        with self._lock:
            if store_id in self._busy_stores:
                return STILL_APPLYING
            if self._in_use >= self.slots:
                return "The cloud is applying many stores' events at once."
            self._busy_stores.add(store_id)
            self._places.pop(store_id, None)
            self._in_use += 1
            return ""

    def _leave(self, store_id: str, since: float) -> None:
        with self._lock:
            self._busy_stores.discard(store_id)
            self._in_use -= 1
            self._hold_s += 0.2 * (time.monotonic() - since - self._hold_s)

    @asynccontextmanager
    async def slot(self, store_id: str) -> AsyncIterator[None]:
        """A slot for the store's push, waited for without holding a handler thread."""
        started = time.monotonic()
        if why := self._try(store_id):
            with self._lock:
                if self._waiting >= self.max_waiting and why is not STILL_APPLYING:
                    raise self._busy(why, store_id)  # enough wait already: come back later
                self._waiting += 1
            try:
                while why:
                    waited = time.monotonic() - started
                    if waited >= (self.store_wait_s if why is STILL_APPLYING else self.wait_s):
                        raise self._busy(why, store_id)
                    await asyncio.sleep(POLL_S)
                    why = self._try(store_id)
            finally:
                with self._lock:
                    self._waiting -= 1
        taken = time.monotonic()
        try:
            yield
        finally:
            self._leave(store_id, taken)

    @contextmanager
    def held(self, store_id: str) -> Iterator[None]:
        """A slot taken at once or refused (`SyncBusy`), from a thread."""
        if why := self._try(store_id):
            raise self._busy(why, store_id)
        taken = time.monotonic()
        try:
            yield
        finally:
            self._leave(store_id, taken)
