"""Coalesces what committed transactions announce into one NOTIFY per short window.

A NOTIFY inside a write transaction makes PostgreSQL serialise commits on its
notification queue, so the hot path never does that. Committed transactions hand
their announcement here instead; a thread sends whatever gathered in the last few
milliseconds as one NOTIFY (split only when it would pass PostgreSQL's 8 kB
payload limit). A crash can lose a nudge, never data: trackers re-read the order
when they connect, and store agents also poll their feed.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

import psycopg

from cloud_api.db.database import Announcement
from cloud_api.pubsub import CHANNEL, INBOUND
from cloud_api.settings import libpq_url

log = logging.getLogger(__name__)
PAYLOAD_LIMIT = 7500


def payloads(tracker: list[dict[str, Any]], stores: set[str], jobs: bool, inbound: bool = False) -> list[str]:
    """Split one window's news into NOTIFY payloads under the size limit (`"a"`: events are
    waiting for the appliers, `cloud_api.sync.news`)."""
    out: list[str] = []
    current: dict[str, Any] = {"t": [], "f": sorted(stores), "n": jobs}
    if inbound:
        current[INBOUND] = True
    for update in tracker:
        current["t"].append(update)
        if len(json.dumps(current, separators=(",", ":"))) > PAYLOAD_LIMIT and len(current["t"]) > 1:
            current["t"].pop()
            out.append(json.dumps(current, separators=(",", ":")))
            current = {"t": [update], "f": [], "n": False}
    out.append(json.dumps(current, separators=(",", ":")))
    return out


class Announcer:
    def __init__(self, url: str, window_s: float = 0.005) -> None:
        self.url = libpq_url(url)
        self.window_s = window_s
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._tracker: list[dict[str, Any]] = []
        self._stores: set[str] = set()
        self._jobs = False
        self._inbound = False
        self._thread: threading.Thread | None = None
        self.sent = 0  # NOTIFY statements sent, for tests and the benchmark

    def post(self, announcement: Announcement) -> None:
        with self._lock:
            self._tracker.extend(announcement.tracker)
            self._stores |= announcement.feed_stores
            self._jobs = self._jobs or announcement.jobs
            self._inbound = self._inbound or announcement.inbound
        self._wake.set()

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="announcer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _drain(self) -> list[str]:
        with self._lock:
            tracker, stores, jobs, inbound = self._tracker, self._stores, self._jobs, self._inbound
            self._tracker, self._stores, self._jobs, self._inbound = [], set(), False, False
        if not (tracker or stores or jobs or inbound):
            return []
        return payloads(tracker, stores, jobs, inbound)

    def _run(self) -> None:
        conn: psycopg.Connection[Any] | None = None
        while not self._stop.is_set():
            self._wake.wait()
            if self._stop.wait(self.window_s):
                break
            self._wake.clear()
            batch = self._drain()
            if not batch:
                continue
            try:
                if conn is None or conn.closed:
                    conn = psycopg.connect(self.url, autocommit=True)
                for payload in batch:
                    conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
                    self.sent += 1
            except psycopg.Error as exc:
                log.warning("could not announce %d update(s): %s", len(batch), exc)
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()
