"""Sync work admitted at the rate a worker can apply it, customers first.

A worker stores and applies at most `slots` pushes at once; one more waits up to
`wait_s` for a slot, then is answered 429 with a jittered `Retry-After`, which the
store's agent obeys (its batch is kept and sent again then, unchanged). A push of a
store whose previous batch this worker is still applying (an agent that restarted, or
resent after its timeout) waits for it the same way: a batch is never applied twice in
parallel, and a resent batch never queues behind its own first copy for long.
Handler threads stay free for customers' orders and trackers, and work done is kept:
nothing waits long enough for the agent's own timeout to send it again.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from cloud_api.errors import TooManyAttempts


class SyncBusy(TooManyAttempts):
    """The cloud is applying as many stores' events as it can: try again after a while."""


class Admission:
    def __init__(self, slots: int, wait_s: float = 1.0, retry_after_s: int = 1) -> None:
        self.slots, self.wait_s, self.retry_after_s = max(1, slots), wait_s, max(1, retry_after_s)
        self._free = threading.BoundedSemaphore(self.slots)
        self._changed = threading.Condition()
        self._busy_stores: set[str] = set()

    def _busy(self, why: str) -> SyncBusy:
        # Jittered, so stores turned away together do not come back together.
        wait = random.randint(self.retry_after_s, 3 * self.retry_after_s)
        return SyncBusy(f"{why} Sending again in {wait} s; nothing is lost.", wait)

    @contextmanager
    def slot(self, store_id: str) -> Iterator[None]:
        with self._changed:
            if not self._changed.wait_for(lambda: store_id not in self._busy_stores, timeout=self.wait_s):
                raise self._busy("The cloud is still applying this store's previous batch.")
            self._busy_stores.add(store_id)
        try:
            if not self._free.acquire(timeout=self.wait_s):
                raise self._busy("The cloud is applying many stores' events at once.")
            try:
                yield
            finally:
                self._free.release()
        finally:
            with self._changed:
                self._busy_stores.discard(store_id)
                self._changed.notify_all()
