"""An applier's pace: the events it applies a second while it has events to apply.

Each applier (one of `makeline cloud`'s applier processes, or a worker's own thread) times
each store's chunk it applies. A second's worth of chunks is a pace, told to the others
through the database (`repository.tell_pace`), so at most one a second; a round over the
stores that applied nothing starts the count again (the applier ran dry: its pace was the
queue's then, not its own). The backlog's brake sums the paces told in the last `FRESH_S`
(`brake`): an applier idle or gone that long no longer counts (a quiet applier that applied
a pause's worth, then waits for the next pause, among them).
"""

from __future__ import annotations

import itertools
import os
import socket

WINDOW_S = 1.0  # chunks timed together before a pace is told
FRESH_S = 3.0  # a pace told longer ago than this is not counted (a chunk takes well under a second)

_made = itertools.count(1)


class PaceMeter:
    def __init__(self, name: str | None = None, window_s: float = WINDOW_S) -> None:
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{next(_made)}"
        self.window_s = window_s
        self._events, self._seconds = 0, 0.0

    def applied(self, events: int, seconds: float) -> float | None:
        """A chunk of `events` applied in `seconds`: the pace to tell once the chunks since the
        last add up to `window_s`, else None."""
        self._events += events
        self._seconds += seconds
        if self._events <= 0 or self._seconds < self.window_s:
            return None
        pace = self._events / self._seconds
        self._events, self._seconds = 0, 0.0
        return pace

    def ran_dry(self) -> None:
        """A round over the stores applied nothing: the count starts again."""
        self._events, self._seconds = 0, 0.0
