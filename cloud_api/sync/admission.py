"""Sync work admitted at the rate a worker can apply it, customers first.

A worker stores and applies at most `slots` pushes at once; a few more (`waiting`, twice
the slots) wait up to `wait_s` for a slot, then are answered 429 with a `Retry-After`, and
any beyond those are answered so at once; the store's agent obeys it (its batch is kept and
sent again then, unchanged). The stores turned away form a line, each with its ticket (the
order it joined in): a store is told to come back when the stores ahead of it should have
had their turn (a slot's time, measured, over the slots, for each), so a thousand stores
reconnecting at once come back at the rate the worker stores their pushes, not all within
the same few seconds to be turned away again. The wait is told to the hundredth of a second
(in the answer's body; `Retry-After` has whole seconds), so the stores told in one second do
not all come back in one instant, and never more than `LONGEST_TOLD_S`: one further back
comes back then and is told again, from the pace measured since. A store that says in its
heartbeat it has a backlog to send is given its ticket before it sends it (`place`), and
each of its beats is told the time left from the stores still ahead of it and the pace
measured now: a place given at a storm's first beats, before any push was timed, is revised
as the pace is learnt and as the stores ahead go, and a store turned away keeps its ticket.
A ticket whose turn came and went with neither a push nor a word from its store (its push
went to another worker, or it went away) is given up after `GRACE_S`. A storm's stores send
each backlog once, when its turn comes.

A push of a store whose previous batch this worker is still applying (an agent that
restarted, or resent after its timeout) waits for it (up to `store_wait_s`) and then finds
it stored: a batch is never applied twice in parallel. Waiting holds no thread, and few
wait: a waiting push holds what the server has read of its body (a thousand stores' first
chunks were most of a worker's memory in a storm) and its polls take the event loop. Work
done is kept: nothing waits long enough for the agent's own timeout to send it again.

Sync work that needs a thread (storing a push, a quiet worker's apply, a pull, a new
computer's first beat, a websocket's claim) runs on the admission's own threads (`run`),
never on the handler threads customers' orders and trackers use: a storm of stores can
queue for those few threads, a customer's order never queues behind it.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from bisect import bisect_left
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
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
LONGEST_LINE_S = 120  # the latest a store's beat places its push (the agent obeys 300)
# The longest a push turned away is told to wait: a store further back in the line comes back
# then and is told again, from the pace measured since. A storm's first second, before any push
# was timed, and a store whose push finds another worker than its first (a line is a worker's)
# sent stores a minute away while the slots stood idle. Turned away before its body is read, a
# push costs little; a store comes back at most once in this long, below its heartbeats' rate.
LONGEST_TOLD_S = 10.0
# A store whose outbox holds more than this is back from an outage (an online store's holds a
# handful): its heartbeat is given a place in the line before its backlog is sent.
BACKLOG_FOR_A_PLACE = 100
# A store told its place while other stores' first beats still wait on the worker (a storm's
# first second) sends its backlog this much later than its place says: a thousand first beats
# are answered before the pushes' bodies are read beside them (the first pushes, sent the moment
# the first beats were answered, put ~0.1 s on the last first beats' answers).
BEATS_FIRST_S = 1.0
LINE_PACE = 0.8  # of a slot's time: stores come back a little faster than slots free up
MAX_PLACES = 20_000  # places remembered at most (a chain's stores)
GRACE_S = 2.0  # a store's turn came this long ago, and no push nor word from it: it left the line
SWEEP_EVERY_S = 0.25  # how often the line is swept of the places given up


@dataclass(slots=True)
class _Ticket:
    """A store's place in the line: the order it joined in, and when its turn comes."""

    number: int
    due: float  # when it was last told its turn comes (monotonic)


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
        self._in_use = 0
        self._waiting = 0
        self._turned_away_at = -QUIET_AFTER_S
        self._busy_stores: set[str] = set()
        # The line: each store's ticket, in the order they joined (numbers only grow, so the
        # dict's order is the numbers' order), and the numbers alone, sorted.
        self._line: dict[str, _Ticket] = {}
        self._tickets: list[int] = []
        self._issued = 0
        self._swept_at = 0.0
        # Wakes this worker's applier (`sync.applier`): a push left its events to it.
        self.applier_wake = threading.Event()
        self.threads = anyio.CapacityLimiter(self.slots + SPARE_THREADS)

    async def run(self, work: Callable[[Unpack[Args]], T], *args: *Args) -> T:
        """`work(*args)` on one of the sync threads (never a customer's handler thread)."""
        return await anyio.to_thread.run_sync(work, *args, limiter=self.threads)

    def quiet(self) -> bool:
        """No other push is being stored or waits for a slot, and no store waits for its turn
        in the line: the one asking may apply its own events before it answers. Otherwise
        they are left to the appliers (in a storm whose stores all come at their turn, a push
        applying its own events held its slot, and the storer, for the time of an apply)."""
        with self._lock:
            now = time.monotonic()
            self._sweep(now)
            calm = now - self._turned_away_at > QUIET_AFTER_S and not self._line
            return self._in_use <= 1 and self._waiting == 0 and calm

    def _busy(self, why: str, store_id: str) -> SyncBusy:
        """A 429 for a store turned away: come back when the stores ahead of it in the line
        should have had their turn (it keeps its ticket, or joins at the end), jittered a little."""
        with self._lock:
            now = time.monotonic()
            turn = max(float(self.retry_after_s), self._turn(store_id, now))
            # To the hundredth, not the second: stores told in the same second came back in
            # the same instant, a few were taken and the rest turned away again, while the
            # slots stood idle between the bursts.
            wait = min(LONGEST_TOLD_S, round(turn + random.uniform(0, 2 * self.retry_after_s), 2))
            if (spot := self._line.get(store_id)) is not None:
                spot.due = now + wait  # its ticket kept: it comes back then
            self._turned_away_at = now
        return SyncBusy(f"{why} Sending again in {wait} s; nothing is lost.", wait)

    def place(self, store_id: str, backlog: int, beats_waiting: bool = False) -> float:
        """Seconds before a store with `backlog` events waiting should push them (a heartbeat's
        answer): the time the stores ahead of it in the line take at the pace measured now, 0
        when none is; `BEATS_FIRST_S` more while other stores' first beats wait on this
        worker (`beats_waiting`), a handful of events too (a short outage's thousand backlogs,
        below a place in the line, were sent the moment their beats were answered). A store
        keeps its ticket through its beats until its push is taken."""
        if backlog <= BACKLOG_FOR_A_PLACE:  # a handful of events: no place in the line
            return BEATS_FIRST_S if beats_waiting and backlog > 0 else 0.0
        # While first beats wait, the whole line a moment later, its spacing kept: no bunching.
        later = BEATS_FIRST_S if beats_waiting else 0.0
        with self._lock:
            wait = self._turn(store_id, time.monotonic(), later)
            return min(float(LONGEST_LINE_S), round(wait, 2))  # to the hundredth: no bunching

    def _turn(self, store_id: str, now: float, later: float = 0.0) -> float:
        """Seconds until the store's turn (under the lock): the stores ahead of it in the line,
        each a slot's time over the slots, a little less (`LINE_PACE`), so a slot freed finds
        the next push waiting, and `later` after that. A store not in the line joins it at the
        end, if it has room."""
        self._sweep(now)
        spot = self._line.get(store_id)
        if spot is None:
            if len(self._line) >= MAX_PLACES:
                return self._time_for(len(self._tickets)) + later
            spot = self._line[store_id] = _Ticket(self._issued, now)
            self._tickets.append(self._issued)
            self._issued += 1
        wait = self._time_for(bisect_left(self._tickets, spot.number)) + later
        spot.due = now + min(wait, LONGEST_LINE_S)  # its turn is then: not given up before
        return wait

    def _time_for(self, ahead: int) -> float:
        return ahead * LINE_PACE * self._hold_s / self.slots

    def _sweep(self, now: float) -> None:
        """Places given up out of the line, a few times a second at most: a store whose turn
        came and went by `GRACE_S` without its push here nor its asking again (it pushed to
        another worker, or went away) is no longer ahead of anyone."""
        if now - self._swept_at < SWEEP_EVERY_S:
            return
        self._swept_at = now
        kept = {s: spot for s, spot in self._line.items() if now <= spot.due + GRACE_S}
        if len(kept) < len(self._line):
            self._line = kept
            self._tickets = [spot.number for spot in kept.values()]

    def _leave_line(self, store_id: str) -> None:
        """The store's push is taken: its ticket is used up (under the lock)."""
        if (spot := self._line.pop(store_id, None)) is not None:
            at = bisect_left(self._tickets, spot.number)
            if at < len(self._tickets) and self._tickets[at] == spot.number:
                del self._tickets[at]

    def _try(self, store_id: str) -> str:
        """Take a slot for the store; '' when taken, else why not."""
        with self._lock:
            if store_id in self._busy_stores:
                return STILL_APPLYING
            if self._in_use >= self.slots:
                return "The cloud is applying many stores' events at once."
            self._busy_stores.add(store_id)
            self._leave_line(store_id)
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
