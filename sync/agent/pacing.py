"""The agent's pacing: waiting that a stop cuts short, running tasks until the first ends,
and logging a failure once rather than on every retry."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

log = logging.getLogger("sync.agent.loop")


class Repeats:
    """One log line per failure; the same failure again within `every_s` is counted, not logged."""

    def __init__(self, every_s: float = 60.0) -> None:
        self.every_s = every_s
        self.last = ""
        self.logged_at = 0.0
        self.quiet = 0

    def log(self, level: int, message: str) -> None:
        now = time.monotonic()
        if message == self.last and now - self.logged_at < self.every_s:
            self.quiet += 1
            return
        more = f" (and {self.quiet} more time(s) since the last report)" if self.quiet else ""
        log.log(level, "%s%s", message, more)
        self.last, self.logged_at, self.quiet = message, now, 0


async def wait_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def first_of(tasks: list[asyncio.Task[Any]]) -> None:
    """Run until one task ends; cancel the rest; raise what ended it, if it failed."""
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        if not task.cancelled() and (error := task.exception()) is not None:
            raise error
