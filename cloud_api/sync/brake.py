"""Stores' pushes stored no faster than the appliers apply them: the backlog's brake.

In a storm, the stores' pushes can be stored faster than their events are applied (on two
cores, 8,400 events/s stored against 4,900 applied): the difference only piles up as events
stored and waiting, the storm drains no sooner, and storing at that pace takes the CPU and
the disk's log from customers' orders for the whole first half of the storm (their slowest
orders came then). So a push about to be stored first waits, holding its slot, while more
than the limit wait to be applied, for `most_s` at most: its slot's longer hold slows
the line (`admission`: each store is told its turn from the slots' measured time), so the
stores are admitted at the rate the appliers apply. The brake paces and never refuses:
after `most_s` the push is stored anyway (appliers stopped or slow, the events are safe
stored, and the agent's own timeout is far off). Only a backlog's push is braked (more
events than `admission.BACKLOG_FOR_A_PLACE`): a store online sends its evening a handful of
events at a time, and its customers' trackers want them now.

The limit is a few seconds of the appliers' work: `ahead_s` of the paces they told lately
(`pace`: each applier's events a second while it has events to apply), and never less than
`least`. So it follows the chain's appliers, however many run and on whatever machines: one
applier on two cores told 4,000-4,350 a second in a storm, a limit of about 20,000 events;
sixteen such, about 325,000. Before any applier has told a pace (a storm's first second, a
cloud just started), the limit is `least`.

The backlog and the paces are read at most once per `every_s` for all the pushes waiting (one
statement over the appliers' queue and their paces, `repository.backlog`). While pushes wait,
the brake says so every `HELD_EVERY_S` (`holding`: the cloud announces it as a push's events,
`sync.news`): a quiet applier, which applies only once no push has been heard of for a while
(a storm's tail), hears the storm still on, and leaves the CPU to the customers' orders.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import NamedTuple

# The least events waiting to be applied beyond which a push waits: five seconds of one
# applier process on two cores, the limit until the appliers have told their pace.
BACKLOG_EVENTS = 20_000
AHEAD_S = 5.0  # the appliers' work let wait: seconds of their told pace
MOST_S = 5.0  # the longest a push waits for the backlog (the agent's timeout is 30 s)
EVERY_S = 0.05  # how often the backlog is read while pushes wait
HELD_EVERY_S = 0.2  # how often pushes waiting are told of (a quiet applier waits for 0.5 s of quiet)


class Backlog(NamedTuple):
    waiting: int  # the chain's events stored and waiting to be applied
    pace: float  # the events a second its appliers told they apply (0.0: none told lately)


def limit(pace: float, least: int = BACKLOG_EVENTS, ahead_s: float = AHEAD_S) -> int:
    """The events that may wait to be applied: `ahead_s` of the appliers' pace, `least` at least."""
    return max(least, int(pace * ahead_s))


class Brake:
    def __init__(
        self,
        backlog: Callable[[], Backlog],
        least: int = BACKLOG_EVENTS,
        ahead_s: float = AHEAD_S,
        most_s: float = MOST_S,
        every_s: float = EVERY_S,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        holding: Callable[[], None] = lambda: None,
    ) -> None:
        self.backlog, self.least, self.ahead_s = backlog, least, ahead_s
        self.most_s, self.every_s = most_s, every_s
        self.clock, self.sleep, self.holding = clock, sleep, holding
        self._lock = threading.Lock()
        self._read_at: float | None = None
        self._told_at: float | None = None
        self._seen = Backlog(0, 0.0)
        self.held = 0  # pushes waiting now

    def limit(self, seen: Backlog) -> int:
        """This brake's `limit` at the appliers' pace as seen."""
        return limit(seen.pace, self.least, self.ahead_s)

    def wait(self) -> float:
        """Wait while more events wait to be applied than the limit, `most_s` at most; the
        seconds waited. A `least` of 0 never waits."""
        if self.least <= 0:
            return 0.0
        start = self.clock()
        if not self._behind():
            return 0.0
        self._count(+1)
        try:
            while (waited := self.clock() - start) < self.most_s:
                self._tell_held()
                self.sleep(min(self.every_s, self.most_s - waited))
                if not self._behind():
                    return self.clock() - start
            return waited
        finally:
            self._count(-1)

    def _tell_held(self) -> None:
        """`holding()`, at most once per `HELD_EVERY_S` for all the pushes waiting."""
        with self._lock:
            now = self.clock()
            if self._told_at is not None and now - self._told_at < HELD_EVERY_S:
                return
            self._told_at = now
        self.holding()

    def _count(self, change: int) -> None:
        with self._lock:
            self.held += change

    def _behind(self) -> bool:
        """More events wait than the limit, by the backlog as last read (read again when
        older than `every_s`)."""
        with self._lock:
            now = self.clock()
            if self._read_at is None or now - self._read_at >= self.every_s:
                self._seen, self._read_at = self.backlog(), now
            return self._seen.waiting > self.limit(self._seen)
