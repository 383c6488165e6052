"""A backlog drain's progress in the agent's log: how many of how many, how fast."""

from __future__ import annotations

import logging
import time

log = logging.getLogger("sync")


class DrainProgress:
    """A backlog drain's progress in the log, every couple of seconds."""

    def __init__(self) -> None:
        self.running = False
        self.total = self.done = 0
        self.started = self.logged = 0.0

    def start(self, total: int) -> None:
        self.running, self.total, self.done = True, total, 0
        self.started = self.logged = time.monotonic()
        log.info("sync: sending a backlog of %d events", total)

    def sent(self, count: int, position: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self.logged >= 2.0:
            self.logged = now
            rate = self.done / max(now - self.started, 1e-6)
            log.info(
                "sync: backlog: %d of %d sent (up to #%d), %.0f events/s",
                self.done,
                self.total,
                position,
                rate,
            )

    def finish(self) -> None:
        if not self.running:
            return
        self.running = False
        took = time.monotonic() - self.started
        log.info(
            "sync: backlog sent: %d events in %.1f s (%.0f events/s)",
            self.done,
            took,
            self.done / max(took, 1e-6),
        )
