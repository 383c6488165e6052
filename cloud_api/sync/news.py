"""The appliers' ear: a store's pushed events heard of as soon as they are stored.

A push that stores events announces it (`Announcement.inbound`, sent after its commit on the
cloud's NOTIFY channel, coalesced with the worker's other news: `cloud_api.pubsub`), and so do
pushes waiting on the backlog's brake, every 0.2 s while they wait (`sync.brake`). An idle
applier waits on its own LISTEN connection and starts on the store's events at once, instead
of at its next look. A nudge lost (the connection dropped, a worker gone between its commit and
the NOTIFY) costs one idle period: the applier still looks for waiting events every `idle_s`.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

import psycopg

from cloud_api.pubsub import CHANNEL, INBOUND
from cloud_api.settings import libpq_url

log = logging.getLogger(__name__)

STOP_CHECK_S = 1.0  # the longest a wait goes without looking at its stop event


def heard_inbound(payload: str) -> bool:
    """Whether a NOTIFY payload says a store's events wait for the appliers."""
    try:
        found = json.loads(payload)
    except ValueError:
        return False
    return isinstance(found, dict) and found.get(INBOUND) is True


class InboundNews:
    """A LISTEN connection of the applier's own, opened when first needed, opened again
    after it drops."""

    def __init__(self, url: str) -> None:
        self.url = libpq_url(url)
        self._conn: psycopg.Connection[Any] | None = None

    def wait(self, idle_s: float, stop: threading.Event) -> bool:
        """Until a push's events are heard of (True), or `idle_s` passed or `stop` was set (False)."""
        deadline = time.monotonic() + idle_s
        while not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            conn = self._connected()
            if conn is None:  # the database is away: look again after a while
                stop.wait(min(left, STOP_CHECK_S))
                continue
            try:
                for notify in conn.notifies(timeout=min(left, STOP_CHECK_S), stop_after=1):
                    if heard_inbound(notify.payload):
                        return True
            except psycopg.Error as exc:
                log.warning(
                    "the applier lost its LISTEN connection (%s); looking every %.1f s meanwhile", exc, idle_s
                )
                self.close()
        return False

    def quiet_for(self, seconds: float, stop: threading.Event) -> bool:
        """Once `seconds` passed with no push's events heard of: True; False if `stop` was set
        first. News heard while the caller was busy is read at once (it is not waited for)."""
        while self.wait(seconds, stop):
            pass
        return not stop.is_set()

    def _connected(self) -> psycopg.Connection[Any] | None:
        if self._conn is not None and not self._conn.closed:
            return self._conn
        try:
            self._conn = psycopg.connect(self.url, autocommit=True)
            self._conn.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as exc:
            log.warning("the applier cannot LISTEN for pushes (%s)", exc)
            self.close()
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = None
