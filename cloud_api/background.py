"""A worker thread that repeats one step: at once while there is work, else on a wake-up
or every `idle_s` seconds. One failed step is logged and the loop carries on."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Loop:
    def __init__(
        self, name: str, step: Callable[[], int], wake: threading.Event | None = None, idle_s: float = 1.0
    ) -> None:
        self.name, self.step, self.idle_s = name, step, idle_s
        self.wake = wake or threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.step()
            except Exception:
                log.exception("%s failed a round; retrying", self.name)
                busy = 0
            if not busy:
                self.wake.wait(self.idle_s)
                self.wake.clear()
