"""An applier's pace: the events it applies a second while it has events to apply.

Each applier (one of `makeline cloud`'s applier processes, or a worker's own thread) times
its rounds. A second's worth of rounds in a row that each applied something is a pace, told
to the others through the database (`repository.tell_pace`), so at most one a second; a
round that applied nothing starts the count again (the applier ran dry: its pace was the
queue's then, not its own). The backlog's brake sums the paces told in the last `FRESH_S`
(`brake`): an applier idle or gone that long no longer counts.
"""

from __future__ import annotations

import itertools
import os
import socket

WINDOW_S = 1.0  # rounds timed together before a pace is told
FRESH_S = 10.0  # a pace told longer ago than this is not counted

_made = itertools.count(1)


class PaceMeter:
    def __init__(self, name: str | None = None, window_s: float = WINDOW_S) -> None:
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{next(_made)}"
        self.window_s = window_s
        self._events, self._seconds = 0, 0.0

    def round(self, events: int, seconds: float) -> float | None:
        """A round applied `events` in `seconds`: the pace to tell once the rounds in a row
        that applied something add up to `window_s`, else None."""
        if events <= 0:
            self._events, self._seconds = 0, 0.0
            return None
        self._events += events
        self._seconds += seconds
        if self._seconds < self.window_s:
            return None
        pace = self._events / self._seconds
        self._events, self._seconds = 0, 0.0
        return pace
