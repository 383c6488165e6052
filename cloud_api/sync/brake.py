"""Stores' pushes stored no faster than the appliers apply them: the backlog's brake.

In a storm, the stores' pushes can be stored faster than their events are applied (on two
cores, 8,400 events/s stored against 4,900 applied): the difference only piles up as events
stored and waiting, the storm drains no sooner, and storing at that pace takes the CPU and
the disk's log from customers' orders for the whole first half of the storm (their slowest
orders came then). So a push about to be stored first waits, holding its slot, while more
than `limit` events wait to be applied, for `most_s` at most: its slot's longer hold slows
the line (`admission`: each store is told its turn from the slots' measured time), so the
stores are admitted at the rate the appliers apply. The brake paces and never refuses:
after `most_s` the push is stored anyway (appliers stopped or slow, the events are safe
stored, and the agent's own timeout is far off). Only a backlog's push is braked (more
events than `admission.BACKLOG_FOR_A_PLACE`): a store online sends its evening a handful of
events at a time, and its customers' trackers want them now.

The backlog is read at most once per `every_s` for all the pushes waiting (one statement
over the appliers' queue, `repository.waiting_in_all`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# Events waiting to be applied beyond which a push waits: a few seconds of the appliers'
# work, so they never run dry while the pushes wait, and no more than that piled up (five
# seconds of one applier process; a chain's many appliers want it set in proportion:
# `CloudSettings.sync_backlog_events`).
BACKLOG_EVENTS = 20_000
MOST_S = 5.0  # the longest a push waits for the backlog (the agent's timeout is 30 s)
EVERY_S = 0.05  # how often the backlog is read while pushes wait


class Brake:
    def __init__(
        self,
        backlog: Callable[[], int],
        limit: int = BACKLOG_EVENTS,
        most_s: float = MOST_S,
        every_s: float = EVERY_S,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.backlog, self.limit, self.most_s, self.every_s = backlog, limit, most_s, every_s
        self.clock, self.sleep = clock, sleep
        self._lock = threading.Lock()
        self._read_at: float | None = None
        self._seen = 0
        self.held = 0  # pushes waiting now

    def wait(self) -> float:
        """Wait while more than `limit` events wait to be applied, `most_s` at most; the
        seconds waited. A limit of 0 never waits."""
        if self.limit <= 0:
            return 0.0
        start = self.clock()
        if self._waiting() <= self.limit:
            return 0.0
        self._count(+1)
        try:
            while (waited := self.clock() - start) < self.most_s:
                self.sleep(min(self.every_s, self.most_s - waited))
                if self._waiting() <= self.limit:
                    return self.clock() - start
            return waited
        finally:
            self._count(-1)

    def _count(self, change: int) -> None:
        with self._lock:
            self.held += change

    def _waiting(self) -> int:
        """The backlog as last read, read again when older than `every_s`."""
        with self._lock:
            now = self.clock()
            if self._read_at is None or now - self._read_at >= self.every_s:
                self._seen, self._read_at = self.backlog(), now
            return self._seen
